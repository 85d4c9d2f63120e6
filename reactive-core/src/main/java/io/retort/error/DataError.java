package io.retort.error;

/** A value is wrong for its type: out of range, invalid text representation, division by zero (class 22). */
public class DataError extends DatabaseError {
    public DataError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
