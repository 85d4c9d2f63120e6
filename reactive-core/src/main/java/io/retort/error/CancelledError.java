package io.retort.error;

/** The statement was cancelled by request (PostgreSQL 57014 user request, MySQL/MariaDB 1317). */
public class CancelledError extends OperationalError {
    public CancelledError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
