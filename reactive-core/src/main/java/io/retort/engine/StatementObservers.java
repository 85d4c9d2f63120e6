package io.retort.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An engine's registered {@link StatementObserver}s, seen by statements as one field that is
 * null when there are none (the hot path's only cost then), and the guarded calls that keep an
 * observer's failure out of the statement it observes.
 */
final class StatementObservers {
    static final Logger LOG = LoggerFactory.getLogger(StatementObserver.class);

    private final List<StatementObserver> registered = new ArrayList<>();
    /** Null, the only observer, or a fan-out over several; replaced whole on every change. */
    private volatile StatementObserver current;

    StatementObserver current() {
        return current;
    }

    /** Adds {@code observer}; the returned handle removes it (idempotent). */
    AutoCloseable add(StatementObserver observer) {
        Objects.requireNonNull(observer, "observer");
        synchronized (registered) {
            registered.add(observer);
            update();
        }
        // A handle of its own: the same observer added twice is removed once per close.
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                synchronized (registered) {
                    registered.remove(observer);
                    update();
                }
            }
        };
    }

    private void update() {
        int n = registered.size();
        current = n == 0 ? null : n == 1 ? registered.get(0) : new FanOut(registered.toArray(new StatementObserver[0]));
    }

    /** {@link StatementObserver#started}, never throwing: a failing observer observes nothing this time. */
    static StatementObserver.Execution start(StatementObserver observer, StatementObserver.Start start) {
        try {
            return observer.started(start);
        } catch (Throwable e) {
            failedObserver(e, "start", start.sql());
            return null;
        }
    }

    static void succeeded(StatementObserver.Execution execution, long returnedRows, long rowsAffected) {
        try {
            execution.succeeded(returnedRows, rowsAffected);
        } catch (Throwable e) {
            failedObserver(e, "success", null);
        }
    }

    static void failed(StatementObserver.Execution execution, Throwable error) {
        try {
            execution.failed(error);
        } catch (Throwable e) {
            failedObserver(e, "error", null);
        }
    }

    static void cancelled(StatementObserver.Execution execution, long returnedRows) {
        try {
            execution.cancelled(returnedRows);
        } catch (Throwable e) {
            failedObserver(e, "cancel", null);
        }
    }

    private static void failedObserver(Throwable e, String signal, String sql) {
        // An OutOfMemoryError or a broken class path is not the observer's alone to swallow.
        Exceptions.throwIfJvmFatal(e);
        LOG.warn("A statement observer failed on a statement's {} and was ignored{}", signal,
                sql == null ? "" : " [SQL: " + sql + "]", e);
    }

    /** Several observers: each is started and ended on its own, so one that fails spares the others. */
    private static final class FanOut implements StatementObserver {
        private final StatementObserver[] observers;

        FanOut(StatementObserver[] observers) {
            this.observers = observers;
        }

        @Override
        public Execution started(Start start) {
            Execution[] executions = new Execution[observers.length];
            int n = 0;
            for (StatementObserver o : observers) {
                Execution e = start(o, start);
                if (e != null) {
                    executions[n++] = e;
                }
            }
            if (n == 0) {
                return null;
            }
            Execution[] live = n == executions.length ? executions : Arrays.copyOf(executions, n);
            return new Execution() {
                @Override
                public void succeeded(long returnedRows, long rowsAffected) {
                    for (Execution e : live) {
                        StatementObservers.succeeded(e, returnedRows, rowsAffected);
                    }
                }

                @Override
                public void failed(Throwable error) {
                    for (Execution e : live) {
                        StatementObservers.failed(e, error);
                    }
                }

                @Override
                public void cancelled(long returnedRows) {
                    for (Execution e : live) {
                        StatementObservers.cancelled(e, returnedRows);
                    }
                }
            };
        }
    }
}
