package io.retort.engine;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A timeout for a pooled checkout, cheap on the path where it does not fire. {@code Mono.timeout}
 * schedules and cancels a task on Reactor's parallel scheduler for every checkout, and on a small
 * machine waking the timer thread twice cost more than the checkout itself (r2dbc-pool's own
 * {@code maxAcquireTime} works that way, which is why the engine does not use it). Here no timer
 * is armed when the value arrives during subscription, and otherwise the deadline goes to the
 * coarse {@link DeadlineTimer}.
 *
 * <p>It also does, in the same single layer, what a checkout needs around the pool's publisher
 * and would otherwise take three operators for, each a subscriber every checkout allocates and
 * every signal passes through: a bounded retry of errors that {@code retryIf} accepts (a failed
 * pre-ping), the typing of other errors, and the wrapping of the value.
 *
 * <p>The source must release a value it produces after being cancelled (r2dbc-pool does: its
 * cancel returns the checked-out connection, including one racing towards the subscriber), so
 * such a value is ignored here; releasing it again would corrupt the pool's accounting. A value
 * that arrived first but that the caller cancelled before taking (a cancel racing the delivery,
 * or one before the caller's first request) is this operator's to give back: the sink would
 * only discard it, and the connection would stay checked out for good.
 */
final class PendingTimeout {
    private static final int WAITING = 0;
    private static final int DONE = 1;

    private PendingTimeout() {
    }

    /**
     * Subscribes {@code source.get()} and waits at most {@code timeout} for its value.
     *
     * @param retries  how many times an error that {@code retryIf} accepts resubscribes a fresh source
     * @param onValue  maps the value; if it throws, it must have released the value itself
     * @param onError  maps a source error that is not retried (not the timeout's own error)
     * @param giveBack returns a value that arrived but that the caller cancelled before taking
     */
    static <T, R> Mono<R> of(Supplier<? extends Mono<T>> source, int retries, Predicate<Throwable> retryIf,
                             Duration timeout, Supplier<? extends Throwable> onTimeout,
                             Function<? super T, ? extends R> onValue, Function<Throwable, ? extends Throwable> onError,
                             Consumer<? super T> giveBack) {
        long nanos = timeout.toNanos();
        return Mono.create(sink -> {
            Waiter<T, R> waiter = new Waiter<>(sink, source, retries, retryIf, onValue, onError, giveBack);
            source.get().subscribe(waiter);
            // Even when served during subscription: the caller may not have taken the value yet
            // (no request so far), and a cancel then must give it back. The sink runs this only
            // if the value was never delivered.
            sink.onCancel(waiter::cancelled);
            if (waiter.state.get() != WAITING) {
                return; // served during subscription: no timer
            }
            Disposable timer = DeadlineTimer.SHARED.schedule(() -> {
                if (waiter.state.compareAndSet(WAITING, DONE)) {
                    waiter.cancelUpstream();
                    sink.error(onTimeout.get());
                }
            }, nanos);
            sink.onDispose(timer);
        });
    }

    /** Subscribes the source with the caller's context and forwards its first signal, once. */
    private static final class Waiter<T, R> implements CoreSubscriber<T> {
        final AtomicInteger state = new AtomicInteger(WAITING);
        private final MonoSink<R> sink;
        private final Supplier<? extends Mono<T>> source;
        private final Predicate<Throwable> retryIf;
        private final Function<? super T, ? extends R> onValue;
        private final Consumer<? super T> giveBack;
        private final Function<Throwable, ? extends Throwable> onError;
        private int retriesLeft;
        private final AtomicReference<Subscription> upstream = new AtomicReference<>();
        /** The caller's context, built once: operators upstream ask for it on every signal. */
        private final Context context;
        /** The value whose arrival won the race, until the caller takes it or it is given back. */
        private volatile T taken;
        /** The caller cancelled without taking a value (the sink's onCancel ran). */
        private volatile boolean callerGone;
        private final AtomicBoolean givenBack = new AtomicBoolean();

        Waiter(MonoSink<R> sink, Supplier<? extends Mono<T>> source, int retries, Predicate<Throwable> retryIf,
               Function<? super T, ? extends R> onValue, Function<Throwable, ? extends Throwable> onError,
               Consumer<? super T> giveBack) {
            this.giveBack = giveBack;
            this.sink = sink;
            this.source = source;
            this.retriesLeft = retries;
            this.retryIf = retryIf;
            this.onValue = onValue;
            this.onError = onError;
            this.context = Context.of(sink.contextView());
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (upstream.compareAndSet(null, s)) {
                s.request(Long.MAX_VALUE);
            } else {
                s.cancel(); // already cancelled (CANCELLED marker) or a second subscription
            }
        }

        @Override
        public void onNext(T value) {
            if (state.compareAndSet(WAITING, DONE)) {
                // Written before callerGone is read, as cancelled() writes callerGone before it
                // reads this: whichever runs second sees the other, so the value is given back.
                taken = value;
                if (callerGone) {
                    giveBack();
                    return;
                }
                R mapped;
                try {
                    mapped = onValue.apply(value);
                } catch (RuntimeException e) {
                    sink.error(e);
                    return;
                }
                sink.success(mapped);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (state.get() == WAITING && retriesLeft > 0 && retryIf.test(error)) {
                retriesLeft--;
                Subscription done = upstream.get();
                // A cancel (or the timer) won the race: the CANCELLED marker stays, nothing is resubscribed.
                if (done != CANCELLED && upstream.compareAndSet(done, null)) {
                    source.get().subscribe(this);
                    return;
                }
            }
            if (state.compareAndSet(WAITING, DONE)) {
                Throwable mapped;
                try {
                    mapped = onError.apply(error);
                } catch (RuntimeException e) {
                    e.addSuppressed(error);
                    mapped = e;
                }
                sink.error(mapped);
            }
        }

        @Override
        public void onComplete() {
            if (state.compareAndSet(WAITING, DONE)) {
                sink.success();
            }
        }

        /**
         * The caller cancelled before it took a value. Waiting: stop the checkout (the pool then
         * keeps what it had). Otherwise a value has arrived that the sink will never deliver,
         * since the sink runs this only for an undelivered value: return it to the pool.
         */
        void cancelled() {
            if (state.compareAndSet(WAITING, DONE)) {
                cancelUpstream();
                return;
            }
            callerGone = true;
            if (taken != null) {
                giveBack();
            }
        }

        private void giveBack() {
            if (givenBack.compareAndSet(false, true)) {
                giveBack.accept(taken);
            }
        }

        void cancelUpstream() {
            Subscription s = upstream.getAndSet(CANCELLED);
            if (s != null && s != CANCELLED) {
                s.cancel();
            }
        }
    }

    /** Reactor's own "cancelled" sentinel: an upstream set to it is never cancelled twice. */
    private static final Subscription CANCELLED = reactor.core.publisher.Operators.cancelledSubscription();
}
