package io.retort.bridge.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcTimeoutException;
import java.io.Closeable;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * An R2DBC {@link ConnectionFactory} over a JDBC {@link DataSource}: any JDBC driver becomes an
 * R2DBC driver (B1–B3). Found by URL through {@link JdbcConnectionFactoryProvider}
 * ({@code ConnectionFactories.get("r2dbc:jdbc:postgresql://user:pw@host/db")}), or built here:
 *
 * <pre>{@code
 * JdbcConnectionFactory cf = JdbcConnectionFactory.builder()
 *         .url("jdbc:sqlite:/var/data/app.db")
 *         .poolSize(4)
 *         .build();                       // HikariCP pool of 4, 4 worker threads
 * JdbcConnectionFactory cf2 = JdbcConnectionFactory.builder().dataSource(myDataSource).poolSize(8).build();
 * }</pre>
 *
 * <h2>Threads</h2>
 * Every JDBC call runs on this factory's worker pool — a fixed {@code ThreadPoolExecutor} with
 * one thread per connection permit — never on the subscriber's thread. Each connection has a
 * lane that runs its calls one at a time, in order. Waiting for a connection uses no
 * thread at all: {@link #create()} queues on a permit gate (an asynchronous semaphore as
 * large as the pool) and only a caller holding a permit gets a worker to call
 * {@code DataSource.getConnection()} (the first task of the new connection's lane). So the
 * pool's threads are never all busy waiting for connections that only queued tasks could
 * release — the classic deadlock of running JDBC on a worker pool — and a worker is always free
 * for a connection-holding task: at most one task per connection is ever on the pool, and there
 * are as many threads as permits. {@code Statement.cancel()} runs on separate cancel threads,
 * because it must reach a statement whose worker is blocked in the driver.
 *
 * <p>Results are emitted on the worker thread (as R2DBC drivers emit on their I/O threads):
 * operators downstream run there until they switch threads, so they must not block waiting for
 * other work of the same connection.
 *
 * <h2>SQL</h2>
 * {@code $1}, {@code :name} and {@code ?} bind markers are all accepted and translated to JDBC's
 * {@code ?} (markers inside quotes and comments are left alone), so SQL compiled for
 * r2dbc-postgresql or r2dbc-h2 runs unchanged; several statements in one text run one after
 * another (pgjdbc runs them itself). See {@code ParsedSql}.
 *
 * <h2>Pooling</h2>
 * By default the factory owns a HikariCP pool of {@code poolSize} connections (its
 * {@code close()} returns the JDBC connection to HikariCP, which resets auto-commit, isolation
 * and read-only state and rolls back an open transaction), so no R2DBC pool is needed on top.
 * Retort's {@code Engine} wraps any factory in r2dbc-pool unless
 * {@code EngineOptions.pooled(false)} is given: with the bridge, either pass
 * {@code pooled(false)} and let HikariCP pool, or keep r2dbc-pool (for its metrics and
 * validation) with its {@code maxPoolSize} no larger than the bridge's {@code poolSize} — an
 * r2dbc-pool connection holds a bridge connection, and with more r2dbc-pool connections than
 * bridge permits the surplus would only wait here. Under an external pool, {@code pooled=false}
 * makes {@code close()} close the physical connection.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} closes the HikariCP pool (if the factory made it) and stops the threads;
 * it blocks, so call it from an ordinary thread (or use {@link #closeLater()}).
 */
public final class JdbcConnectionFactory implements ConnectionFactory, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcConnectionFactory.class);
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final int SQL_CACHE_SIZE = 1024;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** Closes factories that were dropped without close(): their threads and pool must not outlive them. */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    private final DataSource dataSource;
    private final String description;
    private final PermitGate gate;
    private final WorkerPool workers;
    private final Duration acquireTimeout;
    private final int fetchSize;
    private final Duration statementTimeout;
    private final Duration lockWaitTimeout;
    private final boolean streamInAutoCommit;
    /** {@code setNetworkTimeout} for every connection handed out, in ms; null to leave the driver's own. */
    private final Integer networkTimeoutMillis;
    private final Duration closeTimeout;
    private final Duration connectTimeout;
    /** Non-null for a HikariCP DataSource: lets one worker at a time borrow from it (see {@link #borrow}). */
    private final java.util.concurrent.locks.ReentrantLock borrowLock;
    /**
     * Acquisitions waiting for a permit, oldest first: with one acquire timeout for all, also
     * earliest deadline first. One timer (the sweeper) serves them all: a timer per waiter cost
     * a schedule and a cancel on Reactor's parallel scheduler per queued create(), each able to
     * wake one of its threads, on a path where the waiter is usually granted within a millisecond.
     */
    private final java.util.Queue<Acquire> timed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweeperArmed = new AtomicBoolean();
    private final ConcurrentHashMap<String, ParsedSql> sqlCache = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Product product;
    private volatile String productName;
    private volatile String productVersion;
    private volatile IsolationLevel defaultIsolation;
    private final java.lang.ref.Cleaner.Cleanable cleanable;

    private JdbcConnectionFactory(Builder b, DataSource dataSource, boolean owns, String description) {
        this.dataSource = dataSource;
        this.description = description;
        this.gate = new PermitGate(b.poolSize);
        this.workers = new WorkerPool(b.poolName, b.poolSize, b.virtualThreads);
        this.acquireTimeout = b.acquireTimeout;
        this.fetchSize = b.fetchSize;
        this.statementTimeout = b.statementTimeout;
        this.lockWaitTimeout = b.lockWaitTimeout;
        this.streamInAutoCommit = b.streamInAutoCommit;
        this.networkTimeoutMillis = b.handOutNetworkTimeout();
        this.closeTimeout = b.closeTimeout;
        this.connectTimeout = b.connectTimeout;
        this.borrowLock = isHikari(dataSource) ? new java.util.concurrent.locks.ReentrantLock() : null;
        this.product = Product.fromUrl(b.url);
        this.cleanable = CLEANER.register(this, new Release(workers, owns ? dataSource : null, gate));
    }

    /**
     * What {@link #close()} releases, without a reference to the factory, so it can also run
     * when an unclosed factory is garbage collected (a factory from {@code ConnectionFactories.get}
     * that its caller forgot; an engine built from a URL closes the one it made). Idle worker
     * threads reference only their executor, so an unused factory does become unreachable.
     */
    private static final class Release implements Runnable {
        private final WorkerPool workers;
        private final DataSource owned;
        private final PermitGate gate;

        Release(WorkerPool workers, DataSource owned, PermitGate gate) {
            this.workers = workers;
            this.owned = owned;
            this.gate = gate;
        }

        @Override
        public void run() {
            gate.close();
            if (owned instanceof HikariDataSource) {
                ((HikariDataSource) owned).close();
            }
            workers.shutdown();
        }
    }

    /** A builder; give it {@link Builder#url} or {@link Builder#dataSource}. */
    public static Builder builder() {
        return new Builder();
    }

    // ================================================================= ConnectionFactory

    /**
     * A connection, once one of the pool's permits is free. Deferred (nothing happens before
     * subscription), emits exactly one connection or an error, and may be cancelled at any
     * point: a connection opened for a cancelled subscriber is closed, its permit returned.
     * Waiting longer than the acquire timeout fails with an {@link R2dbcTimeoutException}
     * ("Connection acquisition timed out…").
     */
    @Override
    public Mono<Connection> create() {
        return Mono.defer(() -> {
            if (closed.get()) {
                return Mono.error(new IllegalStateException("This JDBC bridge connection factory is closed"));
            }
            Acquire op = new Acquire();
            return Mono.<Connection>create(op::start)
                    // A connection that arrives for a subscriber already gone is closed, never leaked.
                    .doOnDiscard(JdbcConnection.class, c -> Mono.from(c.close()).subscribe(null, x -> { }));
        });
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        String name = productName != null ? productName : product.displayName();
        return () -> name;
    }

    /**
     * One {@link #create()}: waits for a permit (timed by the factory's one sweeper, see
     * {@link #armSweeper}, only if none is free at once), then opens the JDBC connection as the
     * first task of the connection's own lane, so the caller's first statement, emitted to from
     * that task, runs on the same thread without another hand-over.
     */
    private final class Acquire {
        private final AtomicInteger state = new AtomicInteger(); // 0 waiting, 1 delivered, 2 cancelled
        private MonoSink<Connection> sink;
        private PermitGate.Waiter waiter;
        private long deadline;

        void start(MonoSink<Connection> s) {
            this.sink = s;
            this.waiter = new PermitGate.Waiter(this::granted);
            s.onCancel(this::cancel);
            deadline = System.nanoTime() + acquireTimeout.toNanos();
            gate.acquire(waiter);
            if (state.get() == 0 && !waiter.isGranted()) {
                timed.offer(this);
                armSweeper();
            }
        }

        /** Granted, cancelled or timed out: nothing left for the sweeper. */
        boolean settled() {
            return state.get() != 0 || waiter.isGranted();
        }

        void cancel() {
            if (state.compareAndSet(0, 2)) {
                // Still queued: withdraw. If already granted, open() sees state 2 and gives the permit back.
                waiter.cancel();
            }
        }

        void timedOut() {
            if (waiter.cancel() && state.compareAndSet(0, 2)) {
                sink.error(new R2dbcTimeoutException("Connection acquisition timed out after " + acquireTimeout
                        + ": all " + gate.size() + " JDBC bridge connections are in use (" + gate.waiting() + " waiting)"));
            }
        }

        private void granted() {
            dropSettledTimed();
            Lane lane = new Lane(workers.workers());
            lane.execute(new Lane.Task() {
                @Override
                public void run() {
                    open(lane);
                }

                @Override
                public void reject(Throwable cause) {
                    gate.release();
                    sink.error(new IllegalStateException("This JDBC bridge connection factory is closed", cause));
                }
            });
        }

        private void open(Lane lane) {
            if (state.get() == 2) {
                gate.release();
                return;
            }
            java.sql.Connection jdbc = null;
            JdbcConnection c;
            try {
                jdbc = borrow();
                learn(jdbc);
                if (networkTimeoutMillis != null) {
                    // Bounds every socket read of this connection (Hikari restores the driver's
                    // own value when the connection comes back to it).
                    jdbc.setNetworkTimeout(workers.cancellers(), networkTimeoutMillis);
                }
                c = new JdbcConnection(JdbcConnectionFactory.this, jdbc, lane, jdbc.getAutoCommit(), defaultIsolation);
                c.applyDefaults();
            } catch (Throwable e) {
                discardQuietly(jdbc);
                gate.release();
                if (state.get() == 0) {
                    // A subscriber that left (cancel, the pool's connect timeout) gets nothing:
                    // an error signalled to it would only be dropped (Hooks.onErrorDropped).
                    sink.error(JdbcExceptions.translate(sqlCause(e), null));
                }
                return;
            }
            if (state.compareAndSet(0, 1)) {
                sink.success(c);
            } else {
                // Opened for a caller that gave up (its connect timed out): almost always a
                // connection the pool had to open for it, late. Closed, as an R2DBC driver closes
                // a connect that completes after its cancel (F5), not kept idle in HikariCP.
                c.discardNow();
            }
        }
    }

    /** Schedules the sweeper for the oldest waiter's deadline, unless it is already scheduled. */
    private void armSweeper() {
        Acquire head = timed.peek();
        if (head != null && sweeperArmed.compareAndSet(false, true)) {
            long delay = Math.max(0, head.deadline - System.nanoTime());
            try {
                Schedulers.parallel().schedule(this::sweep, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                sweeperArmed.set(false);
                throw e;
            }
        }
    }

    /** Times out the waiters whose deadline has passed, then re-arms for the next one. */
    private void sweep() {
        long now = System.nanoTime();
        for (Acquire a; (a = timed.peek()) != null; ) {
            if (!a.settled() && a.deadline - now > 0) {
                break;
            }
            timed.remove(a); // by identity: another thread may have removed the head meanwhile
            if (!a.settled()) {
                a.timedOut();
            }
        }
        sweeperArmed.set(false);
        // A waiter queued while this ran may have found the sweeper still armed: look again.
        armSweeper();
    }

    /** Drops settled waiters from the head of {@link #timed}, so granted ones are not kept until a sweep. */
    private void dropSettledTimed() {
        for (Acquire a; (a = timed.peek()) != null && a.settled(); ) {
            timed.remove(a);
        }
    }

    /**
     * {@code dataSource.getConnection()} on a worker (blocking is fine here), one worker at a
     * time when the DataSource is a HikariCP pool.
     *
     * <p>Why: HikariCP (5.x, 6.x) can strand a borrower when several threads borrow while the
     * pool has to open connections. {@code ConcurrentBag.borrow} counts itself as a waiter,
     * then scans for an idle connection; a borrower that takes a connection just opened for
     * another one asks for a replacement only if its own, earlier, waiter count was above 1.
     * A borrower delayed between the two steps (two busy cores are enough) takes another's
     * connection believing nobody else waits, no replacement is requested, and the other
     * waits out the whole connection timeout with no connection being opened (seen as
     * r2dbc-pool's 10 s "Connection Allocation" timeout in the TCK on MariaDB, on the first
     * acquisitions from a new pool). With one borrower at a time the count is never stale.
     * It costs little: HikariCP opens connections on one thread anyway, and borrowing an idle
     * connection takes microseconds. Every borrower holds a permit and the permits never
     * exceed the pool size, so the borrower holding the lock always gets a connection.
     */
    private java.sql.Connection borrow() throws SQLException {
        if (borrowLock == null) {
            return dataSource.getConnection();
        }
        try {
            if (!borrowLock.tryLock(acquireTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new java.sql.SQLTimeoutException("Connection acquisition timed out after "
                        + acquireTimeout + ": another JDBC bridge worker is still waiting for HikariCP", "HYT00");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.sql.SQLTransientConnectionException("Interrupted while waiting to borrow a connection", "08001", e);
        }
        try {
            return dataSource.getConnection();
        } finally {
            borrowLock.unlock();
        }
    }

    private static boolean isHikari(DataSource ds) {
        if (ds instanceof HikariDataSource) {
            return true;
        }
        try {
            return ds.isWrapperFor(HikariDataSource.class);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The SQLException inside a pool's own exception (HikariCP's PoolInitializationException
     * wraps the driver's error), so a wrong password is still a 28000 to the caller.
     */
    private static Throwable sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return t;
            }
        }
        return e;
    }

    /** Reads the product and default isolation once, from the first connection. */
    private void learn(java.sql.Connection jdbc) throws SQLException {
        if (productName != null) {
            return;
        }
        DatabaseMetaData md = jdbc.getMetaData();
        String name = md.getDatabaseProductName();
        String version = md.getDatabaseProductVersion();
        IsolationLevel iso = JdbcConnection.toR2dbc(jdbc.getTransactionIsolation());
        this.product = Product.of(name, version);
        this.productVersion = version;
        this.defaultIsolation = iso;
        this.productName = product == Product.MARIADB ? "MariaDB" : name;
        LOG.debug("JDBC bridge {} connected to {} {}", workers.name(), productName, version);
    }

    /** Closes a connection that failed while being set up; never returned to the pool for reuse. */
    private void discardQuietly(java.sql.Connection c) {
        if (c != null) {
            try {
                discard(c, true);
            } catch (SQLException | RuntimeException ignored) {
                // already failing
            }
        }
    }

    // ================================================================= for connections

    /** Called by a connection once its JDBC connection is closed. */
    void released() {
        gate.release();
    }

    Product product() {
        return product;
    }

    String productName() {
        return productName;
    }

    String productVersion() {
        return productVersion;
    }

    int defaultFetchSize() {
        return fetchSize;
    }

    Duration defaultStatementTimeout() {
        return statementTimeout;
    }

    Duration defaultLockWaitTimeout() {
        return lockWaitTimeout;
    }

    boolean streamInAutoCommit() {
        return streamInAutoCommit;
    }

    /** How long a connection's close() waits for a JDBC call in progress before it aborts the connection. */
    Duration closeTimeout() {
        return closeTimeout;
    }

    /** The bound for opening one JDBC connection (also how long a cancel may take to reach the server). */
    Duration connectTimeout() {
        return connectTimeout;
    }

    WorkerPool workerPool() {
        return workers;
    }

    /** {@code sql} parsed for this factory's product, cached by text. */
    ParsedSql parse(String sql) {
        ParsedSql p = sqlCache.get(sql);
        if (p == null) {
            p = ParsedSql.parse(sql, product);
            if (sqlCache.size() >= SQL_CACHE_SIZE) {
                // Crude bound: statements built with inlined values would otherwise grow it forever.
                sqlCache.clear();
            }
            sqlCache.put(sql, p);
        }
        return p;
    }

    // ================================================================= inspection and lifecycle

    /**
     * Closes a JDBC connection so that its pool never hands it out again: HikariCP evicts a
     * connection by itself only for the SQLStates it knows to be fatal, and not, for example,
     * for MariaDB's "connection was killed" (70100), so within its 500 ms no-validation window
     * it would give the dead connection to the next borrower. A DataSource that is not
     * HikariCP (or a connection wrapped by another layer) just gets {@code close()}.
     *
     * @param abort also close its socket at once ({@code Connection.abort}), for a connection
     *     whose link is broken or silent: a graceful close would write to it and may wait
     *     (HikariCP's rollback of a dirty connection, MariaDB draining an open result). Only
     *     with no call of the connection in progress (MariaDB's abort then needs no KILL).
     */
    void discard(java.sql.Connection c, boolean abort) throws java.sql.SQLException {
        HikariDataSource hikari = null;
        if (dataSource instanceof HikariDataSource) {
            hikari = (HikariDataSource) dataSource;
        } else if (dataSource.isWrapperFor(HikariDataSource.class)) {
            hikari = dataSource.unwrap(HikariDataSource.class);
        }
        if (hikari != null) {
            // Evicts (and closes, on HikariCP's closer thread) a connection HikariCP handed
            // out; a no-op for one it did not.
            hikari.evictConnection(c);
        }
        if (abort) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException | AbstractMethodError e) {
                LOG.debug("Connection.abort() failed, closing instead: {}", e.toString());
            }
        }
        c.close(); // idempotent after an eviction; returns or closes any other connection
    }

    /** The JDBC DataSource (a {@link HikariDataSource} unless one was given). */
    public DataSource dataSource() {
        return dataSource;
    }

    /** How many connections this factory may hold at once (= worker threads). */
    public int poolSize() {
        return gate.size();
    }

    /** Connections created and not yet closed. */
    public int acquiredConnections() {
        return gate.inUse();
    }

    /** {@code create()} calls waiting for a permit. */
    public int pendingAcquires() {
        return gate.waiting();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the HikariCP pool this factory made (a DataSource given to the builder is left
     * open) and stops the worker threads. Blocking; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        cleanable.clean();
    }

    /** {@link #close()} on a thread where blocking is allowed, for reactive callers. */
    public Mono<Void> closeLater() {
        return Mono.<Void>fromRunnable(this::close).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public String toString() {
        return "JdbcConnectionFactory[" + description + ", poolSize=" + gate.size() + "]";
    }

    // ================================================================= builder

    /** Builds a {@link JdbcConnectionFactory}. */
    public static final class Builder {
        private String url;
        private DataSource dataSource;
        private String user;
        private String password;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private int poolSize = 10;
        private int minIdle = 0;
        private boolean pooled = true;
        private int fetchSize = 1000;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration maxLifetime;
        private Duration idleTimeout;
        private Duration statementTimeout;
        private Duration lockWaitTimeout;
        private String poolName;
        private boolean virtualThreads;
        private boolean streamInAutoCommit = true;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration networkTimeout;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        /** Whether build() gave pgjdbc a socketTimeout only to bound its handshake (undone at hand-out). */
        private boolean handshakeSocketTimeout;

        private Builder() {
        }

        /** The JDBC URL, e.g. {@code jdbc:postgresql://localhost/app}. */
        public Builder url(String jdbcUrl) {
            this.url = jdbcUrl;
            return this;
        }

        /** An existing DataSource (pooled or not); the factory never closes it. */
        public Builder dataSource(DataSource ds) {
            this.dataSource = ds;
            return this;
        }

        /** The database user (JDBC {@code user}). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** The database password; never logged. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** A JDBC driver connection property, e.g. {@code property("currentSchema", "app")}. */
        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Connections and worker threads; default 10. */
        public Builder poolSize(int size) {
            this.poolSize = size;
            return this;
        }

        /** Idle connections HikariCP keeps; default 0. */
        public Builder minIdle(int minIdle) {
            this.minIdle = minIdle;
            return this;
        }

        /** False: no HikariCP, a new physical connection per {@code create()}; default true. */
        public Builder pooled(boolean pooled) {
            this.pooled = pooled;
            return this;
        }

        /** Default rows per fetch; 0 for the driver's default. Default 1000. */
        public Builder fetchSize(int rows) {
            this.fetchSize = rows;
            return this;
        }

        /** Longest wait for a connection; default 30 s. */
        public Builder acquireTimeout(Duration timeout) {
            this.acquireTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** HikariCP {@code maxLifetime}: connections older than this are retired when returned. */
        public Builder maxLifetime(Duration d) {
            this.maxLifetime = d;
            return this;
        }

        /** HikariCP {@code idleTimeout}: idle connections above {@code minIdle} are closed after this. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        /** A statement timeout every new connection starts with. */
        public Builder statementTimeout(Duration d) {
            this.statementTimeout = d;
            return this;
        }

        /** A lock wait timeout every new connection starts with. */
        public Builder lockWaitTimeout(Duration d) {
            this.lockWaitTimeout = d;
            return this;
        }

        /** A name for the HikariCP pool and the worker threads ({@code <name>-worker-1}…). */
        public Builder poolName(String name) {
            this.poolName = name;
            return this;
        }

        /** Java 21+: run JDBC calls on virtual threads. */
        public Builder virtualThreads(boolean on) {
            this.virtualThreads = on;
            return this;
        }

        /**
         * The longest time the JDBC driver may take to open one connection (TCP connect,
         * handshake, login); default 10 s. A server that accepts and then stays silent would
         * otherwise hold a worker (and HikariCP's one connection-adding thread) as long as TCP
         * allows. JDBC has no standard per-connection handshake bound ({@code loginTimeout} is
         * JVM-wide, and pgjdbc only abandons the connecting thread on it), so it is given to the
         * drivers the bridge knows as their own properties, unless the URL or
         * {@link #property} already sets them: pgjdbc {@code connectTimeout} and
         * {@code socketTimeout} (seconds, rounded up; the socket timeout is replaced by
         * {@link #networkTimeout} once the connection is open), MariaDB Connector/J and MySQL
         * Connector/J {@code connectTimeout} (ms). HikariCP's {@code validationTimeout} (its
         * liveness check of an idle connection) is this, between 250 ms and 5 s.
         */
        public Builder connectTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive");
            }
            this.connectTimeout = d;
            return this;
        }

        /**
         * The longest time any one blocking read of a connection may wait for the server
         * ({@code java.sql.Connection.setNetworkTimeout}, set when the connection is handed out);
         * default none, for a statement may legitimately run for a long time. Without it, a
         * server that goes silent mid-call holds the call until its caller gives up: a cancel,
         * a timeout or {@code close()} then ends it within {@link #closeTimeout}. With it, the
         * call fails on its own (a connection error; the connection is discarded). Keep it
         * above the longest statement (and the statement timeout).
         */
        public Builder networkTimeout(Duration d) {
            this.networkTimeout = d;
            return this;
        }

        /**
         * How long {@code Connection.close()} waits for a JDBC call still in progress (a
         * statement it cancelled, a COMMIT, a validation, its own rollback) before it aborts the
         * JDBC connection ({@code java.sql.Connection.abort}, which closes its socket) and
         * evicts it from the pool; default 1 s. A cancel reaches a live server in
         * milliseconds; past this, the server or the network is not answering, and the call
         * would otherwise hold its worker thread and its permit until TCP gives up. A cancel
         * still on its way to the server (its new connection not yet answered on a busy host)
         * defers the abort until this long after the server answered it, by at most
         * {@link #connectTimeout} more.
         */
        public Builder closeTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive");
            }
            this.closeTimeout = d;
            return this;
        }

        /** The network timeout to set at hand-out, in ms: {@link #networkTimeout}, or 0 to undo a handshake-only bound. */
        private Integer handOutNetworkTimeout() {
            if (networkTimeout != null) {
                return (int) Math.min(Integer.MAX_VALUE, Math.max(1, networkTimeout.toMillis()));
            }
            return handshakeSocketTimeout ? 0 : null;
        }

        /** The drivers' own handshake bounds ({@link #connectTimeout}) where the URL and properties set none. */
        private void boundHandshake(Properties props) {
            Product p = Product.fromUrl(url);
            String lowerUrl = url.toLowerCase(java.util.Locale.ROOT);
            if (p == Product.POSTGRESQL) {
                String seconds = Long.toString(Math.max(1, (connectTimeout.toMillis() + 999) / 1000));
                if (!props.containsKey("connectTimeout") && !lowerUrl.contains("connecttimeout=")) {
                    props.setProperty("connectTimeout", seconds);
                }
                // pgjdbc reads the startup answer with no timeout but socketTimeout.
                if (!props.containsKey("socketTimeout") && !lowerUrl.contains("sockettimeout=")) {
                    props.setProperty("socketTimeout", seconds);
                    handshakeSocketTimeout = true;
                }
            } else if (p == Product.MARIADB || p == Product.MYSQL) {
                // Connector/J 3.x reads the handshake with connectTimeout as its socket timeout.
                if (!props.containsKey("connectTimeout") && !lowerUrl.contains("connecttimeout=")) {
                    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toMillis())));
                }
            }
        }

        /** PostgreSQL: stream auto-commit queries through a cursor; default true. */
        public Builder streamInAutoCommit(boolean on) {
            this.streamInAutoCommit = on;
            return this;
        }

        /** The factory. No connection is opened until the first {@code create()}. */
        public JdbcConnectionFactory build() {
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
            }
            if (fetchSize < 0) {
                throw new IllegalArgumentException("fetchSize must be >= 0, got " + fetchSize);
            }
            if (acquireTimeout.isNegative() || acquireTimeout.isZero()) {
                throw new IllegalArgumentException("acquireTimeout must be positive");
            }
            int n = COUNT.incrementAndGet();
            if (poolName == null) {
                poolName = "retort-jdbc-" + n;
            }
            if (dataSource != null) {
                if (url == null && dataSource instanceof HikariDataSource) {
                    url = ((HikariDataSource) dataSource).getJdbcUrl();
                }
                return new JdbcConnectionFactory(this, dataSource, false, "DataSource " + dataSource.getClass().getSimpleName());
            }
            if (url == null || !url.startsWith("jdbc:")) {
                throw new IllegalArgumentException("A JDBC URL (jdbc:…) or a DataSource is required, got " + url);
            }
            Properties props = new Properties();
            props.putAll(properties);
            boundHandshake(props);
            DataSource ds;
            if (pooled) {
                HikariDataSource h = new HikariDataSource();
                h.setJdbcUrl(url);
                if (user != null) {
                    h.setUsername(user);
                }
                if (password != null) {
                    h.setPassword(password);
                }
                h.setDataSourceProperties(props);
                h.setMaximumPoolSize(poolSize);
                h.setMinimumIdle(Math.min(minIdle, poolSize));
                h.setPoolName(poolName);
                h.setConnectionTimeout(Math.max(250, acquireTimeout.toMillis()));
                // HikariCP checks an idle connection before lending it; on a silent one the check
                // holds the borrowing worker (and every borrower behind it) this long.
                h.setValidationTimeout(Math.max(250, Math.min(5_000, Math.min(connectTimeout.toMillis(),
                        h.getConnectionTimeout()))));
                // The no-arg HikariDataSource starts its pool on the first getConnection (on a
                // worker, never while building). Fail fast there: a wrong password or an unknown
                // database is reported at once instead of after the whole connection timeout.
                h.setInitializationFailTimeout(1);
                h.setAutoCommit(true);
                if (maxLifetime != null) {
                    h.setMaxLifetime(maxLifetime.toMillis());
                }
                if (idleTimeout != null) {
                    h.setIdleTimeout(idleTimeout.toMillis());
                }
                ds = h;
            } else {
                ds = new DriverDataSource(url, null, props, user, password);
            }
            return new JdbcConnectionFactory(this, ds, true, mask(url));
        }

        private static String mask(String url) {
            return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
        }
    }

}
