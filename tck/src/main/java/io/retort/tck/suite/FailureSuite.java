package io.retort.tck.suite;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.ArgumentError;
import io.retort.error.AuthenticationError;
import io.retort.error.CancelledError;
import io.retort.error.ConnectError;
import io.retort.error.ConnectionLostError;
import io.retort.error.DeadlockError;
import io.retort.error.IntegrityError;
import io.retort.error.LockTimeoutError;
import io.retort.error.PendingRollbackError;
import io.retort.error.RetortException;
import io.retort.error.TimeoutError;
import io.retort.error.UnsupportedBindTypeError;
import io.retort.sql.SqlTypes;
import io.retort.sql.TextClause;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.TckSchema;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.util.function.Tuple2;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.text;
import static io.retort.sql.Sql.update;
import static io.retort.tck.TckSchema.ARTIST;
import static io.retort.tck.suite.FaultKit.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Server-side faults and bad input (RELIABILITY F9-F10, F14, F19-F21, B11, B12, B18): each
 * surfaces as one of Retort's typed errors, carrying the SQL but never a hidden parameter or a
 * password, and leaves the pool usable (O-ERR, O-REUSE, O-POOL). Faults come from SQL
 * (pg_terminate_backend, KILL CONNECTION, server-side timeouts, real lock conflicts), never
 * from mocks. H2 runs in this JVM, so faults that need a server to kill are skipped there with
 * that reason.
 */
@ExtendWith(TckOracle.class)
public interface FailureSuite extends TckBackend {

    private Engine failureEngine(TestDatabase db, int poolSize) {
        return engine(db, EngineOptions.builder().maxPoolSize(poolSize).acquireTimeout(Duration.ofSeconds(10))
                .echo(false).build());
    }

