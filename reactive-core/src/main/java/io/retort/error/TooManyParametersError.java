package io.retort.error;


/**
 * A statement would carry more bind parameters than its dialect allows (bad-input row B10):
 * raised before anything is sent, never a protocol error from the server.
 */
public class TooManyParametersError extends ArgumentError {
    public TooManyParametersError(String message) {
        super(message);
    }
}
