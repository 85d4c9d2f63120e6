package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's checkout timeout: signals pass through, a missing value times out, cancel reaches the source. */
class PendingTimeoutTest {
    private static final Duration SHORT = Duration.ofMillis(100);

    private static <T> Mono<T> guarded(Mono<T> source) {
        return PendingTimeout.of(source, SHORT, () -> new TimeoutException("no value within " + SHORT));
    }

    @Test
    void valuesErrorsAndEmptinessPassThrough() {
        StepVerifier.create(guarded(Mono.just("now"))).expectNext("now").verifyComplete();
        StepVerifier.create(guarded(Mono.just("later").delayElement(Duration.ofMillis(10))))
                .expectNext("later").verifyComplete();
        StepVerifier.create(guarded(Mono.error(new IllegalStateException("boom"))))
                .expectErrorMessage("boom").verify(Duration.ofSeconds(5));
        StepVerifier.create(guarded(Mono.empty())).verifyComplete();
    }

    @Test
    void aValueThatNeverComesTimesOutAndTheUpstreamIsCancelled() {
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.create(guarded(Mono.never().doOnCancel(() -> cancelled.set(true))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TimeoutException.class).hasMessageContaining("no value"))
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
    }

    @Test
    void cancellingWhileWaitingCancelsTheSource() {
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.create(guarded(Mono.never().doOnCancel(() -> cancelled.set(true))))
                .thenCancel().verify(Duration.ofSeconds(5));
        assertThat(cancelled).isTrue();
    }
}
