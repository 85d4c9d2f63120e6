package io.retort.error;

/**
 * Root of every exception Retort raises, so callers can catch the library's errors in one place.
 */
public class RetortException extends RuntimeException {
    public RetortException(String message) {
        super(message);
    }

    public RetortException(String message, Throwable cause) {
        super(message, cause);
    }
}
