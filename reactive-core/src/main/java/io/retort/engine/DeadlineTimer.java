package io.retort.engine;

import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A coarse timer for deadlines that almost never fire (a pooled checkout's acquire timeout).
 * Arming and cancelling are a queue insert and a volatile write: no thread is woken, unlike a
 * task on a {@code ScheduledExecutorService}, whose worker is signalled on every schedule and
 * cancel, a cost that on a small machine exceeded the checkout it guarded. One daemon thread
 * scans the queue every {@link #TICK_MILLIS} ms, drops cancelled entries and hands expired ones
 * to Reactor's parallel scheduler, so a deadline fires at most one tick late.
 */
final class DeadlineTimer {
    static final long TICK_MILLIS = 25;
    static final DeadlineTimer SHARED = new DeadlineTimer();

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

    private DeadlineTimer() {
        Thread t = new Thread(this::run, "retort-deadlines");
        t.setDaemon(true);
        t.start();
    }

    /** Runs {@code task} once, about {@code nanos} from now, unless the returned handle is disposed first. */
    Disposable schedule(Runnable task, long nanos) {
        Entry e = new Entry(task, System.nanoTime() + nanos);
        entries.add(e);
        return e;
    }

    private void run() {
        while (true) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            long now = System.nanoTime();
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.disposed) {
                    it.remove();
                } else if (now - e.deadline >= 0) {
                    it.remove();
                    e.disposed = true;
                    fire(e.task);
                }
            }
        }
    }

    /**
     * Hands {@code task} to the parallel scheduler, or runs it here when the scheduler refuses
     * it (an application that shut Reactor's schedulers down): this thread must survive, or no
     * deadline would fire again in this JVM and checkouts would wait forever.
     */
    private static void fire(Runnable task) {
        try {
            Schedulers.parallel().schedule(task);
        } catch (RuntimeException refused) {
            try {
                task.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(DeadlineTimer.class).error("a deadline's task failed", e);
            }
        }
    }

    private static final class Entry implements Disposable {
        final Runnable task;
        final long deadline;
        volatile boolean disposed;

        Entry(Runnable task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public void dispose() {
            disposed = true;
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }
}
