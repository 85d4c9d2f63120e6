package io.retort.dialect;

import io.retort.error.ArgumentError;
import io.retort.error.TooManyParametersError;
import io.retort.sql.Expression;
import io.retort.sql.Like;
import io.retort.sql.Operator;
import io.retort.sql.Select;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Slot;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.retort.dialect.Chinook.ALBUM;
import static io.retort.dialect.Chinook.ARTIST;
import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.params;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.Sql.and;
import static io.retort.sql.Sql.caseWhen;
import static io.retort.sql.Sql.not;
import static io.retort.sql.Sql.or;
import static io.retort.sql.Sql.param;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.tuple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Operators, IN, LIKE, quoting and typing (C4–C7, C11, C18). */
class ExpressionCompileTest {

    private static String where(Expression<Boolean> condition, io.retort.sql.compile.Dialect d) {
        String s = sql(select(TRACK.trackId).where(condition), d);
        return s.substring(s.indexOf(" WHERE ") + 7);
    }

    @Test // C7: comparisons share one precedence level, so nested ones are parenthesised
    void comparisonPrecedence() {
        assertThat(where(TRACK.albumId.isNull().ne(TRACK.rating.isNull()), PG))
                .isEqualTo("(track.album_id IS NULL) <> (track.rating IS NULL)");
        assertThat(where(TRACK.milliseconds.gt(1).eq(TRACK.trackId.lt(2)), MYSQL))
                .isEqualTo("(milliseconds > ?) = (track_id < ?)");
    }

    @Test // C7: arithmetic and boolean precedence, no redundant parentheses
    void arithmeticAndBooleanPrecedence() {
        assertThat(where(TRACK.milliseconds.minus(TRACK.trackId.minus(1)).times(2).gt(10), PG))
                .isEqualTo("(track.milliseconds - (track.track_id - $1)) * $2 > $3");
        assertThat(where(TRACK.milliseconds.plus(TRACK.trackId.plus(1)).gt(0), PG))
                .isEqualTo("track.milliseconds + track.track_id + $1 > $2");
        assertThat(where(or(and(TRACK.trackId.eq(1), TRACK.albumId.eq(2)), TRACK.trackId.eq(3)), PG))
                .isEqualTo("track.track_id = $1 AND track.album_id = $2 OR track.track_id = $3");
        assertThat(where(and(or(TRACK.trackId.eq(1), TRACK.albumId.eq(2)), TRACK.trackId.eq(3)), PG))
                .isEqualTo("(track.track_id = $1 OR track.album_id = $2) AND track.track_id = $3");
        assertThat(where(not(TRACK.trackId.eq(1)), PG)).isEqualTo("NOT (track.track_id = $1)");
        assertThat(where(TRACK.trackId.eq(1).and(TRACK.albumId.eq(2)).and(TRACK.milliseconds.eq(3)), PG))
                .isEqualTo("track.track_id = $1 AND track.album_id = $2 AND track.milliseconds = $3");
    }

    @Test // C7: custom operators carry an explicit result type
    void customOperator() {
        Operator contains = Operator.custom("@>", Operator.COMPARISON_LEVEL, true);
        Expression<Boolean> e = TRACK.name.op(contains, "x", SqlTypes.BOOLEAN);
        assertThat(e.type()).isEqualTo(SqlTypes.BOOLEAN);
        assertThat(where(e, PG)).isEqualTo("track.name @> $1");
        assertThatThrownBy(() -> Operator.custom("; DROP TABLE x", 5, false)).isInstanceOf(ArgumentError.class);
    }

    @Test // C4: IN expands after the cache; same compiled statement, different placeholder counts
    void expandingIn() {
        Select three = select(TRACK.name).where(TRACK.trackId.in(1, 2, 3));
        Select one = select(TRACK.name).where(TRACK.trackId.in(7));
        assertThat(sql(three, MYSQL)).isEqualTo("SELECT name FROM track WHERE track_id IN (?, ?, ?)");
        assertThat(sql(one, MYSQL)).isEqualTo("SELECT name FROM track WHERE track_id IN (?)");
        assertThat(sql(three, H2)).isEqualTo("SELECT track.name FROM track WHERE track.track_id IN ($1, $2, $3)");
        assertThat(params(three, H2)).containsExactly(1, 2, 3);
        assertThat(Compiler.compile(three, MYSQL).sql()).isEqualTo(Compiler.compile(one, MYSQL).sql());
    }

