package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.Row;
import io.retort.error.CompileError;
import io.retort.schema.Inspector;
import io.retort.sql.Column;
import io.retort.sql.CompoundSelect;
import io.retort.sql.Cte;
import io.retort.sql.Expression;
import io.retort.sql.LockClause;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.Dialect;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.TckSchema;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.delete;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.literal;
import static io.retort.sql.Sql.nullValue;
import static io.retort.sql.Sql.rollup;
import static io.retort.sql.Sql.rowNumber;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.sum;
import static io.retort.sql.Sql.text;
import static io.retort.sql.Sql.tuple;
import static io.retort.sql.Sql.update;
import static io.retort.sql.Sql.window;
import static io.retort.tck.TckSchema.ALBUM;
import static io.retort.tck.TckSchema.ARTIST;
import static io.retort.tck.TckSchema.TRACK;
import static io.retort.tck.suite.SuiteSupport.TIMEOUT;
import static io.retort.tck.suite.SuiteSupport.dialect;
import static io.retort.tck.suite.SuiteSupport.ints;
import static io.retort.tck.suite.SuiteSupport.range;
import static io.retort.tck.suite.SuiteSupport.rows;
import static io.retort.tck.suite.SuiteSupport.run;
import static io.retort.tck.suite.SuiteSupport.setOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SQL features on the real servers, following SQLAlchemy's {@code test_select.py},
 * {@code test_cte.py}, {@code test_update_delete.py}, {@code test_insert.py} and
 * {@code test_dialect.py}: IN forms, LIKE helpers, upserts, ROLLUP, window functions, CTEs, set
 * operations, multi-table DML, DISTINCT ON, row locks, paging, RETURNING, difficult identifiers and
 * text binds. A feature a dialect cannot render is skipped by its flag, or checked to be a
 * CompileError where the dialect is documented to refuse it.
 */
@ExtendWith(TckOracle.class)
public interface SqlFeaturesSuite extends TckBackend {

