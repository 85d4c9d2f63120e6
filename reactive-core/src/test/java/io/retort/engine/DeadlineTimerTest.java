package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared deadline thread: deadlines fire, cancelled ones do not, and the thread outlives a refused hand-off. */
class DeadlineTimerTest {

    @Test
    void aDeadlineFiresAndACancelledOneDoesNot() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        DeadlineTimer.SHARED.schedule(cancelled::countDown, TimeUnit.MILLISECONDS.toNanos(30)).dispose();
        DeadlineTimer.SHARED.schedule(fired::countDown, TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(fired.await(5, TimeUnit.SECONDS)).as("the deadline fired").isTrue();
        // Both were due at the same tick: the cancelled one had its chance and was dropped.
        assertThat(cancelled.await(3 * DeadlineTimer.TICK_MILLIS, TimeUnit.MILLISECONDS)).as("the cancelled deadline").isFalse();
    }

    @Test
    void aParallelSchedulerThatRefusesTheTaskDoesNotStopTheTimer() throws InterruptedException {
        // Every parallel scheduler Reactor hands out is already disposed, so schedule() throws.
        Schedulers.setFactory(new Schedulers.Factory() {
            @Override
            public Scheduler newParallel(int parallelism, ThreadFactory threadFactory) {
                Scheduler refusing = Schedulers.newSingle("refusing");
                refusing.dispose();
                return refusing;
            }
        });
        try {
            CountDownLatch first = new CountDownLatch(1);
            DeadlineTimer.SHARED.schedule(first::countDown, TimeUnit.MILLISECONDS.toNanos(10));
            assertThat(first.await(5, TimeUnit.SECONDS)).as("the refused task ran anyway").isTrue();
            CountDownLatch second = new CountDownLatch(1);
            DeadlineTimer.SHARED.schedule(second::countDown, TimeUnit.MILLISECONDS.toNanos(10));
            assertThat(second.await(5, TimeUnit.SECONDS)).as("the timer thread is still alive").isTrue();
        } finally {
            Schedulers.resetFactory();
        }
    }
}
