package io.retort.engine;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.util.context.Context;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The return of a connection, as one operator: counted in {@code underWay} from subscription to
 * its end (so {@link Engine#dispose} can wait for it), and never failing: an error is logged at
 * debug and completes instead. {@code doFinally} plus {@code onErrorResume} did the same in two
 * layers that every checkout allocated; a release must never fail because Reactor would report
 * the failure of a scope's clean-up in place of the scope's own outcome.
 */
final class QuietRelease extends MonoOperator<Void, Void> {
    private final AtomicInteger underWay;

    QuietRelease(Mono<Void> source, AtomicInteger underWay) {
        super(source);
        this.underWay = underWay;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        underWay.incrementAndGet();
        source.subscribe(new Ending(actual, underWay));
    }

    private static final class Ending implements CoreSubscriber<Void>, Subscription {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Ending> ENDED = AtomicIntegerFieldUpdater.newUpdater(Ending.class, "ended");

        private final CoreSubscriber<? super Void> actual;
        private final AtomicInteger underWay;
        private Subscription upstream;
        private volatile int ended;

        Ending(CoreSubscriber<? super Void> actual, AtomicInteger underWay) {
            this.actual = actual;
            this.underWay = underWay;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            actual.onSubscribe(this);
        }

        @Override
        public void onNext(Void v) {
            // a Mono<Void> emits no value
        }

        @Override
        public void onError(Throwable e) {
            SqlLog.LOG.debug("returning a connection failed; the pool discards it: {}", e.toString());
            if (end()) {
                actual.onComplete();
            }
        }

        @Override
        public void onComplete() {
            if (end()) {
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            upstream.cancel();
            end();
        }

        private boolean end() {
            if (ENDED.compareAndSet(this, 0, 1)) {
                underWay.decrementAndGet();
                return true;
            }
            return false;
        }
    }
}
