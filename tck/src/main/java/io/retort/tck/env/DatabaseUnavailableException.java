package io.retort.tck.env;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a test needs a database that is not there and that may not be skipped: under
 * {@code retort.it.required=true} (CI), or when a setting is malformed. The message names the
 * backend, where the harness looked (host and port, or the setting) and the cause.
 */
public final class DatabaseUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the backend, address and cause. */
    public DatabaseUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