    @Test // C4 (seed 1.2/1.4 empty IN): empty IN is false and empty NOT IN is true, NULL-safe, per dialect
    void emptyInAndNotIn() {
        Expression<Boolean> in = TRACK.albumId.in(List.of());
        Expression<Boolean> notIn = TRACK.albumId.notIn(List.of());
        assertThat(where(in, MYSQL)).isEqualTo("(album_id IN (SELECT NULL FROM DUAL WHERE 1 <> 1) AND 1 <> 1)");
        assertThat(where(notIn, MARIADB)).isEqualTo("(album_id NOT IN (SELECT NULL FROM DUAL WHERE 1 <> 1) OR 1 = 1)");
        assertThat(where(in, H2)).isEqualTo("(track.album_id IN (SELECT CAST(NULL AS INTEGER) WHERE 1 <> 1) AND 1 <> 1)");
        PostgresDialect noArrays = PostgresDialect.INSTANCE.withArrayInBinding(false);
        assertThat(where(notIn, noArrays)).isEqualTo("(track.album_id NOT IN (SELECT CAST(NULL AS INTEGER) WHERE 1 <> 1) OR 1 = 1)");
        assertThat(params(select(TRACK.trackId).where(in), MYSQL)).isEmpty();
        // The guard keeps placeholders of the left side valid: binds before and after still line up.
        Select mixed = select(TRACK.trackId).where(TRACK.name.eq("a"), TRACK.albumId.in(List.of()), TRACK.milliseconds.gt(5));
        assertThat(sql(mixed, H2)).isEqualTo("SELECT track.track_id FROM track WHERE track.name = $1 AND (track.album_id"
                + " IN (SELECT CAST(NULL AS INTEGER) WHERE 1 <> 1) AND 1 <> 1) AND track.milliseconds > $2");
        assertThat(params(mixed, H2)).containsExactly("a", 5);
    }

    @Test // C5: PostgreSQL binds IN/NOT IN as one array: one SQL text for every list length
    void postgresArrayIn() {
        Select q = select(TRACK.name).where(TRACK.trackId.in(1, 2, 3), TRACK.albumId.notIn(List.of()));
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name FROM track WHERE track.track_id = ANY($1) AND track.album_id <> ALL($2)");
        List<Object> p = params(q, PG);
        assertThat(p.get(0)).isEqualTo(new Integer[]{1, 2, 3});
        assertThat(p.get(1)).isEqualTo(new Integer[0]);
        List<Integer> big = IntStream.range(0, 100_000).boxed().toList();
        Select huge = select(TRACK.name).where(TRACK.trackId.in(big));
        assertThat(sql(huge, PG)).isEqualTo("SELECT track.name FROM track WHERE track.track_id = ANY($1)");
        assertThat(((Integer[]) params(huge, PG).get(0))).hasSize(100_000);
        assertThat(Compiler.compile(q, PG).slots()).extracting(Slot::kind).containsExactly(Slot.Kind.ARRAY, Slot.Kind.ARRAY);
        // converted types bind their storage type: enums as String[]
        Expression<Boolean> byEnum = io.retort.sql.Sql.column("kind", SqlTypes.enumByName(Thread.State.class))
                .in(Thread.State.NEW, Thread.State.RUNNABLE);
        assertThat(params(select(TRACK.trackId).where(byEnum), PG).get(0)).isEqualTo(new String[]{"NEW", "RUNNABLE"});
    }

    @Test // B10: past the dialect's parameter limit a typed error is raised before sending
    void tooManyParameters() {
        List<Integer> big = new ArrayList<>();
        for (int i = 0; i < 65_536; i++) {
            big.add(i);
        }
        Select q = select(TRACK.name).where(TRACK.trackId.in(big));
        assertThatThrownBy(() -> sql(q, MYSQL)).isInstanceOf(TooManyParametersError.class)
                .hasMessageContaining("65536").hasMessageContaining("mysql").hasMessageContaining("65535");
        assertThat(sql(select(TRACK.name).where(TRACK.trackId.in(big.subList(0, 65_535))), MYSQL)).contains("?, ?");
    }

