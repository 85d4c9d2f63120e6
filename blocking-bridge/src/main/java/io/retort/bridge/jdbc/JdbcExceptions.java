package io.retort.bridge.jdbc;

import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.Locale;

/**
 * Maps JDBC {@link SQLException}s to the R2DBC exception hierarchy, keeping the SQLSTATE, the
 * vendor code and the SQL, so code written for R2DBC drivers — Retort's error translation in
 * particular, which reads SQLSTATE and vendor codes — works unchanged on the bridge.
 *
 * <p>The class is chosen by SQLSTATE class first (drivers agree on those), then by the JDBC 4
 * exception subclass, then by vendor code for drivers that leave the SQLSTATE generic:
 * <pre>
 *   08xxx                      → R2dbcNonTransientResourceException (connection)
 *   23xxx                      → R2dbcDataIntegrityViolationException
 *   42xxx (42501 excepted), 0A → R2dbcBadGrammarException
 *   28xxx, 42501               → R2dbcPermissionDeniedException
 *   40xxx                      → R2dbcRollbackException (deadlock, serialization failure)
 *   57014 timeout, 55P03, HYT0x, SQLTimeoutException, MySQL 1205/1969/3024
 *                              → R2dbcTimeoutException
 *   57014 other, 53xxx         → R2dbcTransientResourceException
 *   57P0x                      → R2dbcNonTransientResourceException (server shut the session)
 *   anything else              → a plain non-transient (or transient) R2dbcException
 * </pre>
 * SQLite reports result codes, not SQLSTATEs; they are given a SQLSTATE here (constraint →
 * 23000, syntax/schema errors → 42000, busy → HYT00) so every consumer sees one vocabulary.
 */
final class JdbcExceptions {
    private JdbcExceptions() {
    }

    /** Whether {@code e}'s SQLSTATE says the connection itself is gone or unusable. */
    static boolean isConnectionError(R2dbcException e) {
        String s = e.getSqlState();
        return e instanceof R2dbcNonTransientResourceException
                || (s != null && (s.startsWith("08") || s.startsWith("57P")));
    }

