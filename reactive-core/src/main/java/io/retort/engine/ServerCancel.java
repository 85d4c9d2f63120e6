package io.retort.engine;

import io.r2dbc.spi.ConnectionFactory;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Asks the server to stop the statement a cancelled subscriber left running (RELIABILITY F2-F4,
 * F19), for one engine. Without it the server keeps executing a cancelled query (a
 * {@code pg_sleep} or {@code SLEEP}, a long report) until it next writes to the closed socket,
 * holding its locks and its transaction open that long (r2dbc-postgresql #121/#251; MariaDB does
 * not look at the socket while it executes). Per driver, found reflectively (the engine imports
 * no driver):
 * <ul>
 * <li>r2dbc-postgresql: {@code PostgresqlConnection.cancelRequest()}, a PostgreSQL CancelRequest
 *     on a socket of its own;</li>
 * <li>r2dbc-mariadb: {@code KILL QUERY <id>} with the public {@code MariadbConnection.getThreadId()};</li>
 * <li>r2dbc-mysql (io.asyncer), whose connection id is not public: {@code KILL QUERY <id>} with
 *     the id that {@code SELECT CONNECTION_ID()} returned before the connection's first statement
 *     ({@link #mustLearnThreadId}); reaching into the driver's package-private connection context
 *     would save that round trip but break silently on any driver upgrade.</li>
 * </ul>
 * {@code KILL QUERY} goes, as MariaDB Connector/J's {@code Statement.cancel()} does, over a
 * separate connection opened from the engine's unpooled factory (never a pooled slot, which a
 * full pool could not give), closed right after, all bounded by the connect timeout, on a thread
 * that may block. Best effort: failures (1094, the thread already ended) are logged at debug and
 * ignored; the cancelled connection is closed either way, which ends the statement eventually.
 * At most {@link EngineOptions#maxConcurrentServerCancels()} cancels (KILL connections,
 * CancelRequest sockets) are open at once per engine, so a burst of cancelled subscribers cannot
 * use up the server's connections; the others wait their turn, boundedly ({@link #submit}).
 * Only for a connection being invalidated (see {@link Connection#cancelledMidStatement}), so a
 * late KILL can never hit a later statement of a reused connection.
 */
final class ServerCancel {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCancel.class);
    /** Bound on a PostgreSQL CancelRequest (a connect and one message). */
    private static final Duration CANCEL_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Cancels that may wait for their turn (see {@link #submit}); beyond, they are skipped. */
    static final int MAX_WAITING = 1024;
    /** Skipped cancels are logged at WARN at most this often. */
    private static final Duration SKIP_WARNING_INTERVAL = Duration.ofMinutes(1);

    private enum Kind { NONE, CANCEL_REQUEST, KILL_WITH_DRIVER_ID, KILL_WITH_LEARNED_ID }

    /** How a driver's connection is stopped on the server; {@code handle} is the driver method, if any. */
    private record Strategy(Kind kind, MethodHandle handle) {
        static final Strategy NONE = new Strategy(Kind.NONE, null);
    }

    private static final ClassValue<Strategy> STRATEGY = new ClassValue<>() {
        @Override
        protected Strategy computeValue(Class<?> type) {
            try {
                Class<?> pg = find(type, "io.r2dbc.postgresql.api.PostgresqlConnection");
                if (pg != null) {
                    return new Strategy(Kind.CANCEL_REQUEST,
                            MethodHandles.publicLookup().findVirtual(pg, "cancelRequest", MethodType.methodType(Mono.class)));
                }
                Class<?> mariadb = find(type, "org.mariadb.r2dbc.api.MariadbConnection");
                if (mariadb != null) {
                    return new Strategy(Kind.KILL_WITH_DRIVER_ID,
                            MethodHandles.publicLookup().findVirtual(mariadb, "getThreadId", MethodType.methodType(long.class)));
                }
                if (find(type, "io.asyncer.r2dbc.mysql.api.MySqlConnection") != null) {
                    return new Strategy(Kind.KILL_WITH_LEARNED_ID, null);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("no server cancel for {}: {}", type.getName(), e.toString());
            }
            return Strategy.NONE;
        }
    };

    /** {@code type} or a supertype of it named {@code name}, or null. */
    private static Class<?> find(Class<?> type, String name) {
        if (type == null) {
            return null;
        }
        if (type.getName().equals(name)) {
            return type;
        }
        for (Class<?> i : type.getInterfaces()) {
            Class<?> found = find(i, name);
            if (found != null) {
                return found;
            }
        }
        return find(type.getSuperclass(), name);
    }

    private final boolean enabled;
    /** Where a KILL connection comes from: the factory under the pool; null when there is none to use. */
    private final ConnectionFactory unpooled;
    private final Duration killTimeout;
    /**
     * Thread ids learned with {@code SELECT CONNECTION_ID()} (r2dbc-mysql), per driver connection.
     * Weak keys: an entry goes with its connection. Written once per physical connection, read on
     * a cancel and on the first statement of each checkout.
     */
    private final Map<io.r2dbc.spi.Connection, Long> learned = Collections.synchronizedMap(new WeakHashMap<>());
    /** {@link EngineOptions#maxConcurrentServerCancels()}. */
    private final int maxConcurrent;
    /** Cancels open now (connecting, sending, closing), at most {@link #maxConcurrent}. */
    private final AtomicInteger running = new AtomicInteger();
    /** Cancels waiting for their turn, oldest first. */
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    /** The size of {@link #waiting} (ConcurrentLinkedQueue.size() walks the queue). */
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicLong skippedSinceWarning = new AtomicLong();
    /** When a skipped cancel was last logged at WARN ({@link System#nanoTime()}); 0 for never. */
    private final AtomicLong lastSkipWarning = new AtomicLong();

    /**
     * @param enabled     {@link EngineOptions#cancelOnServer()}
     * @param unpooled    the factory that opens new physical connections (not a pool), or null
     * @param killTimeout bound on opening the KILL connection, sending KILL QUERY and closing it,
     *                    and on a cancel's wait for its turn
     * @param maxConcurrent {@link EngineOptions#maxConcurrentServerCancels()}
     */
    ServerCancel(boolean enabled, ConnectionFactory unpooled, Duration killTimeout, int maxConcurrent) {
        this.enabled = enabled;
        this.unpooled = unpooled;
        this.killTimeout = killTimeout;
        this.maxConcurrent = maxConcurrent;
    }

    /** Stops on the server the statement {@code physical} is running, if its driver has a way; never throws. */
    void request(io.r2dbc.spi.Connection physical) {
        if (!enabled) {
            return;
        }
        Strategy s = STRATEGY.get(physical.getClass());
        try {
            switch (s.kind()) {
                case CANCEL_REQUEST:
                    // Built now, sent in its turn (submit): the driver's Mono opens its socket on subscription.
                    Publisher<?> p = (Publisher<?>) s.handle().invoke(physical);
                    submit(Mono.from(p).then().subscribeOn(Schedulers.boundedElastic()).timeout(CANCEL_REQUEST_TIMEOUT)
                            .onErrorResume(e -> {
                                LOG.debug("PostgreSQL cancel request failed: {}", e.toString());
                                return Mono.empty();
                            }), "a PostgreSQL CancelRequest");
                    return;
                case KILL_WITH_DRIVER_ID:
                    kill((long) s.handle().invoke(physical));
                    return;
                case KILL_WITH_LEARNED_ID:
                    Long id = learned.get(physical);
                    if (id == null) {
                        // Cancelled before (or during) the connection's first statement: SELECT
                        // CONNECTION_ID() had not answered, and nothing long can be running yet.
                        LOG.debug("no KILL QUERY: the connection's thread id is not known yet");
                        return;
                    }
                    kill(id);
                    return;
                default:
            }
        } catch (Throwable e) {
            // Best effort: closing the connection ends the statement later anyway.
            LOG.debug("server cancel failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ the cap

    /** One server cancel waiting for its turn; {@code deadline} in {@link System#nanoTime()} terms. */
    private record Pending(Mono<Void> work, String what, long deadline) {
    }

    /**
     * Hands {@code work} (a cancel that never fails) to at most {@code maxConcurrent} runners:
     * sent now if fewer are open, else queued. Queued rather than skipped: a skipped KILL leaves its
     * statement running on MariaDB until its natural end (the server does not notice the closed
     * socket), which is what cancelling on the server exists to prevent; one takes milliseconds,
     * so a burst of hundreds clears in about a second. The wait is bounded all the same (the kill
     * timeout, and {@link #MAX_WAITING} entries), so a server that no longer accepts connections
     * cannot pile cancels up without limit.
     */
    private void submit(Mono<Void> work, String what) {
        if (waitingCount.incrementAndGet() > MAX_WAITING) {
            waitingCount.decrementAndGet();
            skipped(what, MAX_WAITING + " others were already waiting");
            return;
        }
        waiting.add(new Pending(work, what, System.nanoTime() + killTimeout.toNanos()));
        if (running.get() >= maxConcurrent) {
            LOG.debug("{} waits for its turn: {} server cancels are open (maxConcurrentServerCancels)", what, maxConcurrent);
        }
        drain();
    }

    /** Starts waiting cancels while fewer than {@code maxConcurrent} run; called on every submit and every end. */
    private void drain() {
        for (;;) {
            int r = running.get();
            if (r >= maxConcurrent) {
                return; // the runner that ends next drains
            }
            if (!running.compareAndSet(r, r + 1)) {
                continue;
            }
            Pending p = waiting.poll();
            if (p == null) {
                running.decrementAndGet();
                // A submit between the poll and the decrement saw the cap reached and left its
                // entry to us: look again.
                if (waiting.isEmpty()) {
                    return;
                }
                continue;
            }
            waitingCount.decrementAndGet();
            if (System.nanoTime() - p.deadline() > 0) {
                running.decrementAndGet();
                skipped(p.what(), "it waited longer than " + killTimeout + " for its turn");
                continue;
            }
            // Asynchronous (subscribeOn), so the recursion through drain() never nests on one stack.
            p.work().doFinally(sig -> {
                running.decrementAndGet();
                drain();
            }).subscribe();
        }
    }

    /** A cancel not sent: WARN at most once a minute (with how many since), DEBUG otherwise. */
    private void skipped(String what, String why) {
        long n = skippedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastSkipWarning.get();
        if ((last == 0 || now - last > SKIP_WARNING_INTERVAL.toNanos()) && lastSkipWarning.compareAndSet(last, now == 0 ? 1 : now)) {
            skippedSinceWarning.addAndGet(-n);
            LOG.warn("{} server cancel(s) not sent, the last ({}) because {}: at most {} run at once"
                    + " (EngineOptions.maxConcurrentServerCancels); the statements end when the server notices their closed"
                    + " connections", n, what, why, maxConcurrent);
        } else {
            LOG.debug("{} not sent because {}", what, why);
        }
    }

    /**
     * Whether a statement about to run on {@code physical} must first learn its thread id
     * ({@link #learnThreadId}): a KILL would need it, and its driver does not tell it.
     */
    boolean mustLearnThreadId(io.r2dbc.spi.Connection physical) {
        return enabled && unpooled != null && STRATEGY.get(physical.getClass()).kind() == Kind.KILL_WITH_LEARNED_ID
                && !learned.containsKey(physical);
    }

    /**
     * Runs {@code SELECT CONNECTION_ID()} on {@code raw} (reading its whole result, so the
     * connection is left at rest) and remembers the id for {@code physical}. Never fails: without
     * the id a cancel only closes the connection, as without this class.
     */
    Mono<Void> learnThreadId(io.r2dbc.spi.Connection raw, io.r2dbc.spi.Connection physical) {
        // Deferred: a driver that throws (a closed connection) fails here quietly, not in the caller.
        return Flux.defer(() -> raw.createStatement("SELECT CONNECTION_ID()").execute())
                .concatMap(r -> r.map((row, meta) -> ((Number) row.get(0)).longValue()))
                .doOnNext(id -> learned.put(physical, id))
                .then()
                .onErrorResume(e -> {
                    LOG.debug("SELECT CONNECTION_ID() failed; a cancel will not send KILL QUERY: {}", e.toString());
                    return Mono.empty();
                });
    }

    /**
     * {@code KILL QUERY threadId} over a new connection from the unpooled factory, closed
     * afterwards whatever happens; in the background, bounded by the kill timeout.
     */
    private void kill(long threadId) {
        ConnectionFactory f = unpooled;
        if (f == null) {
            LOG.debug("no KILL QUERY {}: the engine has no unpooled connection factory", threadId);
            return;
        }
        submit(Mono.usingWhen(Mono.from(f.create()),
                        c -> Flux.from(c.createStatement("KILL QUERY " + threadId).execute())
                                .concatMap(io.r2dbc.spi.Result::getRowsUpdated).then(),
                        ServerCancel::close, (c, e) -> close(c), ServerCancel::close)
                .doOnDiscard(io.r2dbc.spi.Connection.class, ServerCancel::closeQuietly)
                // Connecting may resolve a host name or set up TLS: never on the thread that
                // cancelled, which may be an event loop.
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(killTimeout)
                // A connection that arrives after the timeout cancelled its creation is closed, not leaked.
                .contextWrite(ctx -> ctx.put(Engine.ON_NEXT_DROPPED_LOCAL, (Consumer<Object>) o -> {
                    if (o instanceof io.r2dbc.spi.Connection) {
                        closeQuietly((io.r2dbc.spi.Connection) o);
                    }
                }))
                .doOnSuccess(v -> LOG.debug("KILL QUERY {} sent", threadId))
                .onErrorResume(e -> {
                    LOG.debug("KILL QUERY {} failed (the statement may have ended already): {}", threadId, e.toString());
                    return Mono.empty();
                }), "KILL QUERY " + threadId);
    }

    private static Mono<Void> close(io.r2dbc.spi.Connection c) {
        return Mono.from(c.close()).onErrorResume(e -> {
            LOG.debug("closing the KILL QUERY connection failed: {}", e.toString());
            return Mono.empty();
        });
    }

    private static void closeQuietly(io.r2dbc.spi.Connection c) {
        close(c).subscribe();
    }
}
