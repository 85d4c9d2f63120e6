package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * A bulk UPDATE or DELETE with {@link SynchronizeSession#EVALUATE} whose WHERE criteria cannot be
 * decided in Java for the session's objects (a column of another table, a relationship predicate,
 * a subquery, a SQL function). Raised before any statement is sent; the message names the
 * criterion and says to use {@link SynchronizeSession#FETCH} (or {@code NONE}).
 */
public final class UnevaluableCriteriaError extends InvalidRequestError {
    private static final long serialVersionUID = 1L;

    UnevaluableCriteriaError(String message) {
        super(message);
    }
}
