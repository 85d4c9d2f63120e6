package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * An UPDATE or DELETE of the unit of work matched a different number of rows than expected: the
 * row was changed or deleted by another transaction (or its version counter moved, O10). The
 * session then needs a rollback.
 */
public class StaleDataError extends InvalidRequestError {
    public StaleDataError(String message) {
        super(message);
    }
}
