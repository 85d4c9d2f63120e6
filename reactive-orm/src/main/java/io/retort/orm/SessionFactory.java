package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.function.Function;

/**
 * Makes {@link AsyncSession}s over an {@link Engine} and an {@link OrmRegistry}; thread-safe,
 * one per application.
 *
 * <pre>{@code
 * SessionFactory sessions = SessionFactory.of(engine, OrmRegistry.of(Artist.class, Album.class));
 * Flux<Artist> artists = sessions.inSession(s -> s.execute(Orm.select(Artist.class)));
 * Mono<Void> saved = sessions.inTransaction(s -> { s.add(new Artist("X")); return Mono.empty(); }).then();
 * }</pre>
 */
public final class SessionFactory {
    private final Engine engine;
    private final OrmRegistry registry;
    private final Scheduler fetchScheduler;
    private final SessionEvents events;

    private SessionFactory(Engine engine, OrmRegistry registry, Scheduler fetchScheduler, SessionEvents events) {
        this.engine = engine;
        this.registry = registry;
        this.fetchScheduler = fetchScheduler;
        this.events = events;
    }

    /** A factory of sessions over {@code engine} mapping {@code registry}'s entities. */
    public static SessionFactory of(Engine engine, OrmRegistry registry) {
        return new SessionFactory(engine, registry, Schedulers.parallel(), new SessionEvents(null, registry));
    }

    /**
     * The factory's event registry (O11): listeners registered here apply to every session this
     * factory opens (also ones already open), before each session's own. Shared with the copies
     * {@link #withFetchScheduler} makes. See {@link SessionEvents}.
     */
    public SessionEvents events() {
        return events;
    }

    /**
     * This factory with another scheduler for its sessions' coalesced fetches (O18, see
     * {@link AsyncSession#fetch}): the first waiting fetch schedules the batch's dispatch there, so
     * every fetch subscribed before that task runs shares the batch. The default is
     * {@link Schedulers#parallel()}; the dispatch only subscribes, it never blocks.
     */
    public SessionFactory withFetchScheduler(Scheduler scheduler) {
        return new SessionFactory(engine, registry, java.util.Objects.requireNonNull(scheduler, "scheduler"), events);
    }

    public Engine engine() {
        return engine;
    }

    public OrmRegistry registry() {
        return registry;
    }

    /** A new session; close it when done (its connection returns to the pool). */
    public AsyncSession openSession() {
        return new AsyncSession(engine, registry, fetchScheduler, events);
    }

    /** O14: a session stamping {@code token} into its identity keys, as shard {@code token} of {@code owner}. */
    AsyncSession openShardSession(String token, ShardedSession owner) {
        return new AsyncSession(engine, registry, fetchScheduler, events, token, owner);
    }

    /** Runs {@code work} with a session closed afterwards (rolled back unless committed), on every outcome. */
    public <T> Flux<T> inSession(Function<AsyncSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), scoped(work), AsyncSession::close,
                (s, e) -> s.close(), AsyncSession::close).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * Runs {@code work} in a session and commits when it completes; rolls back on error or cancel.
     * A cancel includes a downstream {@code next()}, {@code take(n)} or {@code Mono.from(...)},
     * which cancel once they have their element: the transaction then rolls back. For one result
     * use {@link #withTransaction}.
     */
    public <T> Flux<T> inTransaction(Function<AsyncSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), scoped(work), this::commitAndClose,
                this::rollbackAndClose, this::rollbackAndClose).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * Runs {@code work} in a session closed afterwards, for one result: the value (or completion)
     * is emitted only once the session is closed and its connection is back in the pool.
     */
    public <T> Mono<T> withSession(Function<AsyncSession, ? extends Mono<T>> work) {
        return Mono.usingWhen(Mono.fromSupplier(this::openSession), scopedMono(work), AsyncSession::close,
                (s, e) -> s.close(), AsyncSession::close).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * Runs {@code work} in a session and commits when it completes, for one result (a request
     * handler's shape). The value is emitted only after the commit has succeeded, so a response
     * is never sent for a change that then failed to commit; a failing commit fails the Mono with
     * its typed error instead. Rolls back on error or cancel.
     */
    public <T> Mono<T> withTransaction(Function<AsyncSession, ? extends Mono<T>> work) {
        return Mono.usingWhen(Mono.fromSupplier(this::openSession), scopedMono(work), this::commitAndClose,
                this::rollbackAndClose, this::rollbackAndClose).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * {@code work} with its session marked as a holder of the engine's connections, so a checkout
     * by anyone else inside it is seen as nested (EngineOptions.NestedAcquire, RELIABILITY F8).
     */
    private <T> Function<AsyncSession, Publisher<T>> scoped(Function<AsyncSession, ? extends Publisher<T>> work) {
        if (engine.options().nestedAcquire() == EngineOptions.NestedAcquire.ALLOW) {
            return s -> work.apply(s);
        }
        return s -> Flux.from(work.apply(s)).contextWrite(s::markHolding);
    }

    /** {@link #scoped} for a Mono. */
    private <T> Function<AsyncSession, Mono<T>> scopedMono(Function<AsyncSession, ? extends Mono<T>> work) {
        if (engine.options().nestedAcquire() == EngineOptions.NestedAcquire.ALLOW) {
            return s -> work.apply(s);
        }
        return s -> work.apply(s).contextWrite(s::markHolding);
    }

    private Mono<Void> commitAndClose(AsyncSession s) {
        // A failed commit (the flush's IntegrityError, a lost connection) leaves the transaction
        // open, and usingWhen runs no other clean-up after its commit step: close() rolls back
        // and releases the connection before the error goes on.
        return s.commit()
                .onErrorResume(e -> s.close().onErrorResume(x -> Mono.empty()).then(Mono.error(e)))
                .then(s.close());
    }

    private Mono<Void> rollbackAndClose(AsyncSession s, Throwable error) {
        return rollbackAndClose(s);
    }

    private Mono<Void> rollbackAndClose(AsyncSession s) {
        return s.rollback().onErrorResume(x -> Mono.empty()).then(s.close());
    }

    /** Reactor wraps a failing commit after completion; callers want the typed error itself. */
    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t.getClass() == RuntimeException.class && t.getCause() != null
                && String.valueOf(t.getMessage()).startsWith("Async resource cleanup failed")) {
            t = t.getCause();
        }
        return t;
    }
}
