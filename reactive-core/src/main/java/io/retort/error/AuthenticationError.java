package io.retort.error;

/**
 * The server rejected the credentials (PostgreSQL 28P01/28000, MySQL/MariaDB 1045, H2 28000).
 * Not retried: repeating a wrong password only risks locking the account or host.
 */
public class AuthenticationError extends ConnectError {
    public AuthenticationError(String message, String sqlState, int vendorCode, Throwable cause) {
        super(message, sqlState, vendorCode, cause);
    }
}
