package io.retort.error;

/** The database broke a deadlock by rolling back this transaction (PostgreSQL 40P01, MySQL/MariaDB 1213); retry the whole transaction. */
public class DeadlockError extends OperationalError {
    public DeadlockError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
