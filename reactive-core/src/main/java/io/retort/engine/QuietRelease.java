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
 *
 * <p>The count ends when the release has signalled <em>and</em> the call that subscribed it has
 * returned. reactor-pool signals a release's completion and only then, on the same thread,
 * recycles the connection and drains waiters; a pool disposed in that window destroys the
 * connection twice ("Too many permits returned", reactor-pool #80 and #113). Counting until the
 * subscribing call returns closes the window whenever the pool's work runs inside it, which is
 * the case for the pool return (see {@code Connection.release}).
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
        Ending ending = new Ending(actual, underWay);
        try {
            source.subscribe(ending);
        } finally {
            ending.returned();
        }
    }

    private static final class Ending implements CoreSubscriber<Void>, Subscription {
        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<Ending> STATE = AtomicIntegerFieldUpdater.newUpdater(Ending.class, "state");
        /** The release signalled (or was cancelled). */
        private static final int ENDED = 1;
        /** The subscribing call returned. */
        private static final int RETURNED = 2;

        private final CoreSubscriber<? super Void> actual;
        private final AtomicInteger underWay;
        private Subscription upstream;
        private volatile int state;

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

        /** Marks the release ended; true the first time (its signal goes on then). */
        private boolean end() {
            int s = set(ENDED);
            if ((s & ENDED) != 0) {
                return false;
            }
            if ((s & RETURNED) != 0) {
                underWay.decrementAndGet();
            }
            return true;
        }

        void returned() {
            int s = set(RETURNED);
            if ((s & ENDED) != 0) {
                underWay.decrementAndGet();
            }
        }

        /** Sets {@code bit}, returning the state before. */
        private int set(int bit) {
            for (;;) {
                int s = state;
                if (STATE.compareAndSet(this, s, s | bit)) {
                    return s;
                }
            }
        }
    }
}
