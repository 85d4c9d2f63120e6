package io.retort.error;

/** A constraint was violated: unique, foreign key, NOT NULL, CHECK (SQLSTATE class 23). */
public class IntegrityError extends DatabaseError {
    public IntegrityError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
