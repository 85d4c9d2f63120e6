package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.Dialect;

import java.time.Duration;

/**
 * Immutable engine settings, built with {@link #builder()}; the builder validates and names any
 * conflict. Defaults: a pool of 10 connections validated by a server round trip on checkout
 * (pre-ping, C13), acquire timeout 30 s (never an unbounded wait), connect timeout 10 s (opening
 * a connection, handshake and login included), a 500-statement compiled cache, SQL logging at
 * DEBUG, and a server-side cancel for a statement cancelled while it runs.
 *
 * @param maxPoolSize     most connections open at once
 * @param initialPoolSize connections opened eagerly when the engine starts
 * @param acquireTimeout  longest wait for a pooled connection before a PoolTimeoutError
 * @param connectTimeout  longest time to open one new connection (TCP connect, handshake, login,
 *                        and the pre-ping of a pooled one) before a ConnectError; a server that
 *                        accepts but never answers cannot hold an acquire for longer
 * @param maxIdleTime     a connection left idle this long is closed (default 30 min; null for no
 *                        limit). Checked when a connection is checked out, and by the background
 *                        eviction, so an idle connection lives at most this plus one eviction interval
 * @param maxLifeTime     a connection open this long is retired (null, the default, for no limit): on
 *                        release if it is in use, never in the middle of its work, and on checkout or
 *                        by the background eviction if it is idle (RELIABILITY F31). Set it below any
 *                        server, proxy or firewall limit that would close a connection underneath
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
 * @param cancelOnServer  when a subscriber cancels a statement while it runs (a {@code take(n)}, a
 *                        {@code timeout}, a failing {@code zip} sibling, a disposed subscription), ask
 *                        the server to stop it as well as closing the connection (RELIABILITY F2-F4,
 *                        F19): PostgreSQL gets r2dbc-postgresql's CancelRequest; MariaDB and MySQL get
 *                        {@code KILL QUERY <thread id>} on a separate, short-lived connection opened from
 *                        the unpooled factory (never a pooled one), as MariaDB Connector/J does for
 *                        {@code Statement.cancel()}. Without it the server runs the statement to its end,
 *                        holding its locks and transaction that long, because neither server notices the
 *                        closed socket while it executes. On by default. Turn it off when {@code KILL}
 *                        might miss its target (a proxy between the application and MariaDB that
 *                        multiplexes or renumbers server sessions), or when the extra short-lived
 *                        connection is unwelcome. With r2dbc-mysql, which does
 *                        not expose the thread id, it costs one {@code SELECT CONNECTION_ID()} before the
 *                        first statement of each new physical connection; r2dbc-mariadb and PostgreSQL
 *                        cost nothing until a cancel
 * @param maxConcurrentServerCancels how many of those server cancels (a KILL QUERY connection, a
 *                        PostgreSQL CancelRequest socket) one engine has open at once (default 4). A
 *                        burst of cancelled subscribers (a client-side timeout firing for a whole page
 *                        of requests) would otherwise open one server connection each at the same
 *                        moment, and could use up the server's {@code max_connections} for every
 *                        other client. Cancels beyond it wait their turn, each for at most the
 *                        connect timeout (a KILL takes milliseconds, so a burst of hundreds clears in
 *                        about a second); one that waited longer, or found 1024 already waiting, is
 *                        skipped with a warning, and its statement ends when the server notices the
 *                        closed connection, as with {@code cancelOnServer(false)}
 * @param backgroundEviction how often idle connections past {@code maxIdleTime} or {@code maxLifeTime}
 *                        are looked for and closed while nobody checks out; null (the default) for
 *                        every {@code maxIdleTime}, {@link Duration#ZERO} for never (they then go only
 *                        when a checkout finds them)
 * @param nestedAcquire   what a checkout does when the reactive chain asking for it already
 *                        holds a connection of the same engine (a scope inside a scope, a second
 *                        session inside a session's work): {@link NestedAcquire#WARN} (the
 *                        default) logs the first one, {@link NestedAcquire#FAIL} refuses every
 *                        one, {@link NestedAcquire#ALLOW} does not look (RELIABILITY F8)
 */
