package io.retort.engine;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.retort.error.CancelledError;
import io.retort.error.ConnectionLostError;
import io.retort.error.DataError;
import io.retort.error.DatabaseError;
import io.retort.error.DeadlockError;
import io.retort.error.IntegrityError;
import io.retort.error.LockTimeoutError;
import io.retort.error.OperationalError;
import io.retort.error.ProgrammingError;
import io.retort.error.RetortException;
import io.retort.error.SerializationError;
import io.retort.error.TimeoutError;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Turns driver exceptions into Retort's typed errors by SQLSTATE and vendor code, not by the
 * driver's exception class: drivers disagree (r2dbc-postgresql reports a statement timeout as a
 * non-transient resource error, RELIABILITY A4), SQLSTATEs and MySQL error numbers do not.
 */
final class ErrorTranslator {
    private ErrorTranslator() {
    }

    static RetortException translate(Throwable t, String sql, String params) {
        return translate(t, sql, params, false, Redaction.none());
    }

    /**
     * Translates {@code t}.
     *
     * @param timeoutActive whether the connection had a statement timeout set, which tells an
     *                      ambiguous cancel (H2's "canceled or the session timed out") apart
     * @param redaction     secrets to remove from the driver's message and cause chain (hidden
     *                      bind values, the password)
     */
    static RetortException translate(Throwable original, String sql, String params, boolean timeoutActive,
                                     Redaction redaction) {
        if (original instanceof RetortException) {
            return (RetortException) original;
        }
        String state = null;
        int code = 0;
        String message = redaction.apply(original.getMessage() == null ? original.getClass().getSimpleName()
                : original.getMessage());
        Throwable t = redaction.sanitize(original);
        if (original instanceof R2dbcException) {
            R2dbcException r = (R2dbcException) original;
            state = r.getSqlState();
            code = r.getErrorCode();
            if (sql == null) {
                // A text-protocol driver may report the SQL with the values inlined.
                sql = redaction.apply(r.getSql());
            }
        }
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        // Vendor codes first: MySQL/MariaDB SQLSTATEs are coarse (HY000 covers many errors).
        switch (code) {
            case 1062: case 1451: case 1452: case 1048: case 1364: case 4025: case 3819:
                return new IntegrityError(message, sql, params, state, code, t);
            case 1213:
                return new DeadlockError(message, sql, params, state, code, t);
            case 1205:
                return new LockTimeoutError(message, sql, params, state, code, t);
            case 1969: case 3024:
                return new TimeoutError(message, sql, params, state, code, t);
            case 1317:
                return new CancelledError(message, sql, params, state, code, t);
            case 50200: // H2 LOCK_TIMEOUT_1 (SQLSTATE HYT00); no MySQL error has this number
                return new LockTimeoutError(message, sql, params, state, code, t);
            case 2006: case 2013: case 1927: case 4031: case 1053:
                return lost(message, sql, params, state, code, t);
            case 1064: case 1146: case 1054: case 1049: case 1142: case 1044: case 1045:
                return new ProgrammingError(message, sql, params, state, code, t);
            case 1264: case 1265: case 1366: case 1292: case 1406: case 1365:
                return new DataError(message, sql, params, state, code, t);
            default:
                break;
        }
        if (state != null && state.length() >= 2) {
            String cls = state.substring(0, 2);
            if (state.equals("40P01")) {
                return new DeadlockError(message, sql, params, state, code, t);
            }
            if (state.equals("40001")) {
                // H2 reports a deadlock as 40001 "Deadlock detected"; PostgreSQL's 40001 is a serialization failure.
                return lower.contains("deadlock") ? new DeadlockError(message, sql, params, state, code, t)
                        : new SerializationError(message, sql, params, state, code, t);
            }
            if (state.equals("55P03")) {
                return new LockTimeoutError(message, sql, params, state, code, t);
            }
            if (state.equals("HYT00") && (lower.contains("lock") || lower.contains("busy"))) {
                // SQLite's SQLITE_BUSY/SQLITE_LOCKED (the bridge maps them to HYT00): its one writer
                // at a time held the lock past the busy timeout, a lock wait like MySQL's 1205.
                return new LockTimeoutError(message, sql, params, state, code, t);
            }
            if (state.equals("57014") || state.equals("70100")) {
                // PostgreSQL says "due to statement timeout" or "due to user request"; MariaDB's
                // 1969/1317 are matched above; H2 says "canceled or the session timed out" for
                // both, so the connection's own statement timeout decides.
                boolean timeout = !lower.contains("user request") && (lower.contains("timeout")
                        || lower.contains("max_statement_time") || (timeoutActive && lower.contains("timed out")));
                return timeout ? new TimeoutError(message, sql, params, state, code, t)
                        : new CancelledError(message, sql, params, state, code, t);
            }
            if (state.startsWith("57P") || cls.equals("08") || state.equals("25P03")) {
                return new ConnectionLostError(message, sql, params, state, code, t);
            }
            switch (cls) {
                case "23": return new IntegrityError(message, sql, params, state, code, t);
                case "22": return new DataError(message, sql, params, state, code, t);
                case "42": case "3F": case "0A": return new ProgrammingError(message, sql, params, state, code, t);
                case "40": return new OperationalError(message, sql, params, state, code, t);
                case "53": case "54": case "55": case "57": case "58": case "HY": case "XX": case "25":
                    return new OperationalError(message, sql, params, state, code, t);
                default: break;
            }
        }
        if (isProtocolFailure(original)) {
            // The driver could not make sense of the server's bytes (F17): whatever it read next
            // would be out of step, so the connection must be closed, never pooled again.
            return lost("The driver failed to decode the server's response (a protocol error or"
                    + " corrupted data); the connection is unusable: " + message, sql, params, state, code, t);
        }
        if (original instanceof R2dbcTimeoutException || original instanceof java.util.concurrent.TimeoutException) {
            return new TimeoutError(message, sql, params, state, code, t);
        }
        if (original instanceof R2dbcNonTransientResourceException || original instanceof R2dbcTransientResourceException
                || original instanceof IOException || original instanceof ClosedChannelException
                || isConnectionClosed(original)) {
            return lost(message, sql, params, state, code, t);
        }
        if (original instanceof R2dbcException) {
            return new DatabaseError(message, sql, params, state, code, t);
        }
        if (original instanceof IllegalArgumentException || original instanceof IllegalStateException
                || original instanceof UnsupportedOperationException || original instanceof ClassCastException) {
            return new io.retort.error.InvalidRequestError(message + (sql == null ? "" : "\n[SQL: " + sql + "]"), t);
        }
        return new DatabaseError(message, sql, params, state, code, t);
    }

