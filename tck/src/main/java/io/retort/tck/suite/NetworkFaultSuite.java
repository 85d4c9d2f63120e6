package io.retort.tck.suite;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.Row;
import io.retort.error.ConnectError;
import io.retort.error.ConnectionLostError;
import io.retort.error.RetortException;
import io.retort.error.TimeoutError;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.Backend;
import io.retort.tck.env.FaultProxy;
import io.retort.tck.env.FaultProxy.Cut;
import io.retort.tck.env.FaultProxy.Direction;
import io.retort.tck.env.FaultProxy.Fault;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.tck.suite.FaultKit.BIG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Network faults between the driver and the server (RELIABILITY F5, F13, F15, F16, F17, F32), made
 * by an in-JVM {@link FaultProxy}: a server outage under load and its recovery (the proxy
 * stands in for the stopped server: the shared servers keep running), a connect that completes
 * late, cancel during validation, a slow link read by a slow consumer,
 * silence mid-result and during COMMIT, a connection cut at any byte of the handshake or a
 * statement, corrupted protocol bytes, and a pre-ping that never answers. Each ends in a typed
 * error (or, where the engine can recover unseen, a correct result) within a bound, with the
 * broken connection closed (its proxy link and its server session gone), the pool idle, no
 * error dropped to {@code Hooks.onErrorDropped}, and the next query working (O-ERR, O-TIME,
 * O-POOL, O-SERVER, O-REUSE). H2 and SQLite run in this JVM and have no network: skipped there.
 */
@ExtendWith(TckOracle.class)
public interface NetworkFaultSuite extends TckBackend {

    /** An engine connecting through {@code proxy} (the namespace's own options, the proxy's address). */
    private Engine proxied(TestDatabase db, FaultProxy proxy, EngineOptions options) {
        return engine(db, viaProxy(db, proxy, options), options);
    }

    /**
     * The namespace's options with the proxy's address. For the JDBC bridge also the engine's
     * connect timeout: the engine's pool cancels a connect that takes longer, which closes an
     * R2DBC driver's socket but cannot stop a JDBC driver blocked in its handshake (on a worker,
     * or HikariCP's one connection-adding thread), so the bridge bounds that itself.
     */
    private ConnectionFactoryOptions viaProxy(TestDatabase db, FaultProxy proxy, EngineOptions options) {
        ConnectionFactoryOptions.Builder o = db.options(driver()).mutate()
                .option(ConnectionFactoryOptions.HOST, proxy.host())
                .option(ConnectionFactoryOptions.PORT, proxy.port());
        if (driver().bridge()) {
            o.option(ConnectionFactoryOptions.CONNECT_TIMEOUT, options.connectTimeout());
        }
        return o.build();
    }

