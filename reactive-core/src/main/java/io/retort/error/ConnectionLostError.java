package io.retort.error;

/**
 * The connection broke (SQLSTATE class 08, PostgreSQL 57P01, MySQL 2006/2013, or a socket the
 * server or network closed under the driver); the connection is discarded.
 *
 * <p>Every ConnectionLostError carries a SQLSTATE. Some drivers report a closed socket with none:
 * r2dbc-mysql's {@code MySqlConnectionClosedException} never has one, and r2dbc-mariadb has none
 * when it refuses to send on a connection it already knows is closed (after a {@code KILL} from
 * another session, say). Retort then reports {@value #SYNTHESISED_SQLSTATE} ("connection failure",
 * what r2dbc-postgresql reports for the same event), so code can test the SQLSTATE class alike
 * on every backend; {@link #sqlStateSynthesised()} tells that the driver gave none.
 */
public class ConnectionLostError extends OperationalError {
    /** The SQLSTATE Retort reports when the driver gave none: 08006, connection failure. */
    public static final String SYNTHESISED_SQLSTATE = "08006";

    private final boolean sqlStateSynthesised;

    /** A lost connection whose SQLSTATE (possibly null) is the driver's own. */
    public ConnectionLostError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause) {
        this(message, sql, parameters, sqlState, vendorCode, cause, false);
    }

    /**
     * A lost connection.
     *
     * @param sqlStateSynthesised true when the driver gave no SQLSTATE and {@code sqlState} is
     *                            Retort's {@value #SYNTHESISED_SQLSTATE}
     */
    public ConnectionLostError(String message, String sql, String parameters, String sqlState, int vendorCode, Throwable cause,
                               boolean sqlStateSynthesised) {
        super(message, sql, parameters, sqlState, vendorCode, cause);
        this.sqlStateSynthesised = sqlStateSynthesised;
    }

    /**
     * Whether {@link #sqlState()} is Retort's {@value #SYNTHESISED_SQLSTATE} because the driver
     * reported the closed connection without a SQLSTATE.
     */
    public boolean sqlStateSynthesised() {
        return sqlStateSynthesised;
    }
}
