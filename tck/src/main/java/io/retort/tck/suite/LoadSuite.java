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
 * by waiting forever; afterwards the pool is idle (O-POOL) and usable. Also the pool's own
 * retirement of connections (F31), with short real durations: r2dbc-pool's clock is not exposed.
 *
 * <p>Two longer rows. L6, connection churn under a steady loop, runs {@code -Dretort.load.churn.seconds}
 * (default 20 per backend, so the five server backends add under 2 minutes to a CI run; the
 * catalog's CI size is {@code =60}, its nightly size {@code =900}). L5, restart chaos, really
 * stops and starts this machine's PostgreSQL and MariaDB ({@link LocalServers}), so it is
 * skipped unless {@code -Dretort.chaos=true}; {@code -Dretort.chaos.restarts=N} (default 1)
 * and {@code -Dretort.chaos.pg.stop=fast|immediate} choose how many and how.
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

    // ================================================================= F31

    /** One checkout's view of its connection: the driver's connection object and the server session id. */
    record Seen(Object connection, long sessionId) {
    }

    private Mono<Seen> seen(io.retort.engine.Connection c, TestDatabase db) {
        return FaultKit.sessionId(c, db.backend()).map(id -> new Seen(FaultKit.driverConnection(c), id));
    }

    /**
     * Whether a new driver connection shows as a new server session: not through the JDBC bridge,
     * whose HikariCP may hand a new R2DBC connection a pooled JDBC one (its session id then
     * repeats), nor on SQLite, which has no sessions; there the driver's object tells.
     */
    private boolean sessionsTell(TestDatabase db) {
        return !driver().bridge() && db.backend() != io.retort.tck.env.Backend.SQLITE;
    }

    /** O-SERVER: on a server reached without the bridge, this test's sessions drop to {@code n}. */
    private void awaitServerSessions(TestDatabase db, long n, String what) {
        if (db.backend().inProcess() || driver().bridge()) {
            return;
        }
        FaultKit.await(() -> {
            try {
                return FaultKit.otherSessions(db) == n;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(5), what);
    }

    @Test // F31: maxLifeTime 1 s: not evicted on release while young; retired idle on time; a checkout running
          // past its lifetime completes on the same connection and that connection is retired on release
    default void maxLifeTimeRetiresOnTimeButNeverMidUse(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).maxLifeTime(Duration.ofSeconds(1))
                .backgroundEviction(Duration.ofMillis(200)).acquireTimeout(Duration.ofSeconds(10)).echo(false).build());
        long t0 = System.nanoTime();
        FaultKit.prepareSleep(engine, db.backend());
        Seen first = engine.connect(c -> seen(c, db)).blockLast(Duration.ofSeconds(10));
        Engine.PoolStats young = FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(young.allocated()).as("a connection younger than its lifetime is kept on release").isEqualTo(1);

        // Idle past its lifetime: the background eviction retires it, not a checkout.
        FaultKit.awaitStats(engine, s -> s.allocated() == 0, Duration.ofSeconds(5), "the idle connection retired");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not retired before its lifetime")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        awaitServerSessions(db, 0, "the retired connection's server session gone");

        // Busy past its lifetime: the statement runs on, on the same connection, and completes. No
        // background eviction on this engine, so only the release can retire the connection.
        Engine busy = engine(db, engine.options().toBuilder().backgroundEviction(Duration.ZERO).build());
        // SQLite's stand-in for a sleep counts rows, about twice as fast as its nominal duration here.
        String sleep = FaultKit.sleepSql(db.backend(),
                Duration.ofMillis(db.backend() == io.retort.tck.env.Backend.SQLITE ? 3000 : 1500));
        long t1 = System.nanoTime();
        List<Seen> during = busy.connect(c -> seen(c, db)
                        .concatWith(c.executeRaw(sleep).rows().then(Mono.empty()))
                        .concatWith(Mono.defer(() -> seen(c, db))))
                .collectList().block(Duration.ofSeconds(15));
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("premise: the checkout outlived the lifetime")
                .isGreaterThan(Duration.ofMillis(1100));
        assertThat(during).hasSize(2);
        assertThat(during.get(1).connection()).as("not retired mid-use").isSameAs(during.get(0).connection());
        assertThat(during.get(1).sessionId()).isEqualTo(during.get(0).sessionId());
        assertThat(during.get(0).connection()).as("a new connection after the first was retired")
                .isNotSameAs(first.connection());
        // Released past its lifetime: retired at once, not handed out again.
        FaultKit.awaitStats(busy, s -> s.acquired() == 0 && s.allocated() == 0, Duration.ofSeconds(2),
                "the connection past its lifetime retired on release");
        awaitServerSessions(db, 0, "the connection retired on release closed on the server");

        StepVerifier.create(busy.connect(c -> seen(c, db)))
                .assertNext(next -> {
                    assertThat(next.connection()).as("the next checkout opens a new connection")
                            .isNotSameAs(during.get(0).connection());
                    if (sessionsTell(db)) {
                        assertThat(next.sessionId()).as("a new server session").isNotEqualTo(during.get(0).sessionId())
                                .isNotEqualTo(first.sessionId());
                    }
                })
                .expectComplete().verify(Duration.ofSeconds(5));
        assertThat(FaultKit.awaitPoolIdle(busy, Duration.ofSeconds(2)).allocated()).isEqualTo(1);
    }

    @Test // F31: maxIdleTime 500 ms: a connection in steady use is kept; idle ones are evicted in the background
          // on time; and with the defaults nothing is evicted
    default void maxIdleTimeEvictsOnlyIdleConnections(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(2).maxIdleTime(Duration.ofMillis(500))
                .backgroundEviction(Duration.ofMillis(200)).acquireTimeout(Duration.ofSeconds(10)).echo(false).build());
        Engine defaults = engine(db, EngineOptions.builder().maxPoolSize(2).echo(false).build());
        // Ten checkouts 100 ms apart: never idle for 500 ms, so always the same connection.
        for (Engine e : List.of(engine, defaults)) {
            List<Seen> steady = Flux.range(0, 10)
                    .concatMap(i -> e.connect(c -> seen(c, db)).delayElements(Duration.ofMillis(100)))
                    .collectList().block(Duration.ofSeconds(15));
            assertThat(steady).hasSize(10);
            assertThat(steady).as("one connection throughout (%s)", e == engine ? "maxIdleTime 500 ms" : "defaults")
                    .allSatisfy(x -> assertThat(x.connection()).isSameAs(steady.get(0).connection()));
            assertThat(FaultKit.awaitPoolIdle(e, Duration.ofSeconds(2)).allocated()).isEqualTo(1);
        }

        long t0 = System.nanoTime();
        List<Long> two = FaultKit.sessionIdsOfAll(engine, db.backend(), 2);
        assertThat(two).hasSize(2);
        assertThat(FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2)).allocated())
                .as("both kept on release").isEqualTo(2);
        FaultKit.awaitStats(engine, s -> s.allocated() == 0, Duration.ofSeconds(5), "both idle connections evicted");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not evicted before their idle time")
                .isGreaterThanOrEqualTo(Duration.ofMillis(450));
        // The defaults' engine keeps its one connection all along (30 min idle time, no lifetime).
        assertThat(defaults.poolStats().orElseThrow().allocated()).as("nothing evicted with the defaults").isEqualTo(1);
        awaitServerSessions(db, 1, "only the defaults' connection left on the server");

        StepVerifier.create(engine.connect(c -> seen(c, db)))
                .assertNext(next -> {
                    if (sessionsTell(db)) {
                        assertThat(two).as("a new server session after the eviction").doesNotContain(next.sessionId());
                    }
                })
                .expectComplete().verify(Duration.ofSeconds(5));
    }

    // ================================================================= L6

    /** The churn's length in seconds (RELIABILITY L6: 60 for its CI size, 900 nightly); short by default. */
    String CHURN_SECONDS = "retort.load.churn.seconds";

    /** The churn's default length: 20 s on each of the five server backends keeps the CI cost under 2 minutes. */
    long CHURN_DEFAULT_SECONDS = 20;

    /** This JVM's open file descriptors, or -1 where {@code /proc/self/fd} does not exist (not Linux). */
    private static long openFds() {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fds)) {
            return -1;
        }
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(fds)) {
            return list.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test // L6: maxLifeTime 2 s, maxIdleTime 1 s under a steady query loop for retort.load.churn.seconds: about
          // duration / 2 s x pool connects, server sessions steady, no fd growth, no errors to users; at the
          // end nothing acquired and no server session of the test left
    // The nightly size (900 s) outlasts the build's default test timeout of 3 minutes.
    @org.junit.jupiter.api.Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
    default void churnRetiresOnScheduleWithoutLeaksOrErrors(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "to churn connections to");
        Duration duration = Duration.ofSeconds(Long.getLong(CHURN_SECONDS, CHURN_DEFAULT_SECONDS));
        Duration life = Duration.ofSeconds(2);
        int pool = 4;
        boolean linux = openFds() >= 0;
        String who = "LoadSuite L6 (" + driver() + ")";
        if (!linux) {
            System.err.println(who + ": no /proc/self/fd on this OS; the fd-count checks are skipped");
        }
        // Warm-up on a throwaway engine: the driver's event loops, selectors and classes exist
        // before the fd baseline, so the baseline counts only what a pool holds.
        io.r2dbc.spi.ConnectionFactory warmFactory = db.connectionFactory(driver());
        Engine warm = Engine.create(warmFactory, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        warm.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(10));
        warm.dispose().block(Duration.ofSeconds(10));
        if (warmFactory instanceof AutoCloseable) {
            ((AutoCloseable) warmFactory).close();
        }
        long fdBefore = openFds();

        io.r2dbc.spi.ConnectionFactory driverFactory = db.connectionFactory(driver());
        CountingConnectionFactory counting = new CountingConnectionFactory(driverFactory);
        Engine engine = engine(db, counting, EngineOptions.builder().maxPoolSize(pool).maxLifeTime(life)
                .maxIdleTime(Duration.ofSeconds(1)).backgroundEviction(Duration.ofMillis(250))
                .acquireTimeout(Duration.ofSeconds(10)).echo(false).build());
        java.util.Set<Long> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        // Twice as many looping sessions as connections, each pausing 5 ms between checkouts, so a
        // connection retired on release leaves a waiter to connect anew. In the last 1.5 s of every
        // 4 s all pause: the idle connections then outlive maxIdleTime and are evicted (a single
        // looping session would keep them all in use: the pool hands out its least recently used).
        int loopers = 2 * pool;
        long cycle = 4000;
        long busy = 2500;
        long start = System.nanoTime();
        java.util.function.LongSupplier quietFor = () -> {
            long in = Duration.ofNanos(System.nanoTime() - start).toMillis() % cycle;
            return in < busy ? 0 : cycle - in;
        };
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        reactor.core.Disposable loop = Flux.range(0, loopers).flatMap(i -> Mono.defer(
                        () -> engine.connect(c -> FaultKit.sessionId(c, db.backend())).next()
                                .doOnNext(id -> {
                                    sessions.add(id);
                                    ok.incrementAndGet();
                                })
                                .then()
                                .onErrorResume(e -> Mono.fromRunnable(() -> errors.add(e)))
                                .then(Mono.defer(() -> Mono.delay(Duration.ofMillis(Math.max(5, quietFor.getAsLong()))))))
                        .repeat(() -> !stop.get()), loopers)
                .doFinally(x -> finished.countDown())
                .subscribe();
        // The pool's open connections, polled (in memory) throughout: the quiet phases must empty it.
        java.util.concurrent.atomic.AtomicInteger fewestOpen = new java.util.concurrent.atomic.AtomicInteger(pool);
        reactor.core.Disposable poller = Flux.interval(Duration.ofMillis(50), Duration.ofMillis(50))
                .subscribe(t -> fewestOpen.accumulateAndGet(engine.poolStats().orElseThrow().allocated(), Math::min));
        List<Long> fds = new java.util.ArrayList<>();
        List<Long> serverSessions = new java.util.ArrayList<>();
        long t0 = System.nanoTime();
        try {
            // Sampled after the first lifetime is over, once a second, until the end.
            FaultKit.sleep(life.toMillis() + 1000);
            while (System.nanoTime() - t0 < duration.toNanos()) {
                fds.add(openFds());
                serverSessions.add(FaultKit.otherSessions(db));
                FaultKit.sleep(1000);
            }
        } finally {
            stop.set(true);
            FaultKit.await(() -> finished.getCount() == 0, Duration.ofSeconds(15), "every looping session stopped");
            loop.dispose();
            poller.dispose();
        }
        Duration ran = Duration.ofNanos(System.nanoTime() - t0);
        long connects = counting.opened();
        Engine.PoolStats atEnd = FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
        engine.dispose().block(Duration.ofSeconds(15));
        if (driverFactory instanceof AutoCloseable) {
            ((AutoCloseable) driverFactory).close(); // the bridge's HikariCP pool and its sessions
        }
        long expected = pool * ran.toMillis() / life.toMillis();
        System.err.println(who + ": " + ran.toMillis() + " ms, " + ok.get() + " queries, " + errors.size()
                + " errors, " + connects + " connects (about " + expected + " expected), " + sessions.size()
                + " distinct server sessions seen, fewest open " + fewestOpen.get() + ", server sessions sampled "
                + serverSessions + ", open fds before " + fdBefore + " then " + fds);

        assertThat(errors).as("errors to users: %s", errors.stream().limit(3).map(Throwable::toString).toList()).isEmpty();
        assertThat(ok.get()).as("queries run").isGreaterThan(pool * duration.toSeconds());
        assertThat(fewestOpen.get()).as("fewest connections open: idle ones evicted in the quiet phases").isZero();
        assertThat(connects).as("connects in %s ms at a %s lifetime on a pool of %d", ran.toMillis(), life, pool)
                .isBetween(expected * 3 / 4, expected * 3 / 2 + pool);
        if (sessionsTell(db)) {
            // Server-side view of the same churn (pids or connection ids, each from a checkout).
            assertThat((long) sessions.size()).as("distinct server sessions seen").isBetween(expected * 3 / 4, connects);
            // A retiring connection may still show while its successor starts: at most one each.
            assertThat(serverSessions).as("this test's server sessions, sampled once a second")
                    .isNotEmpty().allMatch(n -> n <= 2L * pool);
        } else if (driver().bridge()) {
            // HikariCP keeps lifetimes of 30 s or more: under the bridge the JDBC sessions stay,
            // within its pool (BridgeSupport.POOL_SIZE, 16); the churn above is of R2DBC connections.
            assertThat(serverSessions).isNotEmpty().allMatch(n -> n <= 16L);
        }
        if (linux) {
            assertThat(fds).as("open fds sampled in steady state").isNotEmpty();
            // Stable +-5: every sample within 5 of one middle value.
            assertThat(java.util.Collections.max(fds) - java.util.Collections.min(fds))
                    .as("open fds in steady state, max - min: %s", fds).isLessThanOrEqualTo(10L);
            // Sockets close asynchronously after the pool does.
            FaultKit.await(() -> openFds() <= fdBefore + 5, Duration.ofSeconds(5),
                    "open fds back to " + fdBefore + " +-5 after the pool closed");
        }
        assertThat(atEnd.acquired()).isZero();
        if (db.backend() != io.retort.tck.env.Backend.SQLITE) {
            FaultKit.await(() -> {
                try {
                    return FaultKit.otherSessions(db) == 0;
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, Duration.ofSeconds(5), "no server session of this test left");
        }
    }

    // ================================================================= L5

    /** Opts in to the restart chaos test, which stops and starts this machine's database servers. */
    String CHAOS = "retort.chaos";

    /** How many restarts the chaos test makes (RELIABILITY L5: 1 in CI, 3 for the catalog's row, 5 nightly). */
    String CHAOS_RESTARTS = "retort.chaos.restarts";

    /** PostgreSQL's first stop mode in the chaos test, {@code fast} (default) or {@code immediate}; later restarts alternate. */
    String CHAOS_PG_STOP = "retort.chaos.pg.stop";

    /** One attempt of a looping session: when it started and ended, and its error (null for success). */
    record Attempt(long start, long end, Throwable error) {
    }

    @Test // L5: 50 sessions looping on a pool of 10 while the real server restarts (PostgreSQL -m fast, then
          // -m immediate; MariaDB SIGTERM): typed errors bounded in time during the outage, 100% success from
          // one acquire timeout plus one validation round after the server is back, the pool idle at the end
    // Several restarts (a PostgreSQL crash recovery each, with -m immediate) may outlast the default 3 minutes.
    @org.junit.jupiter.api.Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
    default void restartChaosRecoversFully(TestDatabase db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean(CHAOS), "L5 restart chaos stops and starts this"
                + " machine's PostgreSQL and MariaDB, breaking whatever else uses them: opt in with -D" + CHAOS + "=true");
        FaultKit.requireServer(db, "to restart");
        org.junit.jupiter.api.Assumptions.assumeTrue(LocalServers.controls(db), db.backend().displayName()
                + " at " + db.host() + ":" + db.port() + " is not a server this machine can restart");
        io.retort.tck.env.Backend backend = db.backend();
        int restarts = Integer.getInteger(CHAOS_RESTARTS, 1);
        int sessions = 50;
        int pool = 10;
        Duration acquire = Duration.ofSeconds(2);
        Duration connect = Duration.ofSeconds(2);
        Duration outage = Duration.ofSeconds(2);
        String who = "LoadSuite L5 (" + driver() + ")";
        // Whatever happens below (a failed assertion, an interrupted run, a JVM stopped by a
        // signal), the server is started again.
        Thread restartOnExit = new Thread(() -> LocalServers.ensureRunning(backend));
        Runtime.getRuntime().addShutdownHook(restartOnExit);
        try {
            EngineOptions options = EngineOptions.builder().maxPoolSize(pool).acquireTimeout(acquire)
                    .connectTimeout(connect).prePing(true).echo(false).build();
            // The bridge bounds its JDBC connects itself (the engine's pool cannot stop a JDBC
            // driver blocked in a handshake): with the engine's connect timeout, as in F13.
            Engine engine = driver().bridge()
                    ? engine(db, db.options(driver()).mutate()
                            .option(io.r2dbc.spi.ConnectionFactoryOptions.CONNECT_TIMEOUT, connect).build(), options)
                    : engine(db, options);
            StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                    .expectNext(1L).expectComplete().verify(Duration.ofSeconds(10));
            List<Attempt> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            reactor.core.Disposable loop = Flux.range(0, sessions).flatMap(i -> Mono.defer(() -> {
                        long t = System.nanoTime();
                        return engine.connect(c -> c.executeRaw("SELECT 1").rows()).then()
                                // A hang bound far above any legitimate attempt: a session stuck
                                // this long fails untyped, which the checks below reject.
                                .timeout(Duration.ofSeconds(30))
                                .then(Mono.fromRunnable(() -> attempts.add(new Attempt(t, System.nanoTime(), null))))
                                .onErrorResume(e -> Mono.fromRunnable(() -> attempts.add(new Attempt(t, System.nanoTime(), e))))
                                .then(Mono.delay(Duration.ofMillis(20)));
                    }).repeat(() -> !stop.get()).then(), sessions)
                    .doFinally(x -> finished.countDown())
                    .subscribe();
            long[] down = new long[restarts];
            long[] starting = new long[restarts];
            long[] up = new long[restarts];
            try {
                FaultKit.sleep(1000);
                for (int k = 0; k < restarts; k++) {
                    List<LocalServers.Stop> modes = LocalServers.modes(backend, System.getProperty(CHAOS_PG_STOP, "fast"));
                    LocalServers.Stop mode = modes.get(k % modes.size());
                    down[k] = System.nanoTime();
                    try {
                        LocalServers.stop(mode);
                        FaultKit.sleep(outage.toMillis());
                    } finally {
                        starting[k] = System.nanoTime();
                        LocalServers.start(backend);
                    }
                    up[k] = System.nanoTime();
                    // Long enough to see full recovery: one acquire timeout plus one validation
                    // round, then some seconds of success.
                    FaultKit.sleep(acquire.plus(connect).plusSeconds(3).toMillis());
                    System.err.println(who + ": restart " + (k + 1) + " (" + mode + "): " + Duration.ofNanos(
                            up[k] - down[k]).toMillis() + " ms from the stop to the server ready again (start took "
                            + Duration.ofNanos(up[k] - starting[k]).toMillis() + " ms)");
                }
            } finally {
                stop.set(true);
                FaultKit.await(() -> finished.getCount() == 0, Duration.ofSeconds(40), "every looping session stopped");
                loop.dispose();
            }

            Duration bound = acquire.plus(connect).plusSeconds(2);
            assertThat(attempts.stream().filter(a -> a.end() < down[0])).as("attempts before the first restart")
                    .isNotEmpty().allMatch(a -> a.error() == null);
            for (int k = 0; k < restarts; k++) {
                long from = down[k];
                long to = k + 1 < restarts ? down[k + 1] : Long.MAX_VALUE;
                long recovered = up[k] + acquire.plus(connect).toNanos();
                List<Attempt> window = attempts.stream().filter(a -> a.start() >= from && a.start() < to).toList();
                List<Attempt> failed = window.stream().filter(a -> a.error() != null).toList();
                long lastError = failed.stream().mapToLong(Attempt::end).max().orElse(up[k]);
                System.err.println(who + ": restart " + (k + 1) + ": " + window.size() + " attempts, "
                        + window.stream().collect(Collectors.groupingBy(
                                a -> a.error() == null ? "ok" : a.error().getClass().getSimpleName(),
                                java.util.TreeMap::new, Collectors.counting()))
                        + ", errors seen for " + (failed.isEmpty() ? 0 : Duration.ofNanos(lastError
                                - failed.stream().mapToLong(Attempt::start).min().orElseThrow()).toMillis())
                        + " ms, last error " + Duration.ofNanos(lastError - starting[k]).toMillis()
                        + " ms after the start began (" + Duration.ofNanos(lastError - up[k]).toMillis()
                        + " ms after ready), longest attempt " + Duration.ofNanos(window.stream()
                                .mapToLong(a -> a.end() - a.start()).max().orElse(0)).toMillis() + " ms");
                assertThat(failed).as("restart %d: the outage was seen", k + 1).isNotEmpty();
                for (Attempt a : window) {
                    assertThat(Duration.ofNanos(a.end() - a.start())).as("an attempt's length (no session stuck): %s",
                            a.error() == null ? "success" : a.error().toString()).isLessThan(bound);
                    if (a.error() != null) {
                        assertThat(a.error()).as("a typed error during the outage")
                                .isInstanceOfAny(io.retort.error.ConnectionLostError.class, PoolTimeoutError.class,
                                        io.retort.error.ConnectError.class);
                    }
                }
                List<Attempt> after = window.stream().filter(a -> a.start() > recovered).toList();
                assertThat(after).as("restart %d: attempts after recovery", k + 1).hasSizeGreaterThan(sessions);
                assertThat(after).as("restart %d: 100%% success from one acquire timeout plus one validation round"
                        + " after the server was back: %s", k + 1, after.stream().filter(a -> a.error() != null)
                        .map(a -> a.error().toString()).findFirst().orElse("")).allMatch(a -> a.error() == null);
            }
            // O-POOL and O-SERVER at the end.
            Engine.PoolStats end = FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
            assertThat(end.allocated()).isLessThanOrEqualTo(pool);
            if (!driver().bridge()) {
                assertThat(FaultKit.otherSessions(db)).as("this test's server sessions").isLessThanOrEqualTo(pool);
            }
            StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                    .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
        } finally {
            LocalServers.ensureRunning(backend);
            Runtime.getRuntime().removeShutdownHook(restartOnExit);
        }
    }
}