    /**
     * A ConnectionLostError; with SQLSTATE 08006 (flagged as synthesised) when the driver gave
     * none, as r2dbc-mysql never does for a closed socket and r2dbc-mariadb does not once it
     * knows its socket is closed, so every backend reports a lost connection in class 08.
     */
    private static ConnectionLostError lost(String message, String sql, String params, String state, int code, Throwable t) {
        if (state == null || state.isEmpty()) {
            return new ConnectionLostError(message, sql, params, ConnectionLostError.SYNTHESISED_SQLSTATE, code, t, true);
        }
        return new ConnectionLostError(message, sql, params, state, code, t);
    }

    /**
     * Whether {@code t} is a driver failing to decode what the server sent rather than a typed
     * database error: an index or buffer overrun (r2dbc-mariadb reading a value length past its
     * packet), or Netty's decoder and reference-count errors. Our own row reading raises none of
     * these (a bad conversion is an IllegalArgumentException or ClassCastException).
     */
    static boolean isProtocolFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof R2dbcException) {
                return false; // the driver typed it; its SQLSTATE decides
            }
            if (c instanceof IndexOutOfBoundsException || c instanceof java.nio.BufferUnderflowException
                    || c instanceof NegativeArraySizeException) {
                return true;
            }
            String n = c.getClass().getName();
            if (n.startsWith("io.netty.") && (n.endsWith("DecoderException") || n.endsWith("CorruptedFrameException")
                    || n.endsWith("IllegalReferenceCountException") || n.endsWith("TooLongFrameException"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionClosed(Throwable t) {
        String n = t.getClass().getSimpleName();
        // r2dbc-mysql refuses a statement on a connection whose socket it has already closed (a
        // cut during the handshake that it noticed only afterwards) with a bare IllegalStateException.
        return n.contains("ConnectionClosed") || n.contains("ClosedException") || n.contains("PrematureClose")
                || (t instanceof IllegalStateException && "Request queue was disposed".equals(t.getMessage()));
    }
}
