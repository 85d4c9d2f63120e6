package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.Row;
import io.retort.error.CompileError;
import io.retort.error.IntegrityError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.sql.Select;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.TckSchema;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.update;
import static io.retort.tck.TckSchema.ALBUM;
import static io.retort.tck.TckSchema.ARTIST;
import static io.retort.tck.TckSchema.TRACK;
import static org.assertj.core.api.Assertions.assertThat;

/** Select, insert/returning, update and transactions: the core round trips every backend must pass. */
@ExtendWith(TckOracle.class)
public interface CoreSuite extends TckBackend {

    @Test // C1, C12, C13: a join with bound values streams typed rows
    default void selectJoinStreamsTypedRows(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(Duration.ofSeconds(30));
        Select q = select(ARTIST.name, ALBUM.title, count().as("tracks"))
                .from(ARTIST.join(ALBUM).join(TRACK))
                .where(ARTIST.artistId.in(1, 2))
                .groupBy(ARTIST.name, ALBUM.title)
                .orderBy(ALBUM.title);
        StepVerifier.create(engine.execute(q).map(r -> r.get(ARTIST.name) + "|" + r.get(ALBUM.title) + "|" + r.get(2, Long.class)))
                .expectNext("Artist 1|Album 10|5", "Artist 1|Album 11|5", "Artist 2|Album 20|5", "Artist 2|Album 21|5")
                .verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(TRACK.unitPrice).where(TRACK.trackId.eq(1))).scalars(BigDecimal.class)))
                .expectNext(new BigDecimal("0.99"))
                .verifyComplete();
    }

    @Test // C4: empty IN is false and empty NOT IN true on the real server
    default void emptyInOnTheServer(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 2).block(Duration.ofSeconds(30));
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(ARTIST).where(ARTIST.artistId.in(List.of()))).scalars(Long.class)))
                .expectNext(0L).verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(ARTIST).where(ARTIST.artistId.notIn(List.of()))).scalars(Long.class)))
                .expectNext(2L).verifyComplete();
    }

    @Test // O17's base: a server-side cursor reads a SELECT in typed chunks, other statements between them
    default void cursorReadsInChunks(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 30).block(Duration.ofSeconds(30)); // 300 tracks
        Select q = select(TRACK.trackId, TRACK.unitPrice).orderBy(TRACK.trackId);
        String dialect = engine.dialect().block().name();
        if (!engine.dialect().block().supportsCursors()) {
            StepVerifier.create(engine.inTransaction(c -> c.cursor(q, 100)))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CompileError.class)
                            .hasMessageContaining(dialect).hasMessageContaining("cursors"))
                    .verify(Duration.ofSeconds(30));
            return;
        }
        StepVerifier.create(engine.connect(c -> c.cursor(q, 100)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class).hasMessageContaining("transaction"))
                .verify(Duration.ofSeconds(30));
        // A statement of its own between chunks; the next FETCH waits for it and for demand.
        long before = engine.statementCount();
        List<String> chunks = engine.inTransaction(c -> c.cursor(q, 128).concatMap(chunk ->
                c.execute(select(count()).from(ARTIST)).scalars(Long.class).map(n -> chunk.size() + ":"
                        + chunk.get(0).get(TRACK.trackId) + ":" + chunk.get(0).get(TRACK.unitPrice).getClass().getSimpleName()
                        + ":" + n), 0)).collectList().block(Duration.ofSeconds(30));
        assertThat(chunks).containsExactly("128:1:BigDecimal:30", "128:129:BigDecimal:30", "44:257:BigDecimal:30");
        assertThat(engine.statementCount() - before).as("DECLARE, 3 FETCH, 3 counts, CLOSE").isEqualTo(8);
        // Backpressure: one chunk asked for, one FETCH sent; a cancel then rolls the transaction back.
        long start = engine.statementCount();
        StepVerifier.create(engine.inTransaction(c -> c.cursor(q, 50)), 1)
                .assertNext(chunk -> assertThat(chunk).hasSize(50))
                .then(() -> assertThat(engine.statementCount() - start).as("DECLARE and one FETCH").isEqualTo(2))
                .thenCancel()
                .verify(Duration.ofSeconds(30));
    }

    @Test // C14, D1-D3: executemany with RETURNING correlates generated keys to parameter sets
    default void insertReturningGeneratedKeys(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        if (!engine.dialect().block().supportsInsertReturning()) {
            return;
        }
        List<java.util.Map<io.retort.sql.Column<?>, Object>> sets = new java.util.ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            sets.add(TckSchema.row(ARTIST.name, "N" + i));
        }
        List<Row> rows = engine.connect(c -> c.executeMany(insert(ARTIST).returning(ARTIST.artistId, ARTIST.name), sets).rows())
                .collectList().block(Duration.ofSeconds(60));
        assertThat(rows).hasSize(2500);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).get(ARTIST.name)).isEqualTo("N" + i);
        }
        assertThat(rows.stream().map(r -> r.get(ARTIST.artistId)).distinct().count()).isEqualTo(2500);
    }

    @Test // B19: executeScript sends a script's statements one by one (a ';' in a literal or comment is text); the
    // first failure ends it with its typed error, and inside a transaction nothing of it stays
    default void executeScriptRunsEachStatementOnItsOwn(TestDatabase db) throws Exception {
        Engine engine = engine(db);
        String script = "CREATE TABLE script_note (id INT PRIMARY KEY, body VARCHAR(40));\n"
                + "INSERT INTO script_note (id, body) VALUES (1, 'semi;colon');  -- a comment; with a semicolon\n"
                + "/* a block; comment */ INSERT INTO script_note (id, body) VALUES (2, 'two');\n";
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        boolean h2Splits = driver() == io.retort.tck.env.Driver.R2DBC_H2;
        try (AutoCloseable listening = engine.onStatement(sent::add)) {
            if (h2Splits) {
                // r2dbc-h2 cuts text at every ';', even in a literal: refused before the driver, after the CREATE ran.
                StepVerifier.create(engine.connect(c -> c.executeScript(script)))
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.retort.error.ArgumentError.class)
                                .hasMessageContaining("r2dbc-h2").hasMessageContaining("'semi;colon'"))
                        .verify(Duration.ofSeconds(10));
                assertThat(sent).as("nothing of the refused statement was sent").hasSize(1);
                String plain = script.replace("semi;colon", "semi:colon");
                assertThat(engine.connect(c -> c.executeScript(plain.substring(plain.indexOf(';') + 1)))
                        .blockLast(Duration.ofSeconds(30))).isEqualTo(2L);
            } else {
                assertThat(engine.connect(c -> c.executeScript(script)).blockLast(Duration.ofSeconds(30))).isEqualTo(2L);
            }
        }
        assertThat(sent).as("one statement each, without the comments between them").containsExactly(
                "CREATE TABLE script_note (id INT PRIMARY KEY, body VARCHAR(40))",
                "INSERT INTO script_note (id, body) VALUES (1, '" + (h2Splits ? "semi:colon" : "semi;colon") + "')",
                "INSERT INTO script_note (id, body) VALUES (2, 'two')");
        assertThat(engine.connect(c -> c.executeRaw("SELECT body FROM script_note ORDER BY id").scalars(String.class))
                .collectList().block(Duration.ofSeconds(10))).containsExactly(h2Splits ? "semi:colon" : "semi;colon", "two");

        String failing = "INSERT INTO script_note (id, body) VALUES (3, 'three'); INSERT INTO script_note (id, body)"
                + " VALUES (1, 'duplicate'); INSERT INTO script_note (id, body) VALUES (4, 'never')";
        StepVerifier.create(engine.connect(c -> c.executeScript(failing)))
                .expectError(IntegrityError.class)
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.inTransaction(c -> c.executeScript(failing.replace("(3,", "(5,"))))
                .expectError(IntegrityError.class)
                .verify(Duration.ofSeconds(10));
        assertThat(engine.connect(c -> c.executeRaw("SELECT id FROM script_note ORDER BY id").scalars(Number.class))
                .map(Number::intValue).collectList().block(Duration.ofSeconds(10)))
                .as("3 stays (no transaction), 4 never ran, 5 rolled back").containsExactly(1, 2, 3);
        if (db.backend() != io.retort.tck.env.Backend.MARIADB) {
            // MariaDB/MySQL read \' as an escaped quote (backslashLiteralsFollowMySqlOnMariaDb); elsewhere it depends.
            assertThatThrownBy(() -> engine.connect(c -> c.executeScript("SELECT 'a\\'; SELECT ';'")).blockLast())
                    .isInstanceOf(io.retort.error.ArgumentError.class).hasMessageContaining("cannot be told apart");
        }
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
    }

    @Test // text() and executeScript read \' inside a MariaDB literal as the server does: an escaped quote, so a
    // ':name' or ';' after it is still literal text, and the values round-trip
    default void backslashLiteralsFollowMySqlOnMariaDb(TestDatabase db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.backend() == io.retort.tck.env.Backend.MARIADB,
                "backslash escapes in literals are MariaDB/MySQL's (without NO_BACKSLASH_ESCAPES)");
        Engine engine = engine(db);
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable listening = engine.onStatement(sent::add)) {
            Row row = engine.connect(c -> c.execute(io.retort.sql.Sql.text("SELECT 'it\\'s :not_a_param' AS a, :p AS b")
                    .bind("p", 7)).rows()).blockLast(Duration.ofSeconds(10));
            assertThat(row.get(0)).isEqualTo("it's :not_a_param");
            assertThat(((Number) row.get(1)).intValue()).isEqualTo(7);
            // Sent with the quote doubled, which r2dbc-mysql's '?' scan (no backslash escapes) reads right.
            assertThat(sent).containsExactly("SELECT 'it''s :not_a_param' AS a, ? AS b");
            sent.clear();
            String script = "CREATE TABLE backslash_note (id INT PRIMARY KEY, body VARCHAR(40));\n"
                    + "INSERT INTO backslash_note (id, body) VALUES (1, 'it\\'s; :x');\n"
                    + "INSERT INTO backslash_note (id, body) VALUES (2, 'C:\\\\');";
            assertThat(engine.connect(c -> c.executeScript(script)).blockLast(Duration.ofSeconds(30))).isEqualTo(2L);
            assertThat(sent).containsExactly(
                    "CREATE TABLE backslash_note (id INT PRIMARY KEY, body VARCHAR(40))",
                    "INSERT INTO backslash_note (id, body) VALUES (1, 'it\\'s; :x')",
                    "INSERT INTO backslash_note (id, body) VALUES (2, 'C:\\\\')");
        }
        assertThat(engine.connect(c -> c.executeRaw("SELECT body FROM backslash_note ORDER BY id").scalars(String.class))
                .collectList().block(Duration.ofSeconds(10))).containsExactly("it's; :x", "C:\\");
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
    }

    @Test // C14: executemany of even one parameter set goes as COPY on r2dbc-postgresql (measured no slower than an
    // array-bound INSERT from one row on: SmallBatchInsertBenchmark), as one INSERT elsewhere; the rows are stored
    default void executeManyOfAFewSetsIsOneStatement(TestDatabase db) throws Exception {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        boolean copies = driver() == io.retort.tck.env.Driver.R2DBC_POSTGRESQL;
        int base = 300_000;
        for (int n : new int[] {1, 3, 16}) {
            List<java.util.Map<io.retort.sql.Column<?>, Object>> sets = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                sets.add(TckSchema.row(ARTIST.artistId, base + i, ARTIST.name, "small " + n + " " + i));
            }
            List<String> sql = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (AutoCloseable listening = engine.onStatement(sql::add)) {
                assertThat(engine.inTransaction(c -> c.executeMany(insert(ARTIST), sets).rowsAffected())
                        .blockLast(Duration.ofSeconds(10))).isEqualTo(n);
            }
            int from = base;
            int to = base + n - 1;
            assertThat(sql).as("%d sets: %s", n, sql).hasSize(1);
            assertThat(sql.get(0)).as("%d sets", n).startsWith(copies ? "COPY " : "INSERT ");
            assertThat(engine.connect(c -> c.execute(select(count()).from(ARTIST)
                            .where(ARTIST.artistId.between(from, to))).scalars(Long.class))
                    .blockLast(Duration.ofSeconds(10))).isEqualTo(n);
            base += 1000;
        }
    }

    @Test // C14: executemany without RETURNING: 25,000 sets in pages (COPY FROM STDIN on r2dbc-postgresql), every value
    // stored exactly; a set that breaks the key leaves nothing of its transaction, names the original error, and the
    // connection stays usable
    default void executeManyPagesAndAFailingSet(TestDatabase db) throws Exception {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        int n = 25_000;
        List<java.util.Map<io.retort.sql.Column<?>, Object>> sets = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            // COPY's text escapes (tab, newline, CR, backslash) and a literal \N (NULL values: TypesSuite)
            String name = i % 3 == 0 ? "t\tab\nnl\rcr \\ \\N \"q\" 'a' 名前 🎉 " + i : "artist " + i;
            java.util.Map<io.retort.sql.Column<?>, Object> set = new java.util.HashMap<>();
            set.put(ARTIST.artistId, 100_000 + i);
            set.put(ARTIST.name, name);
            sets.add(set);
        }
        List<String> sql = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable listening = engine.onStatement(sql::add)) {
            Long stored = engine.inTransaction(c -> c.executeMany(insert(ARTIST), sets).rowsAffected()).blockLast(Duration.ofSeconds(60));
            assertThat(stored).isEqualTo(n);
        }
        long copies = sql.stream().filter(s -> s.startsWith("COPY ")).count();
        if (driver() == io.retort.tck.env.Driver.R2DBC_POSTGRESQL) {
            assertThat(copies).as("COPY pages of 10,000 rows: %s", sql).isEqualTo(3);
            assertThat(sql).noneMatch(s -> s.startsWith("INSERT"));
        } else {
            assertThat(copies).as("only r2dbc-postgresql offers COPY").isZero();
        }
        List<Row> back = engine.connect(c -> c.execute(select(ARTIST.artistId, ARTIST.name).where(ARTIST.artistId.ge(100_000))
                .orderBy(ARTIST.artistId)).rows()).collectList().block(Duration.ofSeconds(60));
        assertThat(back).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(back.get(i).get(ARTIST.artistId)).isEqualTo(100_000 + i);
            assertThat(back.get(i).get(ARTIST.name)).as("name %s", i).isEqualTo(sets.get(i).get(ARTIST.name));
        }

        // The second page repeats a stored key: the whole transaction is rolled back, first page included.
        List<java.util.Map<io.retort.sql.Column<?>, Object>> clash = new java.util.ArrayList<>();
        for (int i = 0; i < 15_000; i++) {
            clash.add(TckSchema.row(ARTIST.artistId, i == 12_345 ? 100_000 : 200_000 + i, ARTIST.name, "clash " + i));
        }
        StepVerifier.create(engine.inTransaction(c -> c.executeMany(insert(ARTIST), clash).rowsAffected()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IntegrityError.class))
                .verify(Duration.ofSeconds(60));
        assertThat(engine.connect(c -> c.execute(select(count()).from(ARTIST).where(ARTIST.artistId.ge(200_000)))
                .scalars(Long.class)).blockLast(Duration.ofSeconds(10))).isZero();

        // A later statement in the failed transaction does not hide the original error.
        StepVerifier.create(engine.inTransaction(c -> c.executeMany(insert(ARTIST), clash).rowsAffected()
                        .onErrorResume(e -> Mono.just(-1L))
                        .concatWith(c.execute(select(count()).from(ARTIST)).scalars(Long.class).onErrorResume(e -> Mono.just(-2L)))))
                .expectNext(-1L)
                .expectNextMatches(x -> x == -2L || x > 0)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PendingRollbackError.class)
                        .hasMessageContaining(((PendingRollbackError) e).getCause().getMessage())
                        .satisfies(x -> assertThat(x.getCause()).isInstanceOf(IntegrityError.class)))
                .verify(Duration.ofSeconds(60));
        assertThat(engine.connect(c -> c.execute(select(count()).from(ARTIST).where(ARTIST.artistId.ge(100_000)))
                .scalars(Long.class)).blockLast(Duration.ofSeconds(10))).as("the connection is usable; nothing more stored")
                .isEqualTo(n);
    }

    @Test // C13: commit on completion, rollback on error; a unique violation is an IntegrityError with the SQL
    default void transactionCommitRollbackAndIntegrityError(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        engine.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "kept")).rowsAffected()).blockLast();
        StepVerifier.create(engine.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "lost")).rowsAffected()
                        .then(c.execute(insert(ARTIST).set(ARTIST.name, "kept")).rowsAffected())))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IntegrityError.class)
                        .hasMessageContaining("INSERT INTO artist"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name).orderBy(ARTIST.name)).scalars(String.class)))
                .expectNext("kept").verifyComplete();
    }

    @Test // RELIABILITY §0/F20: a transaction that saw an error never commits, even if the error was swallowed
    default void swallowedErrorStillPreventsCommit(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        engine.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "a")).rowsAffected()).blockLast();
        Flux<Long> work = engine.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "b")).rowsAffected()
                .then(c.execute(insert(ARTIST).set(ARTIST.name, "a")).rowsAffected().onErrorResume(e -> Mono.just(-1L))));
        StepVerifier.create(work).expectNext(-1L).expectError(PendingRollbackError.class).verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(ARTIST)).scalars(Long.class)))
                .expectNext(1L).verifyComplete();
    }

    @Test // C13: savepoints contain their failure; the outer transaction commits
    default void savepointContainsFailure(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.create(engine).block(Duration.ofSeconds(30));
        Flux<Long> work = engine.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "outer")).rowsAffected()
                .concatWith(c.inNested(n -> n.execute(insert(ARTIST).set(ARTIST.name, "inner")).rowsAffected()
                        .then(n.execute(insert(ARTIST).set(ARTIST.name, "outer")).rowsAffected()))
                        .onErrorResume(IntegrityError.class, e -> Mono.just(0L))));
        StepVerifier.create(work).expectNext(1L, 0L).verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name)).scalars(String.class)))
                .expectNext("outer").verifyComplete();
    }

    @Test // C12: one/oneOrNone/first/scalars/mappings/partitions/into
    default void resultHelpers(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 3).block(Duration.ofSeconds(30));
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name).where(ARTIST.artistId.eq(2))).one()))
                .assertNext(r -> assertThat(r.get("name")).isEqualTo("Artist 2")).verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name)).one()))
                .expectError(io.retort.error.MultipleResultsFoundError.class).verify();
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name).where(ARTIST.artistId.eq(99))).oneOrNone()))
                .verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.artistId, ARTIST.name).orderBy(ARTIST.artistId))
                        .into(ArtistRecord.class)))
                .expectNext(new ArtistRecord(1, "Artist 1"), new ArtistRecord(2, "Artist 2"), new ArtistRecord(3, "Artist 3"))
                .verifyComplete();
        // Components are matched by label, not position; a component without a column is a named error.
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name, ARTIST.artistId).orderBy(ARTIST.artistId))
                        .into(ArtistRecord.class)))
                .expectNext(new ArtistRecord(1, "Artist 1"), new ArtistRecord(2, "Artist 2"), new ArtistRecord(3, "Artist 3"))
                .verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(select(ARTIST.name)).into(ArtistRecord.class)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.retort.error.ArgumentError.class)
                        .hasMessageContaining("artistId"))
                .verify(Duration.ofSeconds(10));
        // NULL into a primitive component is a named error, not a NullPointerException.
        StepVerifier.create(engine.connect(c -> c.execute(select(io.retort.sql.Sql.nullValue(io.retort.sql.SqlTypes.INTEGER)
                        .as("artist_id"), ARTIST.name).where(ARTIST.artistId.eq(1))).into(ArtistRecord.class)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.retort.error.ArgumentError.class)
                        .hasMessageContaining("artist_id is NULL").hasMessageContaining("ArtistRecord.artistId")
                        .hasMessageContaining("Integer"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.connect(c -> c.execute(select(TRACK.trackId).orderBy(TRACK.trackId)).partitions(12)))
                .assertNext(p -> assertThat(p).hasSize(12)).assertNext(p -> assertThat(p).hasSize(12))
                .assertNext(p -> assertThat(p).hasSize(6)).verifyComplete();
        StepVerifier.create(engine.connect(c -> c.execute(update(TRACK).set(TRACK.milliseconds, 1).where(TRACK.albumId.eq(10))).rowsAffected()))
                .expectNext(5L).verifyComplete();
    }

    @Test // C12: two selected columns share a name; each table column still finds its own value
    default void rowGetTellsSameNamedColumnsApart(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 2).block(Duration.ofSeconds(30));
        var q = select(ARTIST.name, TRACK.name).from(ARTIST.join(ALBUM).join(TRACK)).where(TRACK.trackId.eq(1));
        StepVerifier.create(engine.execute(q))
                .assertNext(r -> {
                    assertThat(r.get(ARTIST.name)).isEqualTo("Artist 1");
                    assertThat(r.get(TRACK.name)).isEqualTo("Track 1");
                    // By label the two stay ambiguous, and a column that is not selected as it is says so.
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.get("name"))
                            .isInstanceOf(io.retort.error.ArgumentError.class).hasMessageContaining("more than once");
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.get(TckSchema.ARTIST.as("other").col(ARTIST.name)))
                            .isInstanceOf(io.retort.error.ArgumentError.class).hasMessageContaining("label it");
                })
                .verifyComplete();
    }

    @Test // O-POOL: an engine made from options closes everything it opened, the driver's own pool included
    default void closingAnEngineMadeFromOptionsEndsItsSessions(TestDatabase db) throws java.sql.SQLException {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.backend() != io.retort.tck.env.Backend.SQLITE,
                "SQLite has no sessions to count");
        Engine e = Engine.create(db.options(driver()), io.retort.engine.EngineOptions.builder().maxPoolSize(2).echo(false).build());
        try {
            StepVerifier.create(e.connect(c -> c.executeRaw("SELECT 1").rows()).then())
                    .verifyComplete();
            // The count sees the engine's idle connection: the check below can fail.
            assertThat(FaultKit.otherSessions(db)).as("sessions open in %s while the engine is open", db.describe())
                    .isPositive();
        } finally {
            e.close();
        }
        FaultKit.await(() -> {
            try {
                return FaultKit.otherSessions(db) == 0;
            } catch (java.sql.SQLException x) {
                throw new IllegalStateException(x);
            }
        }, Duration.ofSeconds(5), "no session of the closed engine left in " + db.describe());
        if (driver().bridge()) {
            // A factory the engine was handed is the caller's to close: it stays open.
            io.r2dbc.spi.ConnectionFactory mine = db.connectionFactory(driver());
            try (Engine handed = Engine.create(mine, io.retort.engine.EngineOptions.builder().maxPoolSize(1).echo(false).build())) {
                StepVerifier.create(handed.connect(c -> c.executeRaw("SELECT 1").rows()).then()).verifyComplete();
            }
            assertThat(((io.retort.bridge.jdbc.JdbcConnectionFactory) mine).isClosed()).as("the caller's factory").isFalse();
        }
    }

    /** A record for {@code into()}. */
    record ArtistRecord(int artistId, String name) {
    }
}
