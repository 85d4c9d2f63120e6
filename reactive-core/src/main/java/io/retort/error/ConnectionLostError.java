package io.retort.error;

/** The connection broke (SQLSTATE class 08, PostgreSQL 57P01, MySQL 2006/2013); the connection is discarded. */
public class ConnectionLostError extends OperationalError {
    public ConnectionLostError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
