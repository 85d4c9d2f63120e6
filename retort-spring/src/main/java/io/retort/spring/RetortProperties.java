package io.retort.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Retort's settings under {@code retort.*} for the engine that {@link RetortAutoConfiguration}
 * creates over Spring Boot's {@code ConnectionFactory}. The connection settings and the pool are
 * Boot's ({@code spring.r2dbc.*}, {@code spring.r2dbc.pool.*}); these are Retort's own (see
 * {@link io.retort.engine.EngineOptions}).
 */
@ConfigurationProperties("retort")
public class RetortProperties {
    /** Log every statement at INFO instead of DEBUG (SQLAlchemy's echo). */
    private boolean echo;
    /** Never show parameter values in logs or error messages. */
    private boolean hideParameters;
    /** Compiled statements kept in the engine's cache (0 disables caching). */
    private int cacheSize = 500;
    /** Rows per round trip, given to every statement as a hint; 0 leaves each driver's default. */
    private int fetchSize;
    /** Longest wait for a connection from the pool before a PoolTimeoutError. */
    private Duration acquireTimeout = Duration.ofSeconds(30);
    /** The dialect's product name (e.g. PostgreSQL, MariaDB, H2); empty to detect it from the driver. */
    private String dialect;
    /** Run Retort's statements on the connection of the Spring reactive transaction they run in, if any. */
    private boolean joinTransactions = true;
    /**
     * Stop a statement cancelled while it runs on the server too (PostgreSQL CancelRequest, MariaDB
     * and MySQL KILL QUERY on a short-lived connection of its own); see EngineOptions#cancelOnServer.
     */
    private boolean cancelOnServer = true;
    /**
     * Most server cancels (KILL QUERY connections, PostgreSQL CancelRequest sockets) open at once;
     * more wait their turn briefly. See EngineOptions#maxConcurrentServerCancels.
     */
    private int maxConcurrentServerCancels = 4;
    /**
     * What a checkout does inside a scope that already holds a connection of the same engine
     * (ALLOW, WARN, FAIL); see EngineOptions#nestedAcquire.
     */
    private io.retort.engine.EngineOptions.NestedAcquire nestedAcquire = io.retort.engine.EngineOptions.NestedAcquire.WARN;
    /** Longest wait for the answer to a COMMIT before its outcome is reported unknown; see EngineOptions#commitTimeout. */
    private java.time.Duration commitTimeout = java.time.Duration.ofSeconds(30);

    public boolean isEcho() {
        return echo;
    }

    public void setEcho(boolean echo) {
        this.echo = echo;
    }

    public boolean isHideParameters() {
        return hideParameters;
    }

    public void setHideParameters(boolean hideParameters) {
        this.hideParameters = hideParameters;
    }

    public int getCacheSize() {
        return cacheSize;
    }

    public void setCacheSize(int cacheSize) {
        this.cacheSize = cacheSize;
    }

    public int getFetchSize() {
        return fetchSize;
    }

    public void setFetchSize(int fetchSize) {
        this.fetchSize = fetchSize;
    }

    public Duration getAcquireTimeout() {
        return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public String getDialect() {
        return dialect;
    }

    public void setDialect(String dialect) {
        this.dialect = dialect;
    }

    public boolean isJoinTransactions() {
        return joinTransactions;
    }

    public void setJoinTransactions(boolean joinTransactions) {
        this.joinTransactions = joinTransactions;
    }

    public boolean isCancelOnServer() {
        return cancelOnServer;
    }

    public void setCancelOnServer(boolean cancelOnServer) {
        this.cancelOnServer = cancelOnServer;
    }

    public int getMaxConcurrentServerCancels() {
        return maxConcurrentServerCancels;
    }

    public void setMaxConcurrentServerCancels(int maxConcurrentServerCancels) {
        this.maxConcurrentServerCancels = maxConcurrentServerCancels;
    }

    public io.retort.engine.EngineOptions.NestedAcquire getNestedAcquire() {
        return nestedAcquire;
    }

    public void setNestedAcquire(io.retort.engine.EngineOptions.NestedAcquire nestedAcquire) {
        this.nestedAcquire = nestedAcquire;
    }

    public java.time.Duration getCommitTimeout() {
        return commitTimeout;
    }

    public void setCommitTimeout(java.time.Duration commitTimeout) {
        this.commitTimeout = commitTimeout;
    }
}
