package io.retort.error;

/** A serializable transaction could not be serialized (SQLSTATE 40001); retry the whole transaction. */
public class SerializationError extends OperationalError {
    public SerializationError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
