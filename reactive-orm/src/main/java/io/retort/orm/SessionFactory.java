package io.retort.orm;

import io.retort.engine.Engine;
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

    private SessionFactory(Engine engine, OrmRegistry registry, Scheduler fetchScheduler) {
        this.engine = engine;
        this.registry = registry;
        this.fetchScheduler = fetchScheduler;
    }

    public static SessionFactory of(Engine engine, OrmRegistry registry) {
        return new SessionFactory(engine, registry, Schedulers.parallel());
    }

    /**
     * This factory with another scheduler for its sessions' coalesced fetches (O18, see
     * {@link AsyncSession#fetch}): the first waiting fetch schedules the batch's dispatch there, so
     * every fetch subscribed before that task runs shares the batch. The default is
     * {@link Schedulers#parallel()}; the dispatch only subscribes, it never blocks.
     */
    public SessionFactory withFetchScheduler(Scheduler scheduler) {
        return new SessionFactory(engine, registry, java.util.Objects.requireNonNull(scheduler, "scheduler"));
    }

    public Engine engine() {
        return engine;
    }

    public OrmRegistry registry() {
        return registry;
    }

    /** A new session; close it when done (its connection returns to the pool). */
    public AsyncSession openSession() {
        return new AsyncSession(engine, registry, fetchScheduler);
    }

    /** Runs {@code work} with a session closed afterwards (rolled back unless committed), on every outcome. */
    public <T> Flux<T> inSession(Function<AsyncSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), work, AsyncSession::close,
                (s, e) -> s.close(), AsyncSession::close).onErrorMap(SessionFactory::unwrap);
    }

    /** Runs {@code work} in a session and commits when it completes; rolls back on error or cancel. */
    public <T> Flux<T> inTransaction(Function<AsyncSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), work, s -> s.commit().then(s.close()),
                (s, e) -> s.rollback().onErrorResume(x -> Mono.empty()).then(s.close()),
                s -> s.rollback().onErrorResume(x -> Mono.empty()).then(s.close())).onErrorMap(SessionFactory::unwrap);
    }

    /** Reactor wraps a failing commit after completion; callers want the typed error itself. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t.getClass() == RuntimeException.class && t.getCause() != null
                && String.valueOf(t.getMessage()).startsWith("Async resource cleanup failed")) {
            t = t.getCause();
        }
        return t;
    }
}
