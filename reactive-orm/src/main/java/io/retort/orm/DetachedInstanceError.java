package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * An operation that needs an object's session was asked of a session that does not hold the
 * object (SQLAlchemy's {@code DetachedInstanceError}, bad-input row B14): it was never added,
 * or its session was closed or expunged it. Retort never loads through a field read, so a
 * detached object's fields simply keep their values; loading more (refresh, fetch, a deferred
 * attribute) is an explicit call on a session that holds the object. The message names the
 * operation; the fix is {@code session.merge(object)} (or {@code add} for a new one) first.
 */
public class DetachedInstanceError extends InvalidRequestError {
    public DetachedInstanceError(String message) {
        super(message);
    }
}
