package io.retort.engine;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A timeout for a pooled checkout, cheap on the path where it does not fire. {@code Mono.timeout}
 * schedules and cancels a task on Reactor's parallel scheduler for every checkout, and on a small
 * machine waking the timer thread twice cost more than the checkout itself (r2dbc-pool's own
 * {@code maxAcquireTime} works that way, which is why the engine does not use it). Here no timer
 * is armed when the value arrives during subscription, and otherwise the deadline goes to the
 * coarse {@link DeadlineTimer}.
 *
 * <p>The source must release a value it produces after being cancelled (r2dbc-pool does: its
 * cancel returns the checked-out connection, including one racing towards the subscriber), so
 * such a value is ignored here; releasing it again would corrupt the pool's accounting.
 */
final class PendingTimeout {
    private static final int WAITING = 0;
    private static final int DONE = 1;

    private PendingTimeout() {
    }

    static <T> Mono<T> of(Mono<T> source, Duration timeout, Supplier<? extends Throwable> onTimeout) {
        long nanos = timeout.toNanos();
        return Mono.create(sink -> {
            Waiter<T> waiter = new Waiter<>(sink);
            source.subscribe(waiter);
            if (waiter.state.get() != WAITING) {
                return; // served during subscription: no timer, no cancel hook needed
            }
            Disposable timer = DeadlineTimer.SHARED.schedule(() -> {
                if (waiter.state.compareAndSet(WAITING, DONE)) {
                    waiter.cancelUpstream();
                    sink.error(onTimeout.get());
                }
            }, nanos);
            sink.onDispose(timer);
            sink.onCancel(() -> {
                if (waiter.state.compareAndSet(WAITING, DONE)) {
                    waiter.cancelUpstream();
                }
            });
        });
    }

    /** Subscribes the source with the caller's context and forwards its first signal, once. */
    private static final class Waiter<T> implements CoreSubscriber<T> {
        final AtomicInteger state = new AtomicInteger(WAITING);
        private final MonoSink<T> sink;
        private final AtomicReference<Subscription> upstream = new AtomicReference<>();
        /** The caller's context, built once: operators upstream ask for it on every signal. */
        private final Context context;

        Waiter(MonoSink<T> sink) {
            this.sink = sink;
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
                sink.success(value);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (state.compareAndSet(WAITING, DONE)) {
                sink.error(error);
            }
        }

        @Override
        public void onComplete() {
            if (state.compareAndSet(WAITING, DONE)) {
                sink.success();
            }
        }

        void cancelUpstream() {
            Subscription s = upstream.getAndSet(CANCELLED);
            if (s != null && s != CANCELLED) {
                s.cancel();
            }
        }
    }

    private static final Subscription CANCELLED = new Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };
}
