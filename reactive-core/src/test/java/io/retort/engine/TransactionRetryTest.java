package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.error.ConnectionLostError;
import io.retort.error.DeadlockError;
import io.retort.error.IntegrityError;
import io.retort.error.SerializationError;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which failures replay a transaction, how often, and what comes out when the retries are used up. */
class TransactionRetryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TINY = Duration.ofMillis(1);

    /** A "transaction" that fails with {@code failures[i]} on its i-th run, then succeeds. */
    private static Mono<String> attempts(AtomicInteger runs, RuntimeException... failures) {
        return Mono.defer(() -> {
            int i = runs.getAndIncrement();
            return i < failures.length ? Mono.error(failures[i]) : Mono.just("committed");
        });
    }

    private static DeadlockError deadlock() {
        return new DeadlockError("deadlock detected", "UPDATE account", null, "40P01", 0, null);
    }

    @Test
    void deadlocksAndSerializationFailuresReplayTheWholeWork() {
        AtomicInteger runs = new AtomicInteger();
        StepVerifier.create(attempts(runs, deadlock(), new SerializationError("could not serialize", null, null, "40001", 0, null))
                        .retryWhen(TransactionRetry.times(5, TINY, TINY)))
                .expectNext("committed").expectComplete().verify(WAIT);
        assertThat(runs).hasValue(3);
    }

    @Test
    void whenTheRetriesAreUsedUpTheLastTypedErrorGoesOn() {
        AtomicInteger runs = new AtomicInteger();
        DeadlockError last = deadlock();
        StepVerifier.create(attempts(runs, deadlock(), deadlock(), last).retryWhen(TransactionRetry.times(2, TINY, TINY)))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(last))
                .verify(WAIT);
        assertThat(runs).as("the first run and two replays").hasValue(3);
    }

    @Test
    void otherErrorsFailAtOnce() {
        for (RuntimeException e : new RuntimeException[] {
                new IntegrityError("duplicate key", null, null, "23505", 0, null),
                // A COMMIT cut short has an unknown outcome: never run twice.
                new ConnectionLostError("connection lost during COMMIT", null, null, "08006", 0, null),
                new IllegalStateException("a bug")}) {
            AtomicInteger runs = new AtomicInteger();
            StepVerifier.create(attempts(runs, e).retryWhen(TransactionRetry.times(5, TINY, TINY)))
                    .expectErrorSatisfies(x -> assertThat(x).isSameAs(e)).verify(WAIT);
            assertThat(runs).as("runs for %s", e.getClass().getSimpleName()).hasValue(1);
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> TransactionRetry.times(0)).isInstanceOf(ArgumentError.class).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> TransactionRetry.times(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("backoff");
    }
}
