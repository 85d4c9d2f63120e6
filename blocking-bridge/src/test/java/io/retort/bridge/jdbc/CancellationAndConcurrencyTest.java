package io.retort.bridge.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * B2 on H2 (RELIABILITY F33, F34, L8 in miniature): rows are read only as far as requested,
 * a cancelled stream or running statement gives its connection back within a second, 200
 * concurrent subscribers on a pool of 8 all finish without a leaked connection, and no JDBC
 * call ever runs on a Reactor non-blocking thread — checked for every driver call by
 * {@link RecordingDataSource}, and by BlockHound (installed for every test of this module by
 * blockhound-junit-platform) for the blocking primitives inside the drivers and HikariCP.
 */
class CancellationAndConcurrencyTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private HikariDataSource hikari;
    private RecordingDataSource recording;
    private JdbcConnectionFactory cf;

    @BeforeEach
    void setUp() {
        hikari = new HikariDataSource();
        hikari.setJdbcUrl("jdbc:h2:mem:conc" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        hikari.setUsername("sa");
        hikari.setMaximumPoolSize(8);
        hikari.setMinimumIdle(0);
        recording = new RecordingDataSource(hikari);
        cf = JdbcConnectionFactory.builder().dataSource(recording).poolSize(8).poolName("conc").build();
    }

    @AfterEach
    void tearDown() {
        assertThat(recording.nonBlockingThreadCalls).as("JDBC calls made on Reactor non-blocking threads").isEmpty();
        cf.close();
        hikari.close();
    }

    private int hikariActive() {
        return hikari.getHikariPoolMXBean() == null ? 0 : hikari.getHikariPoolMXBean().getActiveConnections();
    }

    private static long awaitMillis(BooleanSupplier condition, Duration max) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!condition.getAsBoolean() && System.nanoTime() - t0 < max.toNanos()) {
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private Flux<Long> rows(String sql, int fetchSize) {
        return Flux.usingWhen(cf.create(),
                c -> Flux.from(c.createStatement(sql).fetchSize(fetchSize).execute())
                        .concatMap(r -> r.map((row, m) -> row.get(0, Long.class))),
                Connection::close);
    }

    @Test
    void aDriverThatThrowsUncheckedFromResultSetCloseStillEndsTheStream() {
        recording.failResultSetClose = new IllegalStateException("driver bug in ResultSet.close()");
        // Read to the end (the close comes at exhaustion) and cancelled part-way (the close comes on cancel).
        StepVerifier.create(rows("SELECT X FROM SYSTEM_RANGE(1, 500)", 100).count())
                .expectNext(500L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(rows("SELECT X FROM SYSTEM_RANGE(1, 500)", 100).take(10).count())
                .expectNext(10L)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        recording.failResultSetClose = null;
        // Nothing is stuck: every connection came back, and the factory still serves queries.
        StepVerifier.create(rows("SELECT X FROM SYSTEM_RANGE(1, 3)", 100).collectList())
                .expectNext(List.of(1L, 2L, 3L))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(cf.acquiredConnections()).isZero();
    }

    @Test
    void closingTheConnectionUnderAReaderEndsItsStreamWithAnError() {
        Connection c = Mono.from(cf.create()).block(Duration.ofSeconds(5));
        Flux<Long> rows = Flux.from(c.createStatement("SELECT X FROM SYSTEM_RANGE(1, 100000)").fetchSize(100).execute())
                .concatMap(r -> r.map((row, m) -> row.get(0, Long.class)));
        // The reader still wants rows when its connection is closed (a pool disposed under it):
        // it must hear so, not wait for good.
        StepVerifier.create(rows, 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> Mono.from(c.close()).block(Duration.ofSeconds(5)))
                .thenRequest(10)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.r2dbc.spi.R2dbcNonTransientResourceException.class)
                        .hasMessageContaining("connection was closed"))
                .verify(Duration.ofSeconds(10));
        assertThat(cf.acquiredConnections()).as("the closed connection's permit").isZero();
    }

    @Test
    void blockHoundIsInstalled() {
        // Guards the guard: if the listener were missing, the F34 checks below would prove nothing.
        assertThatThrownBy(() -> Mono.delay(Duration.ofMillis(1)).doOnNext(x -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).block(Duration.ofSeconds(5))).hasCauseInstanceOf(BlockingOperationError.class);
    }

    @Test
    void aSlowSubscriberHoldsBackTheFetch() {
        StepVerifier.create(rows("SELECT X FROM SYSTEM_RANGE(1, 100000)", 100), 0)
                .thenRequest(10)
                .expectNextCount(10)
                .then(() -> assertThat(recording.nextCalls.get()).as("rows read from the driver").isEqualTo(10))
                .thenRequest(5)
                .expectNextCount(5)
                .then(() -> assertThat(recording.nextCalls.get()).isEqualTo(15))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void cancellingA100kRowStreamReleasesTheConnectionWithinASecond() throws Exception {
        StepVerifier.create(rows("SELECT X FROM SYSTEM_RANGE(1, 100000)", 500).publishOn(Schedulers.parallel()), 0)
                .thenRequest(1000)
                .expectNextCount(1000)
                .then(() -> assertThat(hikariActive()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        long ms = awaitMillis(() -> hikariActive() == 0 && cf.acquiredConnections() == 0, Duration.ofSeconds(5));
        assertThat(ms).as("ms until HikariCP's active connections are back to 0").isLessThan(1000);
        assertThat(recording.nextCalls.get()).isLessThan(100_000);
    }

    @Test
    void cancellingARunningStatementCallsStatementCancel() throws Exception {
        // A cross join H2 needs minutes to count: cancelled while executeQuery runs.
        Disposable d = rows("SELECT count(*) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b", 0)
                .subscribeOn(Schedulers.parallel()).subscribe();
        assertThat(awaitMillis(() -> hikariActive() == 1, Duration.ofSeconds(5))).isLessThan(5000);
        Thread.sleep(300);
        d.dispose();
        long ms = awaitMillis(() -> hikariActive() == 0 && cf.acquiredConnections() == 0, Duration.ofSeconds(5));
        assertThat(ms).as("ms until the connection is back").isLessThan(1000);
        assertThat(recording.cancels.get()).as("Statement.cancel() calls").isGreaterThanOrEqualTo(1);
        // The connection is healthy for the next user.
        StepVerifier.create(rows("SELECT 41 + 1", 0)).expectNext(42L).verifyComplete();
    }

    @Test
    void twoHundredConcurrentSubscribersOnAPoolOfEight() throws Exception {
        int before = workerThreads();
        List<Long> sums = Flux.range(0, 200)
                .flatMap(i -> rows("SELECT X FROM SYSTEM_RANGE(1, 100)", 10).reduce(0L, Long::sum)
                        .subscribeOn(Schedulers.parallel()), 200)
                .collectList()
                .block(Duration.ofSeconds(60));
        assertThat(sums).hasSize(200).containsOnly(5050L);
        long ms = awaitMillis(() -> hikariActive() == 0 && cf.acquiredConnections() == 0 && cf.pendingAcquires() == 0,
                Duration.ofSeconds(5));
        assertThat(ms).isLessThan(1000);
        assertThat(hikari.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(8);
        assertThat(workerThreads()).as("worker threads").isEqualTo(before).isEqualTo(8);
        assertThat(recording.threads).allSatisfy(t -> assertThat(t).startsWith("conc-worker-"));
    }

    @Test
    void cancellingHalfOfManyCallsLeaksNothing() throws Exception {
        // RELIABILITY F33/L8: 100 calls through 8 workers, every other one cancelled mid-statement.
        List<Disposable> running = new java.util.ArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            String sql = i % 2 == 0 ? "SELECT count(*) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b"
                    : "SELECT X FROM SYSTEM_RANGE(1, 1000)";
            running.add(rows(sql, 100).subscribeOn(Schedulers.parallel())
                    .subscribe(x -> { }, e -> { }, completed::incrementAndGet));
        }
        Thread.sleep(500);
        for (int i = 0; i < running.size(); i += 2) {
            running.get(i).dispose();
        }
        long ms = awaitMillis(() -> completed.get() == 50 && cf.acquiredConnections() == 0 && cf.pendingAcquires() == 0
                && hikariActive() == 0, Duration.ofSeconds(30));
        assertThat(completed.get()).isEqualTo(50);
        assertThat(cf.acquiredConnections()).isZero();
        assertThat(hikariActive()).isZero();
        assertThat(ms).isLessThan(30_000);
        assertThat(workerThreads()).isEqualTo(8);
    }

    @Test
    void acquireTimesOutWhenThePoolStaysFull() {
        JdbcConnectionFactory small = JdbcConnectionFactory.builder().url("jdbc:h2:mem:small;DB_CLOSE_DELAY=-1")
                .poolSize(1).acquireTimeout(Duration.ofMillis(300)).build();
        try {
            Connection held = Mono.from(small.create()).block(Duration.ofSeconds(5));
            StepVerifier.create(small.create())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.r2dbc.spi.R2dbcTimeoutException.class)
                            .hasMessageContaining("acquisition"))
                    .verify(Duration.ofSeconds(5));
            assertThat(small.pendingAcquires()).isZero();
            Mono.from(held.close()).block(Duration.ofSeconds(5));
            assertThat(small.acquiredConnections()).isZero();
            StepVerifier.create(Mono.from(small.create()).flatMap(c -> Mono.from(c.close()))).verifyComplete();
        } finally {
            small.close();
        }
    }

    @Test
    void everyQueuedAcquisitionTimesOutAndAGrantedOneDoesNot() {
        // One sweeper times all queued create() calls: each waiter still gets its own timeout,
        // and one granted before its deadline is left alone.
        JdbcConnectionFactory small = JdbcConnectionFactory.builder().url("jdbc:h2:mem:sweep;DB_CLOSE_DELAY=-1")
                .poolSize(1).acquireTimeout(Duration.ofSeconds(1)).build();
        try {
            Connection held = Mono.from(small.create()).block(Duration.ofSeconds(5));
            List<Throwable> errors = Flux.range(0, 3)
                    .flatMap(i -> Mono.from(small.create()).map(c -> (Throwable) new AssertionError("got " + c))
                            .onErrorResume(Mono::just), 3)
                    .collectList().block(Duration.ofSeconds(10));
            assertThat(errors).hasSize(3).allSatisfy(e -> assertThat(e)
                    .isInstanceOf(io.r2dbc.spi.R2dbcTimeoutException.class).hasMessageContaining("acquisition"));
            assertThat(small.pendingAcquires()).isZero();
            // A waiter that gets the permit when the holder closes: granted, not timed out.
            Mono<Connection> next = Mono.from(small.create()).cache();
            next.subscribe(c -> { }, e -> { });
            Mono.from(held.close()).block(Duration.ofSeconds(5));
            Connection granted = next.block(Duration.ofSeconds(5));
            assertThat(granted).isNotNull();
            Mono.from(granted.close()).block(Duration.ofSeconds(5));
            assertThat(small.acquiredConnections()).isZero();
        } finally {
            small.close();
        }
    }

    private static int workerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("conc-worker-")).count();
    }

    @Test // H2 keeps a cancel that finds nothing running and fails the session's next command with it
    void aCancelledH2SessionIsNeverLentAgain() throws Exception {
        HikariDataSource one = new HikariDataSource();
        one.setJdbcUrl("jdbc:h2:mem:cancelled" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        one.setUsername("sa");
        one.setMaximumPoolSize(1);
        one.setMinimumIdle(0);
        JdbcConnectionFactory f = JdbcConnectionFactory.builder().dataSource(one).poolSize(1).poolName("cancelled").build();
        try {
            JdbcConnection c = (JdbcConnection) f.create().block(Duration.ofSeconds(10));
            int before = sessionId(c);
            // The race the F35 pool storm hit, made certain. H2's Statement.cancel() cancels the
            // session when the statement is still marked executing; landing as the command ends,
            // after its last check, it stays with the session (simulated by cancelling the session
            // itself once the statement has ended).
            java.sql.Statement st = c.unwrap().createStatement();
            st.execute("CREATE TABLE big AS SELECT X AS id FROM SYSTEM_RANGE(1, 5000)");
            ((org.h2.engine.SessionLocal) c.unwrap().unwrap(org.h2.jdbc.JdbcConnection.class).getSession()).cancel();
            c.cancelStatement(st);
            Mono.from(c.close()).block(Duration.ofSeconds(10));
            JdbcConnection next = (JdbcConnection) f.create().block(Duration.ofSeconds(10));
            try {
                // Before: HikariCP lent the same H2 session again, and its first statement that
                // checks for a cancel (a table scan does) failed with 57014.
                StepVerifier.create(Flux.from(next.createStatement("SELECT COUNT(*) FROM big WHERE MOD(id, 7) = 1").execute())
                                .concatMap(r -> r.map((row, m) -> row.get(0, Long.class))))
                        .expectNext(715L).expectComplete().verify(Duration.ofSeconds(10));
                assertThat(sessionId(next)).as("a new H2 session").isNotEqualTo(before);
            } finally {
                Mono.from(next.close()).block(Duration.ofSeconds(10));
            }
        } finally {
            f.close();
            one.close();
        }
    }

    private static int sessionId(Connection c) {
        return Flux.from(c.createStatement("SELECT SESSION_ID()").execute())
                .concatMap(r -> r.map((row, m) -> row.get(0, Integer.class)))
                .blockLast(Duration.ofSeconds(10));
    }
}
