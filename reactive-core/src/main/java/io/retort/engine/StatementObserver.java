package io.retort.engine;

import reactor.util.context.ContextView;

/**
 * Watches every statement an {@link Engine} sends, for metrics and tracing (X2, X8): registered
 * with {@link Engine#observeStatements}, it hears when a statement starts and then exactly one
 * end signal for it: success, error or cancel. The Micrometer module builds one Observation per
 * statement on it; anything else (a tracer, a slow-query log) can too, without a dependency here.
 *
 * <pre>{@code
 * AutoCloseable off = engine.observeStatements(start -> {
 *     long t0 = System.nanoTime();
 *     return new StatementObserver.Execution() {
 *         public void succeeded(long returnedRows, long rowsAffected) { record(start.sql(), System.nanoTime() - t0); }
 *         public void failed(Throwable error) { }
 *         public void cancelled(long returnedRows) { }
 *     };
 * });
 * }</pre>
 *
 * <p>What counts as a statement: every execution handed to the driver through a
 * {@link Connection} (Core and ORM statements, raw SQL, executemany pages and batches, cursor
 * DECLARE/FETCH/CLOSE, COPY); not BEGIN, COMMIT, ROLLBACK or savepoint commands, and not a
 * statement refused before it was sent (a pending-rollback or invalidated connection, a value
 * the driver cannot bind).
 *
 * <p>Threads: {@link #started} runs on the thread that subscribes the statement, the end signal on
 * the thread that delivers it (a driver's event loop, or the canceller's). Both may be Reactor
 * non-blocking threads: an observer must never block. An observer that throws is logged (logger
 * {@code io.retort.engine.StatementObserver}, WARN) and ignored: it never fails the statement.
 * With no observer registered the engine does no observing work and allocates nothing for it.
 */
@FunctionalInterface
public interface StatementObserver {

    /**
     * A statement is about to be sent.
     *
     * @return what hears this execution's end, or {@code null} to ignore this execution
     */
    Execution started(Start start);

    /**
     * What is known when a statement starts.
     *
     * @param sql      the SQL text as sent to the driver, with the dialect's placeholders and
     *                 never the bound values
     * @param dialect  the dialect's name: {@code postgresql}, {@code mysql}, {@code mariadb},
     *                 {@code h2}, {@code sqlite}...
     * @param cacheHit whether the compiled SQL came from the engine's statement cache; false for
     *                 a compilation and for SQL text that never went through the compiler
     * @param context  the Reactor context of the statement's subscriber, where a caller's
     *                 tracing context (a parent observation, a span) lives
     */
    record Start(String sql, String dialect, boolean cacheHit, ContextView context) {
    }

    /**
     * One statement execution's end: exactly one of the three methods is called, once. Called
     * before the subscriber sees the terminal signal, so an observation ends before its parent.
     */
    interface Execution {
        /**
         * The statement completed.
         *
         * @param returnedRows rows emitted to the subscriber, or -1 when the statement ran for
         *                     its update count ({@link Result#rowsAffected()})
         * @param rowsAffected rows inserted, updated or deleted as the driver reported them, or -1
         *                     when the statement ran for its rows
         */
        void succeeded(long returnedRows, long rowsAffected);

        /**
         * The statement failed.
         *
         * @param error what the subscriber receives: the typed {@link io.retort.error.RetortException}
         *              ({@code IntegrityError}, {@code TimeoutError}...)
         */
        void failed(Throwable error);

        /**
         * The subscriber cancelled before the statement ended (a {@code take(n)}, a timeout, a
         * disposed subscription); the connection was invalidated (see {@link Connection}).
         *
         * @param returnedRows rows emitted before the cancel (-1 when it ran for its update count)
         */
        void cancelled(long returnedRows);
    }
}
