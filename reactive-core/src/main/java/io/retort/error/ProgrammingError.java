package io.retort.error;

/** The SQL is wrong for the database: syntax error, unknown table or column, bad privileges (class 42). */
public class ProgrammingError extends DatabaseError {
    public ProgrammingError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }
}
