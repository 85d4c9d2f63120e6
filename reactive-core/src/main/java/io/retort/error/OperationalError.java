package io.retort.error;

/** The database could not run the statement for a reason outside the SQL: lost connection, timeout, deadlock, cancellation. */
public class OperationalError extends DatabaseError {
    public OperationalError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
