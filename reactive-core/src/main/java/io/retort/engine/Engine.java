package io.retort.engine;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.ValidationDepth;
import io.retort.error.ArgumentError;
import io.retort.error.AuthenticationError;
import io.retort.error.ConnectError;
import io.retort.error.PoolTimeoutError;
import io.retort.error.RetortException;
import io.retort.sql.Statement;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Dialects;
import io.retort.sql.compile.StatementCache;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
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
    private final StatementObservers observers = new StatementObservers();
    private final String target;
    private final AtomicReference<Dialect> dialect = new AtomicReference<>();
    /** Connection releases under way (a cancelled scope's runs in the background); see {@link #dispose}. */
    private final AtomicInteger releasing = new AtomicInteger();
    /** Reactor's context key for a local onNextDropped hook (Hooks.KEY_ON_NEXT_DROPPED; r2dbc-pool uses it too). */
    static final String ON_NEXT_DROPPED_LOCAL = "reactor.onNextDropped.local";
    /** The login password (and nothing else), removed from connect errors (B18). */
    private final Redaction password;
    /** r2dbc-h2 runs statements on the subscribing thread (r2dbc-h2 #88). */
    private final boolean blockingDriver;
    /**
     * Physical connections invalidated while checked out (cancelled mid-statement, lost): the
     * pool's preRelease hook refuses them, so r2dbc-pool destroys them instead of reusing them.
     * Weak keys: an entry disappears with its connection.
     */
    private final Set<io.r2dbc.spi.Connection> unusable = Collections.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));
    /** Connections marked and not yet released (one the GC dropped from the set keeps it above 0: harmless). */
    private final AtomicInteger markedUnusable = new AtomicInteger();
    /** Transactions another framework manages, joined when the subscriber runs in one; null (the usual case) for none. */
    private final ExternalTransactions external;
    /** The driver's factory when this engine made it from options or a URL (closed by {@link #dispose}); else null. */
    private final ConnectionFactory ownedFactory;
    /** This engine's key in the Reactor context: who up the chain holds one of its connections (F8). */
    private final Object holdersKey = new Object();
    /** The holder a connect scope marks: it holds its connection for as long as its work runs. */
    private static final BooleanSupplier SCOPE = () -> true;
    /** Whether a nested acquisition has been logged at WARN yet (only the first one is). */
    private final java.util.concurrent.atomic.AtomicBoolean nestedWarned = new java.util.concurrent.atomic.AtomicBoolean();
    /** Stops a cancelled statement on the server (EngineOptions#cancelOnServer). */
    private final ServerCancel serverCancel;

    private Engine(ConnectionFactory factory, EngineOptions options, String target, CharSequence password) {
        this(factory, options, target, password, null, null);
    }

    private Engine(ConnectionFactory factory, EngineOptions options, String target, CharSequence password,
                   ExternalTransactions external, ConnectionFactory ownedFactory) {
        this.external = external;
        this.ownedFactory = ownedFactory;
        this.options = options;
        this.target = target;
        this.password = Redaction.ofSecret(password);
        this.blockingDriver = "H2".equalsIgnoreCase(factory.getMetadata().getName());
        if (options.pooled() && !(factory instanceof ConnectionPool)) {
            // A connect the pool times out goes on and closes what it opens (LateConnects, F5).
            ConnectionPoolConfiguration.Builder b = ConnectionPoolConfiguration.builder(
                            new LateConnects(factory, options.connectTimeout().plus(Connection.CLEANUP_TIMEOUT)))
                    .maxSize(options.maxPoolSize())
                    .initialSize(options.initialPoolSize())
                    // No maxAcquireTime: r2dbc-pool would arm a timer for every checkout; acquire()
                    // arms one only when the checkout has to wait (PendingTimeout).
                    // A server that accepts and then stays silent must not hold a connect (or a
                    // ping, below) until the acquire timeout: bounded separately, with its own error.
                    .maxCreateConnectionTime(options.connectTimeout())
                    // r2dbc-pool's "no limit" is a negative duration; zero would evict at once.
                    .maxIdleTime(options.maxIdleTime() == null ? Duration.ofMillis(-1) : options.maxIdleTime())
                    // No blanket retry in the pool: r2dbc-pool's acquireRetry also repeats acquire
                    // timeouts (maxSize+2 waits of acquireTimeout each) and failed logins.
                    // acquire() retries only failed validations (pre-ping found a dead connection).
                    .acquireRetry(0)
                    // markedUnusable spares every other release the synchronized set.
                    .preRelease(c -> {
                        if (markedUnusable.get() > 0 && unusable.remove(c)) {
                            markedUnusable.decrementAndGet();
                            return Mono.error(new IllegalStateException("connection invalidated by Retort; discarded"));
                        }
                        return Mono.empty();
                    })
                    // Every destroy bounded, its socket closed (BoundedClose): r2dbc-pool reports a
                    // failed pre-ping only once the destroy ends (F32), and releasing an invalidated
                    // connection waits for it too (F15, F17). r2dbc-pool applies the customizer
                    // after its own destroyHandler(Connection::close), so this one replaces it.
                    .customizer(pool -> pool.destroyHandler(c -> BoundedClose.of(c, BoundedClose.WAIT)));
            if (options.maxLifeTime() != null) {
                b.maxLifeTime(options.maxLifeTime());
            }
            if (options.backgroundEviction() != null) {
                b.backgroundEvictionInterval(options.backgroundEviction());
            } else if (options.maxIdleTime() == null && options.maxLifeTime() != null) {
                // r2dbc-pool's default interval is maxIdleTime; with none, idle connections past
                // their lifetime would wait for a checkout to retire them.
                b.backgroundEvictionInterval(options.maxLifeTime());
            }
            if (options.prePing()) {
                // Bounded only where validation does I/O: r2dbc-pool arms the timer on every
                // checkout, and the default LOCAL check is a flag read.
                b.validationDepth(ValidationDepth.REMOTE).maxValidationTime(options.connectTimeout());
            }
            this.pool = new ConnectionPool(b.build());
            this.factory = pool;
        } else {
            this.pool = factory instanceof ConnectionPool ? (ConnectionPool) factory : null;
            this.factory = factory;
        }
        this.serverCancel = new ServerCancel(options.cancelOnServer(), unpooled(factory), options.connectTimeout(),
                options.maxConcurrentServerCancels());
        this.cache = new StatementCache(options.cacheSize());
        this.log = new SqlLog(options.echo(), options.hideParameters());
        if (options.dialect() != null) {
            dialect.set(options.dialect());
        }
    }

    /**
     * The factory that opens new physical connections for a KILL QUERY ({@link ServerCancel}):
     * the one the engine pools itself, or the one under an r2dbc-pool handed in (an
     * {@code r2dbc:pool:} URL). A KILL must never wait for, or take, a slot of the full pool whose
     * statement it stops. Any other factory counts as unpooled, as the engine treats it anyway.
     */
    private static ConnectionFactory unpooled(ConnectionFactory factory) {
        ConnectionFactory f = factory;
        while (f instanceof ConnectionPool) {
            f = ((ConnectionPool) f).unwrap();
        }
        return f;
    }

    /** Stops cancelled statements on the server for this engine's connections. */
    ServerCancel serverCancel() {
        return serverCancel;
    }

    /**
     * Closes {@code raw}, a checked-out connection Retort invalidated: through the pool, whose
     * destroy is bounded when the engine built it (see its destroyHandler; an r2dbc-pool handed
     * in keeps its own), or unpooled, bounded here the same way ({@link BoundedClose}).
     */
    Mono<Void> closeInvalidated(io.r2dbc.spi.Connection raw) {
        return pool != null ? Mono.from(raw.close()) : BoundedClose.of(raw, BoundedClose.WAIT);
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
            // The parser's message repeats the URL: mask both, and never attach the exception.
            Redaction secret = Redaction.ofSecret(urlPassword(url));
            throw new ArgumentError("Not an R2DBC URL: " + mask(url) + " (" + mask(secret.apply(e.getMessage())) + ")");
        }
        return create(parsed, options);
    }

    /** An engine for parsed options; the password never appears in messages (B18). */
    public static Engine create(ConnectionFactoryOptions connectOptions, EngineOptions options) {
        ConnectionFactory f;
        Object secret = connectOptions.getValue(ConnectionFactoryOptions.PASSWORD);
        CharSequence password = secret instanceof CharSequence ? (CharSequence) secret : null;
        try {
            f = ConnectionFactories.get(connectOptions);
        } catch (RuntimeException e) {
            throw new ArgumentError("No R2DBC driver accepts " + describe(connectOptions) + ": "
                    + Redaction.ofSecret(password).apply(e.getMessage()));
        }
        // The engine made this factory, so nobody else can close it: a factory that holds
        // resources of its own (the JDBC bridge's HikariCP pool and threads) ends with the engine.
        return new Engine(f, options, describe(connectOptions), password, null, f);
    }

    /**
     * An engine over an existing factory (pooled unless it already is a pool or options say not
     * to). Errors name the driver rather than the server: a factory does not tell its address.
     */
    public static Engine create(ConnectionFactory factory, EngineOptions options) {
        return new Engine(factory, options, factory.getMetadata().getName(), null);
    }

    /**
     * An engine over an existing factory that joins the transactions {@code external} reports:
     * inside one, scopes run on its connection and send no BEGIN, COMMIT or ROLLBACK of their own
     * (see {@link ExternalTransactions}); outside, the engine behaves like
     * {@link #create(ConnectionFactory, EngineOptions)}. {@code retort-spring} uses this for
     * Spring's reactive transactions.
     */
    public static Engine create(ConnectionFactory factory, EngineOptions options, ExternalTransactions external) {
        if (external == null) {
            throw new ArgumentError("external must not be null; use create(factory, options) for an engine that joins no"
                    + " external transactions");
        }
        return new Engine(factory, options, factory.getMetadata().getName(), null, external, null);
    }

    private static String describe(ConnectionFactoryOptions o) {
        Object driver = o.getValue(ConnectionFactoryOptions.DRIVER);
        Object host = o.getValue(ConnectionFactoryOptions.HOST);
        Object port = o.getValue(ConnectionFactoryOptions.PORT);
        Object db = o.getValue(ConnectionFactoryOptions.DATABASE);
        return driver + "://" + (host == null ? "" : host) + (port == null ? "" : ":" + port) + "/" + (db == null ? "" : db);
    }

    /**
     * The URL with its password masked: everything between the user's colon and the last '@'
     * (a raw password may itself contain '@', ':' or '%'), and any {@code password=} option.
     */
    static String mask(String url) {
        if (url == null) {
            return null;
        }
        String pw = urlPassword(url);
        String m = pw == null ? url : url.replace(":" + pw + "@", ":****@");
        return m.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    /** The password part of {@code scheme://user:password@host...}, or null. */
    private static String urlPassword(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return null;
        }
        int query = url.indexOf('?', start);
        int at = url.lastIndexOf('@', query < 0 ? url.length() : query);
        int colon = url.indexOf(':', start + 3);
        // The user part (before the colon) has no '/', else the colon is a host's port.
        if (at < start || colon < 0 || colon > at || url.substring(start + 3, colon).indexOf('/') >= 0) {
            return null;
        }
        return url.substring(colon + 1, at);
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
        // The release callbacks never fail (see Connection#release), so Reactor never wraps an
        // error here as a clean-up failure and no error-unwrapping layer is needed.
        Function<Connection, ? extends Publisher<T>> scoped = options.nestedAcquire() == EngineOptions.NestedAcquire.ALLOW
                ? work : c -> Flux.from(work.apply(c)).contextWrite(ctx -> markHolding(ctx, SCOPE));
        return Flux.usingWhen(acquire(null), scoped, Connection::release, (c, e) -> c.release(), Connection::releaseAfterCancel);
    }

    /**
     * Records in a Reactor context that {@code holder} holds (or may come to hold) a connection
     * of this engine while the publisher it is written into runs: a checkout further up that
     * chain is then a nested acquisition (see {@link EngineOptions.NestedAcquire}). For owners
     * that keep a connection across a scope of their own, as the ORM's session scopes do;
     * {@link #connect} marks its scopes itself. {@code holder} answers whether it holds one now.
     */
    public Context markHolding(Context ctx, BooleanSupplier holder) {
        return ctx.put(holdersKey, new Holders(holder, ctx.getOrDefault(holdersKey, null)));
    }

    /** The holders of an engine's connections up a reactive chain, innermost first. */
    private record Holders(BooleanSupplier holder, Holders outer) {
        /** Whether any holder but {@code me} holds a connection now. */
        boolean heldByOtherThan(BooleanSupplier me) {
            for (Holders h = this; h != null; h = h.outer) {
                if (h.holder != me && h.holder.getAsBoolean()) {
                    return true;
                }
            }
            return false;
        }
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

    /**
     * A connection from the pool, with the dialect detected on first use. Bounded: by the
     * acquire timeout while the pool is exhausted, by the connect timeout while a new connection
     * opens. A connection that fails its pre-ping is discarded by the pool and another one is
     * tried, at most maxPoolSize + 1 times (after a server restart every pooled connection may
     * be dead, F9); no other error is retried.
     */
    Mono<Connection> acquire(BooleanSupplier me) {
        if (external != null) {
            // Inside an external transaction its connection is used; otherwise our own checkout.
            return external.current().onErrorMap(this::connectError).flatMap(this::join)
                    .switchIfEmpty(Mono.defer(() -> checkNested(me)));
        }
        return checkNested(me);
    }

    /** {@link #checkoutOwn()}, first applying the nested-acquisition policy for a checkout on behalf of {@code me}. */
    private Mono<Connection> checkNested(BooleanSupplier me) {
        if (options.nestedAcquire() == EngineOptions.NestedAcquire.ALLOW) {
            return checkoutOwn();
        }
        return Mono.deferContextual(ctx -> {
            Holders holders = ctx.getOrDefault(holdersKey, null);
            if (holders != null && holders.heldByOtherThan(me)) {
                if (options.nestedAcquire() == EngineOptions.NestedAcquire.FAIL) {
                    return Mono.error(new io.retort.error.InvalidRequestError(nestedAcquisitionMessage()));
                }
                if (nestedWarned.compareAndSet(false, true)) {
                    SqlLog.LOG.warn(nestedAcquisitionMessage() + " (logged once per engine; later ones at DEBUG)");
                } else {
                    SqlLog.LOG.debug("nested acquisition on {}", target);
                }
            }
            return checkoutOwn();
        });
    }

    /** Wraps the connection an external transaction lends (detecting the dialect on first use). */
    private Mono<Connection> join(ExternalTransactions.Lease lease) {
        io.r2dbc.spi.Connection raw = lease.connection();
        if (dialect.get() == null) {
            try {
                dialect.compareAndSet(null, detect(raw));
            } catch (RuntimeException e) {
                return trackRelease(lease.release()).then(Mono.error(e));
            }
        }
        return Mono.just(new Connection(this, raw, dialect.get(), lease));
    }

    /** What a nested acquisition risks and what to do instead; built only when it is shown. */
    private String nestedAcquisitionMessage() {
        return "A connection of " + target + " was requested by a reactive chain that already holds one"
                + " of the same engine (a nested acquisition, RELIABILITY F8). Under load every chain can hold"
                + " its first connection while it waits for a second, and the pool of " + options.maxPoolSize()
                + " deadlocks until the acquire timeout. Use the connection already held (pass it down), or"
                + " run the second piece of work after the first scope ends;"
                + " EngineOptions.nestedAcquire(ALLOW) permits it";
    }

    /** {@link #acquire} from this engine's pool (or factory). */
    private Mono<Connection> checkoutOwn() {
        Mono<io.r2dbc.spi.Connection> one;
        if (pool != null) {
            Dialect known = dialect.get();
            if (known != null) {
                // The common case, in one operator: checkout, retries, deadline, typed errors, wrapping.
                return checkout(raw -> new Connection(this, raw, known), this::connectError);
            }
            one = checkout(Function.identity(), Function.identity());
        } else {
            // Unpooled: the connect timeout is ours to enforce, and a connection that arrives
            // after it must be closed, not dropped on the floor.
            one = Mono.<io.r2dbc.spi.Connection>from(factory.create())
                    .timeout(options.connectTimeout())
                    .doOnDiscard(io.r2dbc.spi.Connection.class, c -> Mono.from(c.close()).subscribe())
                    .contextWrite(ctx -> ctx.put(ON_NEXT_DROPPED_LOCAL, (java.util.function.Consumer<Object>) o -> {
                        if (o instanceof io.r2dbc.spi.Connection) {
                            Mono.from(((io.r2dbc.spi.Connection) o).close()).subscribe();
                        }
                    }));
        }
        return one
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

    /**
     * A pooled checkout (r2dbc-pool validates the connection on the way out) within the acquire
     * timeout; a connection that failed its pre-ping is replaced, at most maxPoolSize + 1 times.
     */
    private <R> Mono<R> checkout(Function<io.r2dbc.spi.Connection, R> wrap, Function<Throwable, ? extends Throwable> onError) {
        return PendingTimeout.of(() -> Mono.from(factory.create()), options.maxPoolSize() + 1, Engine::isValidationFailure,
                options.acquireTimeout(), this::poolTimeout, wrap, onError, Engine::returnUntaken);
    }

    /** Returns to the pool a checkout its caller cancelled before taking it (see {@link PendingTimeout}). */
    private static void returnUntaken(io.r2dbc.spi.Connection raw) {
        Mono.from(raw.close()).onErrorResume(e -> Mono.empty()).subscribe();
    }

    private PoolTimeoutError poolTimeout() {
        return new PoolTimeoutError("No connection to " + target + " became available within "
                + options.acquireTimeout() + " (pool size " + options.maxPoolSize() + ")", null);
    }

    /**
     * Whether the driver runs statements on the thread that subscribes them (r2dbc-h2 #88):
     * {@link Connection} then subscribes each statement and transaction command on a thread that
     * may block, never on the caller's (an event loop, the pool's shared allocator thread, or the
     * thread that completed a barrier and must go on to run a second, waiting transaction).
     */
    boolean blockingDriver() {
        return blockingDriver;
    }

    /** r2dbc-pool's signals that a checked-out connection failed its validation (pre-ping) or that the ping hung. */
    private static boolean isValidationFailure(Throwable e) {
        String m = e.getMessage();
        return e instanceof io.r2dbc.spi.R2dbcException && m != null
                && (m.startsWith("Connection validation failed") || m.startsWith("Validation timed out"));
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

    /**
     * Types an error from acquiring a connection (F14): a pool timeout, a rejected login, or any
     * failure to open a connection, each naming the server and the root cause, never the
     * password.
     */
    private RetortException connectError(Throwable e) {
        if (e instanceof RetortException) {
            return (RetortException) e;
        }
        String msg = password.apply(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        Throwable cause = password.sanitize(e);
        // r2dbc-pool labels every TimeoutException under an acquire "Connection acquisition timed
        // out", including its own maxCreateConnectionTime expiring on a silent server; the
        // cause's operator name ('Connection Allocation') tells the two apart.
        boolean allocationTimeout = e.getCause() instanceof java.util.concurrent.TimeoutException
                && String.valueOf(e.getCause().getMessage()).contains("Connection Allocation");
        if (e instanceof io.r2dbc.spi.R2dbcTimeoutException && msg.contains("acquisition") && !allocationTimeout) {
            return new PoolTimeoutError("No connection to " + target + " became available within "
                    + options.acquireTimeout() + " (pool size " + options.maxPoolSize() + "): " + msg, cause);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String state = e instanceof io.r2dbc.spi.R2dbcException ? ((io.r2dbc.spi.R2dbcException) e).getSqlState() : null;
        int code = e instanceof io.r2dbc.spi.R2dbcException ? ((io.r2dbc.spi.R2dbcException) e).getErrorCode() : 0;
        String lower = msg.toLowerCase(java.util.Locale.ROOT);
        if ((state != null && state.startsWith("28")) || code == 1045 || lower.contains("password authentication failed")
                || lower.contains("access denied") || lower.contains("wrong user name or password")) {
            return new AuthenticationError("Cannot connect to " + target + ": the server rejected the login: " + msg,
                    state, code, cause);
        }
        String why;
        if (e instanceof java.util.concurrent.TimeoutException || allocationTimeout) {
            why = "no connection was established within the connect timeout of " + options.connectTimeout()
                    + " (the server accepted but did not complete the handshake, or is unreachable)";
        } else if (root == e) {
            why = msg;
        } else {
            why = msg + " (caused by " + root.getClass().getSimpleName() + ": " + password.apply(root.getMessage()) + ")";
        }
        return new ConnectError("Cannot connect to " + target + ": " + why, state, code, cause);
    }

    /** Translates a statement's error, masking the statement's values when parameters are hidden. */
    RetortException translate(Throwable e, BoundStatement bound, boolean timeoutActive) {
        if (bound == null) {
            return ErrorTranslator.translate(e, null, null, timeoutActive, Redaction.none());
        }
        Redaction r = options.hideParameters() ? Redaction.ofValues(bound.values()) : Redaction.none();
        String params = bound.values().length == 0 ? null : log.parameters(bound.values());
        return ErrorTranslator.translate(e, bound.sql(), params, timeoutActive, r);
    }

    /** A driver refused to bind a value: typed, with the SQL, and the value masked when parameters are hidden. */
    RetortException redactedBindError(RuntimeException e, BoundStatement bound) {
        Redaction r = options.hideParameters() ? Redaction.ofValues(bound.values()) : Redaction.none();
        return new io.retort.error.InvalidRequestError("The driver could not bind a parameter: "
                + r.apply(String.valueOf(e.getMessage())) + "\n[SQL: " + bound.sql() + "]", r.sanitize(e));
    }

    /** Marks a checked-out physical connection for destruction when it is released (see {@link #unusable}). */
    void markUnusable(io.r2dbc.spi.Connection physical) {
        if (pool != null) {
            // Counted before it is added: a release that sees the entry always sees the count.
            markedUnusable.incrementAndGet();
            if (!unusable.add(physical)) {
                markedUnusable.decrementAndGet();
            }
        }
    }

    /**
     * A connection for an owner that outlives one publisher (the ORM session). The caller must
     * {@link Connection#close()} it; prefer {@link #connect} everywhere else.
     */
    public Mono<Connection> open() {
        return acquire(null);
    }

    /**
     * {@link #open()} on behalf of {@code holder}, an owner that marked its scope with
     * {@link #markHolding}: its own checkout is not a nested acquisition, anyone else's inside
     * its scope is.
     */
    public Mono<Connection> open(BooleanSupplier holder) {
        return acquire(holder);
    }

    /** How many statements this engine has sent (for tests asserting statement counts). */
    public long statementCount() {
        return log.count();
    }

    /**
     * Calls {@code listener} with the SQL of every statement this engine sends, before it is
     * sent (SQLAlchemy's {@code before_cursor_execute}); for tests and instrumentation.
     */
    public AutoCloseable onStatement(java.util.function.Consumer<String> listener) {
        log.addListener(listener);
        return () -> log.removeListener(listener);
    }

    /**
     * Registers {@code observer} to hear the start and the end (success, error or cancel) of
     * every statement this engine sends, for metrics and tracing (X2, X8); see
     * {@link StatementObserver}. Closing the returned handle removes it; statements already
     * started still report their end to it.
     */
    public AutoCloseable observeStatements(StatementObserver observer) {
        return observers.add(observer);
    }

    /** The registered observers as one, or null when there are none (statements then skip observing). */
    StatementObserver statementObserver() {
        return observers.current();
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

    /**
     * Closes the pool and its connections, then the driver's factory if this engine made it
     * (from a URL or options) and it holds resources of its own, as the JDBC bridge does.
     */
    public Mono<Void> dispose() {
        // Releases still under way finish first (at most RELEASE_WAIT): a cancelled scope hands
        // its connection back in the background, and reactor-pool returns a permit twice when a
        // release and the pool's disposal destroy the same connection at once.
        Mono<Void> drained = Mono.defer(() -> releasing.get() == 0 ? Mono.<Void>empty()
                : Flux.interval(Duration.ofMillis(2)).filter(t -> releasing.get() == 0).next().then()
                        .timeout(RELEASE_WAIT, Mono.empty()));
        // r2dbc-pool reports every connection that failed to close (one the server already
        // killed, F9/F10); the pool is disposed regardless, and there is nothing to retry.
        Mono<Void> pooled = pool == null ? Mono.empty() : drained.then(pool.disposeLater()).onErrorResume(e -> {
            SqlLog.LOG.debug("closing pooled connections of {} reported: {}", target, e.toString());
            return Mono.empty();
        });
        return pooled.then(closeOwnedFactory());
    }

    private Mono<Void> closeOwnedFactory() {
        ConnectionFactory owned = ownedFactory;
        Mono<Void> close;
        if (owned == pool) {
            return Mono.empty(); // an r2dbc:pool: URL: the pool is the factory, and it was disposed above
        } else if (owned instanceof io.r2dbc.spi.Closeable) {
            close = Mono.from(((io.r2dbc.spi.Closeable) owned).close());
        } else if (owned instanceof AutoCloseable) {
            // AutoCloseable.close may block (a JDBC pool waits for its connections): never on
            // the caller's thread, which may be a non-blocking one.
            close = Mono.<Void>fromCallable(() -> {
                ((AutoCloseable) owned).close();
                return null;
            }).subscribeOn(Schedulers.boundedElastic());
        } else {
            return Mono.empty();
        }
        return close.onErrorResume(e -> {
            SqlLog.LOG.debug("closing the connection factory of {} reported: {}", target, e.toString());
            return Mono.empty();
        });
    }

    /** How long {@link #dispose} lets releases under way finish before it closes the pool anyway. */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(5);

    /**
     * {@code release} counted as under way from subscription to its end (see {@link #dispose}),
     * and never failing: an error is logged at debug and ends it quietly (the pool has already
     * logged and discarded a connection whose return failed).
     */
    Mono<Void> trackRelease(Mono<Void> release) {
        return new QuietRelease(release, releasing);
    }

    /** Closes the pool and its connections, waiting at most the connect timeout plus 10 s. */
    @Override
    public void close() {
        dispose().block(options.connectTimeout().plusSeconds(10));
    }

    @Override
    public String toString() {
        return "Engine[" + target + "]";
    }

}
