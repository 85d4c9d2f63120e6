package io.retort.engine;

import io.retort.sql.compile.BoundStatement;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;

/**
 * A running statement's publisher with the connection's bookkeeping, in one operator: errors
 * typed ({@link Connection#failed}), a cancel before the end invalidates the connection
 * ({@link Connection#cancelledMidStatement}), the in-flight count drops exactly once when
 * it ends, however it ends, and the engine's {@link StatementObserver}s, if any, hear its start
 * and exactly one end (X2, X8). Composing {@code onErrorMap}, {@code doOnCancel} and
 * {@code doFinally} did the same in three layers that every row passed through, one of them
 * ({@code onErrorMap}'s resumable subscriber) counting each row: a measurable share of streaming
 * a large result. It also installs, in the context it shows upstream, the hook that releases
 * the driver buffers a cancel discards ({@link DriverBuffers}), which {@code doOnDiscard} did in
 * a layer of its own.
 */
final class TrackedStatement<T> extends FluxOperator<T, T> {
    private final Connection connection;
    private final BoundStatement bound;
    private final boolean cacheHit;
    /** Emits the statement's rows (counted one by one), else its update counts (summed). */
    private final boolean emitsRows;

    TrackedStatement(Flux<T> source, Connection connection, BoundStatement bound, boolean cacheHit, boolean emitsRows) {
        super(source);
        this.connection = connection;
        this.bound = bound;
        this.cacheHit = cacheHit;
        this.emitsRows = emitsRows;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        // One volatile read when nobody observes: no Start, no Execution, nothing allocated.
        StatementObserver observer = connection.engine().statementObserver();
        StatementObserver.Execution execution = observer == null ? null : StatementObservers.start(observer,
                new StatementObserver.Start(bound.sql(), connection.dialect().name(), cacheHit, actual.currentContext()));
        source.subscribe(new TrackingSubscriber<>(actual, connection, bound, execution, emitsRows));
    }

    /** Reactor's context key for the local discard hook ({@code Hooks.KEY_ON_DISCARD}, not public). */
    private static final String KEY_ON_DISCARD = "reactor.onDiscard.local";

    private static final Consumer<Object> RELEASE_DRIVER_BUFFERS = DriverBuffers::release;

    /**
     * {@code downstream} with the driver-buffer hook added after any discard hook already there
     * (as {@code doOnDiscard} composes), so a caller's own hook still sees what it saw before.
     */
    @SuppressWarnings("unchecked")
    static Context withDiscardHook(Context downstream) {
        Consumer<Object> existing = downstream.getOrDefault(KEY_ON_DISCARD, null);
        return Operators.enableOnDiscard(downstream,
                existing == null ? RELEASE_DRIVER_BUFFERS : existing.andThen(RELEASE_DRIVER_BUFFERS));
    }

    private static final class TrackingSubscriber<T> implements CoreSubscriber<T>, Subscription {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<TrackingSubscriber> ENDED =
                AtomicIntegerFieldUpdater.newUpdater(TrackingSubscriber.class, "ended");
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<TrackingSubscriber> OBSERVED =
                AtomicIntegerFieldUpdater.newUpdater(TrackingSubscriber.class, "observed");

        private final CoreSubscriber<? super T> actual;
        private final Context context;
        private final Connection connection;
        private final BoundStatement bound;
        /** Null unless an observer watches this execution. */
        private final StatementObserver.Execution execution;
        private final boolean emitsRows;
        private Subscription upstream;
        /** Set once the statement signalled its end: a cancel after that interrupts nothing. */
        private volatile boolean done;
        private volatile int ended;
        /** Rows emitted, or the update counts summed; kept only while observed. */
        private long count;
        /** The observer's end signal was claimed: a cancel racing a completion reports one of them. */
        private volatile int observed;

        TrackingSubscriber(CoreSubscriber<? super T> actual, Connection connection, BoundStatement bound,
                           StatementObserver.Execution execution, boolean emitsRows) {
            this.actual = actual;
            this.context = withDiscardHook(actual.currentContext());
            this.connection = connection;
            this.bound = bound;
            this.execution = execution;
            this.emitsRows = emitsRows;
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(T t) {
            if (execution != null) {
                if (emitsRows) {
                    count++;
                } else if (t instanceof Long) {
                    count += (Long) t;
                }
            }
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable e) {
            done = true;
            Throwable typed;
            try {
                typed = connection.failed(e, bound);
            } catch (RuntimeException translationFailed) {
                translationFailed.addSuppressed(e);
                typed = translationFailed;
            }
            if (claimObservedEnd()) {
                StatementObservers.failed(execution, typed);
            }
            // Ended before the signal goes on: a subscriber that cancels its scope on this very
            // signal must find no statement in flight, or its healthy connection is discarded.
            end();
            actual.onError(typed);
        }

        @Override
        public void onComplete() {
            done = true;
            if (claimObservedEnd()) {
                StatementObservers.succeeded(execution, emitsRows ? count : -1, emitsRows ? -1 : count);
            }
            end(); // see onError
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            if (!done) {
                connection.cancelledMidStatement(bound);
            }
            // After done, the completion or error reports the end itself.
            if (!done && claimObservedEnd()) {
                StatementObservers.cancelled(execution, emitsRows ? count : -1);
            }
            upstream.cancel();
            end();
        }

        /** Whether this call is the observed execution's one end signal (false when unobserved). */
        private boolean claimObservedEnd() {
            return execution != null && OBSERVED.compareAndSet(this, 0, 1);
        }

        private void end() {
            if (ENDED.compareAndSet(this, 0, 1)) {
                connection.statementEnded();
            }
        }
    }
}
