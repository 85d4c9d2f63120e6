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
 * ({@link Connection#cancelledMidStatement}), and the in-flight count drops exactly once when
 * it ends, however it ends. Composing {@code onErrorMap}, {@code doOnCancel} and
 * {@code doFinally} did the same in three layers that every row passed through, one of them
 * ({@code onErrorMap}'s resumable subscriber) counting each row: a measurable share of streaming
 * a large result. It also installs, in the context it shows upstream, the hook that releases
 * the driver buffers a cancel discards ({@link DriverBuffers}), which {@code doOnDiscard} did in
 * a layer of its own.
 */
final class TrackedStatement<T> extends FluxOperator<T, T> {
    private final Connection connection;
    private final BoundStatement bound;

    TrackedStatement(Flux<T> source, Connection connection, BoundStatement bound) {
        super(source);
        this.connection = connection;
        this.bound = bound;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new TrackingSubscriber<>(actual, connection, bound));
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

        private final CoreSubscriber<? super T> actual;
        private final Context context;
        private final Connection connection;
        private final BoundStatement bound;
        private Subscription upstream;
        /** Set once the statement signalled its end: a cancel after that interrupts nothing. */
        private volatile boolean done;
        private volatile int ended;

        TrackingSubscriber(CoreSubscriber<? super T> actual, Connection connection, BoundStatement bound) {
            this.actual = actual;
            this.context = withDiscardHook(actual.currentContext());
            this.connection = connection;
            this.bound = bound;
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
            try {
                actual.onError(typed);
            } finally {
                end();
            }
        }

        @Override
        public void onComplete() {
            done = true;
            try {
                actual.onComplete();
            } finally {
                end();
            }
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
            upstream.cancel();
            end();
        }

        private void end() {
            if (ENDED.compareAndSet(this, 0, 1)) {
                connection.statementEnded();
            }
        }
    }
}