    /** Every rendering of {@code e} a log could show (message, toString, causes, stack trace) is free of {@code secret}. */
    private static void assertNoSecret(Throwable e, String secret) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        assertThat(w.toString()).as("rendered error with its cause chain").doesNotContain(secret);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t)).doesNotContain(secret);
            if (t.getCause() == t) {
                break;
            }
        }
    }

    @Test // F8: ten chains that each hold a connection and ask for a second, on a pool of 3: bounded, typed, never a hang
    default void nestedAcquisitionUnderLoadEndsInPoolTimeoutsNotAHang(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(3).acquireTimeout(Duration.ofMillis(500))
                .nestedAcquire(EngineOptions.NestedAcquire.ALLOW).echo(false).build());
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        // The deadlock, made certain: no chain asks for its second connection before three chains
        // hold their first (otherwise a fast first chain could finish before the third one starts).
        java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();
        Sinks.Empty<Void> threeHeld = Sinks.empty();
        Flux<Long> chains = Flux.range(0, 10).flatMap(i -> nestedChain(engine, Mono.fromRunnable(() -> {
                    if (holding.incrementAndGet() == 3) {
                        threeHeld.tryEmitEmpty();
                    }
                }).then(threeHeld.asMono()))
                .doOnComplete(done::incrementAndGet)
                .onErrorResume(e -> {
                    failures.add(e);
                    return Mono.empty();
                }), 10);
        // Every chain waits at most one acquire timeout per checkout; 10 chains on 3 connections
        // finish in a few rounds of 500 ms, never the test's or the suite's timeout.
        StepVerifier.create(chains.then()).expectComplete().verify(Duration.ofSeconds(30));
        assertThat(failures).as("failures are the pool's typed timeout").allSatisfy(e ->
                assertThat(e).isInstanceOf(io.retort.error.PoolTimeoutError.class).hasMessageContaining("pool size 3"));
        assertThat(failures.size()).as("the first three chains hold every connection and wait for a fourth").isGreaterThanOrEqualTo(3);
        assertThat(done.get() + failures.size()).as("every chain ended").isEqualTo(10);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    /**
     * One F8 chain: a scope that runs a statement, waits for {@code beforeSecond}, then opens a
     * second scope of the same engine inside the first and counts its row.
     */
    private static Flux<Long> nestedChain(Engine engine, Mono<Void> beforeSecond) {
        return engine.connect(c -> c.executeRaw("SELECT 1").rows().count()
                .flatMap(n -> beforeSecond.thenReturn(n))
                .then(engine.connect(inner -> inner.executeRaw("SELECT 1").rows().count()).next()));
    }

    @Test // F8: with nestedAcquire(FAIL) the same mistake is refused at once, before it can wait on the pool
    default void nestedAcquisitionIsRefusedAtOnceWhenAskedTo(TestDatabase db) {
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(3).acquireTimeout(Duration.ofSeconds(30))
                .nestedAcquire(EngineOptions.NestedAcquire.FAIL).echo(false).build());
        java.util.List<Throwable> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        // verify's bound (10 s) is a third of the acquire timeout: the refusals do not wait on the pool.
        StepVerifier.create(Flux.range(0, 10).flatMap(i -> nestedChain(engine, Mono.empty())
                        .onErrorResume(e -> {
                            refused.add(e);
                            return Mono.empty();
                        }), 10))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(refused).as("every chain's second checkout is refused").hasSize(10).allSatisfy(e ->
                assertThat(e).isInstanceOf(io.retort.error.InvalidRequestError.class).hasMessageContaining("nested acquisition"));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // C13, B18: a unique violation is an IntegrityError with the SQL; hidden parameters never leak
    default void uniqueViolationIsTypedAndHidesParameters(TestDatabase db) {
        String secret = "s3cret-" + UUID.randomUUID();
        Engine hidden = engine(db, EngineOptions.builder().maxPoolSize(2).hideParameters(true).echo(false).build());
        TckSchema.create(hidden).block(Duration.ofSeconds(30));
        hidden.connect(c -> c.execute(insert(ARTIST).set(ARTIST.name, secret)).rowsAffected()).blockLast(Duration.ofSeconds(10));

        // Outside and inside a transaction, the duplicate is typed and hides the value.
        List<Flux<Long>> attempts = List.of(
                hidden.connect(c -> c.execute(insert(ARTIST).set(ARTIST.name, secret)).rowsAffected()),
                hidden.inTransaction(c -> c.execute(insert(ARTIST).set(ARTIST.name, "other")).rowsAffected()
                        .then(c.execute(insert(ARTIST).set(ARTIST.name, secret)).rowsAffected())));
        for (Flux<Long> attempt : attempts) {
            StepVerifier.create(attempt)
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(IntegrityError.class);
                        IntegrityError ie = (IntegrityError) e;
                        assertThat(ie.sql()).contains("INSERT INTO artist");
                        assertThat(ie.getMessage()).contains("INSERT INTO artist").contains("hidden");
                        assertThat(ie.sqlState()).isNotNull();
                        assertNoSecret(e, secret);
                    })
                    .verify(Duration.ofSeconds(10));
        }
        // The pool stays usable and the failed transaction left nothing.
        FaultKit.awaitPoolIdle(hidden, Duration.ofSeconds(2));
        StepVerifier.create(hidden.connect(c -> c.execute(select(count()).from(ARTIST)).scalars(Long.class)))
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));

        // Control: without hiding, the parameters are shown, so the check above is not vacuous.
        Engine shown = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        StepVerifier.create(shown.connect(c -> c.execute(insert(ARTIST).set(ARTIST.name, secret)).rowsAffected()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IntegrityError.class).hasMessageContaining(secret))
                .verify(Duration.ofSeconds(10));
    }

    @Test // F21: a deadlock is a retryable DeadlockError on one side; the other commits; both connections stay usable
    default void deadlockIsRetryableAndTheOtherSideCommits(TestDatabase db) {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite locks the whole database for writing: the second writer"
                + " waits for the first (busy timeout), so rows cannot deadlock");
        Engine engine = failureEngine(db, 2);
        FaultKit.createAccounts(engine, 10, 11);
        Set<Long> sessionsBefore = new HashSet<>(FaultKit.sessionIdsOfAll(engine, db.backend(), 2));
        Sinks.Empty<Void> aLocked = Sinks.empty();
        Sinks.Empty<Void> bLocked = Sinks.empty();
        // The barrier: each side takes its first row lock, then waits until the other has too,
        // so the second updates must cross. No sleeps.
        Mono<Void> bothLocked = Mono.when(aLocked.asMono(), bLocked.asMono());
        Mono<Object> a = crossingUpdates(engine, 10, 11, 1, aLocked, bothLocked);
        Mono<Object> b = crossingUpdates(engine, 11, 10, 2, bLocked, bothLocked);
        Tuple2<Object, Object> outcome = Mono.zip(a, b).block(Duration.ofSeconds(30));
        List<Object> both = List.of(outcome.getT1(), outcome.getT2());
        assertThat(both).as("exactly one side is the deadlock victim: %s", both).filteredOn(o -> o instanceof DeadlockError).hasSize(1);
        assertThat(both).as("the other side commits").filteredOn(o -> o instanceof Integer).hasSize(1);
        DeadlockError victim = (DeadlockError) both.stream().filter(o -> o instanceof DeadlockError).findFirst().orElseThrow();
        assertThat(victim.isRetryable()).isTrue();
        int winner = (Integer) both.stream().filter(o -> o instanceof Integer).findFirst().orElseThrow();
        // O-DATA: both rows carry the winner's value; the victim's first update was rolled back.
        StepVerifier.create(engine.connect(c -> c.execute(select(ACCOUNT.balance).from(ACCOUNT).orderBy(ACCOUNT.id))
                        .scalars(Integer.class)))
                .expectNext(winner, winner).expectComplete().verify(Duration.ofSeconds(5));
        // Both connections survive the deadlock: the same two sessions answer again.
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(new HashSet<>(FaultKit.sessionIdsOfAll(engine, db.backend(), 2))).isEqualTo(sessionsBefore);
    }

    @Test // F21: TransactionRetry replays the deadlock's victim; both transfers land, once each
    default void transactionRetryReplaysTheDeadlockVictim(TestDatabase db) {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite locks the whole database for writing: rows cannot deadlock");
        Engine engine = failureEngine(db, 2);
        FaultKit.createAccounts(engine, 10, 11);
        Sinks.Empty<Void> aLocked = Sinks.empty();
        Sinks.Empty<Void> bLocked = Sinks.empty();
        Mono<Void> bothLocked = Mono.when(aLocked.asMono(), bLocked.asMono());
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        // Relative updates, so a transfer applied twice or not at all shows in the balances.
        Mono<Void> a = crossingTransfer(engine, 10, 11, 1, aLocked, bothLocked, runs).retryWhen(io.retort.engine.TransactionRetry.times(3));
        Mono<Void> b = crossingTransfer(engine, 11, 10, 10, bLocked, bothLocked, runs).retryWhen(io.retort.engine.TransactionRetry.times(3));
        StepVerifier.create(Mono.when(a, b)).expectComplete().verify(Duration.ofSeconds(30));
        assertThat(runs).as("two transactions and one replay of the deadlock's victim").hasValue(3);
        StepVerifier.create(engine.connect(c -> c.execute(select(ACCOUNT.balance).from(ACCOUNT).orderBy(ACCOUNT.id))
                        .scalars(Integer.class)))
                .expectNext(111, 111).expectComplete().verify(Duration.ofSeconds(5));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    private static Mono<Void> crossingTransfer(Engine engine, int first, int second, int amount, Sinks.Empty<Void> mine,
                                               Mono<Void> bothLocked, java.util.concurrent.atomic.AtomicInteger runs) {
        return engine.inTransaction(c -> {
            runs.incrementAndGet();
            return c.execute(update(ACCOUNT).set(ACCOUNT.balance, ACCOUNT.balance.plus(amount)).where(ACCOUNT.id.eq(first)))
                    .rowsAffected()
                    .doOnSuccess(n -> mine.tryEmitEmpty())
                    .then(bothLocked)
                    .then(c.execute(update(ACCOUNT).set(ACCOUNT.balance, ACCOUNT.balance.plus(amount)).where(ACCOUNT.id.eq(second)))
                            .rowsAffected());
        }).then();
    }

    @Test // L7 (short): concurrent transfers between hot rows in random order, retried: the sum holds, no update lost
    default void retriedTransfersOnHotRowsKeepTheSumAndLoseNoUpdate(TestDatabase db) {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite locks the whole database for writing: rows cannot deadlock");
        Engine engine = failureEngine(db, 6);
        int[] ids = {1, 2, 3, 4};
        FaultKit.createAccounts(engine, ids);
        long seed = System.nanoTime();
        java.util.Random random = new java.util.Random(seed);
        int transfers = 12;
        int[][] plan = new int[transfers][];
        for (int i = 0; i < transfers; i++) {
            int from = ids[random.nextInt(ids.length)];
            int to;
            do {
                to = ids[random.nextInt(ids.length)];
            } while (to == from);
            plan[i] = new int[] {from, to, 1 + random.nextInt(9)};
        }
        List<int[]> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Throwable> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        Flux<Void> all = Flux.range(0, transfers).flatMap(i -> {
            int[] t = plan[i];
            return engine.inTransaction(c -> c.execute(update(ACCOUNT).set(ACCOUNT.balance, ACCOUNT.balance.minus(t[2]))
                                    .where(ACCOUNT.id.eq(t[0]))).rowsAffected()
                            // A pause between the two row locks, so transfers in opposite directions cross.
                            .then(Mono.delay(Duration.ofMillis(5)))
                            .then(c.execute(update(ACCOUNT).set(ACCOUNT.balance, ACCOUNT.balance.plus(t[2]))
                                    .where(ACCOUNT.id.eq(t[1]))).rowsAffected()))
                    .then()
                    .retryWhen(io.retort.engine.TransactionRetry.times(8))
                    .doOnSuccess(v -> applied.add(t))
                    .onErrorResume(e -> {
                        failed.add(e);
                        return Mono.empty();
                    });
        }, transfers);
        StepVerifier.create(all).expectComplete().verify(Duration.ofSeconds(90));
        assertThat(failed).as("failures left after the retries (seed %d) are typed and retryable", seed)
                .allSatisfy(e -> assertThat(io.retort.engine.TransactionRetry.isRetryable(e)).as(String.valueOf(e)).isTrue());
        assertThat(applied.size() + failed.size()).as("every transfer ended").isEqualTo(transfers);
        // O-DATA: each account holds its start plus exactly the transfers that committed.
        java.util.Map<Integer, Integer> expected = new java.util.TreeMap<>();
        for (int id : ids) {
            expected.put(id, 100);
        }
        for (int[] t : applied) {
            expected.merge(t[0], -t[2], Integer::sum);
            expected.merge(t[1], t[2], Integer::sum);
        }
        java.util.Map<Integer, Integer> actual = new java.util.TreeMap<>();
        engine.connect(c -> c.execute(select(ACCOUNT.id, ACCOUNT.balance).from(ACCOUNT)).rows())
                .doOnNext(r -> actual.put(r.get(ACCOUNT.id), r.get(ACCOUNT.balance))).blockLast(Duration.ofSeconds(10));
        assertThat(actual).as("balances (seed %d)", seed).isEqualTo(expected);
        assertThat(actual.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100 * ids.length);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    private static Mono<Object> crossingUpdates(Engine engine, int first, int second, int marker,
                                                Sinks.Empty<Void> mine, Mono<Void> bothLocked) {
        return engine.inTransaction(c -> c.execute(update(ACCOUNT).set(ACCOUNT.balance, marker).where(ACCOUNT.id.eq(first)))
                        .rowsAffected()
                        .doOnSuccess(n -> mine.tryEmitEmpty())
                        .then(bothLocked)
                        .then(c.execute(update(ACCOUNT).set(ACCOUNT.balance, marker).where(ACCOUNT.id.eq(second)))
                                .rowsAffected()))
                .then(Mono.<Object>just(marker))
                .onErrorResume(e -> Mono.just(e));
    }

    @Test // F20: a lock wait timeout is a LockTimeoutError; the transaction never commits its earlier work (MariaDB!)
    default void lockWaitTimeoutIsTypedAndNeverCommitsPartialWork(TestDatabase db) throws Exception {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite has no row locks to wait for (one writer at a time, the"
                + " wait is the connection's busy timeout), and no lock timeout setting in SQL");
        Engine engine = failureEngine(db, 2);
        FaultKit.createAccounts(engine, 10);
        Sinks.Empty<Void> locked = Sinks.empty();
        Sinks.Empty<Void> done = Sinks.empty();
        Mono<Long> holder = engine.inTransaction(c -> c.execute(update(ACCOUNT).set(ACCOUNT.balance, 1)
                        .where(ACCOUNT.id.eq(10))).rowsAffected()
                        .doOnSuccess(n -> locked.tryEmitEmpty())
                        .flatMap(n -> done.asMono().thenReturn(n)))
                // single(), not next(): next() cancels the scope on the first value, which rolls back.
                .single()
                .cache();
        Disposable holding = holder.subscribe();
        try {
            StepVerifier.create(locked.asMono()).expectComplete().verify(Duration.ofSeconds(10));
            AtomicReference<Throwable> lockError = new AtomicReference<>();
            long t0 = System.nanoTime();
            Flux<Long> victim = engine.connect(c -> c.setLockTimeout(Duration.ofMillis(300))
                    .thenMany(c.inTransaction(t -> t.execute(insert(ACCOUNT).set(ACCOUNT.id, 20).set(ACCOUNT.balance, 5))
                            .rowsAffected()
                            .then(t.execute(update(ACCOUNT).set(ACCOUNT.balance, 2).where(ACCOUNT.id.eq(10))).rowsAffected()
                                    // The application swallows the error and lets the scope complete:
                                    // the engine must still refuse to COMMIT the insert above.
                                    .onErrorResume(e -> {
                                        lockError.set(e);
                                        return Mono.just(-1L);
                                    })))));
            StepVerifier.create(victim)
                    .expectNext(-1L)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PendingRollbackError.class))
                    .verify(Duration.ofSeconds(10));
            assertThat(lockError.get()).isInstanceOf(LockTimeoutError.class);
            assertThat(((LockTimeoutError) lockError.get()).sql()).contains("UPDATE account");
            // MariaDB waits whole seconds (innodb_lock_wait_timeout >= 1).
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
        } finally {
            done.tryEmitEmpty();
        }
        StepVerifier.create(holder).expectNext(1L).expectComplete().verify(Duration.ofSeconds(10));
        holding.dispose();
        assertThat(FaultKit.countCommitted(db, "account", "id", 20)).as("no partial commit").isZero();
        assertThat(FaultKit.queryLong(db, "SELECT balance FROM account WHERE id = 10")).isEqualTo(1L);
        // The lock timeout was reset on release: a later scope waits normally for a short lock.
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(ACCOUNT)).scalars(Long.class)))
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // F19: a server-side statement timeout is a TimeoutError (not a cancel, not generic); the connection is reused
    default void statementTimeoutIsATimeoutErrorAndTheConnectionIsReused(TestDatabase db) {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite has no statement timeout setting in SQL (only the JDBC"
                + " Statement.setQueryTimeout of the bridge's driver)");
        Engine engine = failureEngine(db, 1);
        FaultKit.prepareSleep(engine, db.backend());
        String slow = FaultKit.slowInterruptibleSql(db.backend());
        AtomicLong started = new AtomicLong();
        AtomicLong ended = new AtomicLong();
        List<Object> outcome = engine.connect(c -> FaultKit.sessionId(c, db.backend()).flatMapMany(before ->
                        c.setStatementTimeout(Duration.ofMillis(200))
                                .then(c.executeRaw(slow).all()
                                        .doOnSubscribe(s -> started.set(System.nanoTime()))
                                        .<Object>map(rows -> "finished").onErrorResume(Mono::just)
                                        .doOnNext(x -> ended.set(System.nanoTime())))
                                .flatMap(result -> FaultKit.sessionId(c, db.backend())
                                        .map(after -> List.of(result, before, after)))))
                .blockLast(Duration.ofSeconds(15));
        Duration took = Duration.ofNanos(ended.get() - started.get());
        assertThat(outcome.get(0)).isInstanceOf(TimeoutError.class).isNotInstanceOf(CancelledError.class);
        TimeoutError te = (TimeoutError) outcome.get(0);
        assertThat(te.sql()).isEqualTo(slow);
        assertThat(te.sqlState() != null || te.vendorCode() != 0).as("carries the server's code").isTrue();
        assertThat(outcome.get(2)).as("the same session runs the next statement").isEqualTo(outcome.get(1));
        assertThat(took).as("interrupted by the 200 ms timeout, not run to its end (5 s)").isLessThan(Duration.ofSeconds(4));
        // The timeout is reset when the connection goes back to the pool: the next scope on the
        // same (only) connection runs a 300 ms statement under no timeout.
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        String sleep300 = FaultKit.sleepSql(db.backend(), Duration.ofMillis(300));
        StepVerifier.create(engine.connect(c -> c.executeRaw(sleep300).rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // F12, §0: an administrator's cancel is a CancelledError (not a timeout); the same session goes on
    default void adminCancelIsCancelledErrorAndTheSessionStaysUsable(TestDatabase db) throws Exception {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite has no sessions another connection could cancel");
        Engine engine = failureEngine(db, 1);
        FaultKit.prepareSleep(engine, db.backend());
        AtomicLong victimId = new AtomicLong();
        Sinks.Empty<Void> started = Sinks.empty();
        String slow = FaultKit.slowInterruptibleSql(db.backend());
        Mono<List<Object>> run = engine.connect(c -> FaultKit.sessionId(c, db.backend())
                        .doOnNext(id -> {
                            victimId.set(id);
                            started.tryEmitEmpty();
                        })
                        .flatMap(before -> c.executeRaw(slow).all().<Object>map(rows -> "finished").onErrorResume(Mono::just)
                                .flatMap(outcome -> FaultKit.sessionId(c, db.backend())
                                        .map(after -> List.<Object>of(outcome, before, after)))))
                .single()
                .cache();
        run.subscribe(x -> { }, e -> { });
        StepVerifier.create(started.asMono()).expectComplete().verify(Duration.ofSeconds(10));
        FaultKit.sleep(300); // let the statement start
        FaultKit.cancelStatement(db, victimId.get());
        List<Object> outcome = run.block(Duration.ofSeconds(10));
        assertThat(outcome.get(0)).isInstanceOf(CancelledError.class).isNotInstanceOf(TimeoutError.class);
        assertThat(((CancelledError) outcome.get(0)).sql()).isEqualTo(slow);
        assertThat(outcome.get(2)).as("the connection survives a cancelled statement").isEqualTo(outcome.get(1));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        assertThat(engine.connect(c -> FaultKit.sessionId(c, db.backend())).blockLast(Duration.ofSeconds(5)))
                .as("and it went back to the pool").isEqualTo(outcome.get(1));
    }

    @Test // F9: every pooled connection killed by the server; the next query succeeds thanks to pre-ping
    default void killedIdleConnectionsAreReplacedByPrePing(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a pooled session");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(3).prePing(true).echo(false).build());
        List<Long> before = FaultKit.sessionIdsOfAll(engine, db.backend(), 3);
        FaultKit.awaitStats(engine, s -> s.idle() == 3, Duration.ofSeconds(2), "three idle connections");
        for (long id : before) {
            FaultKit.killSession(db, id);
        }
        // No user-visible error: the ping on checkout finds each dead connection and replaces it.
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
        List<Long> after = FaultKit.sessionIdsOfAll(engine, db.backend(), 3);
        assertThat(after).doesNotContainAnyElementsOf(before).hasSize(3);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    @Test // F9 without pre-ping: at most one typed ConnectionLostError per dead connection, then recovery
    default void killedIdleConnectionsWithoutPrePingFailTypedThenRecover(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a pooled session");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(2).prePing(false).echo(false).build());
        List<Long> before = FaultKit.sessionIdsOfAll(engine, db.backend(), 2);
        for (long id : before) {
            FaultKit.killSession(db, id);
        }
        List<Object> outcomes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            outcomes.add(engine.connect(c -> FaultKit.sessionId(c, db.backend())).cast(Object.class)
                    .onErrorResume(Mono::just).blockLast(Duration.ofSeconds(5)));
        }
        List<Object> errors = outcomes.stream().filter(o -> o instanceof Throwable).toList();
        assertThat(errors).as("failures are typed ConnectionLostErrors").allMatch(o -> o instanceof ConnectionLostError);
        assertThat(errors.size()).as("at most one failure per killed connection").isLessThanOrEqualTo(2);
        assertThat(outcomes.get(3)).as("recovered").isInstanceOf(Long.class);
        assertThat(outcomes.stream().filter(o -> o instanceof Long).toList()).doesNotContainAnyElementsOf(before);
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    @Test // F10: a connection killed mid-query is a ConnectionLostError within about a second; the pool refills
    default void connectionKilledMidQueryIsConnectionLost(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        Engine engine = failureEngine(db, 2);
        AtomicLong victimId = new AtomicLong();
        Sinks.Empty<Void> started = Sinks.empty();
        String slow = FaultKit.sleepSql(db.backend(), Duration.ofSeconds(5));
        Mono<Object> victim = engine.connect(c -> FaultKit.sessionId(c, db.backend())
                        .doOnNext(id -> {
                            victimId.set(id);
                            started.tryEmitEmpty();
                        })
                        .thenMany(c.executeRaw(slow).rows()))
                .then(Mono.<Object>just("finished"))
                .onErrorResume(Mono::just)
                .cache();
        victim.subscribe();
        StepVerifier.create(started.asMono()).expectComplete().verify(Duration.ofSeconds(10));
        FaultKit.sleep(200); // let the sleep start on the server
        long t0 = System.nanoTime();
        FaultKit.killSession(db, victimId.get());
        Object outcome = victim.block(Duration.ofSeconds(5));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(outcome).isInstanceOf(ConnectionLostError.class);
        assertThat(((ConnectionLostError) outcome).sql()).isEqualTo(slow);
        assertThat(took).as("the loss is noticed promptly").isLessThan(Duration.ofMillis(1500));
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        List<Long> after = FaultKit.sessionIdsOfAll(engine, db.backend(), 2);
        assertThat(after).doesNotContain(victimId.get()).hasSize(2);
    }

    @Test // F10: a killed session is a ConnectionLostError in SQLSTATE class 08 (PostgreSQL: or 57P01) on every driver, 08006 where the driver gave none
    default void killedSessionIsConnectionLostWithAConnectionSqlState(TestDatabase db) throws Exception {
        FaultKit.requireServer(db, "that could kill a session");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(1).prePing(false).echo(false).build());
        // Killed mid-statement (the driver reads the close), then killed while idle (the driver
        // already knows its socket is closed and refuses to send: r2dbc-mariadb and r2dbc-mysql
        // report that without a SQLSTATE).
        for (boolean midStatement : new boolean[] {true, false}) {
            io.retort.engine.Connection c = engine.open().block(Duration.ofSeconds(10));
            try {
                long id = FaultKit.sessionId(c, db.backend()).block(Duration.ofSeconds(10));
                Mono<Object> outcome;
                if (midStatement) {
                    outcome = c.executeRaw(FaultKit.sleepSql(db.backend(), Duration.ofSeconds(5))).rows()
                            .then(Mono.<Object>just("finished")).onErrorResume(Mono::just).cache();
                    outcome.subscribe();
                    FaultKit.sleep(300); // let the sleep start on the server
                    FaultKit.killSession(db, id);
                } else {
                    FaultKit.killSession(db, id);
                    if (!driver().name().startsWith("BRIDGE")) {
                        // The bridge finds the close at its next I/O; an R2DBC driver sees it first.
                        io.r2dbc.spi.Connection raw = (io.r2dbc.spi.Connection) FaultKit.driverConnection(c);
                        FaultKit.await(() -> !Boolean.TRUE.equals(Mono.from(raw.validate(io.r2dbc.spi.ValidationDepth.LOCAL))
                                .block(Duration.ofSeconds(5))), Duration.ofSeconds(5), "the driver to see its connection closed");
                    }
                    outcome = c.executeRaw("SELECT 1").rows().then(Mono.<Object>just("finished")).onErrorResume(Mono::just);
                }
                Object e = outcome.block(Duration.ofSeconds(10));
                String what = (midStatement ? "killed mid-statement: " : "killed while idle: ") + e;
                assertThat(e).as(what).isInstanceOf(ConnectionLostError.class);
                ConnectionLostError lost = (ConnectionLostError) e;
                if (db.backend() == Backend.POSTGRES) {
                    assertThat(lost.sqlState()).as(what).matches("08...|57P01");
                } else {
                    assertThat(lost.sqlState()).as(what).startsWith("08");
                }
                String driverState = driverSqlState(lost.getCause());
                assertThat(lost.sqlStateSynthesised()).as(what + " (driver's SQLSTATE " + driverState + ")")
                        .isEqualTo(driverState == null);
                if (lost.sqlStateSynthesised()) {
                    assertThat(lost.sqlState()).isEqualTo(ConnectionLostError.SYNTHESISED_SQLSTATE);
                } else {
                    assertThat(lost.sqlState()).isEqualTo(driverState);
                }
                if (driver().name().equals("R2DBC_MYSQL")) {
                    // r2dbc-mysql's MySqlConnectionClosedException never has one: the synthesised path is exercised.
                    assertThat(lost.sqlStateSynthesised()).as(what).isTrue();
                }
            } finally {
                c.rollback().onErrorResume(x -> Mono.empty()).block(Duration.ofSeconds(10));
                c.close().onErrorResume(x -> Mono.empty()).block(Duration.ofSeconds(10));
            }
        }
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
    }

    /** The first SQLSTATE a driver exception in {@code t}'s cause chain carries (R2DBC or JDBC), or null. */
    private static String driverSqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String s = c instanceof io.r2dbc.spi.R2dbcException ? ((io.r2dbc.spi.R2dbcException) c).getSqlState()
                    : c instanceof java.sql.SQLException ? ((java.sql.SQLException) c).getSQLState() : null;
            if (s != null && !s.isEmpty()) {
                return s;
            }
        }
        return null;
    }

    @Test // F14, B18: bad URL, nothing listening, a server that hangs up or stays silent: typed, fast, no password
    default void connectFailuresAreTypedFastAndNeverShowThePassword(TestDatabase db) {
        String secret = "Wr0ng^@%:pw-" + UUID.randomUUID().toString().substring(0, 8);
        EngineOptions quick = EngineOptions.builder().maxPoolSize(2).acquireTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(1)).echo(false).build();

        // Malformed URLs and unknown drivers fail at creation, never echoing the password.
        for (String url : List.of(
                "r2dbc:postgresql://retort:" + secret + "@127.0.0.1:notaport/db",
                "postgresql://retort:" + secret + "@127.0.0.1/db",
                "r2dbc:nosuchdriver://retort:" + secret + "@127.0.0.1:5432/db",
                "r2dbc:postgresql://retort:" + secret + "@[::1/db")) {
            Throwable e = catchThrowable(() -> Engine.create(url, quick).close());
            assertThat(e).as(url.replace(secret, "****")).isInstanceOf(ArgumentError.class);
            assertNoSecret(e, secret);
        }

        FaultKit.requireServer(db, "port, server or handshake that could fail (URLs were checked above)");

        // Nothing listening (a stopped server, a wrong port): ConnectError naming host:port.
        int port = FaultKit.closedPort();
        ConnectionFactoryOptions noServer = db.options(driver()).mutate()
                .option(ConnectionFactoryOptions.PORT, port).option(ConnectionFactoryOptions.PASSWORD, secret).build();
        expectConnectFailure(noServer, quick, ConnectError.class, "127.0.0.1:" + port, secret);

        // A server that accepts and hangs up at once (going down), and one that never answers
        // the handshake: both bounded by the connect timeout, not the acquire timeout.
        for (boolean silent : new boolean[] {false, true}) {
            try (FakeServer fake = new FakeServer(silent)) {
                ConnectionFactoryOptions o = db.options(driver()).mutate()
                        .option(ConnectionFactoryOptions.PORT, fake.port())
                        .option(ConnectionFactoryOptions.PASSWORD, secret).build();
                expectConnectFailure(o, quick, ConnectError.class, "127.0.0.1:" + fake.port(), secret);
            }
        }
    }

    @Test // F14, B18: a wrong password is an AuthenticationError naming the server, never the password
    default void wrongPasswordIsAnAuthenticationError(TestDatabase db) {
        assumeTrue(db.backend() != Backend.SQLITE, "SQLite has no users or passwords");
        String secret = "Wr0ng^@%:pw-" + UUID.randomUUID().toString().substring(0, 8);
        ConnectionFactoryOptions wrongPassword = db.options(driver()).mutate()
                .option(ConnectionFactoryOptions.PASSWORD, secret).build();
        EngineOptions quick = EngineOptions.builder().maxPoolSize(2).acquireTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2)).echo(false).build();
        // Only meaningful where the server checks passwords: PostgreSQL installs often "trust"
        // loopback logins (pg_hba.conf), and then any password connects.
        try (Engine probe = Engine.create(wrongPassword, quick)) {
            Object outcome = probe.connect(c -> c.executeRaw("SELECT 1").rows()).then(Mono.<Object>just("connected"))
                    .onErrorResume(Mono::just).block(Duration.ofSeconds(10));
            assumeTrue(!"connected".equals(outcome), "the server accepted a wrong password (pg_hba.conf trusts "
                    + db.host() + "): password checks cannot be observed on this server");
        }
        expectConnectFailure(wrongPassword, quick, AuthenticationError.class,
                db.backend() == Backend.H2 ? db.database() : db.host(), secret);
    }

    private static void expectConnectFailure(ConnectionFactoryOptions o, EngineOptions options,
                                             Class<? extends RetortException> type, String names, String secret) {
        Engine e = Engine.create(o, options);
        try {
            long t0 = System.nanoTime();
            StepVerifier.create(e.connect(c -> c.executeRaw("SELECT 1").rows()))
                    .expectErrorSatisfies(x -> {
                        assertThat(x).isInstanceOf(type);
                        assertThat(x.getMessage()).contains(names);
                        assertNoSecret(x, secret);
                    })
                    .verify(Duration.ofSeconds(10));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded by the connect timeout, well before the"
                    + " acquire timeout").isLessThan(options.acquireTimeout().minusSeconds(1));
            FaultKit.awaitPoolIdle(e, Duration.ofSeconds(2));
        } finally {
            e.dispose().block(Duration.ofSeconds(10));
        }
    }

    /** A TCP listener on 127.0.0.1 that either closes each connection at once or accepts and stays silent. */
    final class FakeServer implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread acceptor;

        FakeServer(boolean silent) {
            try {
                socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        java.net.Socket s = socket.accept();
                        if (silent) {
                            accepted.add(s);
                        } else {
                            s.close();
                        }
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "retort-tck-fake-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            try {
                socket.close();
                for (java.net.Socket s : accepted) {
                    s.close();
                }
            } catch (java.io.IOException ignored) {
                // closing test sockets
            }
        }
    }

    @Test // B12: a missing text bind is a typed error listing every missing name, raised before any SQL is sent
    default void missingTextBindsAreTypedAndListed(TestDatabase db) {
        Engine engine = failureEngine(db, 1);
        TextClause partial = text("SELECT :a, :b, :c").bind("a", 1);
        StepVerifier.create(engine.connect(c -> c.execute(partial).rows()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                        .hasMessageContaining("[b, c]"))
                .verify(Duration.ofSeconds(5));
        assertThatThrownBy(() -> text("SELECT :a").bind("nope", 1))
                .isInstanceOf(ArgumentError.class).hasMessageContaining(":nope").hasMessageContaining("[a]");
        assertThat(engine.statementCount()).as("nothing was sent").isZero();
        StepVerifier.create(engine.connect(c -> c.execute(text("SELECT :a").bind("a", 7)).scalars(Number.class)))
                .assertNext(n -> assertThat(n.intValue()).isEqualTo(7)).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // B11: unsupported bind types are rejected with a typed error before any SQL is sent
    default void unsupportedBindTypesAreRejectedBeforeSending(TestDatabase db) {
        Engine engine = failureEngine(db, 1);
        List<Object> odd = List.of(Object.class, Thread.currentThread(), new Object(), Optional.of(1), Map.of("a", 1),
                List.of(1), (Runnable) () -> { }, new int[] {1}, new java.util.Date());
        for (Object v : odd) {
            assertThatThrownBy(() -> text("SELECT :v").bind("v", v))
                    .as(v.getClass().getName()).isInstanceOf(ArgumentError.class);
        }
        // With an explicit type the value's class is not inferred; the engine still refuses to
        // hand it to the driver (it could be rendered or misread there).
        for (Object v : List.of(new Object(), Thread.currentThread(), Optional.of("x"), (Runnable) () -> { })) {
            StepVerifier.create(engine.connect(c -> c.execute(text("SELECT :v").bind("v", v, SqlTypes.VARCHAR)).rows()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnsupportedBindTypeError.class)
                            .hasMessageContaining(v.getClass().getName().split("\\$\\$")[0]))
                    .verify(Duration.ofSeconds(5));
        }
        assertThat(engine.statementCount()).as("nothing was sent").isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
    }

    @Test // B19: a second statement in text SQL never runs: refused before sending, through text() and executeRaw alike
    default void multiStatementTextNeverRunsTheSecondStatement(TestDatabase db) {
        Engine engine = failureEngine(db, 1);
        io.retort.sql.Table canary = io.retort.sql.Table.builder("b19_canary").column("id", SqlTypes.INTEGER).build();
        engine.connect(c -> c.execute(io.retort.sql.Sql.createTable(canary)).rowsAffected()
                .then(c.execute(insert(canary).set(canary.c("id", SqlTypes.INTEGER), 1)).rowsAffected()))
                .blockLast(Duration.ofSeconds(10));
        // Without Retort's check, r2dbc-h2, r2dbc-postgresql (no binds), r2dbc-mysql, pgjdbc, Connector/J and
        // sqlite-jdbc all ran the DROP (seen on this TCK's backends); only mariadb-r2dbc refused it.
        Map<String, java.util.function.Function<io.retort.engine.Connection, Flux<io.retort.engine.Row>>> attempts = new java.util.LinkedHashMap<>();
        attempts.put("executeRaw", c -> c.executeRaw("SELECT 1; DROP TABLE b19_canary").rows());
        attempts.put("text", c -> c.execute(text("SELECT 1; DROP TABLE b19_canary")).rows());
        attempts.put("text with a bind", c -> c.execute(text("SELECT :a; DROP TABLE b19_canary").bind("a", 1)).rows());
        attempts.put("textExpr", c -> c.execute(select(io.retort.sql.Sql.textExpr("1; DROP TABLE b19_canary; --",
                SqlTypes.INTEGER))).rows());
        long before = engine.statementCount();
        for (Map.Entry<String, java.util.function.Function<io.retort.engine.Connection, Flux<io.retort.engine.Row>>> a : attempts.entrySet()) {
            StepVerifier.create(engine.connect(a.getValue()))
                    .expectErrorSatisfies(e -> assertThat(e).as(a.getKey()).isInstanceOf(ArgumentError.class)
                            .hasMessageContaining("SQL text must be one statement"))
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(engine.statementCount() - before).as("nothing was sent").isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(2));
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(canary)).scalars(Long.class)))
                .expectNext(1L).as("the canary table and its row are still there").expectComplete().verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1;").rows()).count())
                .expectNext(1L).as("one statement with a trailing ';' runs").expectComplete().verify(Duration.ofSeconds(10));

        // A ';' inside a literal is text, but r2dbc-h2 cuts the text at every ';' and would run the DROP: refused there.
        String literal = "SELECT 'x;DROP TABLE b19_canary;--' AS v";
        if (driver() == io.retort.tck.env.Driver.R2DBC_H2) {
            StepVerifier.create(engine.connect(c -> c.executeRaw(literal).rows()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class).hasMessageContaining("r2dbc-h2"))
                    .verify(Duration.ofSeconds(10));
        } else {
            StepVerifier.create(engine.connect(c -> c.executeRaw(literal).scalars(String.class)))
                    .expectNext("x;DROP TABLE b19_canary;--").expectComplete().verify(Duration.ofSeconds(10));
        }
        StepVerifier.create(engine.connect(c -> c.execute(select(count()).from(canary)).scalars(Long.class)))
                .expectNext(1L).as("the canary survives a ';' in a literal").expectComplete().verify(Duration.ofSeconds(10));
    }
}
