package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's checkout: signals pass through, a missing value times out, cancel reaches the
 * source, accepted errors resubscribe a fresh source a bounded number of times, and the value
 * and the other errors are mapped.
 */
class PendingTimeoutTest {
    private static final Duration SHORT = Duration.ofMillis(100);

    private static <T> Mono<T> guarded(Mono<T> source) {
        return PendingTimeout.of(() -> source, 0, e -> false, SHORT, () -> new TimeoutException("no value within " + SHORT),
                Function.identity(), Function.identity(), v -> { });
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

    /** Fails with "stale" until the {@code succeedOn}th subscription, which emits "conn". */
    private static Supplier<Mono<String>> failingUntil(int succeedOn, AtomicInteger attempts) {
        return () -> Mono.defer(() -> attempts.incrementAndGet() < succeedOn
                ? Mono.error(new IllegalStateException("stale"))
                : Mono.just("conn"));
    }

    private static Mono<String> checkout(Supplier<Mono<String>> source, int retries) {
        return PendingTimeout.of(source, retries, e -> "stale".equals(e.getMessage()), SHORT,
                () -> new TimeoutException("no value within " + SHORT),
                v -> v.toUpperCase(java.util.Locale.ROOT), e -> new IllegalArgumentException("typed: " + e.getMessage(), e),
                v -> { });
    }

    @Test
    void acceptedErrorsResubscribeAFreshSourceAndTheValueIsMapped() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(checkout(failingUntil(3, attempts), 5)).expectNext("CONN").verifyComplete();
        assertThat(attempts).hasValue(3);
    }

    @Test
    void retriesAreBoundedAndTheLastErrorIsMapped() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(checkout(failingUntil(10, attempts), 2))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("typed: stale"))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(3); // the first try and two retries
    }

    @Test
    void otherErrorsAreMappedWithoutRetry() {
        AtomicInteger attempts = new AtomicInteger();
        Supplier<Mono<String>> refused = () -> Mono.defer(() -> {
            attempts.incrementAndGet();
            return Mono.error(new IllegalStateException("refused"));
        });
        StepVerifier.create(checkout(refused, 5))
                .expectErrorSatisfies(e -> assertThat(e).hasMessage("typed: refused").hasCauseInstanceOf(IllegalStateException.class))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aRetryAfterALateValueWaitsForTheFreshSource() {
        AtomicInteger attempts = new AtomicInteger();
        Supplier<Mono<String>> slowThenStale = () -> Mono.defer(() -> attempts.incrementAndGet() == 1
                ? Mono.<String>error(new IllegalStateException("stale")).delaySubscription(Duration.ofMillis(10))
                : Mono.just("conn").delayElement(Duration.ofMillis(10)));
        StepVerifier.create(checkout(slowThenStale, 1)).expectNext("CONN").verifyComplete();
        assertThat(attempts).hasValue(2);
    }

    @Test
    void aValueMapperThatThrowsFailsTheCheckoutWithItsError() {
        Mono<String> m = PendingTimeout.of(() -> Mono.just("conn"), 0, e -> false, SHORT,
                () -> new TimeoutException("late"), v -> {
                    throw new IllegalStateException("cannot wrap " + v);
                }, e -> e, v -> { });
        StepVerifier.create(m).expectErrorMessage("cannot wrap conn").verify(Duration.ofSeconds(5));
    }

    // ----------------------------------------------------- a checkout cancelled before it is taken

    /** A real r2dbc-pool over in-memory H2, the pool the engine checks out of. */
    private static io.r2dbc.pool.ConnectionPool pool() {
        io.r2dbc.spi.ConnectionFactory h2 = io.r2dbc.spi.ConnectionFactories.get(
                "r2dbc:h2:mem:///pending_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        return new io.r2dbc.pool.ConnectionPool(io.r2dbc.pool.ConnectionPoolConfiguration.builder(h2)
                .initialSize(0).maxSize(2).build());
    }

    private static Mono<io.r2dbc.spi.Connection> checkoutOf(io.r2dbc.pool.ConnectionPool pool) {
        return PendingTimeout.of(() -> Mono.from(pool.create()), 0, e -> false, Duration.ofSeconds(5),
                () -> new TimeoutException("late"), Function.identity(), Function.identity(),
                raw -> Mono.from(raw.close()).subscribe());
    }

    private static int acquired(io.r2dbc.pool.ConnectionPool pool) {
        return pool.getMetrics().orElseThrow().acquiredSize();
    }

    private static void awaitAcquired(io.r2dbc.pool.ConnectionPool pool, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (acquired(pool) != n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(acquired(pool)).as("checked out").isEqualTo(n);
        try {
            Thread.sleep(20); // the hand-over completes on the pool's thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The pool hands the connection over while the caller has not asked for it yet: the sink
     * holds it, and a cancel then would only discard it. It must go back to the pool (it stayed
     * checked out for good before, found as a rare leak by the TCK's cancellation race).
     */
    @Test
    void aConnectionTheCallerCancelsBeforeTakingGoesBackToThePool() {
        io.r2dbc.pool.ConnectionPool pool = pool();
        try {
            StepVerifier.create(checkoutOf(pool), 0)
                    .then(() -> awaitAcquired(pool, 1)) // the pool has handed it over; the caller asked for nothing
                    .thenCancel()
                    .verify(Duration.ofSeconds(5));
            assertThat(acquired(pool)).as("given back on cancel").isZero();

            // Taken, the connection is the caller's to close: the cancel hook gives nothing back.
            io.r2dbc.spi.Connection taken = checkoutOf(pool).block(Duration.ofSeconds(5));
            assertThat(acquired(pool)).isEqualTo(1);
            Mono.from(taken.close()).block(Duration.ofSeconds(5));
            assertThat(acquired(pool)).isZero();
        } finally {
            pool.dispose();
        }
    }
}
