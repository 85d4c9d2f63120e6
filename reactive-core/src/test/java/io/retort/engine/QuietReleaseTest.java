package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's return: counted while under way, ended once however it ends, and never failing. */
class QuietReleaseTest {

    @Test
    void completionIsCountedWhileUnderWay() {
        AtomicInteger underWay = new AtomicInteger();
        AtomicInteger seenDuring = new AtomicInteger(-1);
        Mono<Void> release = Mono.fromRunnable(() -> seenDuring.set(underWay.get()));
        StepVerifier.create(new QuietRelease(release, underWay)).verifyComplete();
        assertThat(seenDuring).hasValue(1);
        assertThat(underWay).hasValue(0);
    }

    /**
     * reactor-pool signals a release's completion first and then, still on the same thread,
     * recycles the connection and drains waiters. A pool disposed in between (the engine's
     * dispose, woken by the count reaching zero) destroys the connection twice: "Too many permits
     * returned". So a completion delivered during subscribe counts until subscribe has returned.
     */
    @Test
    void aCompletionSignalledDuringSubscribeCountsUntilTheSourceReturns() {
        AtomicInteger underWay = new AtomicInteger();
        AtomicInteger seenAfterSignal = new AtomicInteger(-1);
        Mono<Void> poolLike = new Mono<>() {
            @Override
            public void subscribe(reactor.core.CoreSubscriber<? super Void> s) {
                s.onSubscribe(reactor.core.publisher.Operators.emptySubscription());
                s.onComplete();
                // the pool's work after the signal: the release must still be under way here
                seenAfterSignal.set(underWay.get());
            }
        };
        StepVerifier.create(new QuietRelease(poolLike, underWay)).verifyComplete();
        assertThat(seenAfterSignal).as("count while the source still runs after its signal").hasValue(1);
        assertThat(underWay).hasValue(0);
    }

    @Test
    void aCompletionFromAnotherThreadEndsTheCountWhenItArrives() {
        AtomicInteger underWay = new AtomicInteger();
        reactor.core.publisher.Sinks.Empty<Void> later = reactor.core.publisher.Sinks.empty();
        StepVerifier.create(new QuietRelease(later.asMono(), underWay))
                .then(() -> assertThat(underWay).hasValue(1))
                .then(() -> new Thread(later::tryEmitEmpty).start())
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(underWay).hasValue(0);
    }

    @Test
    void anErrorCompletesQuietly() {
        AtomicInteger underWay = new AtomicInteger();
        StepVerifier.create(new QuietRelease(Mono.error(new IllegalStateException("close failed")), underWay))
                .verifyComplete();
        assertThat(underWay).hasValue(0);
    }

    @Test
    void aCancelReachesTheReleaseAndEndsTheCount() {
        AtomicInteger underWay = new AtomicInteger();
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.create(new QuietRelease(Mono.<Void>never().doOnCancel(() -> cancelled.set(true)), underWay))
                .thenAwait(Duration.ofMillis(10))
                .then(() -> assertThat(underWay).hasValue(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
        assertThat(underWay).hasValue(0);
    }

    @Test
    void eachSubscriptionIsCountedOnce() {
        AtomicInteger underWay = new AtomicInteger();
        Mono<Void> release = new QuietRelease(Mono.empty(), underWay);
        StepVerifier.create(release.then(release).then(release)).verifyComplete();
        assertThat(underWay).hasValue(0);
    }
}
