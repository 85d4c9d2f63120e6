package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * A second operation started on a session while one was still running (two subscribers using
 * one session at once, B15). Sessions are not shareable between concurrent flows; the running
 * operation is unaffected and the identity map stays consistent.
 */
public class ConcurrentSessionUseError extends InvalidRequestError {
    public ConcurrentSessionUseError(String message) {
        super(message);
    }
}
