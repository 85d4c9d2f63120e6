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
