package io.retort.bridge.jdbc;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An R2DBC connection holding one JDBC connection (a HikariCP proxy unless the factory was given
 * another DataSource). Every JDBC call goes through the connection's {@link Lane}: serial, in
 * order, on the factory's worker pool. The synchronous accessors ({@link #isAutoCommit()},
 * {@link #getTransactionIsolationLevel()}, {@link #getMetadata()}) answer from state kept here
 * and never call the driver.
 *
 * <p>Transactions: {@link #beginTransaction(TransactionDefinition)} applies the definition's
 * isolation level, read-only flag and lock wait timeout (the name is ignored: JDBC has none),
 * then turns auto-commit off; commit and rollback end the transaction, restore what the
 * definition changed, and turn auto-commit back on if {@code beginTransaction} turned it off.
 * {@link #createSavepoint} starts a transaction when none is active.
 *
 * <p>Timeouts: the statement timeout becomes {@code java.sql.Statement.setQueryTimeout} on each
 * statement (JDBC counts whole seconds, so it is rounded up); the lock wait timeout is a session
 * setting ({@code SET lock_timeout}, {@code innodb_lock_wait_timeout}, H2's
 * {@code SET LOCK_TIMEOUT}, SQLite's {@code busy_timeout}) put back when the connection closes.
 *
 * <p>{@link #close()} cancels a JDBC call still running, closes open results, rolls back an
 * open transaction and returns the JDBC connection to its pool; then the connection's permit
 * goes back to the factory.
 */
final class JdbcConnection implements Connection, Wrapped<java.sql.Connection> {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcConnection.class);

    private final JdbcConnectionFactory factory;
    private final java.sql.Connection jdbc;
    private final Lane lane;
    private final Product product;
    private final JdbcConnectionMetadata metadata;
    private final Set<Cursor> cursors = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean autoCommit;
    private volatile IsolationLevel isolation;
    private volatile Duration statementTimeout;
    private volatile Statement inDriver;
    private volatile boolean broken;
    /** {@code Statement.cancel()} calls of this connection queued for or running on a cancel thread. */
    private final java.util.concurrent.atomic.AtomicInteger cancelsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** When a cancel of this connection first returned, answered or failed ({@link System#nanoTime}); 0 until then. */
    private volatile long firstCancelAnswered;
    /** How often a deferred abort looks again whether a cancel in flight was answered. */
    private static final long ABORT_RECHECK_NANOS = 50_000_000L;

    // Lane-confined transaction state.
    private final Map<String, Savepoint> savepoints = new LinkedHashMap<>();
    private boolean restoreAutoCommit;
    private IsolationLevel restoreIsolation;
    private boolean restoreReadOnly;
    private boolean restoreLockTimeout;
    private Duration lockWaitTimeout;
    private boolean lockTimeoutChanged;
    private Cursor implicitCursor;

    JdbcConnection(JdbcConnectionFactory factory, java.sql.Connection jdbc, Lane lane, boolean autoCommit,
                   IsolationLevel isolation) {
        this.factory = factory;
        this.jdbc = jdbc;
        this.lane = lane;
        this.product = factory.product();
        this.metadata = new JdbcConnectionMetadata(factory.productName(), factory.productVersion());
        this.autoCommit = autoCommit;
        this.isolation = isolation == null ? IsolationLevel.READ_COMMITTED : isolation;
        this.statementTimeout = factory.defaultStatementTimeout();
    }

    /** Worker thread, before the connection is handed out: the factory's default session settings. */
    void applyDefaults() throws SQLException {
        Duration lock = factory.defaultLockWaitTimeout();
        if (lock != null) {
            setLockTimeoutNow(lock);
            lockWaitTimeout = lock;
        }
    }

    // ================================================================= plumbing for statements

    JdbcConnectionFactory factory() {
        return factory;
    }

    java.sql.Connection jdbc() {
        return jdbc;
    }

    Lane lane() {
        return lane;
    }

    Product product() {
        return product;
    }

    boolean isClosing() {
        return closing.get();
    }

    void requireOpen() {
        if (closing.get()) {
            throw new IllegalStateException("This connection is closed");
        }
    }

    /** The query timeout for new statements, in JDBC's whole seconds (0: none). */
    int queryTimeoutSeconds() {
        Duration d = statementTimeout;
        if (d == null || d.isZero() || d.isNegative()) {
            return 0;
        }
        return (int) Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /** A JDBC call on {@code st} starts (lane): close() and cancels know what to interrupt. */
    void enterDriver(Statement st) {
        // A release store (a plain store on x86) rather than a volatile one: a cursor marks every
        // row's next() and the full fence of a volatile store was a measurable share of
        // streaming. A canceller that reads a just-stale value is the race cancel already has
        // (its check and the lane's entry are never atomic): CancelAttempts repeats while the
        // statement is in the driver, and a cursor sees `cancelled` before its next row.
        IN_DRIVER.setRelease(this, st);
    }

    void exitDriver() {
        IN_DRIVER.setRelease(this, (Statement) null);
    }

    /** Whether a JDBC call on {@code st} is in progress (any thread). */
    boolean inDriver(Statement st) {
        return inDriver == st;
    }

    private static final java.lang.invoke.VarHandle IN_DRIVER;

    static {
        try {
            IN_DRIVER = java.lang.invoke.MethodHandles.lookup().findVarHandle(JdbcConnection.class, "inDriver", Statement.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Interrupts {@code st} with {@code Statement.cancel()}, on the factory's cancel threads (the
     * lane's worker is blocked in the driver). A cancel that reaches the server just before the
     * statement starts is lost (MariaDB ignores a cancel with nothing running; H2 keeps it for the
     * session's next command, so an H2 connection that was cancelled is evicted), so it is repeated, 10 ms, 20 ms… 200 ms apart, for as long as the same statement
     * is still in the driver (at most 5 s). The lane is paused until then, so a cancel that
     * arrives late can never hit the next statement.
     */
    void cancelStatement(Statement st) {
        if (st == null) {
            return;
        }
        if (product == Product.H2) {
            // H2 (2.3) does not ignore a cancel that finds nothing running: the session keeps it
            // (SessionLocal.cancelAtNs, cleared only by the next command it fails, or by a query
            // timeout), so a repeat landing just after the statement ended fails whatever the
            // session runs next, another borrower's statement once HikariCP lends it again (a
            // 57014 in the F35 pool storm). The session is not handed out again: it is evicted.
            broken = true;
        }
        lane.pause();
        new CancelAttempts(st).submit();
    }

    /**
     * Repeated {@code Statement.cancel()} calls for one statement. Each call runs on a cancel
     * thread; the waits between them are timers, so a statement that is slow to stop never
     * holds a cancel thread other connections' cancels need.
     */
    private final class CancelAttempts implements Runnable {
        private final Statement st;
        private final long deadline = System.nanoTime() + 5_000_000_000L;
        private long pause = 10;

        CancelAttempts(Statement st) {
            this.st = st;
        }

        void submit() {
            // Counted from here: a cancel waiting for a cancel thread (all busy with other
            // connections' cancels on a slow server) is on its way too.
            cancelsInFlight.incrementAndGet();
            try {
                factory.workerPool().cancellers().execute(this);
            } catch (RejectedExecutionException e) {
                cancelsInFlight.decrementAndGet();
                lane.resume();
            }
        }

        @Override
        public void run() {
            try {
                st.cancel();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Statement.cancel() failed: {}", e.toString());
            } finally {
                cancelsInFlight.decrementAndGet();
                if (firstCancelAnswered == 0) {
                    firstCancelAnswered = Math.max(1, System.nanoTime());
                }
            }
            if (inDriver != st || System.nanoTime() > deadline) {
                lane.resume();
                return;
            }
            long wait = pause;
            pause = Math.min(pause * 2, 200);
            try {
                reactor.core.scheduler.Schedulers.parallel().schedule(() -> {
                    if (inDriver != st) {
                        lane.resume();
                    } else {
                        submit();
                    }
                }, wait, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                lane.resume();
            }
        }
    }

    /** The R2DBC form of a driver error; a statement timeout is told from a cancel by the time spent. */
    R2dbcException translate(SQLException e, String sql, long startNanos) {
        Duration t = statementTimeout;
        boolean timedOut = false;
        if (t != null && !t.isZero() && startNanos != 0) {
            String state = e.getSQLState();
            boolean cancelled = "57014".equals(state) || "70100".equals(state) || e instanceof java.sql.SQLTimeoutException;
            timedOut = cancelled && System.nanoTime() - startNanos >= queryTimeoutSeconds() * 1_000_000_000L * 9 / 10;
        }
        R2dbcException r = JdbcExceptions.translate(e, sql, timedOut);
        if (JdbcExceptions.isConnectionError(r)) {
            broken = true;
        }
        return r;
    }

    /**
     * SQLite compiles statements against the schema it read last, and a change made through
     * another connection is seen only when a read transaction starts: a compile error then may
     * just mean a stale schema. When {@code e} is such an error outside a transaction, reloads
     * the schema (a read of sqlite_master does) and returns true: the caller may retry once.
     */
    boolean refreshStaleSqliteSchema(SQLException e) {
        if (product != Product.SQLITE || e.getErrorCode() != 1 || !autoCommit) {
            return false;
        }
        try (Statement st = jdbc.createStatement()) {
            st.executeQuery("SELECT 1 FROM sqlite_master LIMIT 0").close();
            return true;
        } catch (SQLException again) {
            return false;
        }
    }

    void cursorOpened(Cursor c, boolean implicitTransaction) {
        cursors.add(c);
        if (implicitTransaction) {
            implicitCursor = c;
        }
    }

    void cursorClosed(Cursor c) {
        cursors.remove(c);
        if (implicitCursor == c) {
            implicitCursor = null;
        }
    }

    /**
     * Lane, before any operation other than reading an open cursor: a query streaming inside
     * the implicit auto-commit transaction is read to the end (into memory) and its transaction
     * committed, so the new operation runs in auto-commit mode as the caller expects.
     */
    void beforeOperation() throws SQLException {
        Cursor c = implicitCursor;
        if (c != null) {
            c.bufferRest();
        }
    }

    /**
     * Whether a query should stream through a cursor inside a short transaction: pgjdbc
     * fetches by fetch size only outside auto-commit mode. Only when the statement asked for a
     * fetch size itself ({@code Statement.fetchSize(n)}): the transaction costs a COMMIT round
     * trip, which a point query must not pay.
     *
     * @param fetchSize the statement's own fetch size, −1 when it set none
     */
    boolean shouldStreamInTransaction(ParsedSql sql, int fetchSize) {
        return product == Product.POSTGRESQL && factory.streamInAutoCommit() && autoCommit && fetchSize > 0
                && sql.returnsRows() && !sql.compound();
    }

    /** Lane: auto-commit off for one streaming query; {@link #endImplicitTransaction()} ends it. */
    void beginImplicitTransaction() throws SQLException {
        jdbc.setAutoCommit(false);
    }

    /**
     * Lane: commits the streaming query's transaction (always commit: in auto-commit mode its
     * work would have been committed too; after an error PostgreSQL turns it into a rollback)
     * and turns auto-commit back on.
     */
    void endImplicitTransaction() {
        try {
            jdbc.commit();
        } catch (SQLException e) {
            try {
                jdbc.rollback();
            } catch (SQLException ignored) {
                // the connection is probably gone; close() will find out
            }
        }
        try {
            jdbc.setAutoCommit(true);
        } catch (SQLException e) {
            broken = true;
        }
    }

    // ================================================================= Connection

    @Override
    public Mono<Void> beginTransaction() {
        return beginTransaction(null);
    }

    @Override
    public Mono<Void> beginTransaction(TransactionDefinition definition) {
        return run(() -> {
            if (definition != null) {
                IsolationLevel iso = definition.getAttribute(TransactionDefinition.ISOLATION_LEVEL);
                if (iso != null && !iso.equals(isolation)) {
                    restoreIsolation = isolation;
                    jdbc.setTransactionIsolation(toJdbc(iso));
                    isolation = iso;
                }
                Boolean readOnly = definition.getAttribute(TransactionDefinition.READ_ONLY);
                if (Boolean.TRUE.equals(readOnly) && !jdbc.isReadOnly()) {
                    jdbc.setReadOnly(true);
                    restoreReadOnly = true;
                }
                Duration lock = definition.getAttribute(TransactionDefinition.LOCK_WAIT_TIMEOUT);
                if (lock != null) {
                    setLockTimeoutNow(lock);
                    restoreLockTimeout = true;
                }
            }
            if (jdbc.getAutoCommit()) {
                jdbc.setAutoCommit(false);
                restoreAutoCommit = true;
            }
            autoCommit = false;
        });
    }

    @Override
    public Mono<Void> commitTransaction() {
        return run(() -> {
            try {
                if (!jdbc.getAutoCommit()) {
                    jdbc.commit();
                }
            } catch (SQLException e) {
                endTransactionAfter(e);
                throw e;
            }
            endTransaction();
        });
    }

    @Override
    public Mono<Void> rollbackTransaction() {
        return run(() -> {
            try {
                if (!jdbc.getAutoCommit()) {
                    jdbc.rollback();
                }
            } catch (SQLException e) {
                endTransactionAfter(e);
                throw e;
            }
            endTransaction();
        });
    }

    /**
     * Lane: {@link #endTransaction} after COMMIT or ROLLBACK failed with {@code failure}, which
     * stays the error reported: a lost connection's own error (SQLSTATE 08...) must not be
     * replaced by HikariCP's "Connection is closed" from the reset, which names no cause (F11).
     */
    private void endTransactionAfter(SQLException failure) {
        try {
            endTransaction();
        } catch (SQLException | RuntimeException later) {
            failure.addSuppressed(later);
        }
    }

    /** Lane: undoes what beginTransaction changed. */
    private void endTransaction() throws SQLException {
        savepoints.clear();
        SQLException first = null;
        if (restoreAutoCommit) {
            restoreAutoCommit = false;
            try {
                jdbc.setAutoCommit(true);
                autoCommit = true;
            } catch (SQLException e) {
                first = e;
            }
        }
        if (restoreIsolation != null) {
            IsolationLevel back = restoreIsolation;
            restoreIsolation = null;
            try {
                jdbc.setTransactionIsolation(toJdbc(back));
                isolation = back;
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        if (restoreReadOnly) {
            restoreReadOnly = false;
            try {
                jdbc.setReadOnly(false);
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        if (restoreLockTimeout) {
            restoreLockTimeout = false;
            try {
                if (lockWaitTimeout != null) {
                    setLockTimeoutNow(lockWaitTimeout);
                } else {
                    resetLockTimeoutNow();
                }
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public Mono<Void> close() {
        return Mono.defer(() -> {
            if (!closing.compareAndSet(false, true)) {
                return Mono.empty();
            }
            // A statement still running would hold the lane: interrupt it first.
            Statement running = inDriver;
            if (running != null) {
                cancelStatement(running);
            }
            for (Cursor c : cursors) {
                c.abort(new R2dbcNonTransientResourceException(
                        "The connection was closed while this result was being read"));
            }
            armAbort();
            return Mono.<Void>create(sink -> lane.execute(new Lane.Task() {
                @Override
                public void run() {
                    try {
                        closeNow();
                    } finally {
                        sink.success();
                    }
                }

                @Override
                public void reject(Throwable cause) {
                    // The factory is closed and its pool shut the JDBC connection already.
                    markClosed();
                    sink.success();
                }
            }));
        });
    }

    /**
     * Bounds this close: if the connection is not closed within the factory's close timeout
     * (a call it cancelled still blocked, a COMMIT or validation with no answer, its own
     * rollback on a silent link), the JDBC connection is aborted. A live server answers a
     * cancel in milliseconds; past the timeout the server or the network is gone, and the
     * blocked call would hold its worker and permit until TCP gives up.
     *
     * <p>A live server may still be slow to answer the cancel itself (Connector/J and pgjdbc
     * send it over a new connection, whose handshake a busy host delays): while a cancel is on
     * its way, or less than the close timeout after the server answered the first one, the abort
     * waits (at most the connect timeout longer), for the call then stops by itself. Aborting it
     * instead would evict a healthy connection, and on MariaDB send one more KILL over one more
     * new connection, which is what a busy server has least time for.
     */
    private void armAbort() {
        long start = System.nanoTime();
        long last = start + factory.closeTimeout().toNanos() + factory.connectTimeout().toNanos();
        scheduleAbortCheck(start, last, factory.closeTimeout().toNanos());
    }

    private void scheduleAbortCheck(long start, long last, long delayNanos) {
        try {
            reactor.core.scheduler.Schedulers.parallel().schedule(() -> {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                long answered = firstCancelAnswered;
                // Nothing running on the lane: the call has ended and the close is queued behind
                // a pause that the cancel's next look lifts; there is nothing to abort.
                long waitFor = cancelsInFlight.get() > 0 || !lane.running() ? ABORT_RECHECK_NANOS
                        : answered != 0 ? answered + factory.closeTimeout().toNanos() - now : 0;
                if (waitFor > 0 && now - last < 0) {
                    scheduleAbortCheck(start, last, Math.min(waitFor, last - now));
                } else {
                    abort("close() waited " + Duration.ofNanos(now - start).toMillis() + " ms for a JDBC call in progress");
                }
            }, Math.max(1, delayNanos), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("cannot bound the close of {}: {}", this, e.toString());
        }
    }

    /**
     * Aborts the JDBC connection ({@code java.sql.Connection.abort}: its socket is closed, so a
     * call blocked in the driver fails at once) and marks it broken, so the close that follows
     * evicts it from the pool. On a thread that may block: MariaDB Connector/J sends its KILL
     * over a new connection from inside {@code abort}. Any thread.
     */
    void abort(String why) {
        broken = true;
        LOG.debug("aborting the JDBC connection of {}: {}", this, why);
        reactor.core.scheduler.Schedulers.boundedElastic().schedule(() -> {
            try {
                jdbc.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Connection.abort() failed: {}", e.toString());
            }
        });
    }

    /** A worker, before hand-out: closes a connection nobody will use, evicting it from the pool. */
    void discardNow() {
        try {
            factory.discard(jdbc, false);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("discarding a JDBC connection failed: {}", e.toString());
        } finally {
            markClosed();
        }
    }

    /**
     * Marks the connection broken after an unchecked exception from the driver: one that read
     * past a packet or a buffer (corrupted bytes, F17) has lost its place in the protocol, and
     * whatever it read next would belong to another answer. Returns {@code e}.
     */
    RuntimeException driverFailed(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IndexOutOfBoundsException || c instanceof java.nio.BufferUnderflowException
                    || c instanceof NegativeArraySizeException || c instanceof java.io.UncheckedIOException) {
                broken = true;
                break;
            }
        }
        return e;
    }

    /** Lane (or a worker before hand-out): closes everything and returns the permit. Idempotent. */
    void closeNow() {
        if (closed) {
            return;
        }
        closing.set(true);
        boolean discarded = false;
        try {
            if (broken) {
                // Before anything else touches its socket: closing a half-read MariaDB result reads
                // the rest of it, and a rollback waits for an answer; on a dead or silent link both
                // would block.
                discarded = true;
                factory.discard(jdbc, true);
            }
            for (Cursor c : new ArrayList<>(cursors)) {
                try {
                    c.closeNow();
                } catch (SQLException | RuntimeException ignored) {
                    // closing anyway
                }
            }
            if (!broken) {
                try {
                    if (!jdbc.getAutoCommit()) {
                        jdbc.rollback();
                    }
                    if (lockTimeoutChanged) {
                        resetLockTimeoutNow();
                    }
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("resetting a JDBC connection before close failed: {}", e.toString());
                }
            }
            if (broken && !discarded) {
                // Found broken while closing (an abort ended a call that blocked the close).
                factory.discard(jdbc, true);
            } else {
                jdbc.close();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("closing a JDBC connection failed: {}", e.toString());
        } finally {
            markClosed();
        }
    }

    private void markClosed() {
        if (!closed) {
            closed = true;
            closing.set(true);
            factory.released();
        }
    }

    @Override
    public JdbcBatch createBatch() {
        requireOpen();
        return new JdbcBatch(this);
    }

    @Override
    public Mono<Void> createSavepoint(String name) {
        requireName(name);
        return run(() -> {
            if (jdbc.getAutoCommit()) {
                jdbc.setAutoCommit(false);
                restoreAutoCommit = true;
                autoCommit = false;
            }
            savepoints.put(name, jdbc.setSavepoint(name));
        });
    }

    @Override
    public Mono<Void> releaseSavepoint(String name) {
        requireName(name);
        return run(() -> {
            Savepoint sp = savepoints.get(name);
            if (sp == null) {
                throw new SQLException("No savepoint named " + name + " in this transaction", "3B001");
            }
            dropAfter(name, true);
            try {
                jdbc.releaseSavepoint(sp);
            } catch (SQLFeatureNotSupportedException e) {
                // Optional in R2DBC: a database without RELEASE keeps the savepoint until the end.
            }
        });
    }

    @Override
    public Mono<Void> rollbackTransactionToSavepoint(String name) {
        requireName(name);
        return run(() -> {
            Savepoint sp = savepoints.get(name);
            if (sp == null) {
                throw new SQLException("No savepoint named " + name + " in this transaction", "3B001");
            }
            jdbc.rollback(sp);
            // The savepoint itself survives a rollback to it; those set after it do not.
            dropAfter(name, false);
        });
    }

    private void dropAfter(String name, boolean inclusive) {
        boolean after = false;
        for (Iterator<Map.Entry<String, Savepoint>> it = savepoints.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Savepoint> e = it.next();
            if (e.getKey().equals(name)) {
                after = true;
                if (inclusive) {
                    it.remove();
                }
                continue;
            }
            if (after) {
                it.remove();
            }
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("savepoint name must not be null or empty");
        }
    }

    @Override
    public JdbcStatement createStatement(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql must not be null");
        }
        requireOpen();
        return new JdbcStatement(this, factory.parse(sql));
    }

    @Override
    public boolean isAutoCommit() {
        return autoCommit;
    }

    @Override
    public JdbcConnectionMetadata getMetadata() {
        return metadata;
    }

    @Override
    public IsolationLevel getTransactionIsolationLevel() {
        return isolation;
    }

    @Override
    public Mono<Void> setAutoCommit(boolean on) {
        return run(() -> {
            if (jdbc.getAutoCommit() != on) {
                // Turning it on commits the transaction in progress (JDBC and R2DBC agree).
                jdbc.setAutoCommit(on);
            }
            autoCommit = on;
            if (on) {
                restoreAutoCommit = false;
                endTransaction();
            }
        });
    }

    @Override
    public Mono<Void> setLockWaitTimeout(Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout must not be null");
        }
        return run(() -> {
            setLockTimeoutNow(timeout);
            lockWaitTimeout = timeout;
        });
    }

    private void setLockTimeoutNow(Duration timeout) throws SQLException {
        String sql = product.lockTimeoutSql(timeout);
        if (sql == null) {
            throw new SQLFeatureNotSupportedException("The JDBC bridge does not know how to set a lock wait timeout on "
                    + factory.productName(), "0A000");
        }
        try (Statement st = jdbc.createStatement()) {
            st.execute(sql);
        }
        lockTimeoutChanged = true;
    }

    private void resetLockTimeoutNow() throws SQLException {
        String sql = product.resetLockTimeoutSql();
        if (sql != null) {
            try (Statement st = jdbc.createStatement()) {
                st.execute(sql);
            }
        }
        lockTimeoutChanged = false;
    }

    @Override
    public Mono<Void> setStatementTimeout(Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout must not be null");
        }
        return Mono.fromRunnable(() -> statementTimeout = timeout);
    }

    @Override
    public Mono<Void> setTransactionIsolationLevel(IsolationLevel level) {
        if (level == null) {
            throw new IllegalArgumentException("isolation level must not be null");
        }
        return run(() -> {
            jdbc.setTransactionIsolation(toJdbc(level));
            isolation = level;
        });
    }

    @Override
    public Mono<Boolean> validate(ValidationDepth depth) {
        if (depth == null) {
            throw new IllegalArgumentException("depth must not be null");
        }
        // Deferred: the answer is about the connection when subscribed, not when asked for.
        return Mono.defer(() -> {
            if (closing.get() || broken) {
                return Mono.just(false);
            }
            if (depth == ValidationDepth.LOCAL) {
                return Mono.just(true);
            }
            return lane.call(() -> {
                if (closing.get() || broken) {
                    return false;
                }
                if (!jdbc.isValid(5)) {
                    broken = true; // so close() evicts it instead of pooling it again
                    return false;
                }
                return true;
            }).onErrorReturn(false);
        });
    }

    @Override
    public java.sql.Connection unwrap() {
        return jdbc;
    }

    /** Runs {@code work} on the lane after settling an implicit streaming transaction. */
    private Mono<Void> run(JdbcWork work) {
        return Mono.defer(() -> {
            requireOpen();
            return lane.<Object>call(() -> {
                beforeOperation();
                try {
                    work.run();
                } catch (SQLException e) {
                    throw translate(e, null, 0); // marks a lost connection broken
                } catch (RuntimeException e) {
                    throw driverFailed(e);
                }
                return null;
            }).then();
        });
    }

    @FunctionalInterface
    private interface JdbcWork {
        void run() throws Exception;
    }

    // ================================================================= isolation mapping

    static int toJdbc(IsolationLevel level) {
        if (IsolationLevel.READ_UNCOMMITTED.equals(level)) {
            return java.sql.Connection.TRANSACTION_READ_UNCOMMITTED;
        }
        if (IsolationLevel.READ_COMMITTED.equals(level)) {
            return java.sql.Connection.TRANSACTION_READ_COMMITTED;
        }
        if (IsolationLevel.REPEATABLE_READ.equals(level)) {
            return java.sql.Connection.TRANSACTION_REPEATABLE_READ;
        }
        if (IsolationLevel.SERIALIZABLE.equals(level)) {
            return java.sql.Connection.TRANSACTION_SERIALIZABLE;
        }
        throw new IllegalArgumentException("JDBC has no isolation level " + level.asSql());
    }

    static IsolationLevel toR2dbc(int level) {
        switch (level) {
            case java.sql.Connection.TRANSACTION_READ_UNCOMMITTED: return IsolationLevel.READ_UNCOMMITTED;
            case java.sql.Connection.TRANSACTION_REPEATABLE_READ: return IsolationLevel.REPEATABLE_READ;
            case java.sql.Connection.TRANSACTION_SERIALIZABLE: return IsolationLevel.SERIALIZABLE;
            default: return IsolationLevel.READ_COMMITTED;
        }
    }

    @Override
    public String toString() {
        return "JdbcConnection[" + metadata.getDatabaseProductName() + (closed ? ", closed" : "") + "]";
    }
}
