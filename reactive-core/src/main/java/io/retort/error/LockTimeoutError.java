package io.retort.error;

/** A lock could not be acquired in time (PostgreSQL 55P03, MySQL/MariaDB 1205). On MariaDB only the statement was rolled back: the transaction must still be rolled back. */
public class LockTimeoutError extends TimeoutError {
    public LockTimeoutError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
