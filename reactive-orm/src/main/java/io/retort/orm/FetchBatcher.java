package io.retort.orm;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Coalesces a session's explicit loads (O18): {@link AsyncSession#fetch} calls subscribed before
 * the session's next dispatch runs are loaded together, one IN query (one array on PostgreSQL) per
 * relationship however many callers asked, the way a DataLoader batches a request's loads. The
 * usual shape is {@code Flux.fromIterable(artists).flatMap(a -> session.fetch(a, Artist_.albums))}:
 * each caller gets its own entity's targets, and the database sees one statement, not one per
 * artist.
 *
 * <p>The first waiting fetch schedules a dispatch on the session factory's scheduler, so every
 * fetch subscribed before that task runs joins it: a burst subscribed on one thread (a
 * {@code flatMap} over a list) is one statement per relationship when it is all subscribed before
 * the scheduler's thread picks the dispatch up. At most one dispatch runs at a time, and fetches
 * subscribed while one runs all wait for the next, which starts when it ends: however the burst
 * and the dispatch interleave, the statements are per batch, never per fetch. The dispatch takes
 * the session as any operation does:
 * if another operation holds it, every fetch of the batch fails with
 * {@link ConcurrentSessionUseError}.
 *
 * <p>A fetch cancelled before its batch starts is left out of it (a batch of cancelled fetches
 * sends nothing). One cancelled after its batch started does not stop the statement, which
 * other callers may share; its result is dropped. Thread-safe: fetches may be subscribed from any
 * thread; all session state is read and written by the dispatch alone, under the session's
 * operation guard.
 */
final class FetchBatcher {
    private final AsyncSession session;
    private final Scheduler scheduler;
    private final Object lock = new Object();
    /** Fetches not yet taken by a dispatch, by relationship in arrival order. */
    private Map<Relationship<?, ?>, List<Pending>> waiting = new LinkedHashMap<>();
    /** A dispatch is scheduled or running: a new fetch only joins {@link #waiting}. */
    private boolean active;

    FetchBatcher(AsyncSession session, Scheduler scheduler) {
        this.session = session;
        this.scheduler = scheduler;
    }

    /** One caller's fetch: its entity, its sink, and what the dispatch found for it. */
    static final class Pending {
        final Object entity;
        private final MonoSink<List<Object>> sink;
        volatile boolean cancelled;
        private List<Object> result;
        private Throwable error;

        Pending(Object entity, MonoSink<List<Object>> sink) {
            this.entity = entity;
            this.sink = sink;
        }

        /** Records this fetch's outcome; delivered only after the session is free again (see {@link #deliver}). */
        void succeed(List<Object> targets) {
            result = targets;
        }

        void fail(Throwable e) {
            if (error == null && result == null) {
                error = e;
            }
        }

        void deliver(Supplier<? extends Throwable> batchError) {
            if (cancelled) {
                return;
            }
            Throwable e = error != null ? error : result == null ? batchError.get() : null;
            if (e != null) {
                sink.error(e);
            } else {
                sink.success(result == null ? List.of() : result);
            }
        }
    }

    /** A fetch of {@code r} for {@code entity}, joining the next dispatch when subscribed. */
    Mono<List<Object>> fetch(Object entity, Relationship<?, ?> r) {
        return Mono.create(sink -> {
            Pending p = new Pending(entity, sink);
            sink.onCancel(() -> p.cancelled = true);
            boolean start;
            synchronized (lock) {
                waiting.computeIfAbsent(r, k -> new ArrayList<>()).add(p);
                start = !active;
                active = true;
            }
            if (start) {
                schedule();
            }
        });
    }

    private void schedule() {
        try {
            scheduler.schedule(this::dispatch);
        } catch (RejectedExecutionException e) {
            // A disposed scheduler: nothing would ever run these fetches, so they fail now, not hang.
            Map<Relationship<?, ?>, List<Pending>> batch = take();
            finish(batch, new IllegalStateException("The session's fetch scheduler rejected the dispatch: " + e.getMessage(), e));
        }
    }

    /**
     * Fails every fetch not yet taken by a dispatch, at once (the session is closing: they would
     * otherwise run against an emptied session). A dispatch already scheduled finds nothing to do.
     */
    void failWaiting(Supplier<? extends Throwable> error) {
        deliverAll(take(), error);
    }

    /** Delivers every fetch of {@code batch}; one without an outcome of its own gets {@code batchError}'s. */
    private static void deliverAll(Map<Relationship<?, ?>, List<Pending>> batch, Supplier<? extends Throwable> batchError) {
        for (List<Pending> ps : batch.values()) {
            for (Pending p : ps) {
                p.deliver(batchError);
            }
        }
    }

    private Map<Relationship<?, ?>, List<Pending>> take() {
        synchronized (lock) {
            Map<Relationship<?, ?>, List<Pending>> batch = waiting;
            waiting = new LinkedHashMap<>();
            return batch;
        }
    }

    private void dispatch() {
        Map<Relationship<?, ?>, List<Pending>> batch = take();
        if (batch.isEmpty()) {
            // Every fetch was failed meanwhile (the session closed): nothing to load, so the
            // session is not taken. Taking it would race the caller's next operation, which
            // would then fail as a concurrent use (a TCK flake, OrmSuite.coalescedFetches).
            finish(batch, null);
            return;
        }
        session.loadBatch(batch).subscribe(null, e -> finish(batch, e), () -> finish(batch, null));
    }

    /** Delivers a batch's outcomes (the session is free by now), then starts the next batch if fetches wait. */
    private void finish(Map<Relationship<?, ?>, List<Pending>> batch, Throwable batchError) {
        deliverAll(batch, () -> batchError);
        boolean again;
        synchronized (lock) {
            again = !waiting.isEmpty();
            active = again;
        }
        if (again) {
            schedule();
        }
    }
}
