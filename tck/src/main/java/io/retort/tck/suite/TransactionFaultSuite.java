package io.retort.tck.suite;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.ConnectionLostError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.AsyncSession;
import io.retort.orm.Orm;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities.OArtist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults that strike a transaction (RELIABILITY F11, F24, F26, F27, F28): the connection is
 * killed mid-transaction, the server ends a transaction left idle, a transaction is handed back
 * to the pool unfinished or aborted, the first command on a connection finds it dead. Each ends
 * in a typed error, stores nothing half-done (O-DATA, read through a separate JDBC connection),
 * leaves the session or connection needing a rollback and then usable (O-REUSE), and leaves the
 * pool idle with no server session of the test still in a transaction (O-POOL, O-SERVER).
 * Faults come from the server (pg_terminate_backend, KILL CONNECTION, its own timeouts), never
 * from mocks; the in-process backends skip the ones that need a server to kill.
 */
@ExtendWith(TckOracle.class)
public interface TransactionFaultSuite extends TckBackend {
    /** Bound for each reactive step of these tests (O-TIME): a hang fails here, not at the suite's timeout. */
    Duration FAULT_WAIT = Duration.ofSeconds(20);

    /** The server's id for the session that runs {@code s}'s statements now (it holds a connection). */
    private static long sessionIdOf(AsyncSession s, Backend backend) {
        String sql = backend == Backend.POSTGRES ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
        return ((Number) s.execute(text(sql)).blockLast(FAULT_WAIT).get(0)).longValue();
    }

    /** An empty {@code big} table. */
    private static void createBig(Engine engine) {
        engine.connect(c -> c.execute(createTable(FaultKit.BIG)).rowsAffected()).blockLast(FAULT_WAIT);
    }

    /**
     * Waits (at most 5 s) until the driver behind {@code physical} has seen the server close it
     * (its LOCAL validation fails), so the command that follows fails without being written:
     * r2dbc-postgresql leaks the buffer of a message encoded while its channel closes, and a
     * Netty LEAK report fails the whole class (the NetworkFaultSuite ITs are where such races
     * are tolerated). The bridge cannot see a server's close before its next I/O: no wait there.
     */
    private void awaitDriverSawClose(Object physical) {
        if (driver().name().startsWith("BRIDGE")) {
            return;
        }
        io.r2dbc.spi.Connection c = (io.r2dbc.spi.Connection) physical;
        FaultKit.await(() -> !Boolean.TRUE.equals(Mono.from(c.validate(io.r2dbc.spi.ValidationDepth.LOCAL)).block(FAULT_WAIT)),
                Duration.ofSeconds(5), "the driver to see its connection closed");
    }

    /** The TCK entities' tables on {@code engine} (its pool sized by the test), tracked by the oracle as usual. */
    private OrmSuite.Fixture fixtureOn(Engine engine, TestDatabase db) {
        TckBackend self = this;
        return OrmSuite.Fixture.on(new TckBackend() {
            @Override
            public io.retort.tck.env.Driver driver() {
                return self.driver();
            }

            @Override
            public Engine engine(TestDatabase d) {
                return engine;
            }
        }, db);
    }

