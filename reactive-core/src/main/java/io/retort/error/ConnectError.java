package io.retort.error;

/**
 * A new connection could not be opened: nothing listens at the address, the host is unknown,
 * the server hung up or stayed silent during the handshake, or it refused the login
 * ({@link AuthenticationError}). The message names the server ({@code host:port/database}) and
 * the cause, never the password. Raised by the first statement that needs the connection.
 */
public class ConnectError extends OperationalError {
    public ConnectError(String message, String sqlState, int vendorCode, Throwable cause) {
        super(message, null, null, sqlState, vendorCode, cause);
    }
}
