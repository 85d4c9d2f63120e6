package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * A relationship collection that was not loaded was touched. Retort never loads behind a
 * getter (no hidden I/O): the message names the loader option that would have loaded it, or
 * {@code session.fetch(entity, attribute)} to load it explicitly.
 */
public class UnloadedAttributeException extends InvalidRequestError {
    public UnloadedAttributeException(String message) {
        super(message);
    }
}
