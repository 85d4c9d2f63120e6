package io.retort.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * CursorPump's two callers of pump() race: the thread whose request starts a FETCH (here the
 * verifying thread, as in OrmSuite.streamingEntities after {@code thenRequest(Long.MAX_VALUE)})
 * subscribes it and only then stores its Disposable with {@code inFlight.update(...)}, which
 * disposes whatever the container held. If that thread is descheduled between the two, the
 * FETCH completes on the driver's thread, the chunk is consumed there, the next FETCH starts
 * there (its Disposable stored first), and the late {@code update} then disposes that newer,
 * still running FETCH: its chunk never comes, {@code running} stays true, the stream stalls for
 * good without a signal. The test holds the requesting thread inside the subscription of FETCH 2
 * until the driver's thread has delivered chunk 2 and started FETCH 3: the descheduling, made
 * deterministic. Fails (times out, FETCH 3 cancelled) without the fix, every run.
 */
class CursorPumpRaceTest {
    private final ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-driver");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void tearDown() {
        driver.shutdownNow();
    }

    private static void awaitIdle(ScheduledExecutorService executor) {
        try {
            executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Row> rows(int n) {
        return Collections.nCopies(n, (Row) null);
    }

    @Test
    void aFetchStartedByTheRequestingThreadNeverDisposesTheNextOne() {
        AtomicInteger fetches = new AtomicInteger();
        AtomicBoolean thirdCancelled = new AtomicBoolean();
        Thread verifier = Thread.currentThread();
        // Chunks of 2: FETCH 1 and 2 give 2 rows, FETCH 3 gives the last one (250 rows by 100 in the TCK).
        Mono<List<Row>> fetch = Mono.defer(() -> {
            int n = fetches.incrementAndGet();
            return Mono.<List<Row>>create(sink -> {
                if (n == 3) {
                    sink.onCancel(() -> thirdCancelled.set(true));
                    // Still running when the late update arrives (a FETCH takes a round trip).
                    driver.schedule(() -> sink.success(rows(1)), 300, TimeUnit.MILLISECONDS);
                    return;
                }
                driver.execute(() -> sink.success(rows(2)));
                if (n == 2 && Thread.currentThread() == verifier) {
                    // The requesting thread is descheduled right after handing FETCH 2 to the driver,
                    // before pump() stores its Disposable, for as long as the driver's thread takes to
                    // deliver chunk 2, have it consumed and start FETCH 3 (its whole task).
                    awaitIdle(driver);
                }
            });
        });
        Flux<Integer> entities = Flux.<List<Row>>create(sink -> new CursorPump(sink, fetch, 2))
                // As Loading.stream: no prefetch, each chunk's items before the next chunk is asked for.
                .concatMap(chunk -> Flux.range(0, chunk.size()), 0);

        try {
            StepVerifier.create(entities, 0)
                    .thenRequest(1)
                    .expectNextCount(1)
                    // As the TCK's assertion step: what follows runs on the verifying thread, once the
                    // driver's thread has finished delivering chunk 1 (so the rest of it, and the
                    // request for chunk 2, come from here).
                    .then(() -> awaitIdle(driver))
                    .thenRequest(Long.MAX_VALUE)
                    .expectNextCount(4)
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        } finally {
            // Diagnostics for the failure message of the run without the fix.
            System.out.println("fetches=" + fetches.get() + " thirdCancelled=" + thirdCancelled.get());
        }
        assertThat(thirdCancelled).as("FETCH 3 was disposed while it ran").isFalse();
    }
}
