package io.retort.sql.compile;

import io.retort.sql.Column;
import io.retort.sql.Cte;
import io.retort.sql.Expression;
import io.retort.sql.Operator;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Statement;
import io.retort.sql.TableAlias;
import io.retort.sql.Subquery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.retort.sql.Sql.caseWhen;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.delete;
import static io.retort.sql.Sql.function;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.literal;
import static io.retort.sql.Sql.nullValue;
import static io.retort.sql.Sql.param;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.text;
import static io.retort.sql.Sql.tuple;
import static io.retort.sql.Sql.update;
import static io.retort.sql.compile.KeyFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQLAlchemy {@code test_compare}-style fixtures for the structural cache key (C2, B17): pairs
 * that differ in structure must have different keys, pairs that differ only in values must
 * have equal keys. Includes regressions for the key bugs found by {@link CacheKeyPropertyTest}.
 */
class CacheKeyFixturesTest {

    private static Arguments pair(String name, Supplier<Statement> a, Supplier<Statement> b) {
        return Arguments.of(name, a, b);
    }

    // ================================================================= different keys

    static Stream<Arguments> distinctPairs() {
        TableAlias a = ARTIST.as("a");
        TableAlias b = ARTIST.as("b");
        return Stream.of(
                pair("schema (B17): artist vs other.artist",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(1)),
                        () -> select(OTHER_ARTIST_NAME).where(OTHER_ARTIST_ID.eq(1))),
                pair("schema (B17) in INSERT",
                        () -> insert(ARTIST).set(ARTIST_NAME, "x"),
                        () -> insert(OTHER_ARTIST).set(OTHER_ARTIST_NAME, "x")),
                pair("schema (B17) in UPDATE",
                        () -> update(ARTIST).set(ARTIST_NAME, "x").where(ARTIST_ID.eq(1)),
                        () -> update(OTHER_ARTIST).set(OTHER_ARTIST_NAME, "x").where(OTHER_ARTIST_ID.eq(1))),
                pair("schema (B17) in DELETE",
                        () -> delete(ARTIST).where(ARTIST_ID.eq(1)),
                        () -> delete(OTHER_ARTIST).where(OTHER_ARTIST_ID.eq(1))),
                pair("schema (B17) behind an alias of the same name",
                        () -> select(ARTIST.as("x").c("name")),
                        () -> select(OTHER_ARTIST.as("x").c("name"))),
                pair("table alias name",
                        () -> select(a.c("name")).where(a.c("artist_id", SqlTypes.INTEGER).eq(1)),
                        () -> select(b.c("name")).where(b.c("artist_id", SqlTypes.INTEGER).eq(1))),
                pair("aliased vs plain table",
                        () -> select(a.c("name")),
                        () -> select(ARTIST_NAME)),
                pair("literal-execute flag",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(param("p", 5, SqlTypes.INTEGER))),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(param("p", 5, SqlTypes.INTEGER).literalExecute()))),
                pair("LIMIT present vs absent",
                        () -> select(ARTIST_NAME).limit(10),
                        () -> select(ARTIST_NAME)),
                pair("OFFSET present vs absent",
                        () -> select(ARTIST_NAME).limit(10).offset(5),
                        () -> select(ARTIST_NAME).limit(10)),
                pair("LIMIT fits an int vs needs a long (bind type)",
                        () -> select(ARTIST_NAME).limit(10),
                        () -> select(ARTIST_NAME).limit(3_000_000_000L)),
                pair("bind value type Integer vs Long",
                        () -> select(ARTIST_NAME, param(5).as("v")),
                        () -> select(ARTIST_NAME, param(5L).as("v"))),
                pair("text() bind type Integer vs Long",
                        () -> text("SELECT name FROM artist WHERE artist_id = :id").bind("id", 5),
                        () -> text("SELECT name FROM artist WHERE artist_id = :id").bind("id", 5L)),
                pair("inline literal value",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(literal(1))),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(literal(2)))),
                pair("inline literal vs bound value",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(literal(1))),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(param(1)))),
                pair("operator = vs <>",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(1)),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.ne(1))),
                pair("operator < vs >",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.lt(1)),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.gt(1))),
                pair("AND vs OR",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(1).and(ARTIST_NAME.eq("x"))),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(1).or(ARTIST_NAME.eq("x")))),
                pair("IN vs NOT IN",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(1, 2)),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.notIn(1, 2))),
                pair("LIKE with and without ESCAPE (autoescape)",
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.startsWith("a_b", true)),
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.startsWith("a_b"))),
                pair("startsWith vs endsWith",
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.startsWith("a")),
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.endsWith("a"))),
                pair("ASC vs DESC",
                        () -> select(ARTIST_NAME).orderBy(ARTIST_NAME.asc()),
                        () -> select(ARTIST_NAME).orderBy(ARTIST_NAME.desc())),
                pair("NULLS FIRST vs default",
                        () -> select(ARTIST_NAME).orderBy(ARTIST_NAME.asc().nullsFirst()),
                        () -> select(ARTIST_NAME).orderBy(ARTIST_NAME.asc())),
                pair("join type INNER vs LEFT",
                        () -> select(ALBUM_TITLE, ARTIST_NAME).from(ALBUM.join(ARTIST)),
                        () -> select(ALBUM_TITLE, ARTIST_NAME).from(ALBUM.leftJoin(ARTIST))),
                pair("join ON condition",
                        () -> select(ALBUM_TITLE).from(ALBUM.join(ARTIST, ALBUM_ARTIST_ID.eq(ARTIST_ID))),
                        () -> select(ALBUM_TITLE).from(ALBUM.join(ARTIST, ALBUM_ARTIST_ID.ne(ARTIST_ID)))),
                pair("UNION vs UNION ALL",
                        () -> select(ARTIST_NAME).union(select(ALBUM_TITLE)),
                        () -> select(ARTIST_NAME).unionAll(select(ALBUM_TITLE))),
                pair("DISTINCT",
                        () -> select(ARTIST_NAME).distinct(),
                        () -> select(ARTIST_NAME)),
                pair("label name",
                        () -> select(ARTIST_NAME.as("n")),
                        () -> select(ARTIST_NAME.as("m"))),
                pair("CAST target type",
                        () -> select(ARTIST_ID.cast(SqlTypes.VARCHAR)),
                        () -> select(ARTIST_ID.cast(SqlTypes.TEXT))),
                pair("function name",
                        () -> select(function("lower", SqlTypes.VARCHAR, ARTIST_NAME)),
                        () -> select(function("upper", SqlTypes.VARCHAR, ARTIST_NAME))),
                pair("CASE with and without ELSE",
                        () -> select(caseWhen(ARTIST_ID.gt(1), "x", SqlTypes.VARCHAR).otherwise("y")),
                        () -> select(caseWhen(ARTIST_ID.gt(1), "x", SqlTypes.VARCHAR))),
                pair("column list",
                        () -> insert(ARTIST).set(ARTIST_NAME, "x"),
                        () -> insert(ARTIST).set(ARTIST_ID, 1)),
                pair("RETURNING present vs absent",
                        () -> delete(ARTIST).where(ARTIST_ID.eq(1)).returning(ARTIST_ID),
                        () -> delete(ARTIST).where(ARTIST_ID.eq(1))),
                pair("text() SQL",
                        () -> text("SELECT 1"),
                        () -> text("SELECT 2")),

                // ---- regressions for bugs found by the property test (see the report in the PR)
                pair("BUG: WHERE of a scalar subquery vs WHERE of the enclosing SELECT (key not prefix-free)",
                        () -> select(ARTIST_NAME, select(ALBUM_TITLE).<String>scalar()).where(ARTIST_ID.eq(1)),
                        () -> select(ARTIST_NAME, select(ALBUM_TITLE).where(ARTIST_ID.eq(1)).<String>scalar())),
                pair("BUG: ORDER BY/LIMIT of a UNION vs of its last member (key not prefix-free)",
                        () -> select(ARTIST_NAME).union(select(ALBUM_TITLE)).orderBy(ALBUM_TITLE).limit(5),
                        () -> select(ARTIST_NAME).union(select(ALBUM_TITLE).orderBy(ALBUM_TITLE).limit(5))),
                pair("BUG: ORDER BY of an EXISTS subquery vs of the enclosing SELECT (key not prefix-free)",
                        () -> select(ARTIST_NAME).where(select(ALBUM_TITLE).exists()).orderBy(ARTIST_NAME),
                        () -> select(ARTIST_NAME).where(select(ALBUM_TITLE).orderBy(ARTIST_NAME).exists())),
                pair("BUG: one alias object vs two equal-looking alias objects (FROM identity)",
                        () -> {
                            TableAlias x = ARTIST.as("x");
                            return select(x.c("name")).where(x.c("artist_id", SqlTypes.INTEGER).eq(1));
                        },
                        () -> select(ARTIST.as("x").c("name")).where(ARTIST.as("x").c("artist_id", SqlTypes.INTEGER).eq(1))),
                pair("BUG: which of two same-named subquery objects a later column refers to (FROM identity)",
                        () -> {
                            Subquery s1 = select(ALBUM_TITLE).subquery("s");
                            Subquery s2 = select(ALBUM_TITLE).subquery("s");
                            return select(s2.c("title")).where(select(s1.c("title")).exists(),
                                    s1.c("title", SqlTypes.VARCHAR).eq("x"));
                        },
                        () -> {
                            Subquery s1 = select(ALBUM_TITLE).subquery("s");
                            Subquery s2 = select(ALBUM_TITLE).subquery("s");
                            return select(s2.c("title")).where(select(s1.c("title")).exists(),
                                    s2.c("title", SqlTypes.VARCHAR).eq("x"));
                        }),
                pair("BUG: which of two completions of one recursive CTE a later column refers to (FROM identity)",
                        () -> {
                            Cte[] c = twoCompletions();
                            return select(c[1].c("n")).where(select(c[0].c("n")).exists(),
                                    c[0].c("n", SqlTypes.INTEGER).gt(1));
                        },
                        () -> {
                            Cte[] c = twoCompletions();
                            return select(c[1].c("n")).where(select(c[0].c("n")).exists(),
                                    c[1].c("n", SqlTypes.INTEGER).gt(1));
                        }),
                pair("BUG: non-associative custom operator vs built-in + (parenthesisation)",
                        () -> select(TRACK_MS.plus(TRACK_ID.plus(TRACK_ALBUM_ID)).as("x")),
                        () -> select(TRACK_MS.op(Operator.custom("+", Operator.ADDITIVE_LEVEL, false),
                                TRACK_ID.plus(TRACK_ALBUM_ID), SqlTypes.INTEGER).as("x"))),
                pair("BUG: FILTER on the outer vs the inner aggregate (key not prefix-free)",
                        () -> select(function("f", SqlTypes.INTEGER, function("g", SqlTypes.INTEGER, TRACK_ID))
                                .filter(TRACK_MS.gt(1))),
                        () -> select(function("f", SqlTypes.INTEGER, function("g", SqlTypes.INTEGER, TRACK_ID)
                                .filter(TRACK_MS.gt(1))))),
                pair("BUG: function result type (read type of the result column)",
                        () -> select(function("coalesce", SqlTypes.VARCHAR, ARTIST_NAME)),
                        () -> select(function("coalesce", SqlTypes.JSON, ARTIST_NAME))),
                pair("BUG: NULL constant type (read type of the result column)",
                        () -> select(nullValue(SqlTypes.INTEGER).as("n")),
                        () -> select(nullValue(SqlTypes.VARCHAR).as("n"))),
                pair("BUG: custom operator result type (read type of the result column)",
                        () -> select(TRACK_NAME.op(Operator.custom("->>", 9, false), "k", SqlTypes.VARCHAR)),
                        () -> select(TRACK_NAME.op(Operator.custom("->>", 9, false), "k", SqlTypes.JSON))),
                pair("BUG: one bind object used twice vs two binds (value positions)",
                        () -> {
                            Expression<Integer> p = param(5);
                            return select(ARTIST_NAME).where(ARTIST_ID.gt(p).or(ARTIST_ID.lt(p)));
                        },
                        () -> select(ARTIST_NAME).where(ARTIST_ID.gt(param(5)).or(ARTIST_ID.lt(param(5))))),
                pair("BUG: one subquery object used twice vs two (values positions)",
                        () -> {
                            Select sub = select(ALBUM_ARTIST_ID).where(ALBUM_TITLE.eq("t"));
                            return select(ARTIST_NAME).where(ARTIST_ID.in(sub).or(ARTIST_ID.notIn(sub)));
                        },
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(select(ALBUM_ARTIST_ID).where(ALBUM_TITLE.eq("t")))
                                .or(ARTIST_ID.notIn(select(ALBUM_ARTIST_ID).where(ALBUM_TITLE.eq("t")))))));
    }

    /** Two recursive CTEs completed from one anchor: same name, {@code sameAs} each other, different bodies. */
    private static Cte[] twoCompletions() {
        Cte anchor = select(literal(1).as("n")).cteRecursive("r");
        Column<Integer> n = anchor.c("n", SqlTypes.INTEGER);
        return new Cte[]{
            anchor.unionAll(select(n.plus(1)).from(anchor).where(n.lt(5))),
            anchor.unionAll(select(n.plus(2)).from(anchor).where(n.lt(5)))
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("distinctPairs")
    void structurallyDifferentStatementsHaveDifferentKeys(String name, Supplier<Statement> a, Supplier<Statement> b) {
        Statement x = a.get();
        Statement y = b.get();
        assertThat(key(x)).as("%s: keys must differ%n  a: %s%n  b: %s", name, key(x), key(y)).isNotEqualTo(key(y));
        assertThat(CacheKey.diff(key(x), key(y))).as(name).isNotNull();
        // A fresh build of the same shape keys the same: the key is a function of structure.
        assertThat(key(a.get())).as("%s: rebuilt a", name).isEqualTo(key(x));
        assertThat(key(b.get())).as("%s: rebuilt b", name).isEqualTo(key(y));
    }

    /** For the regressions, equal keys would have served the wrong SQL, values or result types. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("distinctPairs")
    void bugRegressionsReallyCompileDifferently(String name, Supplier<Statement> a, Supplier<Statement> b) {
        if (!name.startsWith("BUG")) {
            return;
        }
        Dialect d = ExtendedAnsi.INSTANCE;
        CompiledStatement x = Compiler.compile(a.get(), d);
        CompiledStatement y = Compiler.compile(b.get(), d);
        boolean same = x.sql().equals(y.sql()) && x.slots().equals(y.slots())
                && x.resultColumns().equals(y.resultColumns());
        assertThat(same).as("%s: the pair compiles identically, so it does not need distinct keys:%n  %s%n  %s",
                name, x.sql(), y.sql()).isFalse();
    }

    // ================================================================= equal keys

    static Stream<Arguments> valueOnlyPairs() {
        return Stream.of(
                pair("bound value",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(1)),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(2))),
                pair("IN list lengths 3 vs 1",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(1, 2, 3)),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(7))),
                pair("IN list empty vs 2",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(List.of())),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.in(List.of(4, 5)))),
                pair("NOT IN list empty vs 4",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.notIn(List.of())),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.notIn(List.of(1, 2, 3, 4)))),
                pair("tuple IN lengths",
                        () -> select(ALBUM_TITLE).where(tuple(ALBUM_ID, ALBUM_ARTIST_ID).in(List.<Object[]>of(new Object[]{1, 2}))),
                        () -> select(ALBUM_TITLE).where(tuple(ALBUM_ID, ALBUM_ARTIST_ID).in(List.of()))),
                pair("LIMIT 10 vs LIMIT 20",
                        () -> select(ARTIST_NAME).limit(10),
                        () -> select(ARTIST_NAME).limit(20)),
                pair("LIMIT/OFFSET values",
                        () -> select(ARTIST_NAME).limit(10).offset(0),
                        () -> select(ARTIST_NAME).limit(20).offset(40)),
                pair("LIKE autoescape values",
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.startsWith("100%", true)),
                        () -> select(ARTIST_NAME).where(ARTIST_NAME.startsWith("a", true))),
                pair("BETWEEN values",
                        () -> select(TRACK_NAME).where(TRACK_PRICE.between(new BigDecimal("0.5"), new BigDecimal("1.0"))),
                        () -> select(TRACK_NAME).where(TRACK_PRICE.between(BigDecimal.ONE, BigDecimal.TEN))),
                pair("literal-execute values",
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(param("p", 5, SqlTypes.INTEGER).literalExecute())),
                        () -> select(ARTIST_NAME).where(ARTIST_ID.eq(param("p", 6, SqlTypes.INTEGER).literalExecute()))),
                pair("INSERT values",
                        () -> insert(ARTIST).set(ARTIST_ID, 1).set(ARTIST_NAME, "a"),
                        () -> insert(ARTIST).set(ARTIST_ID, 2).set(ARTIST_NAME, "b")),
                pair("UPDATE values, value null",
                        () -> update(ARTIST).set(ARTIST_NAME, "a").where(ARTIST_ID.eq(1)),
                        () -> update(ARTIST).set(ARTIST_NAME, (String) null).where(ARTIST_ID.eq(2))),
                pair("text() values",
                        () -> text("SELECT * FROM artist WHERE artist_id = :id OR name = :n OR artist_id = :id")
                                .bind("id", 1).bind("n", "a"),
                        () -> text("SELECT * FROM artist WHERE artist_id = :id OR name = :n OR artist_id = :id")
                                .bind("id", 2).bind("n", "b")),
                pair("scalar subquery and CTE values",
                        () -> {
                            var c = select(ALBUM_ARTIST_ID).where(ALBUM_TITLE.eq("x")).cte("c");
                            return select(ARTIST_NAME).where(ARTIST_ID.in(select(c.c("artist_id"))));
                        },
                        () -> {
                            var c = select(ALBUM_ARTIST_ID).where(ALBUM_TITLE.eq("y")).cte("c");
                            return select(ARTIST_NAME).where(ARTIST_ID.in(select(c.c("artist_id"))));
                        }),
                pair("CASE and window values",
                        () -> select(caseWhen(TRACK_MS.gt(1000), "long", SqlTypes.VARCHAR).otherwise("short"),
                                count().over(io.retort.sql.Sql.window().partitionBy(TRACK_ALBUM_ID))),
                        () -> select(caseWhen(TRACK_MS.gt(5), "l", SqlTypes.VARCHAR).otherwise("s"),
                                count().over(io.retort.sql.Sql.window().partitionBy(TRACK_ALBUM_ID)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueOnlyPairs")
    void statementsDifferingOnlyInValuesHaveEqualKeys(String name, Supplier<Statement> a, Supplier<Statement> b) {
        Statement x = a.get();
        Statement y = b.get();
        assertThat(key(x)).as("%s: %s", name, CacheKey.diff(key(x), key(y))).isEqualTo(key(y));
        assertThat(key(x).hashCode()).isEqualTo(key(y).hashCode());
        assertThat(values(x)).as(name).isNotEqualTo(values(y));
        // The cache-hit path: y's values bound through x's compiled statement = y compiled fresh.
        for (Dialect d : List.of(AnsiDialect.INSTANCE, DollarAnsi.INSTANCE)) {
            BoundStatement viaHit = Compiler.compile(x, d).bind(values(y));
            BoundStatement freshY = fresh(y, d);
            assertThat(viaHit.sql()).as(name).isEqualTo(freshY.sql());
            assertThat(viaHit.values()).as(name).isEqualTo(freshY.values());
            assertThat(viaHit.types()).as(name).isEqualTo(freshY.types());
        }
    }

    // ================================================================= dialect is part of the cache entry

    @Test
    void theSameStatementOnTwoDialectsIsCompiledTwice() {
        StatementCache cache = new StatementCache(10);
        Statement s = select(ARTIST_NAME).where(ARTIST_ID.eq(1));
        StatementCache.Lookup ansi = cache.lookup(AnsiDialect.INSTANCE, s);
        StatementCache.Lookup dollar = cache.lookup(DollarAnsi.INSTANCE, s);
        StatementCache.Lookup ansiAgain = cache.lookup(AnsiDialect.INSTANCE, select(ARTIST_NAME).where(ARTIST_ID.eq(2)));
        assertThat(ansi.hit()).isFalse();
        assertThat(dollar.hit()).as("another dialect must not hit the ANSI entry").isFalse();
        assertThat(ansiAgain.hit()).isTrue();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(ansi.bind().sql()).isEqualTo("SELECT artist.name FROM artist WHERE artist.artist_id = ?");
        assertThat(dollar.bind().sql()).isEqualTo("SELECT artist.name FROM artist WHERE artist.artist_id = $1");
        assertThat(ansiAgain.bind().values()).containsExactly(2);
        assertThat(dollar.compiled().dialect()).isEqualTo(DollarAnsi.INSTANCE);
        assertThat(AnsiDialect.INSTANCE).isNotEqualTo(DollarAnsi.INSTANCE).isNotEqualTo(ExtendedAnsi.INSTANCE);
    }

    // ================================================================= the shared-bind bug, end to end

    @Test
    void aCacheHitNeverBindsTheValueOfAnotherPlaceholder() {
        StatementCache cache = new StatementCache(10);
        Expression<Integer> p = param(5);
        Statement shared = select(ARTIST_NAME).where(ARTIST_ID.gt(p).or(ARTIST_ID.lt(p)));
        Statement separate = select(ARTIST_NAME).where(ARTIST_ID.gt(param(5)).or(ARTIST_ID.lt(param(7))));
        assertThat(cache.lookup(AnsiDialect.INSTANCE, shared).bind().values()).containsExactly(5, 5);
        assertThat(cache.lookup(AnsiDialect.INSTANCE, separate).bind().values())
                .as("the second placeholder must get 7, not the first value again")
                .containsExactly(5, 7);
    }

    // ================================================================= diagnostics

    @Test
    void diffNamesTheFirstDifferingToken() {
        CacheKey x = key(select(ARTIST_NAME).where(ARTIST_ID.eq(1)));
        CacheKey y = key(select(ARTIST_NAME).where(ARTIST_ID.ne(1)));
        CacheKey z = key(select(ARTIST_NAME).where(ARTIST_ID.eq(99)));
        CacheKey shorter = key(select(ARTIST_NAME));

        assertThat(CacheKey.diff(x, z)).isNull();
        String d = CacheKey.diff(x, y);
        assertThat(d).startsWith("token ").contains("=").contains("<>");
        int index = Integer.parseInt(d.substring("token ".length(), d.indexOf(':')));
        assertThat(x.tokens().subList(0, index)).isEqualTo(y.tokens().subList(0, index));
        assertThat(x.tokens().get(index)).isNotEqualTo(y.tokens().get(index));

        assertThat(CacheKey.diff(shorter, x)).isEqualTo(shorterDiff(shorter, x));
        assertThat(x.toString()).startsWith("CacheKey[").contains("artist");
        assertThat(x.size()).isEqualTo(x.tokens().size()).isGreaterThan(shorter.size());
    }

    private static String shorterDiff(CacheKey a, CacheKey b) {
        // The shorter key is either a strict prefix (lengths differ) or differs at some token.
        List<Object> ta = a.tokens();
        List<Object> tb = b.tokens();
        for (int i = 0; i < Math.min(ta.size(), tb.size()); i++) {
            if (!ta.get(i).equals(tb.get(i))) {
                return "token " + i + ": " + ta.get(i) + " != " + tb.get(i);
            }
        }
        return "lengths differ: " + ta.size() + " != " + tb.size();
    }
}
