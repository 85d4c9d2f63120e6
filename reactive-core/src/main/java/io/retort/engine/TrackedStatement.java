package io.retort.engine;

import io.retort.sql.compile.BoundStatement;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A running statement's publisher with the connection's bookkeeping, in one operator: errors
 * typed ({@link Connection#failed}), a cancel before the end invalidates the connection
 * ({@link Connection#cancelledMidStatement}), and the in-flight count drops exactly once when
 * it ends, however it ends. Composing {@code onErrorMap}, {@code doOnCancel} and
 * {@code doFinally} did the same in three layers that every row passed through, one of them
 * ({@code onErrorMap}'s resumable subscriber) counting each row: a measurable share of streaming
 * a large result.
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

    private static final class TrackingSubscriber<T> implements CoreSubscriber<T>, Subscription {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<TrackingSubscriber> ENDED =
                AtomicIntegerFieldUpdater.newUpdater(TrackingSubscriber.class, "ended");

        private final CoreSubscriber<? super T> actual;
        private final Connection connection;
        private final BoundStatement bound;
        private Subscription upstream;
        /** Set once the statement signalled its end: a cancel after that interrupts nothing. */
        private volatile boolean done;
        private volatile int ended;

        TrackingSubscriber(CoreSubscriber<? super T> actual, Connection connection, BoundStatement bound) {
            this.actual = actual;
            this.connection = connection;
            this.bound = bound;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
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
