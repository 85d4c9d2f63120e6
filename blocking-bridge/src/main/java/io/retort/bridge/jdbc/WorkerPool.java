package io.retort.bridge.jdbc;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every JDBC call of one bridge factory runs on.
 *
 * <ul>
 *   <li><b>Workers</b>: a fixed {@link ThreadPoolExecutor} with exactly as many threads as the
 *       factory has connection permits. Connection lanes ({@link Lane}) run their tasks here.
 *       Threads are started up front and the queue is a lock-free {@link LinkedTransferQueue},
 *       so submitting never takes a lock (no parking on a Reactor non-blocking thread).</li>
 *   <li><b>Cancellers</b>: 2 to 8 threads (a quarter of the pool) that only call
 *       {@code java.sql.Statement.cancel()}. A cancel
 *       must run while the statement's worker is blocked inside the driver, so it cannot wait
 *       for that worker; and it must not queue behind other connections' work.</li>
 * </ul>
 *
 * <p>The lanes run on the executor itself rather than on a Reactor {@code Scheduler} made from
 * it: a scheduler's workers do not keep one connection's tasks in order on one thread at a time
 * when the executor has several threads, and handing application code a scheduler over these
 * threads would let non-connection work take the threads the permits count on.
 *
 * <p>Virtual threads (Java 21+) may replace the workers ({@code virtualThreads=true}); the
 * permits still bound concurrency to the pool size. Off by default: JDBC drivers that block
 * inside {@code synchronized} pin their carrier thread on Java 21–23.
 */
final class WorkerPool {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService workers;
    private final ThreadPoolExecutor cancellers;
    private final String name;

    WorkerPool(String name, int threads, boolean virtualThreads) {
        this.name = name == null ? "retort-jdbc-" + POOLS.incrementAndGet() : name;
        ExecutorService w = virtualThreads ? virtualExecutor(this.name) : null;
        if (w == null) {
            ThreadPoolExecutor tpe = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS,
                    new LinkedTransferQueue<>(), threads(this.name + "-worker-"));
            tpe.prestartAllCoreThreads();
            w = tpe;
        }
        this.workers = w;
        int c = Math.max(2, Math.min(8, threads / 4));
        this.cancellers = new ThreadPoolExecutor(c, c, 0L, TimeUnit.MILLISECONDS, new LinkedTransferQueue<>(),
                threads(this.name + "-cancel-"));
        this.cancellers.prestartAllCoreThreads();
    }

    private static ExecutorService virtualExecutor(String name) {
        try {
            // Reflection: the module compiles for Java 17, where the method does not exist.
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("virtualThreads=true needs Java 21 or later (this is "
                    + System.getProperty("java.version") + ")", e);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            // Daemon: a factory nobody closed must not keep the JVM alive.
            t.setDaemon(true);
            return t;
        };
    }

    /** Where connection lanes run. */
    ExecutorService workers() {
        return workers;
    }

    /** Where {@code Statement.cancel()} runs. */
    ExecutorService cancellers() {
        return cancellers;
    }

    String name() {
        return name;
    }

    /** Stops the threads; queued tasks are dropped (lanes fail them), running ones finish. */
    void shutdown() {
        workers.shutdown();
        cancellers.shutdown();
        if (Thread.currentThread().getName().startsWith(name + "-")) {
            // Closed from one of our own threads (a callback): waiting would wait for ourselves.
            return;
        }
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        cancellers.shutdownNow();
    }
}
