package io.retort.engine;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.ValidationDepth;
import io.retort.error.ArgumentError;
import io.retort.error.ConnectionLostError;
import io.retort.error.PoolTimeoutError;
import io.retort.error.RetortException;
import io.retort.sql.Statement;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.Dialects;
import io.retort.sql.compile.StatementCache;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The entry point for running SQL: an R2DBC connection factory (pooled by r2dbc-pool unless
 * told otherwise), the dialect found from the driver, a compiled-statement cache and the SQL
 * log (C13, C19).
 *
 * <pre>{@code
 * Engine engine = Engine.create("r2dbc:postgresql://retort:retort@localhost/retort_test");
 * Flux<String> names = engine.connect(c -> c.execute(select(ARTIST.name)).scalars(String.class));
 * Mono<Long> n = engine.inTransaction(c -> c.execute(update(...)).rowsAffected()).single();
 * }</pre>
 *
 * Connections are scoped with {@code usingWhen}: released on completion, error and cancel;
 * a transaction scope commits on completion and rolls back on error or cancel. Thread-safe.
 */
public final class Engine implements AutoCloseable {
    private final ConnectionFactory factory;
    private final ConnectionPool pool;
    private final EngineOptions options;
    private final StatementCache cache;
    private final SqlLog log;
    private final String target;
    private final AtomicReference<Dialect> dialect = new AtomicReference<>();

    private Engine(ConnectionFactory factory, EngineOptions options, String target) {
        this.options = options;
        this.target = target;
        if (options.pooled() && !(factory instanceof ConnectionPool)) {
            ConnectionPoolConfiguration.Builder b = ConnectionPoolConfiguration.builder(factory)
                    .maxSize(options.maxPoolSize())
                    .initialSize(options.initialPoolSize())
                    .maxAcquireTime(options.acquireTimeout())
                    .maxIdleTime(options.maxIdleTime())
                    // Pre-ping may find every pooled connection dead after a server restart:
                    // retry until a fresh one is created (SQLAlchemy pool_pre_ping, F9).
                    .acquireRetry(options.maxPoolSize() + 1);
            if (options.maxLifeTime() != null) {
                b.maxLifeTime(options.maxLifeTime());
            }
            if (options.prePing()) {
                b.validationDepth(ValidationDepth.REMOTE);
            }
            this.pool = new ConnectionPool(b.build());
            this.factory = pool;
        } else {
            this.pool = factory instanceof ConnectionPool ? (ConnectionPool) factory : null;
            this.factory = factory;
        }
        this.cache = new StatementCache(options.cacheSize());
        this.log = new SqlLog(options.echo(), options.hideParameters());
        if (options.dialect() != null) {
            dialect.set(options.dialect());
        }
    }

    /** An engine for an R2DBC URL ({@code r2dbc:postgresql://...}, {@code r2dbc:h2:mem:///db}). */
    public static Engine create(String url) {
        return create(url, EngineOptions.defaults());
    }

    public static Engine create(String url, EngineOptions options) {
        ConnectionFactoryOptions parsed;
        try {
            parsed = ConnectionFactoryOptions.parse(url);
        } catch (RuntimeException e) {
            throw new ArgumentError("Not an R2DBC URL: " + mask(url) + " (" + e.getMessage() + ")");
        }
        return create(parsed, options);
    }

    /** An engine for parsed options; the password never appears in messages (B18). */
    public static Engine create(ConnectionFactoryOptions connectOptions, EngineOptions options) {
        ConnectionFactory f;
        try {
            f = ConnectionFactories.get(connectOptions);
        } catch (RuntimeException e) {
            throw new ArgumentError("No R2DBC driver accepts " + describe(connectOptions) + ": " + e.getMessage());
        }
        return new Engine(f, options, describe(connectOptions));
    }

    /** An engine over an existing factory (pooled unless it already is a pool or options say not to). */
    public static Engine create(ConnectionFactory factory, EngineOptions options) {
        return new Engine(factory, options, factory.getMetadata().getName());
    }

    private static String describe(ConnectionFactoryOptions o) {
        Object driver = o.getValue(ConnectionFactoryOptions.DRIVER);
        Object host = o.getValue(ConnectionFactoryOptions.HOST);
        Object port = o.getValue(ConnectionFactoryOptions.PORT);
        Object db = o.getValue(ConnectionFactoryOptions.DATABASE);
        return driver + "://" + (host == null ? "" : host) + (port == null ? "" : ":" + port) + "/" + (db == null ? "" : db);
    }

    private static String mask(String url) {
        return url.replaceAll("(//[^:/@]*:)[^@]*@", "$1****@");
    }

