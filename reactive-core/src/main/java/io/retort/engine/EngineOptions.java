package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.Dialect;

import java.time.Duration;

/**
 * Immutable engine settings, built with {@link #builder()}; the builder validates and names any
 * conflict. Defaults: a pool of 10 connections validated by a server round trip on checkout
 * (pre-ping, C13), acquire timeout 30 s (never an unbounded wait), connect timeout 10 s (opening
 * a connection, handshake and login included), a 500-statement compiled cache, SQL logging at
 * DEBUG.
 *
 * @param maxPoolSize     most connections open at once
 * @param initialPoolSize connections opened eagerly when the engine starts
 * @param acquireTimeout  longest wait for a pooled connection before a PoolTimeoutError
 * @param connectTimeout  longest time to open one new connection (TCP connect, handshake, login,
 *                        and the pre-ping of a pooled one) before a ConnectError; a server that
 *                        accepts but never answers cannot hold an acquire for longer
 * @param maxIdleTime     idle connections older than this are closed
 * @param maxLifeTime     connections older than this are retired on release; null for no limit
 * @param prePing         validate each connection with the server on checkout
 * @param cacheSize       compiled statements kept (0 disables caching)
 * @param echo            log every statement at INFO instead of DEBUG
 * @param hideParameters  never show parameter values in logs or errors (B18)
 * @param pooled          wrap the connection factory in r2dbc-pool
 * @param dialect         the dialect, or null to detect it from the driver
 * @param fetchSize       rows a driver should fetch per round trip, given to every statement as
 *                        R2DBC's {@code Statement.fetchSize} hint; 0 (the default) leaves each
 *                        driver's own behaviour. r2dbc-postgresql then reads through a portal
 *                        {@code fetchSize} rows at a time; the JDBC bridge on PostgreSQL needs it
 *                        to stream a large result in auto-commit mode (pgjdbc otherwise reads the
 *                        whole result before the first row, RELIABILITY L4)
 * @param commitTimeout   longest wait for the server's answer to a COMMIT (default 30 s). A
 *                        COMMIT left unanswered (a network black hole, F15) then fails with a
 *                        {@link io.retort.error.TimeoutError} saying its outcome is unknown, and
 *                        the connection is closed; without a bound it would wait until the
 *                        operating system gave up on the socket, which on an open but silent
 *                        link is never. Raise it where a COMMIT may legitimately wait long
 *                        (synchronous replication to a slow standby)
 */
public record EngineOptions(int maxPoolSize, int initialPoolSize, Duration acquireTimeout, Duration connectTimeout,
                            Duration maxIdleTime,
                            Duration maxLifeTime, boolean prePing, int cacheSize, boolean echo, boolean hideParameters,
                            boolean pooled, Dialect dialect, int fetchSize, Duration commitTimeout) {

    public EngineOptions {
        if (maxPoolSize < 1) {
            throw new ArgumentError("maxPoolSize must be at least 1, got " + maxPoolSize);
        }
        if (initialPoolSize < 0 || initialPoolSize > maxPoolSize) {
            throw new ArgumentError("initialPoolSize must be between 0 and maxPoolSize (" + maxPoolSize + "), got "
                    + initialPoolSize);
        }
        if (acquireTimeout == null || acquireTimeout.isNegative() || acquireTimeout.isZero()) {
            throw new ArgumentError("acquireTimeout must be positive: an unbounded wait hides pool exhaustion");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new ArgumentError("connectTimeout must be positive: a silent server would otherwise hold a connect forever");
        }
        if (commitTimeout == null || commitTimeout.isNegative() || commitTimeout.isZero()) {
            throw new ArgumentError("commitTimeout must be positive: an unanswered COMMIT would otherwise wait forever");
        }
        if (fetchSize < 0) {
            throw new ArgumentError("fetchSize must be >= 0 (0 leaves the driver's default), got " + fetchSize);
        }
        if (cacheSize < 0) {
            throw new ArgumentError("cacheSize must be >= 0, got " + cacheSize);
        }
    }

    /** The defaults. */
    public static EngineOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxPoolSize = maxPoolSize;
        b.initialPoolSize = initialPoolSize;
        b.acquireTimeout = acquireTimeout;
        b.connectTimeout = connectTimeout;
        b.maxIdleTime = maxIdleTime;
        b.maxLifeTime = maxLifeTime;
        b.prePing = prePing;
        b.cacheSize = cacheSize;
        b.echo = echo;
        b.hideParameters = hideParameters;
        b.pooled = pooled;
        b.dialect = dialect;
        b.fetchSize = fetchSize;
        b.commitTimeout = commitTimeout;
        return b;
    }

    /** Builds {@link EngineOptions}. */
    public static final class Builder {
        private int maxPoolSize = 10;
        private int initialPoolSize = 0;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration maxIdleTime = Duration.ofMinutes(30);
        private Duration maxLifeTime;
        private boolean prePing = true;
        private int cacheSize = 500;
        private boolean echo;
        private boolean hideParameters;
        private boolean pooled = true;
        private int fetchSize;
        private Dialect dialect;
        private Duration commitTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        public Builder maxPoolSize(int n) {
            this.maxPoolSize = n;
            return this;
        }

        public Builder initialPoolSize(int n) {
            this.initialPoolSize = n;
            return this;
        }

        public Builder acquireTimeout(Duration d) {
            this.acquireTimeout = d;
            return this;
        }

        /** Longest time to open one connection, handshake and login included (default 10 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder maxIdleTime(Duration d) {
            this.maxIdleTime = d;
            return this;
        }

        public Builder maxLifeTime(Duration d) {
            this.maxLifeTime = d;
            return this;
        }

        public Builder prePing(boolean on) {
            this.prePing = on;
            return this;
        }

        public Builder cacheSize(int n) {
            this.cacheSize = n;
            return this;
        }

        public Builder echo(boolean on) {
            this.echo = on;
            return this;
        }

        public Builder hideParameters(boolean on) {
            this.hideParameters = on;
            return this;
        }

        public Builder pooled(boolean on) {
            this.pooled = on;
            return this;
        }

        public Builder dialect(Dialect d) {
            this.dialect = d;
            return this;
        }

        /** Rows per round trip as a hint to every statement; 0 leaves the driver's default (see the record). */
        public Builder fetchSize(int rows) {
            this.fetchSize = rows;
            return this;
        }

        /** Longest wait for the answer to a COMMIT before its outcome is reported unknown (default 30 s; see the record). */
        public Builder commitTimeout(Duration d) {
            this.commitTimeout = d;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(maxPoolSize, initialPoolSize, acquireTimeout, connectTimeout, maxIdleTime, maxLifeTime, prePing,
                    cacheSize, echo, hideParameters, pooled, dialect, fetchSize, commitTimeout);
        }
    }
}
