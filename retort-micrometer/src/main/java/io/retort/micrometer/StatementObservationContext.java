package io.retort.micrometer;

import io.micrometer.observation.Observation;
import io.retort.engine.StatementObserver;
import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * What an {@link StatementObservationConvention} sees of one statement execution: the SQL as
 * sent (placeholders, never values), the dialect, whether the compiled SQL came from the
 * statement cache, and, once it ended, how: rows returned or affected, the error (in
 * {@link #getError()}), or a cancel. Filled by Retort; a convention only reads it.
 */
public final class StatementObservationContext extends Observation.Context {

    /** How a statement execution ended. */
    public enum Outcome {
        /** Still running (the key values computed when the observation starts see this). */
        UNKNOWN,
        /** It completed. */
        SUCCESS,
        /** It failed: {@link #getError()} holds the typed error. */
        ERROR,
        /** Its subscriber cancelled before it ended; the connection was discarded. */
        CANCELLED
    }

    private final String sql;
    private final String dialect;
    private final boolean cacheHit;
    private @Nullable String operation;
    private volatile Outcome outcome = Outcome.UNKNOWN;
    private volatile long returnedRows = -1;
    private volatile long rowsAffected = -1;

    /** A context for the statement that {@code start} describes. */
    public StatementObservationContext(StatementObserver.Start start) {
        this.sql = start.sql();
        this.dialect = start.dialect();
        this.cacheHit = start.cacheHit();
    }

    /** The SQL text as sent to the driver, with the dialect's placeholders and never the bound values. */
    public String getSql() {
        return sql;
    }

    /** Retort's dialect name ({@code postgresql}, {@code mariadb}, {@code mysql}, {@code h2}, {@code sqlite}). */
    public String getDialect() {
        return dialect;
    }

    /** Whether the compiled SQL came from the engine's statement cache (false for raw SQL text). */
    public boolean isCacheHit() {
        return cacheHit;
    }

    /**
     * The statement's command: its first SQL keyword in upper case ({@code SELECT}, {@code INSERT},
     * {@code UPDATE}, {@code DELETE}, {@code WITH}, {@code CREATE}...), skipping leading comments
     * and parentheses; {@code UNKNOWN} if there is none. At most 24 letters, so a metric tag made
     * of it stays low-cardinality.
     */
    public String getOperation() {
        String op = operation;
        if (op == null) {
            operation = op = operationOf(sql);
        }
        return op;
    }

    /** How the execution ended; {@link Outcome#UNKNOWN} while it runs. */
    public Outcome getOutcome() {
        return outcome;
    }

    /** Rows emitted to the subscriber, or -1 if unknown (still running, or run for its update count). */
    public long getReturnedRows() {
        return returnedRows;
    }

    /** Rows inserted, updated or deleted as the driver reported them, or -1 if unknown (run for its rows). */
    public long getRowsAffected() {
        return rowsAffected;
    }

    void succeeded(long returned, long affected) {
        returnedRows = returned;
        rowsAffected = affected;
        outcome = Outcome.SUCCESS;
    }

    void failed(Throwable error) {
        setError(error);
        outcome = Outcome.ERROR;
    }

    void cancelled(long returned) {
        returnedRows = returned;
        outcome = Outcome.CANCELLED;
    }

    static String operationOf(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < n && i - start < 24 && isAsciiLetter(sql.charAt(i))) {
            i++;
        }
        return i == start ? "UNKNOWN" : sql.substring(start, i).toUpperCase(Locale.ROOT);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
