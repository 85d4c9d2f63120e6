package io.retort.tck.suite;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.sql.Column;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.Sql.createTable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault injection and oracles for the failure-path suites ({@link FailureSuite},
 * {@link CancellationSuite}, {@link LoadSuite}): server-side kills and sleeps per backend, a
 * large table filled by one set-based INSERT, session ids, and bounded polling (O-TIME: every
 * wait has a deadline, a hang is a failure). Blocking JDBC here is test set-up and assertion,
 * never the code under test.
 */
public final class FaultKit {
    private FaultKit() {
    }

    /** {@code big(id integer primary key, pad varchar(40))}: the streaming table. */
    public static final BigTable BIG = new BigTable();
    /** {@code account(id integer primary key, balance integer)}: rows to lock and deadlock on. */
    public static final AccountTable ACCOUNT = new AccountTable();

    /** The streaming table. */
    public static final class BigTable extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> pad = column("pad", SqlTypes.varchar(40));

        BigTable() {
            super("big");
        }
    }

    /** Rows to lock. */
    public static final class AccountTable extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        public final Column<Integer> balance = column("balance", SqlTypes.INTEGER, notNull());

        AccountTable() {
            super("account");
        }
    }

    /** Creates {@code big} and fills it with ids 1..rows in one set-based INSERT (no row-by-row round trips). */
    public static void createBig(Engine engine, Backend backend, int rows) {
        String fill = seriesInsert(backend, "big (id, pad)", true, "row ", rows);
        engine.connect(c -> c.execute(createTable(BIG)).rowsAffected().then(c.executeRaw(fill).rowsAffected()))
                .blockLast(Duration.ofSeconds(60));
    }

    /**
     * One set-based INSERT of the numbers 1..rows into {@code target} ("table (columns)"): each row
     * is {@code prefix} followed by its number, preceded by the number itself when {@code withId}.
     */
    public static String seriesInsert(Backend backend, String target, boolean withId, String prefix, int rows) {
        String text = "'" + prefix.replace("'", "''") + "'";
        switch (backend) {
            case POSTGRES:
                return "INSERT INTO " + target + " SELECT " + (withId ? "g, " : "") + text + " || g FROM generate_series(1, "
                        + rows + ") g";
            case MARIADB:
                // The Sequence engine (built into MariaDB 10.x) provides seq_1_to_N.
                return "INSERT INTO " + target + " SELECT " + (withId ? "seq, " : "") + "CONCAT(" + text + ", seq) FROM seq_1_to_"
                        + rows;
            case SQLITE:
                return "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < " + rows + ")"
                        + " INSERT INTO " + target + " SELECT " + (withId ? "x, " : "") + text + " || x FROM g";
            default:
                return "INSERT INTO " + target + " SELECT " + (withId ? "X, " : "") + text + " || X FROM SYSTEM_RANGE(1, "
                        + rows + ")";
        }
    }

    /**
     * Engine options for streaming a large result with bounded memory on {@code driver}. Every
     * driver streams with the defaults but pgjdbc, which reads a whole result first in auto-commit
     * mode unless the statement has a fetch size (the bridge then streams it through a cursor in a
     * short transaction); without it that backend retained about 38 MB half-way through 200,000 rows.
     */
    public static EngineOptions streamingOptions(io.retort.tck.env.Driver driver) {
        return EngineOptions.builder().maxPoolSize(2).echo(false)
                .fetchSize(driver == io.retort.tck.env.Driver.BRIDGE_POSTGRES ? 1000 : 0).build();
    }

    /** What {@link #heapHalfWay} saw: the items and the heap retained half-way, in bytes. */
    public record HeapProbe(int items, long retainedHalfWay) {
    }

    /**
     * Reads {@code flux} to the end on this thread (at most 256 items queued), giving each item to
     * {@code each}, and measures the heap after full collections before it starts and again after
     * item {@code halfWay}, while the source is still streaming.
     */
    public static <T> HeapProbe heapHalfWay(reactor.core.publisher.Flux<T> flux, int halfWay, java.util.function.Consumer<T> each) {
        long base = usedHeapAfterGc();
        long mid = 0;
        int n = 0;
        try (java.util.stream.Stream<T> st = flux.toStream(256)) {
            for (java.util.Iterator<T> it = st.iterator(); it.hasNext(); ) {
                each.accept(it.next());
                if (++n == halfWay) {
                    mid = usedHeapAfterGc();
                }
            }
        }
        return new HeapProbe(n, mid - base);
    }

    /** Creates {@code account} with the given ids, balance 100 each. */
    public static void createAccounts(Engine engine, int... ids) {
        engine.connect(c -> c.execute(createTable(ACCOUNT)).rowsAffected()
                .thenMany(reactor.core.publisher.Flux.fromArray(java.util.Arrays.stream(ids).boxed().toArray(Integer[]::new))
                        .concatMap(id -> c.execute(io.retort.sql.Sql.insert(ACCOUNT).set(ACCOUNT.id, id)
                                .set(ACCOUNT.balance, 100)).rowsAffected())))
                .blockLast(Duration.ofSeconds(30));
    }

    /**
     * The server's id for the session behind {@code c}: PostgreSQL backend pid, MariaDB connection
     * id, H2 session id; SQLite has none, so there it is the identity of the driver's connection
     * object (still "the same connection or not").
     */
    public static Mono<Long> sessionId(Connection c, Backend backend) {
        String sql;
        switch (backend) {
            case POSTGRES:
                sql = "SELECT pg_backend_pid()";
                break;
            case MARIADB:
                sql = "SELECT CONNECTION_ID()";
                break;
            case SQLITE:
                return c.executeRaw("SELECT 1").all().map(rows -> (long) System.identityHashCode(physical(c.unwrap())));
            default:
                sql = "SELECT SESSION_ID()";
                break;
        }
        return c.executeRaw(sql).all().map(rows -> ((Number) rows.get(0).get(0)).longValue());
    }

    /**
     * The driver's own connection behind {@code c}, under the pool's wrappers: the same object
     * again means the pool handed the same connection out again (through the JDBC bridge a new
     * one may still reuse a pooled JDBC connection, so server session ids cannot tell there).
     */
    public static Object driverConnection(Connection c) {
        return physical(c.unwrap());
    }

    private static Object physical(io.r2dbc.spi.Connection c) {
        Object p = c;
        while (p instanceof io.r2dbc.spi.Wrapped) {
            Object inner = ((io.r2dbc.spi.Wrapped<?>) p).unwrap();
            if (!(inner instanceof io.r2dbc.spi.Connection) || inner == p) {
                break;
            }
            p = inner;
        }
        return p;
    }

    /** Skips the test on backends that run inside this JVM (no server to kill, no network to fail). */
    public static void requireServer(TestDatabase db, String what) {
        org.junit.jupiter.api.Assumptions.assumeFalse(db.backend().inProcess(), db.backend().displayName()
                + " runs in this JVM: there is no server " + what);
    }

    /**
     * SQL that takes about {@code d} on the server and returns one row. On H2 it needs
     * {@link #prepareSleep} first (H2 has no sleep function; a Java alias stands in).
     */
    public static String sleepSql(Backend backend, Duration d) {
        double s = d.toMillis() / 1000.0;
        switch (backend) {
            case POSTGRES:
                return "SELECT pg_sleep(" + s + ")";
            case MARIADB:
                return "SELECT SLEEP(" + s + ")";
            case SQLITE:
                // No sleep function: count through a recursive CTE (a few million rows a second;
                // the duration is approximate, which these tests tolerate).
                return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
                        + Math.max(1, d.toMillis()) * 5_000 + ") SELECT count(*) FROM c";
            default:
                return "SELECT RETORT_SLEEP(" + d.toMillis() + ")";
        }
    }

    /** Defines the H2 sleep alias (a no-op elsewhere). */
    public static void prepareSleep(Engine engine, Backend backend) {
        if (backend == Backend.H2) {
            engine.connect(c -> c.executeRaw("CREATE ALIAS IF NOT EXISTS RETORT_SLEEP FOR 'java.lang.Thread.sleep(long)'")
                    .rowsAffected()).blockLast(Duration.ofSeconds(10));
        }
    }

    /**
     * SQL that runs for seconds (5 s of sleep, or minutes of CPU on H2) and can be interrupted by a statement
     * timeout (PostgreSQL and MariaDB cancel a sleep; H2 only checks for cancellation between
     * rows, so it needs real work).
     */
    public static String slowInterruptibleSql(Backend backend) {
        if (backend == Backend.H2) {
            return "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b WHERE a.X + b.X = 3";
        }
        return sleepSql(backend, Duration.ofSeconds(5));
    }

    /** Kills a server session from outside (PostgreSQL pg_terminate_backend, MariaDB KILL CONNECTION). */
    public static void killSession(TestDatabase db, long id) throws SQLException {
        try (java.sql.Connection c = db.jdbcConnection()) {
            if (db.backend() == Backend.POSTGRES) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, (int) id);
                    ps.executeQuery().close();
                }
            } else if (db.backend() == Backend.MARIADB) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("KILL CONNECTION " + id);
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1094) { // unknown thread: it is already gone
                        throw e;
                    }
                }
            } else {
                throw new IllegalStateException(db.backend().displayName() + " runs in this JVM: there is no server"
                        + " session to kill");
            }
        }
    }

    /**
     * Cancels the statement a session is running, from another connection, as an administrator
     * would: PostgreSQL pg_cancel_backend (57014 "due to user request"), MariaDB KILL QUERY (1317),
     * H2 CANCEL_SESSION (the harness logs in as H2's admin, sa).
     */
    public static void cancelStatement(TestDatabase db, long id) throws SQLException {
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement()) {
            switch (db.backend()) {
                case POSTGRES:
                    st.executeQuery("SELECT pg_cancel_backend(" + id + ")").close();
                    break;
                case MARIADB:
                    st.execute("KILL QUERY " + id);
                    break;
                case H2:
                    st.executeQuery("SELECT CANCEL_SESSION(" + id + ")").close();
                    break;
                default:
                    throw new IllegalStateException(db.backend().displayName() + " has no statement cancel from outside");
            }
        }
    }

    /** One long through a new JDBC connection (O-DATA: a separate session's view). */
    public static long queryLong(TestDatabase db, String sql) throws SQLException {
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * O-DATA with teeth on MariaDB: a locking read of the row waits for any transaction still
     * holding it (an uncommitted insert is invisible to a plain read), so a lingering session
     * that never rolled back shows up here as a lock wait timeout. Elsewhere a plain count.
     */
    public static long countCommitted(TestDatabase db, String table, String idColumn, long id) throws SQLException {
        try (java.sql.Connection c = db.jdbcConnection()) {
            if (db.backend() == Backend.MARIADB) {
                c.setAutoCommit(false);
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET SESSION innodb_lock_wait_timeout = 5");
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE " + idColumn + " = " + id
                            + " FOR UPDATE")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                } finally {
                    c.rollback();
                }
            }
            try (java.sql.Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE " + idColumn + " = " + id)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * O-DATA, O-TIME for locks: polls until another session can insert {@code id} into {@code big}
     * itself, which waits for any transaction still holding an uncommitted insert of that key on
     * both servers (a locking read would not on PostgreSQL, where the row is invisible), and
     * returns how long that took; each try waits for the lock hardly at all (PostgreSQL
     * {@code lock_timeout} 50 ms, MariaDB {@code innodb_lock_wait_timeout} 0) and is rolled back.
     * Fails if the key was committed, or if the lock is still held after {@code within}.
     */
    public static Duration awaitRowLockFree(TestDatabase db, long id, Duration within) throws SQLException {
        long t0 = System.nanoTime();
        long deadline = t0 + within.toNanos();
        int tries = 0;
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute(db.backend() == Backend.POSTGRES ? "SET lock_timeout = '50ms'" : "SET SESSION innodb_lock_wait_timeout = 0");
            c.setAutoCommit(false);
            for (;;) {
                tries++;
                try {
                    st.executeUpdate("INSERT INTO big (id, pad) VALUES (" + id + ", 'lock probe')");
                    return Duration.ofNanos(System.nanoTime() - t0);
                } catch (SQLException e) {
                    boolean lockWait = "55P03".equals(e.getSQLState()) || e.getErrorCode() == 1205;
                    assertThat(lockWait).as("inserting %d from another session failed otherwise than on its lock (committed?): %s",
                            id, e).isTrue();
                    assertThat(System.nanoTime() < deadline)
                            .as("another session still cannot lock row %d after %s (%d tries): a cancelled transaction holds it",
                                    id, within, tries).isTrue();
                } finally {
                    c.rollback();
                }
                sleep(20);
            }
        }
    }

    /**
     * O-POOL: how many sessions other than the asking one are open in this test's namespace on
     * the server (PostgreSQL by application name, MariaDB by database, H2 in its in-memory
     * database); SQLite has none to count.
     */
    public static long otherSessions(TestDatabase db) throws SQLException {
        String sql;
        switch (db.backend()) {
            case POSTGRES:
                sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = current_setting('application_name')"
                        + " AND pid <> pg_backend_pid()";
                break;
            case MARIADB:
                sql = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()";
                break;
            case H2:
                sql = "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> SESSION_ID()";
                break;
            default:
                throw new IllegalArgumentException(db.backend().displayName() + " has no sessions to count");
        }
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** O-POOL: polls until nothing is acquired or pending, at most {@code within}. */
    public static Engine.PoolStats awaitPoolIdle(Engine engine, Duration within) {
        return awaitStats(engine, s -> s.acquired() == 0 && s.pending() == 0, within, "pool idle (acquired 0, pending 0)");
    }

    /**
     * The heap in use after full collections (G1 runs {@code System.gc()} as a full, stop-the-world
     * collection): about the live set, so growth between two calls is memory something retains.
     */
    public static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Polls the pool's counts until {@code condition} holds, at most {@code within}; fails naming the last counts. */
    public static Engine.PoolStats awaitStats(Engine engine, java.util.function.Predicate<Engine.PoolStats> condition,
                                              Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        Engine.PoolStats s = engine.poolStats().orElseThrow();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            sleep(5);
            s = engine.poolStats().orElseThrow();
        }
        assertThat(condition.test(s)).as("waited %s for %s; last pool counts %s", within, what, s).isTrue();
        return s;
    }

    /**
     * PostgreSQL sessions of this test (by application name) left idle in a transaction, other
     * than the one asking.
     */
    public static final String PG_IDLE_IN_TRANSACTION = "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
            + " current_setting('application_name') AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'";

    /** Polls the count query {@code countSql} until it gives 0, at most {@code within}. */
    public static void awaitZero(TestDatabase db, String countSql, Duration within, String what) {
        await(() -> {
            try {
                return queryLong(db, countSql) == 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, within, what);
    }

    /** Polls {@code condition} until true, at most {@code within}. */
    public static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        boolean ok = condition.getAsBoolean();
        while (!ok && System.nanoTime() < deadline) {
            sleep(5);
            ok = condition.getAsBoolean();
        }
        assertThat(ok).as("waited %s for %s", within, what).isTrue();
    }

    /**
     * O-SERVER: no session of this test is still running a statement (a cancelled query must not
     * keep working for a pool that forgot it): PostgreSQL by application name, MariaDB by the
     * test's own database (other JVMs run tests as the same user on the same server). Nothing
     * to check on the in-process backends.
     */
    public static void awaitNoActiveStatements(TestDatabase db, Duration within) throws SQLException {
        String sql;
        switch (db.backend()) {
            case POSTGRES:
                sql = "SELECT count(*) FROM pg_stat_activity WHERE usename = current_user"
                        + " AND application_name = current_setting('application_name')"
                        + " AND pid <> pg_backend_pid() AND state = 'active'";
                break;
            case MARIADB:
                // A statement runs while INFO shows it. Not COMMAND: a KILL QUERY that reaches a
                // thread after its statement ended (JDBC's Statement.cancel() racing the end) shows
                // the idle thread as 'Killed' until its next command, which runs normally.
                sql = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()"
                        + " AND ID <> CONNECTION_ID() AND INFO IS NOT NULL";
                break;
            default:
                return;
        }
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + within.toNanos();
            long n;
            do {
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    n = rs.getLong(1);
                }
                if (n > 0) {
                    sleep(20);
                }
            } while (n > 0 && System.nanoTime() < deadline);
            if (n > 0) {
                // Name them: which statement outlived its cancel, and in which state.
                List<String> seen = new ArrayList<>();
                String detail = db.backend() == Backend.POSTGRES
                        ? "SELECT pid || ' ' || state || ' ' || query FROM pg_stat_activity WHERE usename = current_user"
                        + " AND application_name = current_setting('application_name') AND pid <> pg_backend_pid()"
                        + " AND state = 'active'"
                        : "SELECT CONCAT_WS(' ', ID, COMMAND, STATE, TIME_MS, INFO) FROM information_schema.PROCESSLIST"
                        + " WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO IS NOT NULL";
                try (ResultSet rs = st.executeQuery(detail)) {
                    while (rs.next()) {
                        seen.add(rs.getString(1));
                    }
                }
                assertThat(n).as("server sessions of this test still running a statement after %s: %s", within, seen)
                        .isZero();
            }
        }
    }

    /**
     * Waits until a session of this test runs {@code statement} on the server (seen in
     * pg_stat_activity or the processlist, as {@link #awaitNoActiveStatements} counts them), at most
     * {@code within}: a cancel after this point provably interrupts a running statement.
     */
    public static void awaitRunning(TestDatabase db, String statement, Duration within) {
        awaitRunning(db, statement, 1, within);
    }

    /** {@link #awaitRunning}, until at least {@code sessions} sessions of this test run {@code statement}. */
    public static void awaitRunning(TestDatabase db, String statement, int sessions, Duration within) {
        String sql;
        switch (db.backend()) {
            case POSTGRES:
                sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = current_setting('application_name')"
                        + " AND pid <> pg_backend_pid() AND state = 'active' AND query = ?";
                break;
            case MARIADB:
                sql = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()"
                        + " AND ID <> CONNECTION_ID() AND INFO = ?";
                break;
            default:
                throw new IllegalArgumentException(db.backend().displayName() + " has no server sessions to watch");
        }
        try (java.sql.Connection c = db.jdbcConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, statement);
            await(() -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) >= sessions;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, within, sessions + " session(s) running " + statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #awaitRunning} as a Mono that completes once the statement runs (polling on a thread that may block). */
    public static Mono<Void> whenRunning(TestDatabase db, String statement, Duration within) {
        return Mono.<Void>fromRunnable(() -> awaitRunning(db, statement, within))
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
    }

    /**
     * Runs {@code n} scopes that each hold a connection until all {@code n} hold one, so the
     * ids come from {@code n} distinct pooled connections; returns their session ids.
     */
    public static List<Long> sessionIdsOfAll(Engine engine, Backend backend, int n) {
        Sinks.Empty<Void> all = Sinks.empty();
        AtomicInteger arrived = new AtomicInteger();
        List<Long> ids = reactor.core.publisher.Flux.range(0, n)
                .flatMap(i -> engine.connect(c -> sessionId(c, backend)
                        .doOnNext(id -> {
                            if (arrived.incrementAndGet() == n) {
                                all.tryEmitEmpty();
                            }
                        })
                        .flatMap(id -> all.asMono().thenReturn(id))), n)
                .collectList()
                .block(Duration.ofSeconds(30));
        return new ArrayList<>(ids);
    }

    /** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
    public static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
