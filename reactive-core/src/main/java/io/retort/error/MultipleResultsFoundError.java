package io.retort.error;

/** {@code one()} or {@code oneOrNone()} found more than one row. */
public class MultipleResultsFoundError extends InvalidRequestError {
    public MultipleResultsFoundError(String message) {
        super(message);
    }
}
