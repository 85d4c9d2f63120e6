package io.retort.error;

/**
 * A construct that can never be valid was requested (a SELECT used as a FROM, an empty
 * identifier, a bind value of an unsupported type). Raised at construction time, before any
 * SQL is compiled or sent; the message says what to do instead.
 */
public class ArgumentError extends RetortException {
    public ArgumentError(String message) {
        super(message);
    }
}