public record EngineOptions(int maxPoolSize, int initialPoolSize, Duration acquireTimeout, Duration connectTimeout,
                            Duration maxIdleTime,
                            Duration maxLifeTime, boolean prePing, int cacheSize, boolean echo, boolean hideParameters,
                            boolean pooled, Dialect dialect, int fetchSize, Duration commitTimeout,
                            boolean cancelOnServer, int maxConcurrentServerCancels, NestedAcquire nestedAcquire,
                            Duration backgroundEviction) {

    /**
     * What to do about a nested acquisition: a checkout from a reactive chain that already holds
     * a connection of the same engine. Under load every chain can hold its first connection and
     * wait for a second, and a pool of N deadlocks until the acquire timeout (RELIABILITY F8).
     * Detected through the Reactor context, so it costs nothing outside scopes and never looks
     * at threads.
     */
    public enum NestedAcquire {
        /** Do not look. */
        ALLOW,
        /** Log the engine's first nested acquisition at WARN (later ones at DEBUG) and go on. */
        WARN,
        /** Refuse it with an {@link io.retort.error.InvalidRequestError} before touching the pool. */
        FAIL
    }

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
        // r2dbc-pool reads a zero idle or life time as "evict at once": every connection would be
        // closed on release, silently turning the pool off (F31). Negative values mean nothing.
        if (maxIdleTime != null && (maxIdleTime.isNegative() || maxIdleTime.isZero())) {
            throw new ArgumentError("maxIdleTime must be positive, or null for no limit, got " + maxIdleTime);
        }
        if (maxLifeTime != null && (maxLifeTime.isNegative() || maxLifeTime.isZero())) {
            throw new ArgumentError("maxLifeTime must be positive, or null for no limit, got " + maxLifeTime);
        }
        if (backgroundEviction != null && backgroundEviction.isNegative()) {
            throw new ArgumentError("backgroundEviction must be positive, zero (off) or null (every maxIdleTime), got "
                    + backgroundEviction);
        }
        if (fetchSize < 0) {
            throw new ArgumentError("fetchSize must be >= 0 (0 leaves the driver's default), got " + fetchSize);
        }
        if (cacheSize < 0) {
            throw new ArgumentError("cacheSize must be >= 0, got " + cacheSize);
        }
        if (maxConcurrentServerCancels < 1) {
            throw new ArgumentError("maxConcurrentServerCancels must be at least 1 (cancelOnServer(false) turns server"
                    + " cancels off), got " + maxConcurrentServerCancels);
        }
        if (nestedAcquire == null) {
            throw new ArgumentError("nestedAcquire must not be null: ALLOW, WARN or FAIL");
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
        b.nestedAcquire = nestedAcquire;
        b.cancelOnServer = cancelOnServer;
        b.maxConcurrentServerCancels = maxConcurrentServerCancels;
        b.commitTimeout = commitTimeout;
        b.backgroundEviction = backgroundEviction;
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
        private NestedAcquire nestedAcquire = NestedAcquire.WARN;
        private boolean cancelOnServer = true;
        private int maxConcurrentServerCancels = 4;
        private Duration commitTimeout = Duration.ofSeconds(30);
        private Duration backgroundEviction;

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

        /** How long a connection may stay idle before it is closed (default 30 min; null for no limit). */
        public Builder maxIdleTime(Duration d) {
            this.maxIdleTime = d;
            return this;
        }

        /** How long a connection may live; one in use is retired on release (default: no limit; see the record). */
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

        /** What a checkout inside a scope of the same engine does (default WARN; see the record). */
        public Builder nestedAcquire(NestedAcquire policy) {
            this.nestedAcquire = policy;
            return this;
        }

        /**
         * Whether a statement cancelled while it runs is also stopped on the server (default on):
         * a PostgreSQL CancelRequest, or {@code KILL QUERY} on MariaDB and MySQL (see the record).
         */
        public Builder cancelOnServer(boolean on) {
            this.cancelOnServer = on;
            return this;
        }

        /**
         * How many server cancels (KILL QUERY connections, CancelRequest sockets) may be open at
         * once (default 4); more wait their turn, briefly (see the record).
         */
        public Builder maxConcurrentServerCancels(int n) {
            this.maxConcurrentServerCancels = n;
            return this;
        }

        /** Longest wait for the answer to a COMMIT before its outcome is reported unknown (default 30 s; see the record). */
        public Builder commitTimeout(Duration d) {
            this.commitTimeout = d;
            return this;
        }

        /**
         * How often idle connections past their idle or life time are closed in the background
         * (default null: every maxIdleTime; {@link Duration#ZERO}: never; see the record).
         */
        public Builder backgroundEviction(Duration d) {
            this.backgroundEviction = d;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(maxPoolSize, initialPoolSize, acquireTimeout, connectTimeout, maxIdleTime, maxLifeTime, prePing,
                    cacheSize, echo, hideParameters, pooled, dialect, fetchSize, commitTimeout, cancelOnServer,
                    maxConcurrentServerCancels, nestedAcquire, backgroundEviction);
        }
    }
}
