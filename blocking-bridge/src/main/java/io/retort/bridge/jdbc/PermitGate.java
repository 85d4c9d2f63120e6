package io.retort.bridge.jdbc;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An asynchronous counting semaphore: one permit per connection the bridge may hold, as many
 * as worker threads. Waiting for a connection happens here, with no thread: a waiter is a
 * callback in a queue, so a task waiting for a connection can never occupy a worker thread that
 * a connection-holding task needs (the deadlock of JDBC-on-a-worker-pool designs, where N
 * threads all block in {@code getConnection()} while the N connections' next statements sit in
 * the queue behind them).
 *
 * <p>Lock-free, so it may be used from Reactor non-blocking threads. Grants are FIFO.
 */
final class PermitGate {

    /** A queued acquirer. */
    static final class Waiter {
        private static final int WAITING = 0;
        private static final int GRANTED = 1;
        private static final int CANCELLED = 2;

        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final Runnable onGrant;

        Waiter(Runnable onGrant) {
            this.onGrant = onGrant;
        }

        /**
         * Withdraws the request. Returns false if the permit was already granted: the grant
         * callback then owns it and must release it.
         */
        boolean cancel() {
            return state.compareAndSet(WAITING, CANCELLED);
        }

        boolean grant() {
            return state.compareAndSet(WAITING, GRANTED);
        }

        /** Whether the permit was granted. */
        boolean isGranted() {
            return state.get() == GRANTED;
        }
    }

    private final int size;
    private final AtomicInteger available;
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean closed;

    PermitGate(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + size);
        }
        this.size = size;
        this.available = new AtomicInteger(size);
    }

    /** Queues {@code waiter}; its callback runs (on the thread that frees a permit, or this one) once granted. */
    void acquire(Waiter waiter) {
        waiters.offer(waiter);
        drain();
    }

    /** Returns a permit and grants it to the longest waiter, if any. */
    void release() {
        available.incrementAndGet();
        drain();
    }

    /** Permits in use (granted and not released). */
    int inUse() {
        return size - available.get();
    }

    /** Acquirers waiting. */
    int waiting() {
        return (int) waiters.stream().filter(w -> w.state.get() == Waiter.WAITING).count();
    }

    int size() {
        return size;
    }

    /** Stops granting; waiters already queued stay queued (their timeouts or cancels end them). */
    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            for (;;) {
                Waiter w = waiters.peek();
                if (w == null) {
                    break;
                }
                if (w.state.get() == Waiter.CANCELLED) {
                    waiters.poll();
                    continue;
                }
                if (!tryTake()) {
                    break;
                }
                waiters.poll();
                if (w.grant()) {
                    w.onGrant.run();
                } else {
                    // Cancelled between peek and grant: the permit goes back.
                    available.incrementAndGet();
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private boolean tryTake() {
        for (;;) {
            int a = available.get();
            if (a <= 0) {
                return false;
            }
            if (available.compareAndSet(a, a - 1)) {
                return true;
            }
        }
    }
}
