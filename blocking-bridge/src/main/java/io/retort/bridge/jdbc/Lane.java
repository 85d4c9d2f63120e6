package io.retort.bridge.jdbc;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A serial executor for one JDBC connection: its tasks run one after another, in submission
 * order, on the bridge's shared worker pool, never on the caller's thread. JDBC connections are
 * not safe for concurrent use, and R2DBC callers may subscribe to several operations of one
 * connection at once; the lane is what orders them.
 *
 * <p>It is also what keeps the worker pool deadlock-free: a lane has at most one task on the
 * pool at a time, and a lane exists only for a connection that already holds one of the pool's
 * permits (as many permits as worker threads), so a task never waits in the pool's queue behind
 * tasks that wait for it.
 *
 * <p>{@link #pause()} holds back the next task while a {@code Statement.cancel()} is on its way
 * to the server, so a late cancel can never hit the statement that follows (PostgreSQL's cancel
 * request is asynchronous and cancels whatever the session runs when it arrives).
 *
 * <p>Submission is lock-free (a {@link ConcurrentLinkedQueue} and counters), so a Reactor
 * non-blocking thread may submit without ever parking.
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

    /** A unit of work on the lane. */
    interface Task {
        /** Runs on a worker thread; may block in JDBC. Must not throw (failures go to its subscriber). */
        void run();

        /** Called instead of {@link #run()} when the worker pool is shut down. */
        void reject(Throwable cause);
    }

    private final Executor executor;
    private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicInteger paused = new AtomicInteger();
    /** Whether a task is running on a worker now (it may be blocked in JDBC). */
    private volatile boolean running;

    Lane(Executor executor) {
        this.executor = executor;
    }

    /** Queues {@code task}; it runs after every task queued before it. */
    void execute(Task task) {
        tasks.offer(task);
        schedule();
    }

    /**
     * A cold Mono that runs {@code work} on the lane when subscribed and emits its result (or
     * completes empty for a null result). A cancelled subscriber does not stop work already
     * queued: JDBC calls such as commit cannot be half-done. Its outcome then goes nowhere (an
     * error signalled to a cancelled sink would be dropped to {@code Hooks.onErrorDropped}).
     */
    <T> Mono<T> call(JdbcCall<T> work) {
        return Mono.create(sink -> {
            java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
            sink.onCancel(() -> cancelled.set(true));
            execute(new Task() {
                @Override
                public void run() {
                    T value;
                    try {
                        value = work.call();
                    } catch (Throwable e) {
                        if (!cancelled.get()) {
                            sink.error(JdbcExceptions.translate(e, null));
                        }
                        return;
                    }
                    if (cancelled.get()) {
                        return;
                    }
                    if (value == null) {
                        sink.success();
                    } else {
                        sink.success(value);
                    }
                }

                @Override
                public void reject(Throwable cause) {
                    if (!cancelled.get()) {
                        sink.error(cause);
                    }
                }
            });
        });
    }

    /** Whether one of its tasks is running now (any thread; a snapshot). */
    boolean running() {
        return running;
    }

    /** Holds back tasks not yet started until {@link #resume()}; the running one finishes. */
    void pause() {
        paused.incrementAndGet();
    }

    /** Undoes one {@link #pause()} and lets the queued tasks run. */
    void resume() {
        paused.decrementAndGet();
        schedule();
    }

    private void schedule() {
        if (wip.getAndIncrement() == 0) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                rejectAll(e);
            }
        }
    }

    private void drain() {
        int missed = 1;
        for (;;) {
            while (paused.get() == 0) {
                Task t = tasks.poll();
                if (t == null) {
                    break;
                }
                running = true;
                try {
                    t.run();
                } catch (Throwable e) {
                    // Tasks report their own failures; one that escapes must not stop the lane.
                    LOG.error("bridge task failed unexpectedly", e);
                } finally {
                    running = false;
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void rejectAll(RejectedExecutionException e) {
        // The pool is gone (factory closed): fail everything queued rather than hang it.
        int missed = 1;
        for (;;) {
            Task t;
            while ((t = tasks.poll()) != null) {
                try {
                    t.reject(new IllegalStateException("The JDBC bridge is closed", e));
                } catch (Throwable ignored) {
                    // nothing more to do
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** A JDBC call that returns a value. */
    @FunctionalInterface
    interface JdbcCall<T> {
        T call() throws Exception;
    }
}