    private static EngineOptions.Builder quick() {
        return EngineOptions.builder().maxPoolSize(2).acquireTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2)).echo(false);
    }

    private FaultProxy proxyTo(TestDatabase db) {
        FaultKit.requireServer(db, "and no network to fail");
        return FaultProxy.start(db.host(), db.port());
    }

    /**
     * Runs {@code body} with an onErrorDropped hook installed; fails if anything was dropped,
     * but for the drops a driver makes inside its own subscriptions ({@link #driverOwnDrop}).
     */
    private void noErrorDropped(ThrowingRunnable body) throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            body.run();
            // Drops may come from a release finishing in the background.
            FaultKit.sleep(100);
            List<Throwable> ours = dropped.stream().filter(e -> driverOwnDrop(driver(), e) == null).toList();
            assertThat(ours).as("errors dropped (Hooks.onErrorDropped / ErrorCallbackNotImplemented): %s",
                    ours.stream().map(NetworkFaultSuite::describe).toList()).isEmpty();
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    /**
     * Why {@code e}, dropped to {@code Hooks.onErrorDropped}, is a driver's own (null if it is
     * not known to be): each subscribes internally without an error handler, or signals an
     * internal sink twice, when its socket dies under it. Retort subscribes nothing without one.
     */
    static String driverOwnDrop(io.retort.tck.env.Driver driver, Throwable e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        switch (driver) {
            case R2DBC_POSTGRESQL:
                // ReactorNettyClient's request loop: onErrorResume(resumeError) returns close(),
                // whose Terminate write fails on a reset socket, into a bare subscribe().
                return e.getClass().getName().endsWith("ErrorCallbackNotImplemented") && cause instanceof java.io.IOException
                        ? "r2dbc-postgresql 1.0.9: Terminate written to a reset socket in its request loop" : null;
            case R2DBC_MYSQL:
                // ReactorNettyClient.resumeError and handleClose both drain the response sink.
                return (e.getClass().getName().startsWith("io.asyncer.r2dbc.mysql.client.MySqlConnection")
                        || cause.getClass().getName().startsWith("io.asyncer.r2dbc.mysql.client.MySqlConnection"))
                        ? "r2dbc-mysql 1.4.2: a closed connection's error emitted twice" : null;
            case R2DBC_MARIADB:
                // SimpleClient.sendResumeError completes its sink from two threads at once.
                return e instanceof reactor.core.publisher.Sinks.EmissionException
                        && describe(e).contains("org.mariadb.r2dbc.client.SimpleClient")
                        ? "r2dbc-mariadb 1.3.0: SimpleClient signals its request sink non-serially on a lost socket" : null;
            default:
                return null;
        }
    }

    /** A body that may throw. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The session id through a connection of {@code engine}, within {@code within}. */
    private static long sessionId(Engine engine, TestDatabase db, Duration within) {
        return engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(within);
    }

    /**
     * Waits for {@code link}'s socket to close: Retort closes a discarded connection's socket
     * itself when the driver's close does not (r2dbc-mysql's waits behind a lost answer,
     * r2dbc-postgresql's leaves the channel open after a decode failure), through the driver's
     * reactor-netty channel, reached reflectively ({@code io.retort.engine.DriverSocket}).
     */
    private static void socketClosed(FaultProxy.Link link, String what) throws Exception {
        FaultKit.await(link::isClosed, Duration.ofSeconds(5), what + ": its socket still open 5 s after Retort discarded"
                + " it. If the driver was upgraded, Retort may no longer reach its socket: the DEBUG log of"
                + " io.retort.engine.DriverSocket names the class whose shape changed");
    }

    /** Prints a driver defect a test steps around (the JDBC bridge over pgjdbc, for now). */
    private static void knownDefect(String what) {
        System.err.println("NetworkFaultSuite: known driver defect: " + what);
    }

    /** O-SERVER and the proxy agree: {@code n} connections open, no more. */
    private static void awaitOpenConnections(TestDatabase db, FaultProxy proxy, int n) throws Exception {
        FaultKit.await(() -> proxy.openLinks().size() <= n, Duration.ofSeconds(5),
                "at most " + n + " open proxy link(s), found " + proxy.openLinks());
        long[] sessions = {-1};
        FaultKit.await(() -> {
            try {
                sessions[0] = FaultKit.otherSessions(db);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            return sessions[0] <= n;
        }, Duration.ofSeconds(5), "at most " + n + " server session(s) of this test");
    }

    /** O-REUSE: a fresh query through the (healed) proxy answers correctly and promptly. */
    private static void nextQueryWorks(Engine engine) {
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 42").rows()).map(r -> ((Number) r.get(0)).intValue()))
                .expectNext(42).expectComplete().verify(Duration.ofSeconds(5));
    }

    /**
     * The next query works once a connect no longer runs into its timeout: for a known defect
     * that delays the recovery past one connect timeout, never for one that prevents it.
     */
    private static void nextQueryWorksWithin(Engine engine, Duration bound) {
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 42").rows()).map(r -> ((Number) r.get(0)).intValue())
                        .retryWhen(reactor.util.retry.Retry.fixedDelay(50, Duration.ofMillis(100))
                                .filter(ConnectError.class::isInstance)))
                .expectNext(42).expectComplete().verify(bound);
    }

    private static void assertTyped(Throwable e, List<Class<? extends RetortException>> allowed, String what) {
        assertThat(allowed).as("%s: %s", what, describe(e)).anyMatch(t -> t.isInstance(e));
    }

    private static String describe(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String s = w.toString();
        return s.length() > 3000 ? s.substring(0, 3000) : s;
    }

    // ================================================================= F5

    @Test // F5: a connect that completes after the connect timeout fails typed in time, and the late connection is closed
    default void lateConnectIsTypedAndTheLateConnectionIsClosed(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                // Well above a loaded CI box's handshake through the proxy, well below the delay.
                Engine engine = proxied(db, proxy, quick().connectTimeout(Duration.ofMillis(400)).build());
                proxy.faultForNewLinks(Direction.TO_CLIENT, Fault.delayFirstBytes(Duration.ofMillis(1000)));
                StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()))
                        .expectErrorSatisfies(e -> {
                            assertTyped(e, List.of(ConnectError.class), "a connect past its timeout");
                            // Bounded by the connect timeout, not by the server's late answer.
                            assertThat(proxy.bytes(Direction.TO_CLIENT)).as("the server's first bytes were still held")
                                    .isZero();
                        })
                        .verify(Duration.ofSeconds(3));
                // The server's answer goes on 1 s after the link opened; whatever the driver does
                // with it, the connection must end up closed, not open and forgotten.
                FaultKit.sleep(1100);
                if (driver() == io.retort.tck.env.Driver.BRIDGE_POSTGRES) {
                    // With sslmode=disable in the URL the link does close (the next connect then
                    // still missed the 400 ms connect timeout once: not analysed).
                    knownDefect("pgjdbc 42.7 (sslmode=prefer) behind the JDBC bridge: the link of the late"
                            + " connect stays open with its SSLRequest sent (8 bytes up, none down), read by no"
                            + " thread; and the connect after the fault can miss its 400 ms connect timeout");
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                    proxy.faultForNewLinks(Direction.TO_CLIENT, Fault.pass());
                    nextQueryWorksWithin(engine, Duration.ofSeconds(10));
                    return;
                }
                awaitOpenConnections(db, proxy, 0);
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                assertThat(engine.poolStats().orElseThrow().allocated()).isZero();
                proxy.faultForNewLinks(Direction.TO_CLIENT, Fault.pass());
                nextQueryWorks(engine);
            });
        }
    }

    @Test // F5: cancel during validation (the ping's answer is late): no leak, and no later query reads the stale answer
    default void cancelDuringValidationLeaksNothingAndNeverDesyncs(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Engine engine = proxied(db, proxy, quick().maxPoolSize(1).prePing(true).build());
                long before = sessionId(engine, db, Duration.ofSeconds(10));
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                FaultProxy.Link link = proxy.openLinks().get(0);
                long sent = link.bytes(Direction.TO_SERVER);
                link.fault(Direction.TO_CLIENT, Fault.hold());
                Disposable waiting = engine.connect(c -> c.executeRaw("SELECT 1").rows()).subscribe(r -> { }, e -> { });
                FaultKit.await(() -> link.bytes(Direction.TO_SERVER) > sent, Duration.ofSeconds(5), "the ping sent");
                waiting.dispose();
                FaultKit.sleep(50);
                link.fault(Direction.TO_CLIENT, Fault.pass()); // the ping's answer arrives late
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
                // Whichever connection serves next, each query gets its own answer (a connection
                // handed out with the stale answer pending would return it to the next query).
                for (int i = 1; i <= 5; i++) {
                    int n = i;
                    StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT " + (1000 + n)).rows())
                                    .map(r -> ((Number) r.get(0)).intValue()))
                            .expectNext(1000 + n).expectComplete().verify(Duration.ofSeconds(5));
                }
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                awaitOpenConnections(db, proxy, 1);
                assertThat(before).isPositive();
            });
        }
    }

    // ================================================================= F13

    /** One attempt of a looping session: when it started and ended, and its error (null for success). */
    record Attempt(long start, long end, Throwable error) {
    }

    @Test // F13: a server outage under load (every link reset, new connects reset for 2 s), then recovery: typed
          // errors within the acquire timeout during it, every attempt succeeding from one acquire timeout
          // plus one validation round after it
    default void outageUnderLoadIsTypedAndBoundedAndFullyRecovers(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Duration acquire = Duration.ofSeconds(1);
                Duration connect = Duration.ofSeconds(1);
                Engine engine = proxied(db, proxy, quick().maxPoolSize(4).acquireTimeout(acquire).connectTimeout(connect)
                        .prePing(true).build());
                // A cold JVM's first connect (class loading) may miss the connect timeout: not the point here.
                nextQueryWorksWithin(engine, Duration.ofSeconds(10));
                List<Attempt> attempts = new CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                // 8 sessions looping on a pool of 4 (F13's 50, scaled to a 2-core CI machine).
                Mono<Void> loopers = Flux.range(0, 8).flatMap(i -> Mono.defer(() -> {
                            long t = System.nanoTime();
                            return engine.connect(c -> c.executeRaw("SELECT 1").rows()).then()
                                    .then(Mono.fromRunnable(() -> attempts.add(new Attempt(t, System.nanoTime(), null))))
                                    .onErrorResume(e -> Mono.fromRunnable(() -> attempts.add(new Attempt(t, System.nanoTime(), e))))
                                    .then(Mono.delay(Duration.ofMillis(20)));
                        }).repeat(() -> !stop.get()).then(), 8)
                        .then();
                java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
                Disposable running = loopers.doFinally(x -> finished.countDown()).subscribe();
                try {
                    FaultKit.sleep(500);
                    // The outage: new connects reset, every open connection reset (pg_ctl stop -m immediate).
                    long cutting = System.nanoTime();
                    proxy.refuseNew(true);
                    for (FaultProxy.Link l : proxy.openLinks()) {
                        l.close(Cut.RST);
                    }
                    long down = System.nanoTime();
                    FaultKit.sleep(2000);
                    long up = System.nanoTime();
                    proxy.refuseNew(false);
                    FaultKit.sleep(2500);
                    stop.set(true);
                    // Every looper ends its current attempt within one attempt's bound.
                    long end = System.nanoTime();
                    FaultKit.await(() -> finished.getCount() == 0, Duration.ofSeconds(5), "every looping session stopped");
                    assertThat(Duration.ofNanos(System.nanoTime() - end)).isLessThan(Duration.ofSeconds(4));

                    // For the CI log: what the sessions saw, by kind.
                    System.err.println("NetworkFaultSuite F13 (" + driver() + "): " + attempts.size() + " attempts, "
                            + attempts.stream().collect(java.util.stream.Collectors.groupingBy(
                                    x -> x.error() == null ? "ok" : x.error().getClass().getSimpleName(),
                                    java.util.TreeMap::new, java.util.stream.Collectors.counting())));
                    Duration bound = acquire.plus(connect).plusSeconds(1);
                    for (Attempt a : attempts) {
                        assertThat(Duration.ofNanos(a.end() - a.start())).as("an attempt's length (no unbounded wait): %s",
                                a.error() == null ? "success" : describe(a.error())).isLessThan(bound);
                        if (a.error() != null) {
                            assertTyped(a.error(), List.of(ConnectionLostError.class, io.retort.error.PoolTimeoutError.class,
                                    ConnectError.class), "an attempt during the outage");
                            assertThat(a.end()).as("an error only once the outage began").isGreaterThan(cutting);
                        }
                    }
                    assertThat(attempts.stream().filter(a -> a.end() < cutting))
                            .as("attempts before the outage").isNotEmpty().allMatch(a -> a.error() == null);
                    assertThat(attempts.stream().filter(a -> a.start() > down && a.end() < up))
                            .as("attempts during the outage").isNotEmpty().allMatch(a -> a.error() != null);
                    assertThat(proxy.refusedLinks()).as("connects tried during the outage").isPositive();
                    // Recovery: one acquire timeout plus one validation round after the server is back.
                    long recovered = up + acquire.plus(connect).toNanos();
                    List<Attempt> after = attempts.stream().filter(a -> a.start() > recovered).toList();
                    assertThat(after).as("attempts after recovery").hasSizeGreaterThan(8);
                    assertThat(after).as("100%% success after recovery: %s", after.stream().filter(a -> a.error() != null)
                            .map(a -> describe(a.error())).findFirst().orElse("")).allMatch(a -> a.error() == null);
                } finally {
                    stop.set(true);
                    running.dispose();
                }
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                assertThat(engine.poolStats().orElseThrow().allocated()).isLessThanOrEqualTo(4);
                awaitOpenConnections(db, proxy, 4);
                nextQueryWorks(engine);
            });
        }
    }

    // ================================================================= F15

    @Test // F15: silence mid-result: the caller's timeout ends it in time, the connection is closed, the pool recovers
    default void silenceMidResultIsBoundedAndTheConnectionClosed(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                // The bridge hands out a fetch's rows only once the driver has read them all: a
                // fetch smaller than the bytes before the silence, so some rows do come first.
                Engine engine = proxied(db, proxy, quick().fetchSize(driver().bridge() ? 100 : 0).build());
                FaultKit.createBig(engine, db.backend(), 20_000);
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                // The timeout inside the scope (the scope's release must not wait on the silent
                // server), then outside it (the cancelled scope releases in the background).
                for (boolean inside : new boolean[] {true, false}) {
                    proxy.heal();
                    nextQueryWorks(engine);
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                    for (FaultProxy.Link l : proxy.openLinks()) {
                        l.fault(Direction.TO_CLIENT, Fault.blackholeAfter(8_000));
                    }
                    Function<Flux<Row>, Flux<Row>> timeout = f -> f.timeout(Duration.ofMillis(500));
                    Flux<Row> rows = inside
                            ? engine.connect(c -> timeout.apply(c.execute(select(BIG.id, BIG.pad).from(BIG)).rows()))
                            : timeout.apply(engine.connect(c -> c.execute(select(BIG.id, BIG.pad).from(BIG)).rows()));
                    AtomicInteger seen = new AtomicInteger();
                    StepVerifier.create(rows.doOnNext(r -> seen.incrementAndGet()))
                            .thenConsumeWhile(r -> true)
                            .expectError(java.util.concurrent.TimeoutException.class)
                            .verify(Duration.ofSeconds(3));
                    assertThat(seen.get()).as("rows before the silence (timeout %s the scope)", inside ? "inside" : "outside")
                            .isPositive().isLessThan(20_000);
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                    // The silent connection's socket is closed by Retort, though r2dbc-mysql's own
                    // close waits behind the lost answer (see socketClosed).
                    for (FaultProxy.Link l : proxy.openLinks()) {
                        if (l.bytes(Direction.TO_CLIENT) >= 8_000) {
                            socketClosed(l, "the silent connection (timeout " + (inside ? "inside" : "outside") + " the scope)");
                        }
                    }
                    proxy.heal();
                    nextQueryWorks(engine);
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                    awaitOpenConnections(db, proxy, 2);
                }
            });
        }
    }

    @Test // F15: silence after COMMIT was sent: bounded by the engine's commit timeout, reported as an unknown outcome
    default void silenceDuringCommitIsBoundedAndReportedAsUnknown(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Engine engine = proxied(db, proxy, quick().commitTimeout(Duration.ofMillis(500)).build());
                FaultKit.createBig(engine, db.backend(), 10);
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                Flux<Long> tx = engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, 100).set(BIG.pad, "maybe"))
                        .rowsAffected()
                        // The work is done: from here on the server's answers are lost.
                        .doOnSuccess(n -> proxy.fault(Direction.TO_CLIENT, Fault.blackhole())));
                StepVerifier.create(tx)
                        .expectNext(1L)
                        .expectErrorSatisfies(e -> {
                            assertTyped(e, List.of(TimeoutError.class, ConnectionLostError.class), "COMMIT unanswered");
                            assertThat(e.getMessage()).contains("COMMIT").containsIgnoringCase("outcome");
                        })
                        .verify(Duration.ofSeconds(3));
                proxy.heal();
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                awaitOpenConnections(db, proxy, 1);
                nextQueryWorks(engine);
            });
        }
    }

    // ================================================================= F18

    @Test // F18: a link throttled to 64 KiB/s read by a limitRate(1) subscriber taking 1 ms a row, stalling 1 s:
          // rows come only on demand (nothing piles up, no OverflowException), all in order
    default void slowLinkAndSlowConsumerReadOnDemand(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                int rows = 2000;
                int stallAt = 200;
                Engine engine = proxied(db, proxy, FaultKit.streamingOptions(driver()).toBuilder()
                        .acquireTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(2)).build());
                FaultKit.createBig(engine, db.backend(), rows);
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                long rate = 64 * 1024;
                proxy.fault(Direction.TO_CLIENT, Fault.throttle(rate));
                long bytesBefore = proxy.bytes(Direction.TO_CLIENT);
                AtomicInteger emitted = new AtomicInteger();
                AtomicInteger consumed = new AtomicInteger();
                AtomicInteger aheadAfterStall = new AtomicInteger(-1);
                // About 45 bytes a row on the wire: some 90 KB, more than a second on the link.
                Flux<Integer> ids = engine.execute(select(BIG.id, BIG.pad.concat(BIG.pad).concat(BIG.pad)).from(BIG)
                                .orderBy(BIG.id))
                        .map(r -> ((Number) r.get(0)).intValue())
                        .doOnNext(id -> emitted.incrementAndGet())
                        .limitRate(1)
                        .concatMap(id -> Mono.delay(Duration.ofMillis(id == stallAt ? 1000 : 1))
                                .doOnNext(x -> {
                                    if (id == stallAt) {
                                        // A second without demand: rows read beyond it would be here.
                                        aheadAfterStall.set(emitted.get() - consumed.get());
                                    }
                                })
                                .thenReturn(id), 1)
                        .doOnNext(id -> consumed.incrementAndGet());
                long t0 = System.nanoTime();
                List<Integer> seen = ids.collectList().block(Duration.ofSeconds(30));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(seen).as("every row, in order").hasSize(rows)
                        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, rows).boxed().toList());
                assertThat(aheadAfterStall.get()).as("rows emitted beyond the subscriber's demand after a 1 s stall")
                        .isBetween(0, 4);
                long bytes = proxy.bytes(Direction.TO_CLIENT) - bytesBefore;
                assertThat(bytes).as("the result's bytes").isGreaterThan(rows * 20L);
                // The link really was slow (the premise): no faster than the throttle, with slack.
                assertThat(bytes * 1_000_000_000L / Math.max(1, took.toNanos())).as("bytes/s over the link")
                        .isLessThan(rate * 3 / 2);
                proxy.heal();
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                nextQueryWorks(engine);
            });
        }
    }

    // ================================================================= F16

    @Test // F16: the connection cut (FIN or RST) at offsets over the handshake and a statement: typed, bounded, no leak
    default void cutAtAnyOffsetIsTypedBoundedAndLeaksNothing(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Engine engine = proxied(db, proxy, quick().maxPoolSize(1).prePing(false)
                        .connectTimeout(Duration.ofSeconds(1)).build());
                FaultKit.createBig(engine, db.backend(), 30);
                String query = "SELECT id, pad FROM big WHERE id <= 30 ORDER BY id";
                // Measure a fresh connection's handshake and the statement, both ways.
                engine.dispose().block(Duration.ofSeconds(10));
                Engine measured = proxied(db, proxy, quick().maxPoolSize(1).prePing(false).build());
                int opened = proxy.acceptedLinks();
                sessionId(measured, db, Duration.ofSeconds(10));
                FaultProxy.Link first = proxy.openLinks().get(proxy.openLinks().size() - 1);
                // The bridge's first connection also opens HikariCP's initialization check, which
                // HikariCP closes at once when minimumIdle is 0: the measured link is the last one.
                assertThat(proxy.acceptedLinks()).isEqualTo(opened + (driver().bridge() ? 2 : 1));
                long[] hs = {first.bytes(Direction.TO_SERVER), first.bytes(Direction.TO_CLIENT)};
                StepVerifier.create(measured.connect(c -> c.executeRaw(query).rows()).count())
                        .expectNext(30L).expectComplete().verify(Duration.ofSeconds(5));
                long[] q = {first.bytes(Direction.TO_SERVER) - hs[0], first.bytes(Direction.TO_CLIENT) - hs[1]};
                measured.dispose().block(Duration.ofSeconds(10));

                int errors = 0;
                int runs = 0;
                // The handshake: a new engine's first connection cut after k bytes one way.
                for (Direction d : Direction.values()) {
                    long total = hs[d.ordinal()] - (d == Direction.TO_SERVER ? 1 : 0);
                    for (long k : offsets(total, d == Direction.TO_CLIENT ? 24 : 12)) {
                        Cut how = (k % 2 == 0) ? Cut.RST : Cut.FIN;
                        String what = "handshake " + d + " cut after " + k + " of " + hs[d.ordinal()] + " bytes (" + how + ")";
                        proxy.faultForNewLinks(d, Fault.cutAfter(k, how));
                        EngineOptions onceOptions = quick().maxPoolSize(1).prePing(false).connectTimeout(Duration.ofSeconds(1)).build();
                        Engine once = Engine.create(viaProxy(db, proxy, onceOptions), onceOptions);
                        try {
                            Object outcome = outcome(once.connect(c -> c.executeRaw(query).rows()).count(), what);
                            runs++;
                            if (outcome instanceof Throwable) {
                                errors++;
                                assertTyped((Throwable) outcome, List.of(ConnectError.class, ConnectionLostError.class), what);
                            } else {
                                assertThat(outcome).as(what).isEqualTo(30L);
                            }
                            FaultKit.awaitPoolIdle(once, Duration.ofSeconds(2));
                        } finally {
                            proxy.faultForNewLinks(d, Fault.pass());
                            once.dispose().block(Duration.ofSeconds(10));
                        }
                        awaitOpenConnections(db, proxy, 0);
                    }
                }
                Engine fresh = proxied(db, proxy, quick().maxPoolSize(1).prePing(false).build());
                // A statement on a pooled connection: cut after k bytes of it, one way.
                for (Direction d : Direction.values()) {
                    for (long k : offsets(q[d.ordinal()], d == Direction.TO_CLIENT ? 24 : 8)) {
                        Cut how = (k % 2 == 0) ? Cut.FIN : Cut.RST;
                        nextQueryWorks(fresh);
                        FaultKit.awaitPoolIdle(fresh, Duration.ofSeconds(2));
                        // A short-lived link (a PostgreSQL CancelRequest) may still be closing.
                        FaultKit.await(() -> proxy.openLinks().size() == 1, Duration.ofSeconds(3), "one pooled connection's link");
                        List<FaultProxy.Link> open = proxy.openLinks();
                        assertThat(open).as("one pooled connection").hasSize(1);
                        open.get(0).fault(d, Fault.cutAfter(k, how));
                        Object outcome = outcome(fresh.connect(c -> c.executeRaw(query).rows()).count(),
                                "statement " + d + " cut after " + k + " of " + q[d.ordinal()] + " bytes (" + how + ")");
                        runs++;
                        if (outcome instanceof Throwable) {
                            errors++;
                            assertTyped((Throwable) outcome, List.of(ConnectionLostError.class),
                                    "statement " + d + " cut after " + k + " bytes (" + how + ")");
                        } else {
                            assertThat(outcome).isEqualTo(30L);
                        }
                        // A cut armed past the statement's last byte has not fired: disarm it.
                        for (FaultProxy.Link l : proxy.openLinks()) {
                            l.fault(d, Fault.pass());
                        }
                        FaultKit.awaitPoolIdle(fresh, Duration.ofSeconds(2));
                    }
                }
                assertThat(errors).as("cuts that failed a statement, of %d runs", runs).isGreaterThan(runs / 2);
                nextQueryWorks(fresh);
                FaultKit.awaitPoolIdle(fresh, Duration.ofSeconds(2));
                awaitOpenConnections(db, proxy, 1);
            });
        }
    }

    /** About {@code n} offsets spread over 0..total, including both ends and the first few bytes. */
    private static List<Long> offsets(long total, int n) {
        java.util.TreeSet<Long> s = new java.util.TreeSet<>();
        for (long k = 0; k < Math.min(4, total); k++) {
            s.add(k);
        }
        for (int i = 0; i <= n; i++) {
            s.add(total * i / n);
        }
        return new ArrayList<>(s);
    }

    /** The value or the error of {@code work}, which must end within 7 s (O-TIME; above the 5 s acquire timeout). */
    private static Object outcome(Mono<?> work, String what) {
        try {
            Object v = work.map(x -> (Object) x).onErrorResume(Mono::just).block(Duration.ofSeconds(7));
            return v == null ? "empty" : v;
        } catch (IllegalStateException timeout) {
            throw new AssertionError(what + ": no outcome within 5 s (a hang)", timeout);
        }
    }

    // ================================================================= F17

    @Test // F17: a corrupted row (bogus lengths, an unknown message): one typed error, the connection closed, no hang
    default void corruptedBytesAreOneTypedErrorAndTheConnectionIsClosed(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Engine engine = proxied(db, proxy, quick().maxPoolSize(1).prePing(false).build());
                String marker = "retort-corrupt-marker-0123456789";
                byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
                // Aliased: MySQL and MariaDB name an unaliased column after its text, so the marker's first
                // occurrence, where the corruption lands, would be in the column definition, not the row.
                String query = "SELECT '" + marker + "' AS v";
                for (Corruption c : corruptions(db.backend())) {
                    nextQueryWorks(engine);
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                    long before = sessionId(engine, db, Duration.ofSeconds(5));
                    // The previous round's timeout may have sent PostgreSQL a CancelRequest, on a
                    // short-lived link of its own (16 bytes up, none down) that the server closes.
                    FaultKit.await(() -> proxy.openLinks().size() == 1, Duration.ofSeconds(3),
                            "only the pooled connection's link open (" + proxy.openLinks() + ")");
                    List<FaultProxy.Link> open = proxy.openLinks();
                    assertThat(open).hasSize(1);
                    FaultProxy.Link link = open.get(0);
                    link.fault(Direction.TO_CLIENT, Fault.corrupt(m, c.relative(), c.bytes()));
                    List<Object> signals = new CopyOnWriteArrayList<>();
                    // Bogus lengths may leave a driver waiting for bytes that never come: the
                    // caller's timeout bounds that, and the connection must still be closed.
                    Object outcome = outcome(engine.connect(x -> x.executeRaw(query).rows().timeout(Duration.ofSeconds(2)))
                            .doOnNext(signals::add).doOnError(signals::add).then(Mono.just("done")), c.name());
                    assertThat(link.corruptions()).as("%s applied", c.name()).isEqualTo(1);
                    if (c.dataIntact() && outcome.equals("done")) {
                        // A driver that does not check what was corrupted: the right row, and the
                        // connection, still in step with the server, stays in the pool.
                        assertThat(signals).as("%s: the row, unharmed", c.name()).hasSize(1)
                                .allSatisfy(r -> assertThat(((Row) r).get(0)).isEqualTo(marker));
                        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                        assertThat(link.isClosed()).as("%s: the connection kept", c.name()).isFalse();
                        assertThat(sessionId(engine, db, Duration.ofSeconds(5))).as("%s: the same connection", c.name())
                                .isEqualTo(before);
                        continue;
                    }
                    assertThat(signals).as("%s: exactly one signal, an error: %s", c.name(), signals).hasSize(1);
                    if (driver() == io.retort.tck.env.Driver.BRIDGE_POSTGRES && !(signals.get(0) instanceof Throwable)) {
                        // Seen for the DataRow message length (once also the column length): one
                        // row, no error. Not analysed. The next round needs a link of its own: this
                        // one is ended, and the query that finds it dead drops the connection.
                        knownDefect("pgjdbc 42.7 behind the JDBC bridge: " + c.name() + " yields a row instead of an"
                                + " error (not yet analysed; see the report)");
                        link.close(Cut.FIN);
                        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                        outcome(engine.connect(x -> x.executeRaw("SELECT 1").rows()).then(Mono.just("flushed")), "flush");
                        continue;
                    }
                    Throwable e = (Throwable) signals.get(0);
                    assertThat(outcome).isSameAs(e);
                    if (!(e instanceof java.util.concurrent.TimeoutException)) {
                        assertTyped(e, List.of(ConnectionLostError.class, io.retort.error.DatabaseError.class), c.name());
                    }
                    FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                    socketClosed(link, c.name() + ": the corrupted connection, after " + describe(e));
                    assertThat(sessionId(engine, db, Duration.ofSeconds(5))).as("%s: a new connection", c.name())
                            .isNotEqualTo(before);
                    link.close(Cut.FIN);
                }
                awaitOpenConnections(db, proxy, 1);
            });
        }
    }

    /**
     * A corruption of the first row of {@code SELECT '<marker>' AS v}: bytes written at an offset
     * from the marker. {@code dataIntact}: the row's data is unharmed (only framing a driver may
     * not check), so the right row is an acceptable outcome too.
     */
    record Corruption(String name, int relative, byte[] bytes, boolean dataIntact) {
    }

    private static List<Corruption> corruptions(Backend backend) {
        byte[] huge = ByteBuffer.allocate(4).putInt(0x7FFFFFF0).array();
        if (backend == Backend.POSTGRES) {
            // DataRow: 'D', Int32 length, Int16 columns, Int32 column length, the value.
            return List.of(
                    new Corruption("DataRow column length 2 GB", -4, huge, false),
                    new Corruption("DataRow message length 2 GB", -10, huge, false),
                    new Corruption("unknown message type instead of DataRow", -11, new byte[] {'!'}, false));
        }
        // A text-protocol row packet: 3-byte length, sequence id, length-encoded string.
        return List.of(
                new Corruption("row value length past the packet", -1, new byte[] {(byte) 0xFC}, false),
                // The driver waits for 16 MB that never come: bounded by the caller's timeout.
                new Corruption("row packet length 16 MB", -5, new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF}, false),
                // Neither r2dbc-mysql 1.4.2 nor r2dbc-mariadb 1.3.0 checks a row's sequence id: both return the row.
                new Corruption("out-of-order sequence id", -2, new byte[] {(byte) 0x7F}, true));
    }

    // ================================================================= F32

    @Test // F32: a pre-ping that never answers: the acquire gives up on it in time and succeeds with a new connection
    default void hangingPrePingIsReplacedByANewConnection(TestDatabase db) throws Exception {
        try (FaultProxy proxy = proxyTo(db)) {
            noErrorDropped(() -> {
                Engine engine = proxied(db, proxy, quick().prePing(true).connectTimeout(Duration.ofMillis(500)).build());
                long before = sessionId(engine, db, Duration.ofSeconds(10));
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                FaultProxy.Link pooled = proxy.openLinks().get(0);
                pooled.fault(Direction.TO_CLIENT, Fault.blackhole());
                // r2dbc-pool reports the ping's timeout only once it has destroyed the connection,
                // and r2dbc-mysql's close waits behind the lost ping: the engine's bounded destroy
                // ends that wait by closing the socket, so the acquire retries in time.
                StepVerifier.create(engine.connect(c -> FaultKit.sessionId(c, db.backend())))
                        .assertNext(id -> assertThat(id).as("served by a new connection").isNotEqualTo(before))
                        .expectComplete()
                        .verify(Duration.ofSeconds(3));
                socketClosed(pooled, "the connection whose pre-ping went unanswered");
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
                awaitOpenConnections(db, proxy, 1);

                // Every connection silent, new ones too: a typed failure within the bound, then recovery.
                proxy.fault(Direction.TO_CLIENT, Fault.blackhole());
                long t0 = System.nanoTime();
                StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()))
                        .expectErrorSatisfies(e -> assertTyped(e, List.of(ConnectError.class, TimeoutError.class,
                                io.retort.error.PoolTimeoutError.class), "every ping and connect silent"))
                        .verify(Duration.ofSeconds(6));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("within the acquire timeout")
                        .isLessThan(Duration.ofMillis(5_500));
                proxy.heal();
                FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(3));
                if (driver() == io.retort.tck.env.Driver.BRIDGE_POSTGRES) {
                    knownDefect("pgjdbc 42.7 behind the JDBC bridge: after every link was silent, the first connect"
                            + " after healing misses the 500 ms connect timeout (ConnectError); pgjdbc bounds its"
                            + " handshake in whole seconds (1 s here), which may hold HikariCP's one connection-adding"
                            + " thread past it (not verified)");
                    nextQueryWorksWithin(engine, Duration.ofSeconds(10));
                    return;
                }
                nextQueryWorks(engine);
                awaitOpenConnections(db, proxy, 2);
            });
        }
    }
}
