package io.retort.engine;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A deadline for a {@code Mono<Void>} that almost always ends in time (a COMMIT): on the
 * coarse {@link DeadlineTimer}, like {@link PendingTimeout}, so no thread is woken per call
 * ({@code Mono.timeout} schedules and cancels a task on Reactor's parallel scheduler each
 * time). When the deadline passes first, the source is cancelled (its cancel hook runs, e.g.
 * invalidating the connection) and {@code onTimeout}'s error is signalled instead.
 */
final class Deadline {
    private Deadline() {
    }

    static Mono<Void> within(Mono<Void> source, Duration limit, Supplier<? extends Throwable> onTimeout) {
        long nanos = limit.toNanos();
        return Mono.create(sink -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Subscription> upstream = new AtomicReference<>();
            source.subscribe(new CoreSubscriber<Void>() {
                private final Context context = Context.of(sink.contextView());

                @Override
                public Context currentContext() {
                    return context;
                }

                @Override
                public void onSubscribe(Subscription s) {
                    if (upstream.compareAndSet(null, s)) {
                        s.request(Long.MAX_VALUE);
                    } else {
                        s.cancel(); // cancelled before it subscribed
                    }
                }

                @Override
                public void onNext(Void v) {
                    // a Mono<Void> emits no value
                }

                @Override
                public void onError(Throwable e) {
                    if (done.compareAndSet(false, true)) {
                        sink.error(e);
                    }
                }

                @Override
                public void onComplete() {
                    if (done.compareAndSet(false, true)) {
                        sink.success();
                    }
                }
            });
            if (done.get()) {
                return; // ended during subscription: no timer
            }
            Disposable timer = DeadlineTimer.SHARED.schedule(() -> {
                if (done.compareAndSet(false, true)) {
                    cancel(upstream);
                    sink.error(onTimeout.get());
                }
            }, nanos);
            sink.onDispose(() -> {
                timer.dispose();
                if (done.compareAndSet(false, true)) {
                    cancel(upstream); // the caller cancelled
                }
            });
        });
    }

    private static void cancel(AtomicReference<Subscription> upstream) {
        Subscription s = upstream.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED) {
            s.cancel();
        }
    }

    /** Reactor's own "cancelled" sentinel: an upstream set to it is never cancelled twice. */
    private static final Subscription CANCELLED = reactor.core.publisher.Operators.cancelledSubscription();
}