    @Test // C4: IN, empty IN, NOT IN, empty NOT IN, tuple IN, IN (subquery), NULL IN () (ExpandingBoundInTest)
    default void inForms(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 5).block(TIMEOUT);
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.artistId.in(1, 3, 5, 99)))).isEqualTo(setOf(1, 3, 5));
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.artistId.in(List.of())))).isEmpty();
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.artistId.notIn(1, 2)))).isEqualTo(setOf(3, 4, 5));
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.artistId.notIn(List.of())))).isEqualTo(range(1, 5));
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.name.in("Artist 2", "nobody")))).isEqualTo(setOf(2));
        // composite keys
        List<Object[]> pairs = List.of(new Object[] {1, 10}, new Object[] {2, 21}, new Object[] {1, 21}, new Object[] {9, 90});
        assertThat(ints(engine, select(ALBUM.albumId).where(tuple(ALBUM.artistId, ALBUM.albumId).in(pairs))))
                .isEqualTo(setOf(10, 21));
        assertThat(ints(engine, select(ALBUM.albumId).where(tuple(ALBUM.artistId, ALBUM.albumId).notIn(pairs))))
                .hasSize(8).doesNotContain(10, 21);
        assertThat(ints(engine, select(ALBUM.albumId).where(tuple(ALBUM.artistId, ALBUM.albumId).in(List.of())))).isEmpty();
        assertThat(ints(engine, select(ALBUM.albumId).where(tuple(ALBUM.artistId, ALBUM.albumId).notIn(List.of()))))
                .hasSize(10);
        // a subquery
        assertThat(ints(engine, select(ARTIST.artistId).where(ARTIST.artistId.in(select(ALBUM.artistId)
                .where(ALBUM.albumId.in(31, 40)))))).isEqualTo(setOf(3, 4));
        // SQLAlchemy test_null_in_empty_set_is_false / test_null_not_in_empty_set_is_true
        Expression<Integer> nul = nullValue(SqlTypes.INTEGER);
        assertThat(rows(engine, select(nul.in(List.of()).as("x"))).get(0).get(0)).isEqualTo(false);
        assertThat(rows(engine, select(nul.notIn(List.of()).as("x"))).get(0).get(0)).isEqualTo(true);
    }

    @Test // C6 / B6: startsWith/endsWith/contains with autoescape and custom escape (LikeFunctionsTest)
    default void likeFunctions(TestDatabase db) {
        Engine engine = engine(db);
        Table t = Table.builder("some_table").column("id", SqlTypes.INTEGER, primaryKey())
                .column("data", SqlTypes.varchar(50)).build();
        Column<Integer> id = t.c("id", SqlTypes.INTEGER);
        Column<String> data = t.c("data", SqlTypes.varchar(50));
        String[] fixture = {"abcdefg", "ab/cdefg", "ab%cdefg", "ab_cdefg", "abcde/fg", "abcde%fg", "ab#cdefg", "ab9cdefg",
            "abcde#fg", "abcd9fg", null};
        List<io.retort.sql.Statement> load = new ArrayList<>();
        load.add(createTable(t));
        for (int i = 0; i < fixture.length; i++) {
            load.add(insert(t).set(id, i + 1).set(data, fixture[i]));
        }
        run(engine, load);
        java.util.function.Function<Expression<Boolean>, Set<Integer>> ids = cond -> ints(engine, select(id).where(cond));
        // unescaped: % and _ are wildcards
        assertThat(ids.apply(data.startsWith("ab%c"))).isEqualTo(range(1, 10));
        assertThat(ids.apply(data.endsWith("e%fg"))).isEqualTo(range(1, 9));
        assertThat(ids.apply(data.contains("b%cde"))).isEqualTo(range(1, 9));
        // autoescape with the default escape '/'
        assertThat(ids.apply(data.startsWith("ab%c", true))).isEqualTo(setOf(3));
        assertThat(ids.apply(data.endsWith("e%fg", true))).isEqualTo(setOf(6));
        assertThat(ids.apply(data.contains("b%cde", true))).isEqualTo(setOf(3));
        assertThat(ids.apply(data.startsWith("ab_c", true))).isEqualTo(setOf(4));
        assertThat(ids.apply(data.startsWith("ab/c", true))).isEqualTo(setOf(2));
        assertThat(ids.apply(data.endsWith("e/fg", true))).isEqualTo(setOf(5));
        // an escape character without autoescape: the caller escapes
        assertThat(ids.apply(data.startsWith("ab##c", false, '#'))).isEqualTo(setOf(7));
        assertThat(ids.apply(data.endsWith("e##fg", false, '#'))).isEqualTo(setOf(9));
        assertThat(ids.apply(data.contains("b##cde", false, '#'))).isEqualTo(setOf(7));
        // autoescape with a custom escape
        assertThat(ids.apply(data.startsWith("ab%c", true, '#'))).isEqualTo(setOf(3));
        assertThat(ids.apply(data.startsWith("ab#c", true, '#'))).isEqualTo(setOf(7));
        assertThat(ids.apply(data.endsWith("e%fg", true, '#'))).isEqualTo(setOf(6));
        assertThat(ids.apply(data.endsWith("e#fg", true, '#'))).isEqualTo(setOf(9));
        assertThat(ids.apply(data.contains("b%cd", true, '#'))).isEqualTo(setOf(3));
        assertThat(ids.apply(data.contains("b#cd", true, '#'))).isEqualTo(setOf(7));
        // NULL never matches, negated or not
        assertThat(ids.apply(data.startsWith("ab%c", true).not())).isEqualTo(new TreeSet<>(List.of(1, 2, 4, 5, 6, 7, 8, 9, 10)));
    }

    @Test // D1: INSERT ... ON CONFLICT DO NOTHING / DO UPDATE with excluded (PostgreSQL)
    default void upsertOnConflict(TestDatabase db) {
        Engine engine = engine(db);
        assumeTrue(dialect(engine).supportsOnConflict(), "the dialect has no ON CONFLICT");
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        StepVerifier.create(engine.connect(c -> c.execute(insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "Dup")
                        .onConflictDoNothing(ARTIST.artistId)).rowsAffected())).expectNext(0L).verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(insert(ARTIST).set(ARTIST.artistId, 3).set(ARTIST.name, "New")
                        .onConflictDoNothing()).rowsAffected())).expectNext(1L).verifyComplete();
        Map<Column<?>, Object> set = Map.of(ARTIST.name, ARTIST.name.inserted());
        StepVerifier.create(engine.connect(c -> c.execute(insert(ARTIST).set(ARTIST.artistId, 2).set(ARTIST.name, "Renamed")
                        .onConflictDoUpdate(List.of(ARTIST.artistId), set, null)).rowsAffected())).expectNext(1L).verifyComplete();
        // the WHERE of DO UPDATE filters: nothing changes for artist 1
        StepVerifier.create(engine.connect(c -> c.execute(insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "Nope")
                        .onConflictDoUpdate(List.of(ARTIST.artistId), set, ARTIST.name.ne("Artist 1"))).rowsAffected()))
                .expectNext(0L).verifyComplete();
        assertThat(names(engine)).containsExactly("Artist 1", "Renamed", "New");
    }

    @Test // D2: INSERT ... ON DUPLICATE KEY UPDATE with VALUES(col) (MySQL/MariaDB)
    default void upsertOnDuplicateKeyUpdate(TestDatabase db) {
        Engine engine = engine(db);
        assumeTrue(dialect(engine).supportsOnDuplicateKeyUpdate(), "the dialect has no ON DUPLICATE KEY UPDATE");
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        Map<Column<?>, Object> set = Map.of(ARTIST.name, ARTIST.name.inserted());
        run(engine, insert(ARTIST).set(ARTIST.artistId, 2).set(ARTIST.name, "Renamed").onDuplicateKeyUpdate(set),
                insert(ARTIST).set(ARTIST.artistId, 3).set(ARTIST.name, "New").onDuplicateKeyUpdate(set),
                insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "ignored")
                        .onDuplicateKeyUpdate(Map.of(ARTIST.name, ARTIST.name.concat(" (seen)"))));
        assertThat(names(engine)).containsExactly("Artist 1 (seen)", "Renamed", "New");
    }

    @Test // C9: ROLLUP (PostgreSQL ROLLUP(), MySQL/MariaDB WITH ROLLUP); H2 refuses it at compile time
    default void rollupTotals(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        Select q = select(ALBUM.artistId, ALBUM.albumId, count().as("n"), sum(TRACK.milliseconds).as("ms"))
                .from(ALBUM.join(TRACK)).groupBy(rollup(ALBUM.artistId, ALBUM.albumId));
        if (Set.of("h2", "sqlite").contains(dialect(engine).name())) {
            StepVerifier.create(engine.execute(q))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CompileError.class).hasMessageContaining("ROLLUP"))
                    .verify(TIMEOUT);
            return;
        }
        Set<String> got = new HashSet<>();
        for (Row r : rows(engine, q)) {
            got.add(r.get(0) + "/" + r.get(1) + "/" + r.get(2, Long.class));
            assertThat(r.get(2)).isInstanceOf(Long.class);
        }
        assertThat(got).containsExactlyInAnyOrder("1/10/5", "1/11/5", "1/null/10", "2/20/5", "2/21/5", "2/null/10",
                "null/null/20");
    }

    @Test // C1: window functions (row_number over a partition)
    default void windowFunctions(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 1).block(TIMEOUT);
        Select q = select(TRACK.trackId, TRACK.albumId,
                rowNumber().over(window().partitionBy(TRACK.albumId).orderBy(TRACK.trackId.desc())).as("rn"))
                .orderBy(TRACK.trackId);
        List<String> got = new ArrayList<>();
        for (Row r : rows(engine, q)) {
            assertThat(r.get("rn")).isInstanceOf(Long.class);
            got.add(r.get(0) + ":" + r.get("rn"));
        }
        assertThat(got).containsExactly("1:5", "2:4", "3:3", "4:2", "5:1", "6:5", "7:4", "8:3", "9:2", "10:1");
    }

    @Test // C1: CTEs, plain and recursive (test_cte.py)
    default void commonTableExpressions(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(TIMEOUT);
        Cte perAlbum = select(TRACK.albumId, count().as("n")).groupBy(TRACK.albumId).cte("per_album");
        Column<Long> n = perAlbum.c("n", SqlTypes.BIGINT);
        List<Row> r = rows(engine, select(ALBUM.title, n).from(ALBUM.join(perAlbum, ALBUM.albumId.eq(perAlbum.c("album_id", SqlTypes.INTEGER))))
                .where(ALBUM.artistId.eq(3)).orderBy(ALBUM.title));
        assertThat(r).extracting(x -> x.get(0) + "=" + x.get(1)).containsExactly("Album 30=5", "Album 31=5");

        Cte anchor = select(literal(1, SqlTypes.INTEGER).as("k")).cteRecursive("counter");
        Column<Integer> k = anchor.c("k", SqlTypes.INTEGER);
        Cte counter = anchor.unionAll(select(k.plus(1)).where(k.lt(10)));
        List<Row> sum = rows(engine, select(io.retort.sql.Sql.sum(counter.c("k", SqlTypes.INTEGER)).as("total"),
                count().as("c")).from(counter));
        assertThat(sum.get(0).get(0, Long.class)).isEqualTo(55L);
        assertThat(sum.get(0).get(1, Long.class)).isEqualTo(10L);
    }

    @Test // C1/C17: UNION, UNION ALL, INTERSECT, EXCEPT (ALL where the dialect has it)
    default void setOperations(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 5).block(TIMEOUT);
        Select low = select(ARTIST.artistId).where(ARTIST.artistId.le(3));
        Select high = select(ARTIST.artistId).where(ARTIST.artistId.ge(2));
        assertThat(ints(engine, low.union(high))).isEqualTo(range(1, 5));
        assertThat(rows(engine, low.unionAll(high))).hasSize(7);
        assertThat(ints(engine, low.intersect(high))).isEqualTo(setOf(2, 3));
        assertThat(ints(engine, low.except(high))).isEqualTo(setOf(1));
        CompoundSelect ordered = low.union(high).orderBy(ARTIST.artistId.desc()).limit(2);
        assertThat(rows(engine, ordered)).extracting(x -> x.get(0)).containsExactly(5, 4);
        Select albumsArtists = select(ALBUM.artistId);
        if (dialect(engine).supportsSetOperationAll()) {
            assertThat(rows(engine, albumsArtists.intersectAll(high))).hasSize(4);
            // ten album rows (artists 1,1,2,2,...,5,5) minus one occurrence of each of 2..5
            assertThat(rows(engine, albumsArtists.exceptAll(high))).extracting(r -> r.get(0))
                    .containsExactlyInAnyOrder(1, 1, 2, 3, 4, 5);
        } else {
            StepVerifier.create(engine.execute(albumsArtists.intersectAll(high))).expectError(CompileError.class).verify(TIMEOUT);
        }
    }

    @Test // C8: UPDATE ... FROM / DELETE ... USING (PostgreSQL), UPDATE a, b / DELETE a FROM a, b (MySQL); H2 refuses
    default void multiTableUpdateAndDelete(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(TIMEOUT);
        Dialect d = dialect(engine);
        io.retort.sql.Update u = update(TRACK).set(TRACK.milliseconds, 7).where(TRACK.albumId.eq(ALBUM.albumId), ALBUM.artistId.eq(2));
        io.retort.sql.Delete del = delete(TRACK).where(TRACK.albumId.eq(ALBUM.albumId), ALBUM.artistId.eq(1));
        if (!d.supportsMultiTableUpdate()) {
            StepVerifier.create(engine.connect(c -> c.execute(u).rowsAffected())).expectError(CompileError.class).verify(TIMEOUT);
        } else {
            StepVerifier.create(engine.connect(c -> c.execute(u).rowsAffected())).expectNext(10L).verifyComplete();
            assertThat(ints(engine, select(TRACK.trackId).where(TRACK.milliseconds.eq(7)))).isEqualTo(range(11, 20));
        }
        if (!d.supportsMultiTableDelete()) {
            StepVerifier.create(engine.connect(c -> c.execute(del).rowsAffected())).expectError(CompileError.class).verify(TIMEOUT);
        } else {
            StepVerifier.create(engine.connect(c -> c.execute(del).rowsAffected())).expectNext(10L).verifyComplete();
            assertThat(ints(engine, select(TRACK.trackId))).isEqualTo(range(11, 30));
        }
    }

    @Test // D1: DISTINCT ON (PostgreSQL)
    default void distinctOn(TestDatabase db) {
        Engine engine = engine(db);
        assumeTrue(dialect(engine).supportsDistinctOn(), "the dialect has no DISTINCT ON");
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        Select q = select(TRACK.albumId, TRACK.trackId).distinctOn(TRACK.albumId).orderBy(TRACK.albumId, TRACK.trackId.desc());
        assertThat(rows(engine, q)).extracting(r -> r.get(0) + ":" + r.get(1)).containsExactly("10:5", "11:10", "20:15", "21:20");
    }

    @Test // D1/D2: FOR UPDATE variants execute; SKIP LOCKED skips a row another transaction locked
    default void rowLocks(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(TIMEOUT);
        Dialect d = dialect(engine);
        Select q = select(ARTIST.artistId).where(ARTIST.artistId.le(2)).orderBy(ARTIST.artistId);
        if (!d.supportsRowLocks()) {
            // SQLite: a write transaction locks the whole file; FOR UPDATE is refused, never dropped.
            StepVerifier.create(engine.inTransaction(c -> c.execute(q.forUpdate()).rows()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CompileError.class)
                            .hasMessageContaining(d.name()).hasMessageContaining("FOR UPDATE"))
                    .verify(TIMEOUT);
            return;
        }
        List<LockClause> locks = new ArrayList<>(List.of(LockClause.forUpdate()));
        if (d.supportsSharedLocks()) {
            locks.add(LockClause.forShare());
        }
        if (d.supportsLockWaitOptions()) {
            locks.add(LockClause.forUpdate().nowait());
            locks.add(LockClause.forUpdate().skipLocked());
        }
        if (d.supportsLockOf()) {
            locks.add(LockClause.forUpdate().of(ARTIST));
        }
        if (d.name().equals("postgresql")) {
            locks.add(LockClause.forUpdate().mode(LockClause.Mode.NO_KEY_UPDATE));
            locks.add(LockClause.forShare().mode(LockClause.Mode.KEY_SHARE).of(ARTIST).skipLocked());
        }
        for (LockClause lock : locks) {
            StepVerifier.create(engine.inTransaction(c -> c.execute(q.lock(lock)).scalars(Integer.class)))
                    .as(lock.toString()).expectNext(1, 2).verifyComplete();
        }
        if (!d.supportsLockWaitOptions()) {
            return;
        }
        // Transaction A holds row 1; B with SKIP LOCKED sees only row 2.
        Select all = select(ARTIST.artistId).where(ARTIST.artistId.le(2)).orderBy(ARTIST.artistId);
        Flux<Integer> skipped = engine.inTransaction(a -> a.execute(all.where(ARTIST.artistId.eq(1)).forUpdate()).rows()
                .thenMany(engine.inTransaction(b -> b.execute(all.lock(LockClause.forUpdate().skipLocked())).scalars(Integer.class))));
        StepVerifier.create(skipped).expectNext(2).verifyComplete();
    }

    @Test // LIMIT/OFFSET pages (FetchLimitOffsetTest)
    default void limitOffsetPages(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        Select q = select(TRACK.trackId).orderBy(TRACK.trackId);
        assertThat(rows(engine, q.limit(5))).extracting(r -> r.get(0)).containsExactly(1, 2, 3, 4, 5);
        assertThat(rows(engine, q.limit(5).offset(10))).extracting(r -> r.get(0)).containsExactly(11, 12, 13, 14, 15);
        assertThat(rows(engine, q.offset(17))).extracting(r -> r.get(0)).containsExactly(18, 19, 20);
        assertThat(rows(engine, q.limit(0))).isEmpty();
        assertThat(rows(engine, q.limit(3).offset(100))).isEmpty();
        List<Integer> paged = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            rows(engine, q.limit(7).offset(page * 7L)).forEach(r -> paged.add((Integer) r.get(0)));
        }
        assertThat(paged).isEqualTo(new ArrayList<>(range(1, 20)));
    }

    @Test // INSERT/UPDATE/DELETE ... RETURNING where the dialect has it (ReturningTest); a CompileError elsewhere
    default void returningClauses(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 1).block(TIMEOUT);
        Dialect d = dialect(engine);
        io.retort.sql.Insert ins = insert(ARTIST).set(ARTIST.artistId, 2).set(ARTIST.name, "Returned").returning(ARTIST.artistId, ARTIST.name);
        io.retort.sql.Update upd = update(TRACK).set(TRACK.unitPrice, new BigDecimal("1.49")).where(TRACK.trackId.le(2))
                .returning(TRACK.trackId, TRACK.unitPrice);
        io.retort.sql.Delete del = delete(TRACK).where(TRACK.trackId.ge(9)).returning(TRACK.trackId, TRACK.name);
        if (d.supportsInsertReturning()) {
            List<Row> r = rows(engine, ins);
            assertThat(r).hasSize(1);
            assertThat(r.get(0).get(ARTIST.artistId)).isEqualTo(2);
            assertThat(r.get(0).get("name")).isEqualTo("Returned");
        } else {
            StepVerifier.create(engine.execute(ins)).expectError(CompileError.class).verify(TIMEOUT);
        }
        if (d.supportsUpdateReturning()) {
            assertThat(rows(engine, upd)).extracting(r -> r.get(0) + "=" + r.get(1)).containsExactlyInAnyOrder("1=1.49", "2=1.49");
        } else {
            StepVerifier.create(engine.execute(upd)).expectError(CompileError.class).verify(TIMEOUT);
        }
        if (d.supportsDeleteReturning()) {
            assertThat(rows(engine, del)).extracting(r -> r.get(0) + "=" + r.get(1))
                    .containsExactlyInAnyOrder("9=Track 9", "10=Track 10");
            assertThat(ints(engine, select(TRACK.trackId))).isEqualTo(range(1, 8));
        } else {
            StepVerifier.create(engine.execute(del)).expectError(CompileError.class).verify(TIMEOUT);
        }
    }

    /** B1 and SQLAlchemy's DifficultParametersTest names, each used as a table name and a column name. */
    List<String> DIFFICULT_NAMES = List.of("order", "user", "MixedCase", "a\"b", "名前", "q?marks", "col:ons", "per % cent",
            "has spaces", "42numbers", "%percent", "par(ens)", "percent%(ens)yah", "dot.s", "more :: %colons%",
            "[BracketsAndCase]", "/slashes/", "1param", "1col:on", "back`tick", "it's");

    @Test // B1/C18: reserved, mixed-case, quote, unicode and placeholder-like names: DDL, insert, select, reflection
    default void difficultIdentifiers(TestDatabase db) {
        Engine engine = engine(db);
        Map<String, Table> tables = new LinkedHashMap<>();
        List<io.retort.sql.Statement> work = new ArrayList<>();
        int i = 0;
        for (String name : DIFFICULT_NAMES) {
            Table t = Table.builder(name).column("id", SqlTypes.INTEGER, primaryKey()).column(name, SqlTypes.varchar(40)).build();
            tables.put(name, t);
            work.add(createTable(t));
            work.add(insert(t).set(t.c("id", SqlTypes.INTEGER), ++i).set(t.c(name, SqlTypes.varchar(40)), "value of " + name));
        }
        run(engine, work);
        i = 0;
        for (Map.Entry<String, Table> e : tables.entrySet()) {
            String name = e.getKey();
            Column<String> c = e.getValue().c(name, SqlTypes.varchar(40));
            List<Row> r = rows(engine, select(e.getValue().c("id", SqlTypes.INTEGER), c).where(c.eq("value of " + name)));
            assertThat(r).as(name).hasSize(1);
            assertThat(r.get(0).labels()).as(name).containsExactly("id", name);
            assertThat(r.get(0).get(name)).isEqualTo("value of " + name);
            assertThat(r.get(0).get(0)).isEqualTo(++i);
        }
        List<String> reflected = Inspector.of(engine).tableNames().collectList().block(TIMEOUT);
        assertThat(reflected).containsExactlyInAnyOrderElementsOf(DIFFICULT_NAMES);
        for (String name : List.of("order", "MixedCase", "a\"b", "名前", "q?marks")) {
            assertThat(Inspector.of(engine).columns(name).map(io.retort.schema.ReflectedColumn::name).collectList().block(TIMEOUT))
                    .as(name).containsExactly("id", name);
        }
    }

    @Test // B8: text() binds whose values look like placeholders come back verbatim; literals keep their ? and :x
    default void textBindsAreNeverRescanned(TestDatabase db) {
        Engine engine = engine(db);
        List<Row> r = rows(engine, text("SELECT :a AS a, :b AS b, :c AS c, :d AS d, '?' AS q, ':lit' AS lit")
                .bind("a", ":b").bind("b", "$1").bind("c", "?").bind("d", "%s"));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).toArray()).containsExactly(":b", "$1", "?", "%s", "?", ":lit");
        TckSchema.createAndLoad(engine, 2).block(TIMEOUT);
        List<Row> named = rows(engine, text("SELECT name FROM artist WHERE name = :n OR name = :n2 ORDER BY name")
                .bind("n", "Artist 2").bind("n2", ":n"));
        assertThat(named).extracting(x -> x.get(0)).containsExactly("Artist 2");
        // quoted identifiers holding ':' and '?' are text, not binds (C18)
        Dialect d = dialect(engine);
        Table odd = Table.builder("odd").column("col:ons", SqlTypes.varchar(10)).column("q?marks", SqlTypes.varchar(10)).build();
        run(engine, createTable(odd), insert(odd).set(odd.c("col:ons", SqlTypes.varchar(10)), ":x")
                .set(odd.c("q?marks", SqlTypes.varchar(10)), "?"));
        List<Row> quoted = rows(engine, text("SELECT " + d.quote("col:ons") + ", " + d.quote("q?marks") + " FROM odd WHERE "
                + d.quote("col:ons") + " = :v").bind("v", ":x"));
        assertThat(quoted).hasSize(1);
        assertThat(quoted.get(0).toArray()).containsExactly(":x", "?");
        if (d.name().equals("postgresql")) {
            // a PostgreSQL cast right after a bind: :v::text is the bind v, then ::text
            assertThat(rows(engine, text("SELECT :v::text || '::' AS v").bind("v", 42)).get(0).get(0)).isEqualTo("42::");
        }
    }

    @Test // B7: sort and column names from user input are looked up or quoted as one name; direction from an enum
    default void userSortAndColumnNamesAreNeverSql(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(TIMEOUT);
        Dialect d = dialect(engine);
        List<String> payloads = List.of("create_time RLIKE (SELECT 1)", "artist_id;delete/**/from/**/artist;",
                "if(1=1,name,artist_id)", "1 desc, (select 1)");
        long before = engine.statementCount();
        for (String payload : payloads) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ARTIST.c(payload))
                    .isInstanceOf(io.retort.error.ArgumentError.class).hasMessageContaining("No column '" + payload + "'");
        }
        assertThat(engine.statementCount() - before).as("an unknown name sends nothing").isZero();
        for (String payload : payloads) {
            Column<String> named = io.retort.sql.Sql.column(payload, SqlTypes.TEXT);
            before = engine.statementCount();
            StepVerifier.Step<Row> step = StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name).from(ARTIST)
                    .orderBy(named.sort(io.retort.sql.SortOrder.Direction.DESC))).rows()));
            boolean h2Splits = driver() == io.retort.tck.env.Driver.R2DBC_H2 && payload.contains(";");
            if (h2Splits) {
                // r2dbc-h2 would cut even a quoted name at its ';' and run "delete/**/from/**/artist" on its own:
                // Retort refuses such text before that driver.
                step.expectErrorSatisfies(e -> assertThat(e).as(payload).isInstanceOf(io.retort.error.ArgumentError.class)
                        .hasMessageContaining("r2dbc-h2")).verify(TIMEOUT);
            } else if (d.name().equals("sqlite")) {
                // SQLite reads an unknown "name" as a string constant: the sort is by a constant, still one name
                step.expectNextCount(3).expectComplete().verify(TIMEOUT);
            } else {
                step.expectErrorSatisfies(e -> assertThat(e).as(payload).isInstanceOf(io.retort.error.ProgrammingError.class))
                        .verify(TIMEOUT);
            }
            assertThat(engine.statementCount() - before).as("one statement, the SELECT (none when refused)")
                    .isEqualTo(h2Splits ? 0 : 1);
        }
        assertThat(names(engine)).as("nothing ran but the SELECTs").containsExactly("Artist 1", "Artist 2", "Artist 3");
        // the supported shape: a looked-up column and a parsed direction
        List<String> sorted = engine.connect(c -> c.execute(select(ARTIST.name).from(ARTIST).orderBy(
                ARTIST.c("name").sort(io.retort.sql.SortOrder.Direction.parse("DESC")))).scalars(String.class))
                .collectList().block(TIMEOUT);
        assertThat(sorted).containsExactly("Artist 3", "Artist 2", "Artist 1");
    }

    @Test // B9: no query comment or hint API exists; DDL comment text with */, /* and newlines is stored verbatim
    default void commentTextIsStoredVerbatim(TestDatabase db) {
        Engine engine = engine(db);
        Dialect d = dialect(engine);
        assumeTrue(d.supportsComments(), d.name() + " keeps no comments");
        Table note = Table.builder("b9_note").column("id", SqlTypes.INTEGER, primaryKey())
                .column("body", SqlTypes.varchar(20)).build();
        String hostile = "x */ DROP TABLE b9_note /*\nline two -- and 'quoted' \\ end";
        run(engine, createTable(note), io.retort.sql.Sql.commentOn(note, hostile),
                io.retort.sql.Sql.commentOn(note.c("body"), hostile));
        io.retort.schema.ReflectedTable t = Inspector.of(engine).table("b9_note").block(TIMEOUT);
        assertThat(t).as("the table is still there").isNotNull();
        assertThat(t.comment()).isEqualTo(hostile);
        assertThat(t.columns()).filteredOn(c -> c.name().equals("body")).extracting(io.retort.schema.ReflectedColumn::comment)
                .containsExactly(hostile);
    }

    private static List<String> names(Engine engine) {
        return engine.connect(c -> c.execute(select(ARTIST.name).orderBy(ARTIST.artistId)).scalars(String.class))
                .collectList().block(TIMEOUT);
    }
}