    @Test // F11: a session's connection killed mid-transaction: ConnectionLostError; nothing stored; PendingRollback until rollback, then a new connection
    default void sessionKilledMidTransactionNeedsRollbackThenRebinds(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        // A pool of one: the session gets the connection a scope has just seen.
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        OrmSuite.Fixture f = fixtureOn(engine, db);
        Table artists = f.registry().mapper(OArtist.class).table();
        Object physical = engine.connect(c -> Mono.just(FaultKit.driverConnection(c))).blockLast(FAULT_WAIT);
        AsyncSession s = f.sessions().openSession();
        try {
            s.begin().block(FAULT_WAIT);
            for (int i = 0; i < 100; i++) {
                s.add(new OArtist("F11 artist " + i));
            }
            s.flush().block(FAULT_WAIT);
            long victim = sessionIdOf(s, db.backend());
            FaultKit.killSession(db, victim);
            awaitDriverSawClose(physical);
            StepVerifier.create(s.commit())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionLostError.class))
                    .verify(FAULT_WAIT);
            // SQLAlchemy's "Can't reconnect until invalid transaction is rolled back": no silent
            // new connection (and transaction) under the caller's feet, for reads, writes or commit.
            StepVerifier.create(s.execute(Orm.select(OArtist.class)))
                    .expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            s.add(new OArtist("F11 after the loss"));
            StepVerifier.create(s.flush()).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            StepVerifier.create(s.commit()).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            StepVerifier.create(s.rollback()).expectComplete().verify(FAULT_WAIT);
            // Rebound to a new connection: a new server session, and the session writes again.
            assertThat(sessionIdOf(s, db.backend())).isNotEqualTo(victim);
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(FAULT_WAIT)).isZero();
            s.add(new OArtist("F11 after the rollback"));
            s.commit().block(FAULT_WAIT);
        } finally {
            s.close().block(FAULT_WAIT);
        }
        // O-DATA: none of the 100 rows of the lost transaction, only the one committed after it.
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM " + artists.name())).isEqualTo(1L);
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(2));
    }

    @Test // F11 (Core): a connection killed mid-transaction: the statement that notices is a ConnectionLostError, later ones PendingRollback, rollback ends it
    default void connectionKilledMidTransactionNeedsRollback(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(2).echo(false).build());
        createBig(engine);
        Connection c = engine.open().block(FAULT_WAIT);
        try {
            c.begin(null).block(FAULT_WAIT);
            c.executeRaw(FaultKit.seriesInsert(db.backend(), "big (id, pad)", true, "F11 ", 100)).rowsAffected()
                    .block(FAULT_WAIT);
            long victim = FaultKit.sessionId(c, db.backend()).block(FAULT_WAIT);
            FaultKit.killSession(db, victim);
            awaitDriverSawClose(FaultKit.driverConnection(c));
            StepVerifier.create(c.executeRaw("SELECT COUNT(*) FROM big").rows())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionLostError.class))
                    .verify(FAULT_WAIT);
            assertThat(c.isInvalidated()).isTrue();
            assertThat(c.isInTransaction()).as("the transaction is not over until it is rolled back").isTrue();
            StepVerifier.create(c.executeRaw("SELECT 1").rows()).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            StepVerifier.create(c.commit()).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            assertThat(c.isInTransaction()).isFalse();
            StepVerifier.create(c.rollback()).expectComplete().verify(FAULT_WAIT);
        } finally {
            c.close().block(FAULT_WAIT);
        }
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM big")).as("O-DATA: nothing of the lost transaction").isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        // The pool discarded the dead connection: two distinct live sessions, neither the victim.
        List<Long> after = FaultKit.sessionIdsOfAll(engine, db.backend(), 2);
        assertThat(after).hasSize(2).doesNotHaveDuplicates();
    }

    @Test // F11 (Core scope): killed before the scope's COMMIT: ConnectionLostError from the scope, nothing stored, pool refilled
    default void transactionScopeKilledBeforeCommitStoresNothing(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(2).echo(false).build());
        createBig(engine);
        List<Long> victims = new ArrayList<>();
        Flux<Long> work = engine.inTransaction(c -> c.executeRaw(FaultKit.seriesInsert(db.backend(), "big (id, pad)", true,
                        "F11 ", 100)).rowsAffected()
                .then(FaultKit.sessionId(c, db.backend()))
                .flatMap(id -> Mono.fromCallable(() -> {
                    victims.add(id);
                    FaultKit.killSession(db, id);
                    awaitDriverSawClose(FaultKit.driverConnection(c));
                    return id;
                }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())));
        StepVerifier.create(work)
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionLostError.class))
                .verify(FAULT_WAIT);
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM big")).as("O-DATA").isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(FaultKit.sessionIdsOfAll(engine, db.backend(), 2)).doesNotContain(victims.get(0));
    }

    /**
     * O-SERVER: how many server sessions of this test are inside a transaction now (PostgreSQL
     * by application name); -1 elsewhere. (MariaDB's INNODB_TRX needs the PROCESS privilege,
     * which the test user lacks: there {@link FaultKit#countCommitted}'s locking read finds a
     * session still holding the rows instead.)
     */
    private static long sessionsInTransaction(TestDatabase db) throws java.sql.SQLException {
        switch (db.backend()) {
            case POSTGRES:
                return FaultKit.queryLong(db, FaultKit.PG_IDLE_IN_TRANSACTION);
            default:
                return -1;
        }
    }

    @Test // F27: released after an error inside a transaction (PostgreSQL: aborted), with and without pre-ping: rolled back, reused, not stuck
    default void releaseAfterAnErrorInATransactionRollsBackAndReuses(TestDatabase db) throws Exception {
        for (boolean prePing : new boolean[] {false, true}) {
            Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).prePing(prePing).echo(false).build());
            createBig(engine);
            engine.connect(c -> c.executeRaw("INSERT INTO big (id, pad) VALUES (1, 'committed')").rowsAffected())
                    .blockLast(FAULT_WAIT);
            Object before = engine.connect(c -> Mono.just(FaultKit.driverConnection(c))).blockLast(FAULT_WAIT);
            Connection c = engine.open().block(FAULT_WAIT);
            try {
                c.begin(null).block(FAULT_WAIT);
                c.executeRaw("INSERT INTO big (id, pad) VALUES (2, 'uncommitted')").rowsAffected().block(FAULT_WAIT);
                // The duplicate key aborts a PostgreSQL transaction (25P02 after it); the
                // application swallows the error and hands the connection back without a rollback.
                StepVerifier.create(c.executeRaw("INSERT INTO big (id, pad) VALUES (1, 'duplicate')").rowsAffected())
                        .expectError(io.retort.error.IntegrityError.class).verify(FAULT_WAIT);
            } finally {
                StepVerifier.create(c.close()).expectComplete().verify(FAULT_WAIT);
            }
            FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
            assertThat(sessionsInTransaction(db)).as("O-SERVER: no session left in a transaction (pre-ping %s)", prePing)
                    .isLessThanOrEqualTo(0);
            // The same connection (pool of one) comes back clean: not in the aborted transaction,
            // and it commits new work.
            Object again = engine.inTransaction(t -> t.executeRaw("INSERT INTO big (id, pad) VALUES (3, 'next')").rowsAffected()
                    .thenReturn(FaultKit.driverConnection(t))).blockLast(FAULT_WAIT);
            assertThat(again).as("reused, not discarded (pre-ping %s)", prePing).isSameAs(before);
            assertThat(FaultKit.countCommitted(db, "big", "id", 2)).as("O-DATA: the released transaction was rolled back")
                    .isZero();
            assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM big")).isEqualTo(2L);
            FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
            engine.connect(x -> x.executeRaw("DROP TABLE big").rowsAffected()).blockLast(FAULT_WAIT);
        }
    }

    /** {@code BEGIN} as the dialect spells it in text SQL. */
    private static String textBegin(Backend backend) {
        return backend == Backend.MARIADB ? "START TRANSACTION" : "BEGIN";
    }

    @Test // F26: a transaction begun with text SQL and never ended is rolled back on release; the next borrower starts clean
    default void transactionBegunAsTextIsRolledBackOnRelease(TestDatabase db) throws Exception {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        createBig(engine);
        Object before = engine.connect(c -> Mono.just(FaultKit.driverConnection(c))).blockLast(FAULT_WAIT);
        // Engine.open and a scope both: the application closes without COMMIT or ROLLBACK.
        Connection c = engine.open().block(FAULT_WAIT);
        c.executeRaw(textBegin(db.backend())).rowsAffected().block(FAULT_WAIT);
        c.executeRaw("INSERT INTO big (id, pad) VALUES (1, 'left open')").rowsAffected().block(FAULT_WAIT);
        StepVerifier.create(c.close()).expectComplete().verify(FAULT_WAIT);
        engine.connect(x -> x.executeRaw(textBegin(db.backend())).rowsAffected()
                .then(x.executeRaw("INSERT INTO big (id, pad) VALUES (2, 'left open')").rowsAffected())).blockLast(FAULT_WAIT);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(sessionsInTransaction(db)).as("O-SERVER: no session left in a transaction").isLessThanOrEqualTo(0);
        // The next borrower (the same connection: a pool of one) sees neither row, and its own
        // autocommitted write does not commit them either.
        Object next = engine.connect(x -> x.executeRaw("INSERT INTO big (id, pad) VALUES (3, 'autocommitted')").rowsAffected()
                .then(x.executeRaw("SELECT COUNT(*) FROM big").all())
                .map(rows -> {
                    assertThat(((Number) rows.get(0).get(0)).longValue()).as("the next borrower's view").isEqualTo(1L);
                    return FaultKit.driverConnection(x);
                })).blockLast(FAULT_WAIT);
        assertThat(next).as("the same connection, reset rather than discarded").isSameAs(before);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(FaultKit.countCommitted(db, "big", "id", 1)).as("O-DATA").isZero();
        assertThat(FaultKit.countCommitted(db, "big", "id", 2)).as("O-DATA").isZero();
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM big")).isEqualTo(1L);
    }

    @Test // F26: autocommit turned off by text SQL (MariaDB/MySQL, H2): the release rolls back and turns it on; the next borrower of the same connection starts clean
    default void autocommitTurnedOffAsTextIsResetOnRelease(TestDatabase db) throws Exception {
        assumeTrue(db.backend() == Backend.MARIADB || db.backend() == Backend.H2,
                "SET autocommit is MariaDB/MySQL's and H2's (PostgreSQL refuses it; SQLite has none)");
        boolean maria = db.backend() == Backend.MARIADB;
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        createBig(engine);
        long sessionBefore = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(FAULT_WAIT);
        List<String> spellings = maria
                ? List.of("SET autocommit=0", "set AUTOCOMMIT = OFF", "SET @@session.autocommit = 0",
                        "SET SESSION autocommit = false", "SET @@autocommit=0")
                : List.of("SET AUTOCOMMIT FALSE", "set autocommit off");
        String off = spellings.get(0);
        String on = maria ? "SET autocommit=1" : "SET AUTOCOMMIT TRUE";
        int id = 0;
        for (String spelling : spellings) {
            int left = ++id;
            // Engine.open: closed without COMMIT.
            Connection c = engine.open().block(FAULT_WAIT);
            c.executeRaw(spelling).rowsAffected().block(FAULT_WAIT);
            c.executeRaw("INSERT INTO big (id, pad) VALUES (" + left + ", 'left open')").rowsAffected().block(FAULT_WAIT);
            StepVerifier.create(c.close()).expectComplete().verify(FAULT_WAIT);
            assertNextBorrowerClean(db, engine, sessionBefore, left, 1000 + left, spelling);
        }
        // A scope, and a COMMIT in between: the commit ends the implicit transaction but autocommit
        // stays off, so what follows it is still uncommitted at the release.
        int committed = ++id;
        int after = ++id;
        engine.connect(x -> x.executeRaw(off).rowsAffected()
                .then(x.executeRaw("INSERT INTO big (id, pad) VALUES (" + committed + ", 'committed')").rowsAffected())
                .then(x.executeRaw("COMMIT").rowsAffected())
                .then(x.executeRaw("INSERT INTO big (id, pad) VALUES (" + after + ", 'after the commit')").rowsAffected()))
                .blockLast(FAULT_WAIT);
        assertNextBorrowerClean(db, engine, sessionBefore, after, 1000 + after, off + " ... COMMIT ... INSERT");
        assertThat(FaultKit.countCommitted(db, "big", "id", committed)).as("the explicit COMMIT stands").isEqualTo(1L);
        // Turned off, then on again by the application: autocommitted, and nothing left to undo.
        int again = ++id;
        engine.connect(x -> x.executeRaw(off).rowsAffected()
                .then(x.executeRaw(on).rowsAffected())
                .then(x.executeRaw("INSERT INTO big (id, pad) VALUES (" + again + ", 'autocommitted')").rowsAffected()))
                .blockLast(FAULT_WAIT);
        assertThat(FaultKit.countCommitted(db, "big", "id", again)).isEqualTo(1L);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    /**
     * The next borrower after a release that left autocommit off: the same server session (a
     * pool of one; reset, not discarded), the row {@code left} absent for it and for everyone
     * (O-DATA: a locking read from another connection on MariaDB), and autocommit on: MariaDB
     * says so in {@code @@autocommit}, and on both backends the borrower's own insert of
     * {@code probe} is committed once it hands the connection back.
     */
    private static void assertNextBorrowerClean(TestDatabase db, Engine engine, long session, int left, int probe, String what)
            throws java.sql.SQLException {
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        boolean maria = db.backend() == Backend.MARIADB;
        List<Object> view = engine.connect(x -> x.executeRaw("SELECT " + (maria ? "@@autocommit" : "1") + ", "
                        + (maria ? "CONNECTION_ID()" : "SESSION_ID()") + ", (SELECT COUNT(*) FROM big WHERE id = " + left + ")").all()
                .flatMap(rows -> x.executeRaw("INSERT INTO big (id, pad) VALUES (" + probe + ", 'probe')").rowsAffected()
                        .thenReturn(rows.get(0))))
                .blockLast(FAULT_WAIT);
        assertThat(((Number) view.get(0)).longValue()).as("%s: the next borrower's autocommit", what).isEqualTo(1L);
        assertThat(((Number) view.get(1)).longValue()).as("%s: the same connection, reset rather than discarded", what)
                .isEqualTo(session);
        assertThat(((Number) view.get(2)).longValue()).as("%s: the next borrower does not see the uncommitted row", what)
                .isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(FaultKit.countCommitted(db, "big", "id", left)).as("%s: O-DATA", what).isZero();
        assertThat(FaultKit.countCommitted(db, "big", "id", probe)).as("%s: the next borrower autocommits", what).isEqualTo(1L);
    }

    @Test // F24: the server ends a transaction left idle too long: ConnectionLostError; the session needs a rollback; the pool discards the connection
    default void transactionIdleTooLongIsConnectionLostAndNeedsRollback(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could time out an idle transaction");
        // PostgreSQL ends the session with FATAL 25P03; MariaDB (10.3+) closes it after
        // idle_transaction_timeout, in whole seconds.
        boolean pg = db.backend() == Backend.POSTGRES;
        String setTimeout = pg ? "SET idle_in_transaction_session_timeout = 200" : "SET SESSION idle_transaction_timeout = 1";
        long idleMs = pg ? 600 : 2500;
        OrmSuite.Fixture f = OrmSuite.Fixture.on(this, db);
        Table artists = f.registry().mapper(OArtist.class).table();
        AsyncSession s = f.sessions().openSession();
        long victim;
        try {
            s.execute(text(setTimeout)).blockLast(FAULT_WAIT); // text SQL: begins the session's transaction
            assertThat(s.inTransaction()).isTrue();
            victim = sessionIdOf(s, db.backend());
            for (int i = 0; i < 10; i++) {
                s.add(new OArtist("F24 artist " + i));
            }
            s.flush().block(FAULT_WAIT);
            FaultKit.sleep(idleMs); // idle in the transaction, past the server's limit
            StepVerifier.create(s.execute(Orm.select(OArtist.class)))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(ConnectionLostError.class);
                        ConnectionLostError lost = (ConnectionLostError) e;
                        assertThat(lost.sql()).as("the SQL that found the loss").contains("SELECT");
                        if (pg) {
                            // The server's FATAL 25P03 (pgjdbc), or r2dbc-postgresql's own 08006 when it
                            // saw the socket close first. The MariaDB drivers see only the closed socket,
                            // and give no code at all.
                            assertThat(lost.sqlState()).isIn("25P03", "08006");
                        }
                    })
                    .verify(FAULT_WAIT);
            StepVerifier.create(s.execute(Orm.select(OArtist.class))).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            StepVerifier.create(s.commit()).expectError(PendingRollbackError.class).verify(FAULT_WAIT);
            StepVerifier.create(s.rollback()).expectComplete().verify(FAULT_WAIT);
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(FAULT_WAIT)).isZero();
        } finally {
            s.close().block(FAULT_WAIT);
        }
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM " + artists.name())).as("O-DATA").isZero();
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(2));
        // The pool discarded the timed-out connection: every pooled one is a live, other session.
        Engine.PoolStats stats = f.engine().poolStats().orElseThrow();
        assertThat(FaultKit.sessionIdsOfAll(f.engine(), db.backend(), stats.max())).doesNotContain(victim);
    }

    /** Kills a server session and waits until the server no longer lists it (pg_terminate_backend only signals). */
    private static void killAndAwaitGone(TestDatabase db, long id) throws java.sql.SQLException {
        FaultKit.killSession(db, id);
        String listed = db.backend() == Backend.POSTGRES ? "SELECT count(*) FROM pg_stat_activity WHERE pid = " + id
                : "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id;
        FaultKit.awaitZero(db, listed, Duration.ofSeconds(5), "session " + id + " gone");
    }

    @Test // F28: the first command of a checkout (BEGIN) finds its connection killed, 100 times: typed, released, no slot lost
    default void firstCommandOnADeadConnectionNeverLosesASlot(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        // A pool of one: the id learned in one checkout is the connection the next one gets.
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).prePing(false)
                .acquireTimeout(Duration.ofSeconds(5)).echo(false).build());
        OrmSuite.Fixture f = fixtureOn(engine, db);
        Table artists = f.registry().mapper(OArtist.class).table();
        io.retort.sql.Column<String> name = f.stringColumn(OArtist.class, "name");
        for (int i = 0; i < 100; i++) {
            int rep = i;
            Object[] learned = engine.connect(c -> FaultKit.sessionId(c, db.backend())
                            .map(id -> new Object[] {id, FaultKit.driverConnection(c)}))
                    .onErrorMap(e -> new AssertionError("repetition " + rep + ": the slot is still held after the "
                            + (rep % 2 == 0 ? "ORM" : "Core") + " repetition before", e))
                    .blockLast(FAULT_WAIT);
            long victim = (Long) learned[0];
            String artist = "F28 artist " + i;
            Mono<Void> attempt;
            if (i % 2 == 0) {
                // Core: checked out (the pool's own check passes: the connection is alive), killed,
                // then its first command is the BEGIN of a transaction.
                Connection c = engine.open().block(FAULT_WAIT);
                assertThat(FaultKit.driverConnection(c)).as("the connection whose id was learned").isSameAs(learned[1]);
                killAndAwaitGone(db, victim);
                awaitDriverSawClose(learned[1]);
                attempt = c.inTransaction(t -> t.execute(io.retort.sql.Sql.insert(artists).set(name, artist)).rowsAffected())
                        .then().doFinally(sig -> c.close().subscribe());
            } else {
                // ORM: the session holds the connection from a read in autocommit; killed; its
                // flush then begins the transaction on it.
                AsyncSession s = f.sessions().openSession();
                s.execute(Orm.select(OArtist.class)).blockLast(FAULT_WAIT);
                killAndAwaitGone(db, victim);
                awaitDriverSawClose(learned[1]);
                s.add(new OArtist(artist));
                // After the failure the application rolls back, as it must after any failed flush;
                // where BEGIN itself failed the session has already given the dead connection back,
                // and the rollback has nothing to do. Not closed: a slot the session kept would make
                // the next repetition wait for the pool's only connection (a PoolTimeoutError).
                attempt = s.flush().then(s.commit()).onErrorResume(e -> s.rollback().then(Mono.error(e)));
            }
            // BEGIN fails on the native drivers; through the bridge JDBC sends BEGIN lazily, so the
            // INSERT after it is what finds the connection dead.
            StepVerifier.create(attempt)
                    .expectErrorSatisfies(e -> assertThat(e).as("repetition %d", rep).isInstanceOf(ConnectionLostError.class))
                    .verify(FAULT_WAIT);
        }
        // O-POOL: nothing held, at most one connection open, and it is acquirable at once.
        Engine.PoolStats stats = FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(stats.allocated()).isLessThanOrEqualTo(1);
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
        assertThat(FaultKit.queryLong(db, "SELECT COUNT(*) FROM " + artists.name())).as("O-DATA").isZero();
    }

    /** DDL that changes the type of {@code big.pad} to varchar({@code length}), in the backend's words. */
    private static String alterPad(Backend backend, int length) {
        switch (backend) {
            case POSTGRES:
                return "ALTER TABLE big ALTER COLUMN pad TYPE varchar(" + length + ")";
            case MARIADB:
                return "ALTER TABLE big MODIFY pad varchar(" + length + ")";
            default:
                return "ALTER TABLE big ALTER COLUMN pad VARCHAR(" + length + ")";
        }
    }

    @Test // F25: a cached prepared statement whose table changed type under it: typed or retried, and later calls succeed, outside and inside a transaction
    default void preparedStatementInvalidatedByDdlRecovers(TestDatabase db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db.backend() != Backend.SQLITE,
                "SQLite has no ALTER COLUMN to change a column's type");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        createBig(engine);
        engine.connect(c -> c.executeRaw(FaultKit.seriesInsert(db.backend(), "big (id, pad)", true, "F25 ", 3)).rowsAffected())
                .blockLast(FAULT_WAIT);
        // A bound value: the drivers that prepare statements (r2dbc-postgresql names and caches
        // them per connection) do so for this one.
        io.retort.sql.Select q = io.retort.sql.Sql.select(FaultKit.BIG.id, FaultKit.BIG.pad).from(FaultKit.BIG)
                .where(FaultKit.BIG.id.gt(0));
        java.util.function.Supplier<Object> outsideTx = () -> engine.connect(c -> c.execute(q).rows().count())
                .cast(Object.class).onErrorResume(Mono::just).blockLast(FAULT_WAIT);
        java.util.function.Supplier<Object> insideTx = () -> engine.inTransaction(c -> c.execute(q).rows().count())
                .cast(Object.class).onErrorResume(Mono::just).blockLast(FAULT_WAIT);
        for (int round = 0; round < 2; round++) {
            boolean inTx = round == 1;
            java.util.function.Supplier<Object> run = inTx ? insideTx : outsideTx;
            assertThat(run.get()).isEqualTo(3L);
            assertThat(run.get()).as("cached now").isEqualTo(3L);
            try (java.sql.Connection other = db.jdbcConnection(); java.sql.Statement st = other.createStatement()) {
                st.execute(alterPad(db.backend(), inTx ? 40 : 75));
            }
            Object after = run.get();
            if (after instanceof Throwable) {
                // Not retried: a typed error with the SQL. Outside a transaction it must name the
                // cause. Inside one PostgreSQL has aborted the transaction: r2dbc-postgresql evicts
                // the stale statement on 0A000 and retries it, and the retry's 25P02 ("current
                // transaction is aborted") is the error that reaches us, the 0A000 being dropped.
                assertThat(after).isInstanceOf(io.retort.error.DatabaseError.class);
                assertThat(((io.retort.error.DatabaseError) after).sql()).contains("FROM big");
                if (!inTx) {
                    assertThat(((Throwable) after).getMessage()).containsIgnoringCase("cached plan");
                }
            } else {
                // Retried transparently (r2dbc-postgresql outside a transaction), or never stale
                // (MariaDB and H2 re-plan by themselves; text-protocol drivers prepare nothing).
                assertThat(after).isEqualTo(3L);
            }
            // Later calls succeed either way: the stale statement is gone.
            assertThat(run.get()).as("the next call (in a transaction: %s)", inTx).isEqualTo(3L);
            assertThat(outsideTx.get()).isEqualTo(3L);
            FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        }
    }

    @Test // F29: two big queries at once on one session: the second is refused with ConcurrentSessionUseError, never the driver's hang, the first reads every row; in sequence both read everything
    default void twoQueriesAtOnceOnOneSessionAreRefusedNotHung(TestDatabase db) {
        OrmSuite.Fixture f = OrmSuite.Fixture.on(this, db);
        int rows = 20_000;
        FaultKit.createBig(f.engine(), db.backend(), rows);
        io.retort.sql.Select all = io.retort.sql.Sql.select(FaultKit.BIG.id, FaultKit.BIG.pad).from(FaultKit.BIG);
        for (boolean inTx : new boolean[] {false, true}) {
            AsyncSession s = f.sessions().openSession();
            try {
                if (inTx) {
                    s.begin().block(FAULT_WAIT);
                }
                // More rows than any driver buffers: the first query is still streaming when the
                // second is subscribed (r2dbc-postgresql #650 hangs a connection asked for that).
                // mergeDelayError: the refusal does not cancel the first query, which must read
                // every row undisturbed (a plain merge would cancel it mid-stream, costing its
                // connection, and r2dbc-postgresql then leaks the rows it had decoded).
                StepVerifier.create(Flux.mergeDelayError(32, s.execute(all), s.execute(all)))
                        .expectNextCount(rows)
                        .expectError(io.retort.orm.ConcurrentSessionUseError.class)
                        .verify(FAULT_WAIT);
                assertThat(s.inTransaction()).as("the transaction (if any) goes on").isEqualTo(inTx);
                // Serialised by the caller, both read every row; the ORM's eager loaders do the same
                // (selectinStatementCounts: the parents are read before the children's chunks).
                StepVerifier.create(Flux.concat(s.execute(all), s.execute(all)).count())
                        .expectNext(2L * rows).expectComplete().verify(FAULT_WAIT);
            } finally {
                s.close().block(FAULT_WAIT);
            }
        }
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(2));
    }
}
