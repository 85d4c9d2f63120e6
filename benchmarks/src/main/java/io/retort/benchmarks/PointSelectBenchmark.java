package io.retort.benchmarks;

import static io.retort.sql.Sql.select;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.benchmarks.BenchTables.PointTable;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.Row;
import io.r2dbc.spi.RowMetadata;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Point select by primary key: {@code SELECT id, name, price FROM bench_point WHERE id = $1} with a
 * random id in 1..10,000, the row materialised into a {@link Point}.
 *
 * <p>Two shapes, each measured in queries per second:
 * <ul>
 *   <li><b>sequential</b>: one query at a time on one connection (latency-bound);</li>
 *   <li><b>16 in flight</b>: {@value #IN_FLIGHT} queries at once on a pool of
 *       {@value #POOL_SIZE} connections; one invocation is one batch of {@value #IN_FLIGHT},
 *       counted as {@value #IN_FLIGHT} operations. The batch is a barrier (the next batch starts
 *       when the slowest query of this one is done), so this slightly understates a steady
 *       16-in-flight stream; both sides are measured the same way.</li>
 * </ul>
 *
 * <p>Each shape is paired: {@code raw*} is r2dbc-postgresql (and r2dbc-pool) alone, {@code retort*}
 * is Retort's engine doing the same work in the same JVM: it builds the statement
 * ({@code select(P.id, P.name, P.price).where(P.id.eq(id))}) for every query, finds its compiled
 * form in the engine's statement cache, binds, executes, reads the row into a Retort {@code Row}
 * (typed by the statement's columns) and maps it to the same {@link Point}. Sequential Retort
 * holds one engine connection for the trial ({@link HeldConnection}), as the raw side holds one
 * driver connection; pooled Retort runs each query in {@code engine.connect(c -> ...)} on the
 * engine's own r2dbc-pool of {@value #POOL_SIZE}, without pre-ping ({@code retortPooled16}, the
 * raw pool's validation) and with Retort's default pre-ping ({@code retortPooled16PrePing}, a
 * server round trip on every checkout).
 *
 * <p>{@code driverOptions} (JMH parameter, default none) is appended to the URL's query string of
 * both sides, e.g. {@code -p driverOptions=preparedStatementCacheQueries=0}.
 */
public class PointSelectBenchmark extends BenchmarkSettings {

    /** Queries in flight per invocation in the concurrent shape. */
    public static final int IN_FLIGHT = 16;

    /** Connections in the pool for the concurrent shape. */
    public static final int POOL_SIZE = 8;

    static final String SQL = "SELECT id, name, price FROM bench_point WHERE id = $1";

    static final PointTable P = BenchTables.POINT;

    /** The row a point select materialises. */
    public record Point(int id, String name, BigDecimal price) {
    }

    /** Driver options appended to the URL of both sides. */
    @State(Scope.Benchmark)
    public static class Options {
        @Param({""})
        public String driverOptions;

        ConnectionFactory factory() {
            ConnectionFactory factory = BenchDatabase.connectionFactory(
                    BenchDatabase.withOptions(BenchDatabase.url(), driverOptions));
            BenchDatabase.ensurePointTable(factory);
            return factory;
        }
    }

    /** One connection, one query at a time. Per thread, so {@code -t N} stays sequential per thread. */
    @State(Scope.Thread)
    public static class SingleConnection {
        Connection connection;

        @Setup(Level.Trial)
        public void open(Options options) {
            connection = BenchDatabase.connect(options.factory());
        }

        @TearDown(Level.Trial)
        public void close() {
            if (connection != null) {
                Mono.from(connection.close()).block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** An r2dbc-pool of {@value #POOL_SIZE} connections, opened before measurement. */
    @State(Scope.Benchmark)
    public static class Pooled {
        ConnectionPool pool;

        @Setup(Level.Trial)
        public void open(Options options) {
            pool = BenchDatabase.pool(options.factory(), POOL_SIZE);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (pool != null) {
                pool.disposeLater().block(BenchDatabase.TIMEOUT);
            }
        }

        Mono<Point> select(int id) {
            return Mono.usingWhen(pool.create(), c -> rawSelect(c, id), Connection::close);
        }
    }

    /** One Retort engine connection held for the trial (unpooled engine over the same factory). */
    @State(Scope.Thread)
    public static class RetortSingle {
        HeldConnection held;

        @Setup(Level.Trial)
        public void open(Options options) {
            held = HeldConnection.open(Engine.create(options.factory(), EngineOptions.builder().pooled(false).build()));
        }

        @TearDown(Level.Trial)
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    /** A Retort engine with its own pool of {@value #POOL_SIZE}, no pre-ping (the raw pool's validation). */
    @State(Scope.Benchmark)
    public static class RetortPooled {
        Engine engine;

        @Setup(Level.Trial)
        public void open(Options options) {
            engine = pooledEngine(options.factory(), false);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (engine != null) {
                engine.dispose().block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** A Retort engine with its own pool of {@value #POOL_SIZE} and Retort's default pre-ping on checkout. */
    @State(Scope.Benchmark)
    public static class RetortPooledPrePing {
        Engine engine;

        @Setup(Level.Trial)
        public void open(Options options) {
            engine = pooledEngine(options.factory(), true);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (engine != null) {
                engine.dispose().block(BenchDatabase.TIMEOUT);
            }
        }
    }

    static Engine pooledEngine(ConnectionFactory factory, boolean prePing) {
        Engine engine = Engine.create(factory, EngineOptions.builder()
                .maxPoolSize(POOL_SIZE).initialPoolSize(POOL_SIZE).prePing(prePing).build());
        // Open all the pool's connections before measurement, as the raw pool's warmup() does.
        Flux.range(0, POOL_SIZE * 2)
                .flatMap(i -> engine.connect(c -> retortSelect(c, randomId())), POOL_SIZE * 2)
                .blockLast(BenchDatabase.TIMEOUT);
        return engine;
    }

    @Benchmark
    public void rawSequential(SingleConnection db, Blackhole bh) {
        bh.consume(rawSelect(db.connection, randomId()).block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void rawPooled16(Pooled db, Blackhole bh) {
        bh.consume(rawBatch(db));
    }

    @Benchmark
    public void retortSequential(RetortSingle db, Blackhole bh) {
        bh.consume(retortSelect(db.held.connection(), randomId()).block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void retortPooled16(RetortPooled db, Blackhole bh) {
        bh.consume(retortBatch(db.engine));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void retortPooled16PrePing(RetortPooledPrePing db, Blackhole bh) {
        bh.consume(retortBatch(db.engine));
    }

    /**
     * Diagnostic: the engine's pooled checkout and release around the raw driver's statement.
     * Splits the 16-in-flight gap between connection handling and the statement path.
     */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void engineRawStatementPooled16(RetortPooled db, Blackhole bh) {
        bh.consume(checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> db.engine.connect(c -> rawSelect(c.unwrap(), randomId())), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT)));
    }

    /** Both sides alternately in one fork, timed batch by batch (see {@link PairTimer}). */
    @Benchmark
    @OperationsPerInvocation(2 * IN_FLIGHT)
    public void pairedPooled16(Pooled raw, RetortPooled retort, PairTimer pair, Blackhole bh) {
        pair.run(() -> rawBatch(raw), () -> retortBatch(retort.engine), IN_FLIGHT, bh);
    }

    /** The raw side of a turn-taking pair with {@link #retortSequentialTurns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    public void rawSequentialTurns(SingleConnection db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> rawSelect(db.connection, randomId()).block(BenchDatabase.TIMEOUT), 1, bh);
    }

    /** Retort's side of a turn-taking pair with {@link #rawSequentialTurns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    public void retortSequentialTurns(RetortSingle db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> retortSelect(db.held.connection(), randomId()).block(BenchDatabase.TIMEOUT), 1, bh);
    }

    /** The raw side of a turn-taking pair with {@link #retortPooled16Turns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void rawPooled16Turns(Pooled db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> rawBatch(db), IN_FLIGHT, bh);
    }

    /** Retort's side of a turn-taking pair with {@link #rawPooled16Turns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void retortPooled16Turns(RetortPooled db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> retortBatch(db.engine), IN_FLIGHT, bh);
    }

    static List<Point> rawBatch(Pooled db) {
        return checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> db.select(randomId()), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT));
    }

    static List<Point> retortBatch(Engine engine) {
        return checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> engine.connect(c -> retortSelect(c, randomId())), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT));
    }

    /** {@code rows}, after checking that a batch returned one row per query. */
    static List<Point> checkBatch(List<Point> rows) {
        if (rows == null || rows.size() != IN_FLIGHT) {
            throw new IllegalStateException("expected " + IN_FLIGHT + " rows, got " + rows);
        }
        return rows;
    }

    /** The statement is built for every query, as application code does. */
    static Mono<Point> retortSelect(io.retort.engine.Connection connection, int id) {
        return connection.execute(select(P.id, P.name, P.price).where(P.id.eq(id)))
                .rows()
                .map(PointSelectBenchmark::toPoint)
                .single();
    }

    static Point toPoint(Row row) {
        Integer id = row.get(0, Integer.class);
        return new Point(id == null ? 0 : id, row.get(1, String.class), row.get(2, BigDecimal.class));
    }

    static Mono<Point> rawSelect(Connection connection, int id) {
        return Flux.from(connection.createStatement(SQL).bind(0, id).execute())
                .flatMap(result -> result.map((row, meta) -> toPoint(row, meta)))
                .single();
    }

    static Point toPoint(io.r2dbc.spi.Row row, RowMetadata meta) {
        Integer id = row.get(0, Integer.class);
        return new Point(id == null ? 0 : id, row.get(1, String.class), row.get(2, BigDecimal.class));
    }

    static int randomId() {
        return ThreadLocalRandom.current().nextInt(1, BenchDatabase.POINT_ROWS + 1);
    }
}
