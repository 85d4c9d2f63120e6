package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.Row;
import io.retort.error.DatabaseError;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.tck.suite.FaultKit.BIG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancellation at every stage of a statement's life (RELIABILITY F1-F4): while waiting for a
 * pooled connection, after the connection arrived but before the first row, mid-stream at and
 * around the drivers' 256-row prefetch boundary, and by a failing sibling. After each, the
 * pool is back to idle (O-POOL), a surrounding transaction left nothing behind (O-DATA), and the
 * next query on the same pool answers promptly (O-TIME). The cancelled connection is either
 * closed (cancelled mid-statement: its state is unknown) or provably clean; never returned to
 * the pool mid-result.
 */
@ExtendWith(TckOracle.class)
public interface CancellationSuite extends TckBackend {

    /** How long the follow-up query after a fault may take (O-TIME; generous for a loaded 2-core CI box). */
    Duration PROMPT = Duration.ofSeconds(2);

    private Engine cancellationEngine(TestDatabase db, int poolSize) {
        return engine(db, EngineOptions.builder().maxPoolSize(poolSize).acquireTimeout(Duration.ofSeconds(10))
                .echo(false).build());
    }

    private static void nextQueryIsPrompt(Engine engine, long expectedRows) {
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(BIG)).scalars(Long.class)))
                .expectNext(expectedRows)
                .expectComplete()
                .verify(PROMPT);
    }

    /**
     * Cancels a transaction that inserted a row and then streams {@code n} rows of a larger
     * result; checks O-POOL, O-DATA (the insert is gone) and O-TIME.
     */
    private static void cancelInTransactionAfter(Engine engine, TestDatabase db, int n) throws Exception {
        int marker = 1_000_000 + n;
        Flux<Row> work = engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, marker).set(BIG.pad, "marker"))
                .rowsAffected()
                .thenMany(c.execute(select(BIG.id, BIG.pad).from(BIG).orderBy(BIG.id)).rows()));
        StepVerifier.create(work.take(n))
                .expectNextCount(n)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        nextQueryIsPrompt(engine, 100_000L);
        assertThat(FaultKit.countCommitted(db, "big", "id", marker))
                .as("the row inserted before the cancelled stream (n=%d) was rolled back", n).isZero();
    }

    @Test // F3, O-DATA: cancel a 100,000-row stream inside a transaction after 10 rows, and after N rows
          // around the drivers' prefetch of 256 (r2dbc-postgresql #661), N in {1, 255, 256, 257, 10000}
    default void cancellingAStreamReleasesTheConnectionAndRollsBack(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 2);
        FaultKit.createBig(engine, db.backend(), 100_000);
        for (int n : new int[] {10, 1, 255, 256, 257, 10_000}) {
            cancelInTransactionAfter(engine, db, n);
        }
        // Outside a transaction too: a plain stream cancelled just past the prefetch.
        StepVerifier.create(engine.connect(c -> c.execute(select(BIG.id).from(BIG)).rows()).take(257))
                .expectNextCount(257).expectComplete().verify(Duration.ofSeconds(30));
        nextQueryIsPrompt(engine, 100_000L);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(3));
    }

    @Test // F1: disposing the engine right after a cancelled stream lets its release finish: nothing dropped, no permit returned twice
    default void disposeRightAfterACancelDropsNothing(TestDatabase db) {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            FaultKit.createBig(cancellationEngine(db, 1), db.backend(), 20_000);
            for (int i = 0; i < 10; i++) {
                Engine engine = cancellationEngine(db, 4);
                StepVerifier.create(engine.connect(c -> c.execute(select(BIG.id).from(BIG)).rows()).take(10))
                        .expectNextCount(10).expectComplete().verify(Duration.ofSeconds(30));
                engine.dispose().block(Duration.ofSeconds(30));
            }
            assertThat(dropped).as("errors dropped by the release or the disposal").isEmpty();
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    @Test // F30: disposing the engine as soon as a scope has ended: reactor-pool is still recycling its connection then
    default void disposeAsAScopeEndsDropsNothing(TestDatabase db) {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            // H2 completes a scope on the thread that recycles its connection, the widest window.
            int rounds = db.backend() == io.retort.tck.env.Backend.H2 && !driver().bridge() ? 60 : 10;
            for (int i = 0; i < rounds; i++) {
                Engine engine = cancellationEngine(db, 4);
                // More scopes than connections: releases hand connections to waiters as the last ends.
                StepVerifier.create(Flux.range(0, 8).flatMap(n -> engine.connect(c -> c.executeRaw("SELECT 1").rows()), 8).count())
                        .expectNext(8L).expectComplete().verify(Duration.ofSeconds(30));
                engine.dispose().block(Duration.ofSeconds(30));
            }
            assertThat(dropped).as("errors dropped by a release racing the disposal (a permit returned twice)").isEmpty();
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    @Test // F1: cancel while waiting for a connection: the waiters leave the queue, the connections go back idle
    default void cancellingWhileWaitingForAConnectionLeavesNoWaiter(TestDatabase db) {
        Engine engine = cancellationEngine(db, 2);
        Sinks.Empty<Void> release = Sinks.empty();
        List<Disposable> holders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            holders.add(engine.connect(c -> release.asMono()).subscribe());
        }
        FaultKit.awaitStats(engine, s -> s.acquired() == 2, Duration.ofSeconds(10), "both connections held");
        List<Disposable> waiters = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiters.add(engine.connect(c -> c.executeRaw("SELECT 1").rows()).subscribe(r -> { }, errors::add));
        }
        FaultKit.awaitStats(engine, s -> s.pending() == 50, Duration.ofSeconds(10), "50 waiters queued");
        waiters.forEach(Disposable::dispose);
        FaultKit.awaitStats(engine, s -> s.pending() == 0, Duration.ofSeconds(2), "cancelled waiters gone");
        release.tryEmitEmpty();
        Engine.PoolStats s = FaultKit.awaitStats(engine, st -> st.acquired() == 0 && st.idle() == 2,
                Duration.ofSeconds(2), "both connections idle");
        assertThat(s.pending()).isZero();
        assertThat(s.allocated()).isEqualTo(2);
        assertThat(errors).as("cancelled waiters are not errors").isEmpty();
        holders.forEach(Disposable::dispose);
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(PROMPT);
    }

    @Test // F2: cancel after the connection arrived, before the first row of a slow query; 50 random points
    default void cancellingBeforeTheFirstRowNeverHangsTheNextQuery(TestDatabase db) throws Exception {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            cancelBeforeTheFirstRow(db);
            // What a cancelled statement had buffered is released once: never a buffer released twice
            // or used after release (Netty's IllegalReferenceCountException, which the driver drops).
            assertThat(dropped).as("errors dropped while cancelling").noneMatch(CancellationSuite::isDoubleRelease);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    private static boolean isDoubleRelease(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("io.netty.util.IllegalReferenceCountException")) {
                return true;
            }
        }
        return false;
    }

    private void cancelBeforeTheFirstRow(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 4);
        FaultKit.prepareSleep(engine, db.backend());
        String slow = FaultKit.sleepSql(db.backend(), Duration.ofMillis(200));
        // Over the bridge a cancel is JDBC Statement.cancel(), which Connector/J and pgjdbc send on
        // a new connection to the server: slower than the native drivers' in-band cancel, so the
        // follow-up gets more time; a hang still fails.
        Duration prompt = driver().bridge() ? PROMPT.multipliedBy(3) : PROMPT;
        // Five lanes of ten iterations: each cancels its slow query at a random point in
        // 0-250 ms (before or after the connection is delivered), then runs a follow-up query
        // that must answer promptly; lanes overlap, so cancels race acquires and releases.
        Flux<Long> lanes = Flux.range(0, 5).flatMap(lane -> Flux.range(0, 10).concatMap(i -> {
            long at = ThreadLocalRandom.current().nextLong(0, 250);
            Mono<Void> cancelled = engine.connect(c -> c.executeRaw(slow).rows())
                    .take(Duration.ofMillis(at))
                    .then();
            Mono<Long> followUp = engine.connect(c -> c.executeRaw("SELECT 1").rows()).count()
                    .timeout(prompt, Mono.error(() -> new AssertionError("follow-up query hung after a cancel at "
                            + at + " ms; pool " + engine.poolStats().orElse(null))));
            return cancelled.then(followUp);
        }));
        StepVerifier.create(lanes).expectNextCount(50).expectComplete().verify(Duration.ofSeconds(60));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(3));
    }

    @Test // F4: a failing sibling cancels an in-flight query; its connection is cleaned, the pool stays usable
    default void failingSiblingCancelsTheSlowQueryCleanly(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 4);
        FaultKit.prepareSleep(engine, db.backend());
        FaultKit.createBig(engine, db.backend(), 1_000);
        String slow = FaultKit.sleepSql(db.backend(), Duration.ofMillis(2000));
        Mono<List<Row>> slowQuery = engine.connect(c -> c.executeRaw(slow).rows()).collectList();
        Mono<List<Row>> failing = Mono.delay(Duration.ofMillis(100))
                .then(engine.connect(c -> c.executeRaw("SELECT no_such_column FROM big").rows()).collectList());
        long t0 = System.nanoTime();
        StepVerifier.create(Mono.zip(slowQuery, failing))
                .expectError(DatabaseError.class)
                .verify(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the failure is not held up by the slow (2 s) sibling")
                .isLessThan(Duration.ofMillis(1500));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        nextQueryIsPrompt(engine, 1_000L);

        // The same with Flux.merge of a large stream and a failing statement.
        Flux<Object> merged = Flux.merge(
                engine.connect(c -> c.execute(select(BIG.id, BIG.pad).from(BIG)).rows()).delayElements(Duration.ofMillis(1)),
                engine.connect(c -> c.executeRaw("SELECT * FROM no_such_table").rows()));
        StepVerifier.create(merged.then()).expectError(DatabaseError.class).verify(Duration.ofSeconds(5));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        nextQueryIsPrompt(engine, 1_000L);
        FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(3));
    }

    /**
     * O-SERVER, O-POOL, O-TIME after a cancel: within 2 s no session of this test runs a statement
     * any more, the pool is idle (everything open is idle), and the next query answers promptly.
     */
    private static void stoppedOnTheServer(Engine engine, TestDatabase db, String how) throws Exception {
        FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(2));
        FaultKit.awaitStats(engine, s -> s.acquired() == 0 && s.pending() == 0 && s.allocated() == s.idle(),
                Duration.ofSeconds(2), "pool idle after " + how);
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(PROMPT);
    }

    @Test // F2, F4, F19, O-SERVER: a statement cancelled while the server runs it stops on the server, not only
          // in the client: disposed, cancelled by a failing zip sibling, or timed out by the client (Reactor's
          // timeout). PostgreSQL: a CancelRequest; MariaDB: KILL QUERY on a separate, unpooled connection
          // (the server does not notice a closed socket during SLEEP); the bridge: JDBC Statement.cancel()
    default void cancelledStatementsStopOnTheServer(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could go on running a cancelled statement");
        Engine engine = cancellationEngine(db, 2);
        String slow = FaultKit.sleepSql(db.backend(), Duration.ofSeconds(5));
        Duration running = Duration.ofSeconds(5);
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(10));

        // Disposed while the server runs it.
        Disposable subscriber = engine.connect(c -> c.executeRaw(slow).rows()).subscribe(r -> { }, e -> { });
        FaultKit.awaitRunning(db, slow, running);
        subscriber.dispose();
        stoppedOnTheServer(engine, db, "a dispose");

        // A sibling failing while it runs cancels it.
        Mono<List<Row>> slowQuery = engine.connect(c -> c.executeRaw(slow).rows()).collectList();
        Mono<List<Row>> failing = FaultKit.whenRunning(db, slow, running)
                .then(engine.connect(c -> c.executeRaw("SELECT * FROM no_such_table").rows()).collectList());
        StepVerifier.create(Mono.zip(slowQuery, failing))
                .expectError(DatabaseError.class)
                .verify(Duration.ofSeconds(10));
        stoppedOnTheServer(engine, db, "a failing sibling");

        // A client-side timeout (F19): the statement must not outlive it on the server.
        StepVerifier.create(engine.connect(c -> c.executeRaw(slow).rows()).timeout(Duration.ofSeconds(2)))
                .then(() -> FaultKit.awaitRunning(db, slow, Duration.ofSeconds(2)))
                .expectError(java.util.concurrent.TimeoutException.class)
                .verify(Duration.ofSeconds(10));
        stoppedOnTheServer(engine, db, "a client-side timeout");
    }

    @Test // F2, O-SERVER: an engine handed a full r2dbc-pool (one connection: the one running the statement) still
          // stops the statement on the server: the cancel takes no pooled slot (MariaDB's KILL QUERY connection
          // comes from the factory under the pool, PostgreSQL's CancelRequest from the driver)
    default void serverCancelNeedsNoPooledSlot(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could go on running a cancelled statement");
        io.r2dbc.pool.ConnectionPool pool = new io.r2dbc.pool.ConnectionPool(io.r2dbc.pool.ConnectionPoolConfiguration
                .builder(db.connectionFactory(driver())).maxSize(1).build());
        Engine engine = Engine.create(pool, EngineOptions.builder().maxPoolSize(1).acquireTimeout(Duration.ofSeconds(10))
                .echo(false).build());
        try {
            String slow = FaultKit.sleepSql(db.backend(), Duration.ofSeconds(5));
            Disposable subscriber = engine.connect(c -> c.executeRaw(slow).rows()).subscribe(r -> { }, e -> { });
            FaultKit.awaitRunning(db, slow, Duration.ofSeconds(5));
            subscriber.dispose();
            stoppedOnTheServer(engine, db, "a dispose on a full pool");
        } finally {
            engine.dispose().block(Duration.ofSeconds(10));
            pool.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    @Test // EngineOptions.cancelOnServer(false): no server cancel is sent; the connection is still closed and
          // the pool stays usable (the server ends the statement by itself; here a KILL QUERY cleans up)
    default void serverCancelCanBeTurnedOff(TestDatabase db) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(!db.backend().inProcess() && !driver().bridge(),
                "the setting concerns the R2DBC drivers' server cancel (the bridge cancels through JDBC itself)");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(2).acquireTimeout(Duration.ofSeconds(10))
                .echo(false).cancelOnServer(false).build());
        String slow = FaultKit.sleepSql(db.backend(), Duration.ofSeconds(5));
        long[] victim = new long[1];
        Disposable subscriber = engine.connect(c -> FaultKit.sessionId(c, db.backend())
                        .doOnNext(id -> victim[0] = id)
                        .thenMany(c.executeRaw(slow).rows()))
                .subscribe(r -> { }, e -> { });
        FaultKit.awaitRunning(db, slow, Duration.ofSeconds(5));
        subscriber.dispose();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(PROMPT);
        // Still running on the server a second later: nothing stopped it.
        FaultKit.sleep(1000);
        FaultKit.awaitRunning(db, slow, Duration.ZERO);
        FaultKit.cancelStatement(db, victim[0]);
        FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(2));
    }

    @Test // F3, O-DATA: a stream cancelled inside a transaction gives up its locks at once, however much of its
          // result is still unread: the transaction must not live on while a driver reads the rest (r2dbc-mysql
          // reads a cancelled result to its end before it closes the connection, and KILL QUERY cannot stop
          // what the server has already sent)
    default void aCancelledStreamReleasesItsRowLocksPromptly(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "whose transaction could outlive a cancelled stream");
        org.junit.jupiter.api.Assumptions.assumeFalse(driver() == io.retort.tck.env.Driver.R2DBC_MYSQL,
                "KNOWN BUG (open): r2dbc-mysql reads a cancelled result to its end before its COM_QUIT, so the"
                        + " transaction's locks stay held 1.7 to 9 s here; closing its socket leaked the rows it had"
                        + " decoded, a half-close held the pool slot until the drain ended");
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            Engine engine = cancellationEngine(db, 2);
            // Large enough that reading the rest took r2dbc-mysql seconds (1.7 to 9 s measured; the others < 0.3 s).
            FaultKit.createBig(engine, db.backend(), 300_000);
            for (int round = 0; round < 3; round++) {
                int id = 2_000_000 + round;
                Flux<Row> work = engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, id).set(BIG.pad, "locked"))
                        .rowsAffected()
                        .thenMany(c.execute(select(BIG.id, BIG.pad).from(BIG)).rows()));
                StepVerifier.create(work.take(5)).expectNextCount(5).expectComplete().verify(Duration.ofSeconds(30));
                // Another session gets the inserted key's lock (the transaction rolled back) within the bound.
                FaultKit.awaitRowLockFree(db, id, PROMPT);
            }
            FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
            nextQueryIsPrompt(engine, 300_000L);
            assertThat(dropped).as("errors dropped while cutting the cancelled streams short").isEmpty();
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    @Test // F2/F4/F19 in a burst: statements cancelled all at once get their server cancels (KILL QUERY
          // connections, PostgreSQL CancelRequest sockets) at most maxConcurrentServerCancels at a time, so a burst
          // cannot use up the server's connections; yet every statement stops on the server, and the pool is whole
    default void aBurstOfCancelsOpensAtMostTheCapOfServerConnections(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could go on running a cancelled statement");
        org.junit.jupiter.api.Assumptions.assumeFalse(driver().bridge(),
                "the bridge cancels through JDBC's Statement.cancel(), not through the engine's server cancel");
        int burst = 12;
        int cap = 2;
        CancelProbe probe = new CancelProbe(db.connectionFactory(driver()));
        Engine engine = Engine.create(probe, EngineOptions.builder().maxPoolSize(burst).acquireTimeout(Duration.ofSeconds(10))
                .echo(false).maxConcurrentServerCancels(cap).build());
        try {
            String slow = FaultKit.sleepSql(db.backend(), Duration.ofSeconds(20));
            List<Disposable> subscribers = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                subscribers.add(engine.connect(c -> c.executeRaw(slow).rows()).subscribe(r -> { }, e -> { }));
            }
            FaultKit.awaitRunning(db, slow, burst, Duration.ofSeconds(10));
            subscribers.forEach(Disposable::dispose);
            // Far sooner than the 20 s sleeps would end by themselves: each got its cancel in turn.
            FaultKit.awaitNoActiveStatements(db, Duration.ofSeconds(10));
            FaultKit.await(() -> probe.stillOpen() == 0, Duration.ofSeconds(10), "every server cancel closed");
            assertThat(probe.cancels()).as("one server cancel per cancelled statement, none skipped").isEqualTo(burst);
            assertThat(probe.maxOpenAtOnce()).as("server cancels open at once, with a cap of %d", cap).isBetween(1, cap);
            FaultKit.awaitStats(engine, s -> s.acquired() == 0 && s.pending() == 0 && s.allocated() == s.idle(),
                    Duration.ofSeconds(5), "pool idle after the burst");
            StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                    .expectNext(1L).expectComplete().verify(PROMPT);
        } finally {
            engine.dispose().block(Duration.ofSeconds(30));
        }
    }

    @Test // the result helpers that need one row read the rest instead of cancelling: no connection or transaction is lost
    default void resultHelpersNeverCancelTheirStatement(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 1);
        FaultKit.createBig(engine, db.backend(), 1_000);
        long before = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(10));
        StepVerifier.create(engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, 5000).set(BIG.pad, "kept"))
                        .rowsAffected()
                        .then(c.execute(select(BIG.id).from(BIG).orderBy(BIG.id)).first())
                        .then(c.execute(select(BIG.id).from(BIG).orderBy(BIG.id)).scalar(Integer.class))
                        .flatMap(first -> c.execute(select(BIG.pad).from(BIG).where(BIG.id.eq(first))).one())
                        .map(r -> r.get(BIG.pad))))
                .expectNext("row 1").expectComplete().verify(Duration.ofSeconds(10));
        assertThat(FaultKit.countCommitted(db, "big", "id", 5000)).as("the transaction committed").isEqualTo(1);
        assertThat(engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(5)))
                .as("and its connection was kept").isEqualTo(before);
        // By contrast, the caller's own cancel of a running statement inside a transaction loses
        // the connection, so the transaction cannot commit (RELIABILITY F2/F3).
        StepVerifier.create(engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, 5001).set(BIG.pad, "lost"))
                        .rowsAffected()
                        .thenMany(c.execute(select(BIG.id).from(BIG).orderBy(BIG.id)).rows().take(5))))
                .expectNextCount(5)
                .expectError(io.retort.error.PendingRollbackError.class)
                .verify(Duration.ofSeconds(10));
        assertThat(FaultKit.countCommitted(db, "big", "id", 5001)).isZero();
        nextQueryIsPrompt(engine, 1_001L);
    }

    @Test // cancel between statements in a transaction: rolled back, and the connection is reused, not closed
    default void cancellingBetweenStatementsRollsBackAndKeepsTheConnection(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 1);
        FaultKit.createBig(engine, db.backend(), 10);
        long before = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(10));
        Sinks.Empty<Void> inserted = Sinks.empty();
        Disposable running = engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, 500).set(BIG.pad, "pending"))
                        .rowsAffected()
                        .doOnSuccess(n -> inserted.tryEmitEmpty())
                        .then(Mono.never()))
                .subscribe();
        StepVerifier.create(inserted.asMono()).expectComplete().verify(Duration.ofSeconds(10));
        running.dispose();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        long after = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(PROMPT);
        assertThat(after).as("no statement was in flight, so the connection is rolled back and reused").isEqualTo(before);
        assertThat(FaultKit.countCommitted(db, "big", "id", 500)).isZero();
        nextQueryIsPrompt(engine, 10L);
    }

    @Test // F3, O-POOL: a scope cancelled while its last statement's end is still being delivered keeps its connection
    default void cancellingAsTheStatementCompletesKeepsTheConnection(TestDatabase db) throws Exception {
        Engine engine = cancellationEngine(db, 1);
        FaultKit.createBig(engine, db.backend(), 10);
        long before = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(10));
        Sinks.Empty<Void> ended = Sinks.empty();
        Disposable running = engine.inTransaction(c -> c.execute(insert(BIG).set(BIG.id, 501).set(BIG.pad, "pending"))
                        .rowsAffected()
                        .then(Mono.defer(() -> {
                            // Runs inside the statement's completion signal, on the thread delivering it:
                            // the scope is cancelled from here on while that thread is still inside it
                            // (held where it may block; a driver's event loop is not held).
                            ended.tryEmitEmpty();
                            if (!reactor.core.scheduler.Schedulers.isInNonBlockingThread()) {
                                FaultKit.sleep(500);
                            }
                            return Mono.never();
                        })))
                .subscribe();
        StepVerifier.create(ended.asMono()).expectComplete().verify(Duration.ofSeconds(10));
        running.dispose();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
        long after = engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(10));
        assertThat(after).as("the statement had ended, so the connection is rolled back and reused").isEqualTo(before);
        assertThat(FaultKit.countCommitted(db, "big", "id", 501)).isZero();
    }
}
