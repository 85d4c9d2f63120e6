package io.retort.error;

/** An operation was requested in a state that does not allow it. */
public class InvalidRequestError extends RetortException {
    public InvalidRequestError(String message) {
        super(message);
    }

    public InvalidRequestError(String message, Throwable cause) {
        super(message, cause);
    }
}
