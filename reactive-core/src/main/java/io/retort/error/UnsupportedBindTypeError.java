package io.retort.error;

/**
 * A bind value's Java class is not one a driver can send as a parameter (a {@code Class}, a
 * {@code Thread}, an {@code Optional}, a collection or map for a scalar, a lambda, a plain
 * {@code Object}; bad-input row B11). Raised before any SQL is sent; the message names the
 * parameter's position and class, never its value.
 */
public class UnsupportedBindTypeError extends ArgumentError {
    public UnsupportedBindTypeError(String message) {
        super(message);
    }
}