    public EngineOptions options() {
        return options;
    }

    /** The compiled-statement cache, with its hit/miss statistics. */
    public StatementCache cache() {
        return cache;
    }

    SqlLog log() {
        return log;
    }

    /** The dialect if already known (given, or detected by a first connection). */
    public Optional<Dialect> knownDialect() {
        return Optional.ofNullable(dialect.get());
    }

    /** The dialect, detecting it with a connection if needed. */
    public Mono<Dialect> dialect() {
        Dialect d = dialect.get();
        return d != null ? Mono.just(d) : connect(c -> Mono.just(c.dialect())).single();
    }

    // ================================================================= scopes

    /** Runs {@code work} with a connection, released when the publisher terminates or is cancelled. */
    public <T> Flux<T> connect(Function<Connection, ? extends Publisher<T>> work) {
        return Flux.usingWhen(acquire(), work, Connection::release, (c, e) -> c.release(), Connection::releaseAfterCancel)
                .onErrorMap(Connection::unwrapCleanupError);
    }

    /** Runs {@code work} in a transaction: commit on completion, rollback on error or cancel, release always. */
    public <T> Flux<T> inTransaction(Function<Connection, ? extends Publisher<T>> work) {
        return connect(c -> c.inTransaction(work));
    }

    /** {@link #inTransaction(Function)} with an isolation level. */
    public <T> Flux<T> inTransaction(IsolationLevel isolation, Function<Connection, ? extends Publisher<T>> work) {
        return connect(c -> c.inTransaction(isolation, work));
    }

    /** Executes one statement on a pooled connection (autocommit) and streams its rows. */
    public Flux<Row> execute(Statement statement) {
        return connect(c -> c.execute(statement).rows());
    }

    /** A connection from the pool, with the dialect detected on first use. */
    Mono<Connection> acquire() {
        return Mono.from(factory.create())
                .onErrorMap(this::connectError)
                .flatMap(raw -> {
                    Dialect d = dialect.get();
                    if (d == null) {
                        try {
                            d = detect(raw);
                        } catch (RuntimeException e) {
                            return Mono.from(raw.close()).then(Mono.error(e));
                        }
                        dialect.compareAndSet(null, d);
                    }
                    return Mono.just(new Connection(this, raw, dialect.get()));
                });
    }

    private static Dialect detect(io.r2dbc.spi.Connection raw) {
        io.r2dbc.spi.ConnectionMetadata m = raw.getMetadata();
        String product = m.getDatabaseProductName();
        String version = m.getDatabaseVersion();
        if ((product != null && product.toLowerCase().contains("mariadb"))
                || (version != null && version.toLowerCase().contains("mariadb"))) {
            return Dialects.forProduct("MariaDB");
        }
        return Dialects.forProduct(product);
    }

    private RetortException connectError(Throwable e) {
        if (e instanceof RetortException) {
            return (RetortException) e;
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof io.r2dbc.spi.R2dbcTimeoutException && msg.contains("acquisition")) {
            return new PoolTimeoutError("No connection to " + target + " became available within "
                    + options.acquireTimeout() + " (pool size " + options.maxPoolSize() + "): " + msg, e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root == e ? msg : msg + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        RetortException t = ErrorTranslator.translate(e, null, null);
        if (t instanceof io.retort.error.DatabaseError && !(t instanceof ConnectionLostError)
                && ((io.retort.error.DatabaseError) t).sqlState() != null) {
            return t;
        }
        return new ConnectionLostError("Cannot connect to " + target + ": " + cause, null, null, null, 0, e);
    }

    // ================================================================= pool state

    /** Pool statistics, for tests and metrics; empty when not pooled. */
    public Optional<PoolStats> poolStats() {
        if (pool == null) {
            return Optional.empty();
        }
        return pool.getMetrics().map(m -> new PoolStats(m.acquiredSize(), m.allocatedSize(), m.idleSize(),
                m.pendingAcquireSize(), m.getMaxAllocatedSize()));
    }

    /**
     * Pool counts.
     *
     * @param acquired connections checked out
     * @param allocated connections open
     * @param idle connections idle in the pool
     * @param pending subscribers waiting for a connection
     * @param max the pool's size
     */
    public record PoolStats(int acquired, int allocated, int idle, int pending, int max) {
    }

    /** Closes the pool and its connections. */
    public Mono<Void> dispose() {
        return pool == null ? Mono.empty() : pool.disposeLater();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.dispose();
        }
    }

    @Override
    public String toString() {
        return "Engine[" + target + "]";
    }

    @SuppressWarnings("unused")
    private static PoolMetrics unused() {
        return null;
    }
}