    /** The R2DBC form of {@code t}; non-SQL exceptions pass through unless checked. */
    static RuntimeException translate(Throwable t, String sql) {
        if (t instanceof R2dbcException) {
            return (R2dbcException) t;
        }
        if (t instanceof SQLException) {
            return translate((SQLException) t, sql, false);
        }
        if (t instanceof RuntimeException) {
            return (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return new Generic(t.toString(), null, 0, sql, t);
    }

    /**
     * The R2DBC form of {@code e}.
     *
     * @param timedOut true when the statement ran under a query timeout that has expired:
     *     pgjdbc reports its own timeout as "canceling statement due to user request"
     */
    static R2dbcException translate(SQLException e, String sql, boolean timedOut) {
        String state = e.getSQLState();
        int code = e.getErrorCode();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (isSqlite(e)) {
            state = sqliteState(code, message);
        }
        if (timedOut && !message.toLowerCase(Locale.ROOT).contains("timeout")) {
            message = message + " (statement timeout exceeded)";
        }
        String lower = message.toLowerCase(Locale.ROOT);
        String cls = state != null && state.length() >= 2 ? state.substring(0, 2) : "";

        if (timedOut || e instanceof SQLTimeoutException || "55P03".equals(state) || cls.equals("HYT")
                || "HYT00".equals(state) || "HYT01".equals(state) || code == 1205 || code == 1969 || code == 3024
                || ("57014".equals(state) && lower.contains("timeout"))
                || ("70100".equals(state) && lower.contains("max_statement_time"))) {
            return new R2dbcTimeoutException(message, state, code, sql, e);
        }
        switch (cls) {
            case "08":
                return new R2dbcNonTransientResourceException(message, state, code, sql, e);
            case "23":
                return new R2dbcDataIntegrityViolationException(message, state, code, sql, e);
            case "28":
                return new R2dbcPermissionDeniedException(message, state, code, sql, e);
            case "42":
                return "42501".equals(state)
                        ? new R2dbcPermissionDeniedException(message, state, code, sql, e)
                        : new R2dbcBadGrammarException(message, state, code, sql, e);
            case "0A":
                return new R2dbcBadGrammarException(message, state, code, sql, e);
            case "40":
                return new R2dbcRollbackException(message, state, code, sql, e);
            case "53":
                return new R2dbcTransientResourceException(message, state, code, sql, e);
            case "57":
                return state.startsWith("57P")
                        ? new R2dbcNonTransientResourceException(message, state, code, sql, e)
                        : new R2dbcTransientResourceException(message, state, code, sql, e);
            default:
                break;
        }
        // No usable SQLSTATE class: the JDBC 4 subclasses, then MySQL vendor codes.
        if (e instanceof SQLIntegrityConstraintViolationException) {
            return new R2dbcDataIntegrityViolationException(message, state, code, sql, e);
        }
        if (e instanceof SQLSyntaxErrorException) {
            return new R2dbcBadGrammarException(message, state, code, sql, e);
        }
        if (e instanceof SQLInvalidAuthorizationSpecException) {
            return new R2dbcPermissionDeniedException(message, state, code, sql, e);
        }
        if (e instanceof SQLTransactionRollbackException || code == 1213) {
            return new R2dbcRollbackException(message, state, code, sql, e);
        }
        if (e instanceof SQLNonTransientConnectionException || e instanceof SQLRecoverableException
                || code == 2006 || code == 2013) {
            return new R2dbcNonTransientResourceException(message, state, code, sql, e);
        }
        if (e instanceof SQLTransientConnectionException) {
            return new R2dbcTransientResourceException(message, state, code, sql, e);
        }
        if (e instanceof SQLTransientException) {
            return new Transient(message, state, code, sql, e);
        }
        return new Generic(message, state, code, sql, e);
    }

    private static boolean isSqlite(SQLException e) {
        return e.getClass().getName().startsWith("org.sqlite.");
    }

    /** A SQLSTATE for a SQLite (extended) result code. */
    private static String sqliteState(int code, String message) {
        int primary = code & 0xff;
        switch (primary) {
            case 19: // SQLITE_CONSTRAINT
                return "23000";
            case 5: // SQLITE_BUSY
            case 6: // SQLITE_LOCKED
                return "HYT00";
            case 9: // SQLITE_INTERRUPT
                return "57014";
            case 18: // SQLITE_TOOBIG
            case 20: // SQLITE_MISMATCH
            case 25: // SQLITE_RANGE
                return "22000";
            case 14: // SQLITE_CANTOPEN
            case 26: // SQLITE_NOTADB
                return "08001";
            case 23: // SQLITE_AUTH
                return "28000";
            case 1: { // SQLITE_ERROR: syntax, unknown table or column...
                String m = message.toLowerCase(Locale.ROOT);
                if (m.contains("syntax") || m.contains("no such") || m.contains("already exists")
                        || m.contains("ambiguous") || m.contains("has no column")) {
                    return "42000";
                }
                return "HY000";
            }
            default:
                return "HY000";
        }
    }

    /** A non-transient error with no more specific R2DBC class. */
    static final class Generic extends R2dbcNonTransientException {
        private static final long serialVersionUID = 1L;

        Generic(String reason, String sqlState, int errorCode, String sql, Throwable cause) {
            super(reason, sqlState, errorCode, sql, cause);
        }
    }

    /** A transient error with no more specific R2DBC class. */
    static final class Transient extends R2dbcTransientException {
        private static final long serialVersionUID = 1L;

        Transient(String reason, String sqlState, int errorCode, String sql, Throwable cause) {
            super(reason, sqlState, errorCode, sql, cause);
        }
    }
}
