package io.retort.error;

/** {@code one()} found no row. */
public class NoResultFoundError extends InvalidRequestError {
    public NoResultFoundError(String message) {
        super(message);
    }
}
