package io.retort.error;

/** A statement ran past its timeout (PostgreSQL 57014 statement timeout, MariaDB 1969, MySQL 3024) or a timed wait expired. */
public class TimeoutError extends OperationalError {
    public TimeoutError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
