package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.error.DatabaseError;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * Replays a whole transaction that the database rolled back because it lost a deadlock or a
 * serialization check (RELIABILITY F21, F22): the errors whose {@link DatabaseError#isRetryable()}
 * is true, and only those. Use it with Reactor's {@code retryWhen} on a transaction scope, which
 * is cold, so each retry acquires a connection, begins, runs the work and commits again:
 *
 * <pre>{@code
 * engine.inTransaction(c -> transfer(c, from, to, amount)).then()
 *         .retryWhen(TransactionRetry.times(5));
 * sessions.withTransaction(s -> s.get(Account.class, id).doOnNext(a -> a.balance -= 10))
 *         .retryWhen(TransactionRetry.times(5));             // a new session each attempt
 * }</pre>
 *
 * <p>Each retry waits a jittered exponential backoff (from 10 ms, at most 1 s), so the rivals of
 * a deadlock do not collide again in step. When the retries are used up the last error itself
 * goes on (a typed {@code DeadlockError} or {@code SerializationError}, not Reactor's
 * {@code RetryExhaustedException}). Anything else, a unique violation, a lost connection (a
 * COMMIT whose outcome is unknown must not run twice), fails at once.
 *
 * <p>Retry only what produces its result after the commit: a {@code Mono} scope
 * ({@code withTransaction}), or a {@code Flux} scope reduced to one value ({@code then()},
 * {@code collectList()}). Elements a {@code Flux} emitted before the failure would be emitted
 * again. Build ORM objects inside the work: an attempt's session, and the objects it held, end
 * with the attempt.
 */
public final class TransactionRetry {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private TransactionRetry() {
    }

    /** At most {@code maxRetries} replays, with a jittered backoff from 10 ms up to 1 s. */
    public static Retry times(int maxRetries) {
        return times(maxRetries, FIRST_BACKOFF, MAX_BACKOFF);
    }

    /** At most {@code maxRetries} replays, with a jittered exponential backoff between the given bounds. */
    public static Retry times(int maxRetries, Duration firstBackoff, Duration maxBackoff) {
        if (maxRetries < 1) {
            throw new ArgumentError("maxRetries must be at least 1, got " + maxRetries
                    + " (without retries, leave retryWhen out)");
        }
        if (firstBackoff == null || firstBackoff.isNegative() || maxBackoff == null || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new ArgumentError("backoff bounds must satisfy 0 <= firstBackoff <= maxBackoff, got "
                    + firstBackoff + " and " + maxBackoff);
        }
        return Retry.backoff(maxRetries, firstBackoff).maxBackoff(maxBackoff).jitter(0.5)
                .filter(TransactionRetry::isRetryable)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    }

    /** Whether {@code e} says that replaying the whole transaction may succeed (a deadlock, a serialization failure). */
    public static boolean isRetryable(Throwable e) {
        return e instanceof DatabaseError && ((DatabaseError) e).isRetryable();
    }
}
