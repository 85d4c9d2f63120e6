package io.retort.error;

/**
 * An error reported by the database or the driver while running a statement, translated from
 * the driver's exception by SQLSTATE and vendor code. Carries the SQL, a summary of the
 * parameters (masked when the engine hides parameters) and the SQLSTATE.
 */
public class DatabaseError extends RetortException {
    private final String sql;
    private final String parameters;
    private final String sqlState;
    private final int vendorCode;

    public DatabaseError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(compose(message, sql, parameters, sqlState), cause);
        this.sql = sql;
        this.parameters = parameters;
        this.sqlState = sqlState;
        this.vendorCode = vendorCode;
    }

    private static String compose(String message, String sql, String parameters, String sqlState) {
        StringBuilder sb = new StringBuilder(message == null ? "database error" : message);
        if (sqlState != null) {
            sb.append(" [SQLSTATE ").append(sqlState).append(']');
        }
        if (sql != null) {
            sb.append("\n[SQL: ").append(sql).append(']');
        }
        if (parameters != null) {
            sb.append("\n[parameters: ").append(parameters).append(']');
        }
        return sb.toString();
    }

    /** The SQL that failed, or null. */
    public String sql() {
        return sql;
    }

    /** The parameter summary (possibly masked or truncated), or null. */
    public String parameters() {
        return parameters;
    }

    /** The SQLSTATE, or null. */
    public String sqlState() {
        return sqlState;
    }

    /** The vendor error code (MySQL/MariaDB error number), or 0. */
    public int vendorCode() {
        return vendorCode;
    }

    /** Whether retrying the whole transaction may succeed (deadlock, serialization failure). */
    public boolean isRetryable() {
        return false;
    }
}