    @Test // C4: tuple IN for composite keys, and its empty form
    void tupleIn() {
        Expression<Boolean> e = tuple(TRACK.albumId, TRACK.trackId).in(List.of(new Object[]{1, 2}, new Object[]{3, 4}));
        assertThat(where(e, PG)).isEqualTo("(track.album_id, track.track_id) IN (($1, $2), ($3, $4))");
        assertThat(where(e, MYSQL)).isEqualTo("(album_id, track_id) IN ((?, ?), (?, ?))");
        assertThat(params(select(TRACK.trackId).where(e), MYSQL)).containsExactly(1, 2, 3, 4);
        Expression<Boolean> empty = tuple(TRACK.albumId, TRACK.trackId).in(List.of());
        assertThat(where(empty, MYSQL)).isEqualTo("((album_id, track_id) IN (SELECT NULL, NULL FROM DUAL WHERE 1 <> 1) AND 1 <> 1)");
        assertThatThrownBy(() -> tuple(TRACK.albumId, TRACK.trackId).in(List.<Object[]>of(new Object[]{1})))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("rows of 2");
    }

    @Test // C6 (seed 1.2 autoescape): %, _ and / are escaped in the value with ESCAPE '/'
    void autoescape() {
        Select q = select(TRACK.trackId).where(TRACK.name.startsWith("total%score_/x", true));
        assertThat(sql(q, PG)).endsWith("WHERE track.name LIKE $1 || '%' ESCAPE '/'");
        assertThat(sql(q, MYSQL)).endsWith("WHERE name LIKE concat(?, '%') ESCAPE '/'");
        assertThat(params(q, PG)).containsExactly("total/%score/_//x");
        Select ends = select(TRACK.trackId).where(TRACK.name.endsWith("a#b%", true, '#'));
        assertThat(sql(ends, H2)).endsWith("WHERE track.name LIKE '%' || $1 ESCAPE '#'");
        assertThat(params(ends, H2)).containsExactly("a##b#%");
        Select contains = select(TRACK.trackId).where(TRACK.name.contains("50%"));
        assertThat(sql(contains, MARIADB)).endsWith("WHERE name LIKE concat('%', ?, '%')");
        assertThat(params(contains, MARIADB)).containsExactly("50%");
        assertThat(Like.escapeValue("a/b", '/')).isEqualTo("a//b");
        assertThatThrownBy(() -> TRACK.name.startsWith("x", true, '%')).isInstanceOf(ArgumentError.class);
    }

    @Test // C6, D1: ILIKE on PostgreSQL, lower() LIKE lower() elsewhere; NOT LIKE
    void ilikeAndNotLike() {
        assertThat(where(TRACK.name.ilike("a%"), PG)).isEqualTo("track.name ILIKE $1");
        assertThat(where(TRACK.name.ilike("a%"), MYSQL)).isEqualTo("lower(name) LIKE lower(?)");
        assertThat(where(TRACK.name.like("a%").not(), PG)).isEqualTo("track.name NOT LIKE $1");
    }

    @Test // C7, D2: IS DISTINCT FROM is <=> on MySQL
    void nullSafeComparison() {
        assertThat(where(TRACK.albumId.isDistinctFrom(3), PG)).isEqualTo("track.album_id IS DISTINCT FROM $1");
        assertThat(where(TRACK.albumId.isDistinctFrom(3), MYSQL)).isEqualTo("NOT (album_id <=> ?)");
        assertThat(where(TRACK.albumId.isNotDistinctFrom(3), MARIADB)).isEqualTo("album_id <=> ?");
    }

