package io.retort.error;

/** No pooled connection became available within the engine's acquire timeout. */
public class PoolTimeoutError extends TimeoutError {
    public PoolTimeoutError(String message, Throwable cause) {
        super(message, null, null, null, 0, cause);
    }
}
