package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.Row;
import io.retort.sql.Expression;
import io.retort.sql.Select;
import io.retort.error.PoolTimeoutError;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.select;
import static io.retort.tck.suite.FaultKit.BIG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pool exhaustion bursts (RELIABILITY L2, L2b, F7), sized for CI on a 2-core machine: 1,000
 * concurrent scopes on a pool of 10. Either every scope completes, or the excess fails with a
 * typed {@link PoolTimeoutError} after the acquire timeout, never with another error and never
 * by waiting forever; afterwards the pool is idle (O-POOL) and usable.
 */
@ExtendWith(TckOracle.class)
public interface LoadSuite extends TckBackend {

    /** How many concurrent scopes a burst starts. */
    int BURST = 1000;

    @Test // L2: 1,000 concurrent scopes, each holding a connection ~5 ms, on a pool of 10: all complete
    default void burstOnASmallPoolCompletes(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(10).acquireTimeout(Duration.ofSeconds(20))
                .echo(false).build());
        AtomicInteger maxPending = new AtomicInteger();
        AtomicInteger maxAcquired = new AtomicInteger();
        Flux<Long> burst = Flux.range(0, BURST).flatMap(i -> engine.connect(c -> c.executeRaw("SELECT 1").rows().count()
                .doOnNext(n -> engine.poolStats().ifPresent(s -> {
                    maxPending.accumulateAndGet(s.pending(), Math::max);
                    maxAcquired.accumulateAndGet(s.acquired(), Math::max);
                }))
                // 5 ms rather than L2's 20: the point is 100 waiters per connection, and the
                // TCK runs on every backend of a 2-core CI machine.
                .delayElement(Duration.ofMillis(5))), BURST);
        StepVerifier.create(burst.count()).expectNext((long) BURST).expectComplete().verify(Duration.ofSeconds(30));
        assertThat(maxAcquired.get()).as("never more than the pool size checked out").isLessThanOrEqualTo(10);
        assertThat(maxPending.get()).isLessThanOrEqualTo(BURST);
        Engine.PoolStats s = FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(s.allocated()).isLessThanOrEqualTo(10);
    }

    @Test // L2b: the same burst holding 500 ms with a 1 s acquire timeout: successes + PoolTimeoutError == total
    default void burstBeyondTheAcquireTimeoutFailsTyped(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(10).acquireTimeout(Duration.ofSeconds(1))
                .echo(false).build());
        long t0 = System.nanoTime();
        List<Object> outcomes = Flux.range(0, BURST)
                .flatMap(i -> engine.connect(c -> c.executeRaw("SELECT 1").rows().count().delayElement(Duration.ofMillis(500)))
                        .then(Mono.<Object>just("ok"))
                        .onErrorResume(Mono::just), BURST)
                .collectList()
                .block(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Map<String, Long> byType = outcomes.stream().collect(Collectors.groupingBy(
                o -> o instanceof Throwable ? o.getClass().getSimpleName() : String.valueOf(o), Collectors.counting()));
        assertThat(outcomes).hasSize(BURST);
        assertThat(byType.keySet()).as("only successes and typed pool timeouts: %s", byType)
                .containsOnly("ok", PoolTimeoutError.class.getSimpleName());
        assertThat(byType.get("ok")).as("the first waves got connections").isGreaterThanOrEqualTo(10L);
        assertThat(byType.get(PoolTimeoutError.class.getSimpleName())).isPositive();
        PoolTimeoutError sample = outcomes.stream().filter(o -> o instanceof PoolTimeoutError)
                .map(PoolTimeoutError.class::cast).findFirst().orElseThrow();
        assertThat(sample.getMessage()).contains("pool size 10");
        assertThat(took).as("bounded by the acquire timeout, not by the queue").isLessThan(Duration.ofSeconds(10));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // L4 (CI size): 200,000 rows of about 100 bytes, limitRate(256): the heap stays flat while they
          // stream, and a cancel after 10% gives the connection back promptly
    default void streamingKeepsTheHeapFlat(TestDatabase db) {
        Engine engine = engine(db, FaultKit.streamingOptions(driver()));
        FaultKit.createBig(engine, db.backend(), 200_000);
        Expression<String> wide = BIG.pad;
        for (int i = 0; i < 9; i++) {
            wide = wide.concat(BIG.pad);
        }
        Select q = select(BIG.id, wide).from(BIG);
        long[] chars = new long[1];
        FaultKit.HeapProbe probe = FaultKit.heapHalfWay(engine.execute(q).limitRate(256), 100_000,
                row -> chars[0] += row.get(1, String.class).length());
        assertThat(probe.items()).isEqualTo(200_000);
        assertThat(chars[0] / probe.items()).as("characters per row").isGreaterThanOrEqualTo(90);
        assertThat(probe.retainedHalfWay()).as("heap retained half-way through 200,000 rows (bytes)").isLessThan(16L << 20);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));

        int taken = 0;
        try (java.util.stream.Stream<Row> st = engine.execute(q).limitRate(256).toStream(256)) {
            for (Iterator<Row> it = st.iterator(); it.hasNext() && taken < 20_000; it.next()) {
                taken++;
            }
        } // closing the stream cancels the statement
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(BIG)).scalars(Long.class)))
                .expectNext(200_000L).verifyComplete();
    }
}
