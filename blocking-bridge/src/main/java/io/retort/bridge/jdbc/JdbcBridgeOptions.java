package io.retort.bridge.jdbc;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.time.Duration;
import java.util.Set;

/**
 * The R2DBC options the bridge reads, beyond the standard ones ({@code user}, {@code password},
 * {@code connectTimeout} (the JDBC driver's bound for opening a connection, and the acquire
 * timeout unless {@link #ACQUIRE_TIMEOUT} is given), {@code statementTimeout}, {@code lockWaitTimeout}). In a URL they are
 * query parameters: {@code r2dbc:jdbc:postgresql://db/app?poolSize=16&fetchSize=500}. Every
 * other option is handed to the JDBC driver as a connection property
 * ({@code ?currentSchema=app&ApplicationName=svc} for pgjdbc).
 */
public final class JdbcBridgeOptions {
    private JdbcBridgeOptions() {
    }

    /** The JDBC URL verbatim, instead of one derived from the R2DBC URL: {@code r2dbc:jdbc://?jdbcUrl=jdbc:sqlite::memory:}. */
    public static final Option<String> JDBC_URL = Option.valueOf("jdbcUrl");

    /**
     * Connections (and worker threads) the bridge may hold at once; default 10. This is the
     * HikariCP pool size and the size of the worker pool.
     */
    public static final Option<Integer> POOL_SIZE = Option.valueOf("poolSize");

    /** Idle connections HikariCP keeps open; default 0 (connections open on demand). */
    public static final Option<Integer> MIN_IDLE = Option.valueOf("minIdle");

    /** {@code false} opens a new JDBC connection per {@code create()} (for use under r2dbc-pool); default true. */
    public static final Option<Boolean> POOLED = Option.valueOf("pooled");

    /**
     * Rows the driver fetches per round trip when a statement does not say; default 1000.
     * A subscriber that requests slowly holds back the next fetch. pgjdbc honours it inside
     * transactions only (see {@link #STREAM_IN_AUTO_COMMIT}); 0 leaves the driver's default,
     * which for MariaDB/MySQL means reading the whole result at once.
     */
    public static final Option<Integer> FETCH_SIZE = Option.valueOf("fetchSize");

    /** The longest wait for a connection before an {@code R2dbcTimeoutException}; default 30 s. */
    public static final Option<Duration> ACQUIRE_TIMEOUT = Option.valueOf("acquireTimeout");

    /** HikariCP {@code maxLifetime}; default HikariCP's (30 min). */
    public static final Option<Duration> MAX_LIFETIME = Option.valueOf("maxLifetime");

    /** HikariCP {@code idleTimeout}; default HikariCP's (10 min). */
    public static final Option<Duration> IDLE_TIMEOUT = Option.valueOf("idleTimeout");

    /** A name for the pool and its threads (logs, JMX). */
    public static final Option<String> POOL_NAME = Option.valueOf("poolName");

    /** Run JDBC calls on virtual threads (Java 21+ only); default false. */
    public static final Option<Boolean> VIRTUAL_THREADS = Option.valueOf("virtualThreads");

    /**
     * PostgreSQL only: a query that sets its own fetch size ({@code Statement.fetchSize(n)}) in
     * auto-commit mode streams through a cursor inside a short transaction, committed when the
     * result is read or cancelled (pgjdbc ignores the fetch size in auto-commit mode and reads the
     * whole result first); default true. Queries without their own fetch size, and all queries
     * inside transactions, run as they are.
     */
    public static final Option<Boolean> STREAM_IN_AUTO_COMMIT = Option.valueOf("streamInAutoCommit");

    /**
     * The longest blocking read of a connection ({@code Connection.setNetworkTimeout}); default
     * none. See {@link JdbcConnectionFactory.Builder#networkTimeout}.
     */
    public static final Option<Duration> NETWORK_TIMEOUT = Option.valueOf("networkTimeout");

    /**
     * How long {@code close()} waits for a JDBC call in progress before it aborts the connection;
     * default 1 s. See {@link JdbcConnectionFactory.Builder#closeTimeout}.
     */
    public static final Option<Duration> CLOSE_TIMEOUT = Option.valueOf("closeTimeout");

    /** Options consumed by the bridge itself, never passed to the driver. */
    static final Set<String> OWN = Set.of(
            ConnectionFactoryOptions.DRIVER.name(), ConnectionFactoryOptions.PROTOCOL.name(),
            ConnectionFactoryOptions.HOST.name(), ConnectionFactoryOptions.PORT.name(),
            ConnectionFactoryOptions.DATABASE.name(), ConnectionFactoryOptions.USER.name(),
            ConnectionFactoryOptions.PASSWORD.name(), ConnectionFactoryOptions.CONNECT_TIMEOUT.name(),
            ConnectionFactoryOptions.STATEMENT_TIMEOUT.name(), ConnectionFactoryOptions.LOCK_WAIT_TIMEOUT.name(),
            ConnectionFactoryOptions.SSL.name(),
            JDBC_URL.name(), POOL_SIZE.name(), MIN_IDLE.name(), POOLED.name(), FETCH_SIZE.name(),
            ACQUIRE_TIMEOUT.name(), MAX_LIFETIME.name(), IDLE_TIMEOUT.name(), POOL_NAME.name(),
            VIRTUAL_THREADS.name(), STREAM_IN_AUTO_COMMIT.name(), NETWORK_TIMEOUT.name(), CLOSE_TIMEOUT.name());
}