    @Test // C18 (seed 1.2 COLLATE quoting): collation names are identifiers, quoted when needed
    void collateQuoting() {
        Select q = select(TRACK.name).orderBy(TRACK.name.collate("fr_FR"));
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name FROM track ORDER BY track.name COLLATE \"fr_FR\"");
        assertThat(sql(select(TRACK.name).orderBy(TRACK.name.collate("utf8mb4_bin")), MYSQL))
                .isEqualTo("SELECT name FROM track ORDER BY name COLLATE utf8mb4_bin");
        assertThat(sql(select(TRACK.name).orderBy(TRACK.name.collate("utf8`x")), MYSQL)).endsWith("COLLATE `utf8``x`");
    }

    @Test // C18: reserved, mixed-case, unicode and hostile identifiers are quoted per dialect (B1)
    void identifierQuoting() {
        io.retort.sql.Table t = io.retort.sql.Table.builder("order")
                .column("user", SqlTypes.INTEGER)
                .column("MixedCase", SqlTypes.INTEGER)
                .column("a\"b", SqlTypes.INTEGER)
                .column("a`b", SqlTypes.INTEGER)
                .column("名前", SqlTypes.INTEGER)
                .column("42numbers", SqlTypes.INTEGER)
                .column("x\"; DROP TABLE t; --", SqlTypes.INTEGER)
                .column("q?marks", SqlTypes.INTEGER)
                .column("col:ons", SqlTypes.INTEGER)
                .build();
        assertThat(sql(io.retort.sql.Sql.selectFrom(t), PG)).isEqualTo("SELECT \"order\".\"user\", \"order\".\"MixedCase\","
                + " \"order\".\"a\"\"b\", \"order\".\"a`b\", \"order\".\"名前\", \"order\".\"42numbers\","
                + " \"order\".\"x\"\"; DROP TABLE t; --\", \"order\".\"q?marks\", \"order\".\"col:ons\" FROM \"order\"");
        assertThat(sql(io.retort.sql.Sql.selectFrom(t), MYSQL)).isEqualTo("SELECT `user`, `MixedCase`,"
                + " `a\"b`, `a``b`, `名前`, `42numbers`,"
                + " `x\"; DROP TABLE t; --`, `q?marks`, `col:ons` FROM `order`");
        assertThatThrownBy(() -> io.retort.sql.Table.builder("")).isInstanceOf(ArgumentError.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> io.retort.sql.Table.builder("a\0b")).isInstanceOf(ArgumentError.class).hasMessageContaining("NUL");
    }

    @Test // C11 (seed 1.2 Boolean strict): true/false/null and 0/1 only
    void strictBoolean() {
        io.retort.sql.Column<Boolean> flag = io.retort.sql.Sql.column("flag", SqlTypes.BOOLEAN);
        assertThat(params(select(TRACK.trackId).where(flag.eq(true)), PG)).containsExactly(true);
        assertThat(SqlTypes.BOOLEAN.checkBindValue(1)).isEqualTo(true);
        assertThat(SqlTypes.BOOLEAN.checkBindValue(0L)).isEqualTo(false);
        assertThat(SqlTypes.BOOLEAN.checkBindValue(null)).isNull();
        assertThatThrownBy(() -> SqlTypes.BOOLEAN.checkBindValue(2)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> SqlTypes.BOOLEAN.checkBindValue("true")).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> SqlTypes.BOOLEAN.checkBindValue(0.5)).isInstanceOf(ArgumentError.class);
    }

    @Test // C11 (seed 1.2 float typing): Float stays Float and Numeric stays Numeric through arithmetic
    void numericVersusFloatTyping() {
        assertThat(TRACK.unitPrice.times(new BigDecimal("2")).type().javaType()).isEqualTo(BigDecimal.class);
        assertThat(TRACK.rating.times(2.0).type().javaType()).isEqualTo(Double.class);
        assertThat(SqlTypes.NUMERIC.arithmeticWith(SqlTypes.DOUBLE).kind()).isEqualTo(SqlType.Kind.FLOAT);
        assertThat(SqlTypes.DOUBLE.arithmeticWith(SqlTypes.NUMERIC).kind()).isEqualTo(SqlType.Kind.FLOAT);
        assertThat(SqlTypes.INTEGER.arithmeticWith(SqlTypes.NUMERIC).kind()).isEqualTo(SqlType.Kind.DECIMAL);
        assertThat(SqlTypes.INTEGER.arithmeticWith(SqlTypes.BIGINT)).isEqualTo(SqlTypes.BIGINT.kind() == SqlType.Kind.INTEGER
                ? SqlTypes.INTEGER : null);
        assertThat(io.retort.sql.Sql.avg(TRACK.rating).type()).isEqualTo(SqlTypes.DOUBLE);
        assertThat(io.retort.sql.Sql.avg(TRACK.milliseconds).type()).isEqualTo(SqlTypes.NUMERIC);
    }

    @Test // B11: unsupported bind types are refused at construction, never rendered
    void unsupportedBindTypes() {
        assertThatThrownBy(() -> param(Object.class)).isInstanceOf(ArgumentError.class).hasMessageContaining("java.lang.Class");
        assertThatThrownBy(() -> param(Thread.currentThread())).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> param(java.util.Optional.of(1))).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> param(new int[]{1})).isInstanceOf(ArgumentError.class);
    }

    @Test // C1: CASE and text fragments with named binds whose values are never re-scanned (B8)
    void caseAndText() {
        Expression<String> size = caseWhen(TRACK.milliseconds.gt(600000), "long", SqlTypes.VARCHAR)
                .when(TRACK.milliseconds.gt(300000), "medium").otherwise("short");
        assertThat(sql(select(size.as("size")), PG)).isEqualTo("SELECT CASE WHEN track.milliseconds > $1 THEN $2 WHEN"
                + " track.milliseconds > $3 THEN $4 ELSE $5 END AS size FROM track");
        var text = io.retort.sql.Sql.text("SELECT name FROM artist WHERE name = :a OR name = :b OR note = ':c' OR x::int = 1")
                .bind("a", ":b").bind("b", "$1");
        assertThat(sql(text, PG)).isEqualTo("SELECT name FROM artist WHERE name = $1 OR name = $2 OR note = ':c' OR x::int = 1");
        assertThat(sql(text, MYSQL)).isEqualTo("SELECT name FROM artist WHERE name = ? OR name = ? OR note = ':c' OR x::int = 1");
        assertThat(params(text, PG)).containsExactly(":b", "$1");
        var unbound = io.retort.sql.Sql.text("SELECT :x, :y");
        assertThatThrownBy(() -> sql(unbound.bind("x", 1), PG)).isInstanceOf(ArgumentError.class).hasMessageContaining("[y]");
    }

    @Test // C16: literal-execute parameters render inline at execution yet keep one cached statement
    void literalExecute() {
        io.retort.sql.BindParam<Integer> n = io.retort.sql.Sql.param("n", 5, SqlTypes.INTEGER).literalExecute();
        Select q = select(TRACK.name).where(TRACK.milliseconds.gt(n));
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name FROM track WHERE track.milliseconds > 5");
        assertThat(Compiler.compile(q, PG).sql()).isEqualTo("SELECT track.name FROM track WHERE track.milliseconds > __[LITERAL_0]");
        assertThat(params(q, PG)).isEmpty();
    }

    @Test // C1: arbitrary functions, DISTINCT and FILTER
    void functions() {
        var f = io.retort.sql.Sql.count(TRACK.albumId).distinct();
        assertThat(sql(select(f), PG)).isEqualTo("SELECT count(DISTINCT track.album_id) AS anon_1 FROM track");
        var filtered = io.retort.sql.Sql.count().filter(TRACK.milliseconds.gt(1000));
        assertThat(sql(select(filtered), PG)).isEqualTo("SELECT count(*) FILTER (WHERE track.milliseconds > $1) AS anon_1 FROM track");
        assertThatThrownBy(() -> sql(select(filtered).from(TRACK), MYSQL)).isInstanceOf(io.retort.error.CompileError.class)
                .hasMessageContaining("mysql");
        assertThatThrownBy(() -> io.retort.sql.Sql.function("x; drop", SqlTypes.INTEGER)).isInstanceOf(ArgumentError.class);
        assertThat(sql(select(ARTIST.name).where(ARTIST.name.concat("x").eq("ax")), MYSQL))
                .endsWith("WHERE concat(name, ?) = ?");
        assertThat(sql(select(ALBUM.title).where(ALBUM.title.between("a", "m")), PG)).endsWith("album.title BETWEEN $1 AND $2");
    }
}
