package io.retort.error;

/**
 * The transaction saw an error (or an inner transaction rolled back) and can no longer commit
 * or run statements: it must be rolled back first (SQLAlchemy 1.4 "inactive transaction").
 * Carries the original failure as its cause.
 */
public class PendingRollbackError extends InvalidRequestError {
    public PendingRollbackError(String message, Throwable cause) {
        super(message, cause);
    }
}
