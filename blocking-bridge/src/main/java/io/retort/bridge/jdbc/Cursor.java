package io.retort.bridge.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * An open JDBC {@link ResultSet} read on demand. Rows are read on the connection's lane only
 * when the subscriber has requested them, so a slow subscriber holds back the fetch: with a
 * fetch size of n, the driver asks the server for the next n rows only when the previous ones
 * have been requested and read. Nothing is read ahead.
 *
 * <p>Cancelling the subscription stops the reading: a driver call in progress is interrupted
 * with {@code Statement.cancel()} (on MySQL-family drivers also an idle half-read result, whose
 * rows would otherwise all be read off the socket to close it), then the result set and, when
 * owned, the statement are closed on the lane and {@code onClose} runs.
 *
 * <p>The rows publisher is written by hand rather than with {@code Flux.create}: demand is
 * honoured exactly, so a row goes straight to {@code onNext} without a queue (about a third of
 * the cost of streaming a large result). Single use: a second subscriber gets an
 * {@code IllegalStateException}.
 */
final class Cursor implements Publisher<JdbcRow>, Subscription {
    private final JdbcConnection connection;
    private final Statement statement;
    private final ResultSet resultSet;
    private final JdbcRowMetadata metadata;
    private final boolean ownsStatement;
    private final Runnable onClose;
    private final String sql;
    private final long startNanos;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final ArrayDeque<JdbcRow> buffered = new ArrayDeque<>();
    private volatile Subscriber<? super JdbcRow> subscriber;
    private volatile Throwable badRequest;
    private volatile boolean cancelled;
    /** Set when the connection closes under a subscriber still reading: the error it gets. */
    private volatile Throwable aborted;
    private volatile boolean exhausted;
    private boolean terminated;
    private boolean closed;

    /**
     * @param ownsStatement close {@code statement} with the result set (a statement that still
     *     has results to give is closed by its execution instead)
     * @param onClose runs once, on the lane, after the result set is closed
     * @param startNanos when the statement started, to tell a statement timeout from a cancel
     */
    Cursor(JdbcConnection connection, Statement statement, ResultSet resultSet, JdbcRowMetadata metadata,
           boolean ownsStatement, Runnable onClose, String sql, long startNanos) {
        this.connection = connection;
        this.statement = statement;
        this.resultSet = resultSet;
        this.metadata = metadata;
        this.ownsStatement = ownsStatement;
        this.onClose = onClose;
        this.sql = sql;
        this.startNanos = startNanos;
    }

    JdbcRowMetadata metadata() {
        return metadata;
    }

    /** The rows, once. Emitted on the lane thread. */
    Flux<JdbcRow> rows() {
        return Flux.from(this);
    }

    @Override
    public void subscribe(Subscriber<? super JdbcRow> s) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(s, new IllegalStateException("This result was already consumed: a Result can be read only once"));
            return;
        }
        subscriber = s;
        s.onSubscribe(this);
        if (cancelled || aborted != null) {
            // discard() or a closing connection got here first.
            schedule();
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            badRequest = new IllegalArgumentException("§3.9: request must be positive, got " + n);
        } else {
            addCap(requested, n);
        }
        schedule();
    }

    /** Closes without reading (a consumer that wants only the update count, or nobody). */
    void discard() {
        if (subscribed.compareAndSet(false, true)) {
            cancel();
        }
    }

    /** The subscriber is gone. */
    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        stop();
    }

    /**
     * The connection closes while this result is open: reading stops as on a cancel, and a
     * subscriber still reading gets {@code cause} rather than waiting for rows that will never
     * come (one that has cancelled, or that never subscribed, gets nothing).
     */
    void abort(Throwable cause) {
        if (cancelled || aborted != null) {
            return;
        }
        aborted = cause;
        stop();
    }

    private void stop() {
        if (connection.inDriver(statement) || (connection.product().cancelIdleCursor() && !exhausted && !closed)) {
            connection.cancelStatement(statement);
        }
        schedule();
    }

    /**
     * Reads every remaining row into memory, so the connection can run another statement while
     * this one is still being consumed (PostgreSQL's auto-commit streaming transaction must end
     * first). Lane only.
     */
    void bufferRest() throws SQLException {
        if (closed) {
            return;
        }
        while (resultSet.next()) {
            buffered.add(JdbcRow.read(resultSet, metadata, connection.product()));
        }
        exhausted = true;
        closeNow();
    }

    private void schedule() {
        if (wip.getAndIncrement() == 0) {
            connection.lane().execute(new Lane.Task() {
                @Override
                public void run() {
                    drain();
                }

                @Override
                public void reject(Throwable cause) {
                    terminate(cause);
                }
            });
        }
    }

    /** Lane only: emits what is requested, closes when exhausted or cancelled. */
    private void drain() {
        int missed = 1;
        for (;;) {
            Subscriber<? super JdbcRow> s = subscriber;
            if (cancelled) {
                closeQuietly();
            } else if (aborted != null) {
                closeQuietly();
                if (s != null) {
                    terminate(aborted);
                }
            } else if (badRequest != null) {
                closeQuietly();
                terminate(badRequest);
            } else if (s != null && !terminated) {
                long r = requested.get();
                long e = 0;
                while (e != r && !cancelled && !terminated && aborted == null) {
                    JdbcRow row;
                    if (!buffered.isEmpty()) {
                        row = buffered.poll();
                    } else if (closed) {
                        row = null;
                    } else {
                        try {
                            connection.enterDriver(statement);
                            row = resultSet.next() ? JdbcRow.read(resultSet, metadata, connection.product()) : null;
                        } catch (SQLException | RuntimeException ex) {
                            connection.exitDriver();
                            closeQuietly();
                            terminate(ex instanceof SQLException
                                    ? connection.translate((SQLException) ex, sql, startNanos)
                                    : connection.driverFailed((RuntimeException) ex));
                            break;
                        }
                        connection.exitDriver();
                    }
                    if (row == null) {
                        exhausted = true;
                        closeQuietly();
                        terminate(null);
                        break;
                    }
                    s.onNext(row);
                    e++;
                }
                if (e > 0 && r != Long.MAX_VALUE) {
                    requested.addAndGet(-e);
                }
                if (cancelled) {
                    closeQuietly();
                } else if (aborted != null) {
                    closeQuietly();
                    terminate(aborted);
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Signals completion (null) or an error once, unless the subscriber cancelled. */
    private void terminate(Throwable error) {
        if (terminated) {
            return;
        }
        terminated = true;
        Subscriber<? super JdbcRow> s = subscriber;
        if (s == null || cancelled) {
            return;
        }
        if (error == null) {
            s.onComplete();
        } else {
            s.onError(error);
        }
    }

    /** Lane only. */
    private void closeQuietly() {
        try {
            closeNow();
        } catch (SQLException ignored) {
            // The subscriber is gone or already has the real error.
        }
    }

    /** Lane only: closes the result set (and owned statement) once and runs onClose. */
    void closeNow() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        SQLException first = null;
        // A driver may throw an unchecked exception from close(): it must not skip onClose and the
        // connection's bookkeeping, nor escape the lane's task and leave the subscriber waiting.
        try {
            resultSet.close();
        } catch (SQLException | RuntimeException e) {
            first = asSql(e);
        }
        if (ownsStatement) {
            try {
                statement.close();
            } catch (SQLException | RuntimeException e) {
                first = first == null ? asSql(e) : first;
            }
        }
        try {
            onClose.run();
        } finally {
            connection.cursorClosed(this);
        }
        if (first != null && !cancelled) {
            throw first;
        }
    }

    private static SQLException asSql(Exception e) {
        return e instanceof SQLException ? (SQLException) e : new SQLException("Closing the JDBC result failed: " + e, e);
    }

    private static void addCap(AtomicLong a, long n) {
        for (;;) {
            long r = a.get();
            if (r == Long.MAX_VALUE) {
                return;
            }
            long u = r + n;
            if (u < 0) {
                u = Long.MAX_VALUE;
            }
            if (a.compareAndSet(r, u)) {
                return;
            }
        }
    }
}
