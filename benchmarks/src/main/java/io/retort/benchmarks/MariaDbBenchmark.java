package io.retort.benchmarks;

import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.retort.benchmarks.BenchTables.InsertTable;
import io.retort.benchmarks.BenchTables.PointTable;
import io.retort.benchmarks.BenchTables.StreamTable;
import io.retort.benchmarks.BulkInsertBenchmark.Item;
import io.retort.benchmarks.PointSelectBenchmark.Point;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.sql.Column;
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
 * The engine suites of issue #4 on MariaDB, raw r2dbc-mariadb against Retort's engine over the
 * same driver, same shapes as on PostgreSQL ({@code ?} placeholders):
 *
 * <ul>
 *   <li>point select by primary key, sequential ({@code pointRawSequential} /
 *       {@code pointRetortSequential}) and 16 in flight on a pool of 8 ({@code pointRawPooled16} /
 *       {@code pointRetortPooled16}, Retort without pre-ping); see {@link PointSelectBenchmark};</li>
 *   <li>streaming the {@value StreamBenchmark#ROWS} rows of {@code bench_stream} into records
 *       ({@code streamRaw} / {@code streamRetortRows}); see {@link StreamBenchmark};</li>
 *   <li>inserting {@value BulkInsertBenchmark#ROWS} rows in one transaction: the driver's
 *       {@code Statement.add()} batch ({@code insertRawBatchAdd}), multi-row VALUES of
 *       {@value BulkInsertBenchmark#VALUES_PAGE} rows ({@code insertRawMultiValues}) and Retort's
 *       executemany ({@code insertRetortExecuteMany}: multi-row VALUES pages, MariaDB has no array
 *       binding); see {@link BulkInsertBenchmark}.</li>
 * </ul>
 *
 * <p>{@code driverOptions} (JMH parameter, default none) is appended to the URL of both sides.
 */
public class MariaDbBenchmark extends BenchmarkSettings {

    static final int IN_FLIGHT = PointSelectBenchmark.IN_FLIGHT;
    static final int POOL_SIZE = PointSelectBenchmark.POOL_SIZE;
    static final int STREAM_ROWS = StreamBenchmark.ROWS;
    static final int INSERT_ROWS = BulkInsertBenchmark.ROWS;
    static final int VALUES_PAGE = BulkInsertBenchmark.VALUES_PAGE;

    static final String POINT_SQL = "SELECT id, name, price FROM bench_point WHERE id = ?";
    static final String STREAM_SQL = "SELECT id, name, price, quantity, created_at, active FROM bench_stream WHERE id <= ?";
    static final String INSERT_ONE = "INSERT INTO bench_insert (id, name, price, quantity) VALUES (?, ?, ?, ?)";
    static final String INSERT_VALUES_PAGE = multiValues(VALUES_PAGE);

    static final PointTable P = BenchTables.POINT;
    static final StreamTable S = BenchTables.STREAM;
    static final InsertTable T = BenchTables.INSERT;

    /** The MariaDB URL with the driver options; fixtures are created on first use. */
    @State(Scope.Benchmark)
    public static class Options {
        @Param({""})
        public String driverOptions;

        ConnectionFactory factory() {
            return BenchDatabase.connectionFactory(BenchDatabase.withOptions(BenchDatabase.mariadbUrl(), driverOptions));
        }
    }

    // ------------------------------------------------------------------ states

    /** One raw connection; fixtures for the point and stream suites ensured, the insert table emptied per invocation. */
    @State(Scope.Thread)
    public static class Raw {
        Connection connection;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            ensureFixtures(factory);
            connection = BenchDatabase.connect(factory);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (connection != null) {
                Mono.from(connection.close()).block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** {@link Raw} plus a TRUNCATE of {@code bench_insert} before every invocation. */
    @State(Scope.Thread)
    public static class RawInsert {
        Connection connection;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            BenchDatabase.ensureInsertTable(factory);
            connection = BenchDatabase.connect(factory);
        }

        @Setup(Level.Invocation)
        public void truncate() {
            BenchDatabase.truncateInsertTable(connection);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (connection != null) {
                Mono.from(connection.close()).block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** An r2dbc-pool of {@value #POOL_SIZE}, opened before measurement. */
    @State(Scope.Benchmark)
    public static class RawPooled {
        ConnectionPool pool;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            ensureFixtures(factory);
            pool = BenchDatabase.pool(factory, POOL_SIZE);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (pool != null) {
                pool.disposeLater().block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** One Retort connection held for the trial (unpooled engine over the same factory). */
    @State(Scope.Thread)
    public static class Retort {
        HeldConnection held;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            ensureFixtures(factory);
            held = HeldConnection.open(Engine.create(factory, EngineOptions.builder().pooled(false).build()));
        }

        @TearDown(Level.Trial)
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    /** {@link Retort} plus a TRUNCATE of {@code bench_insert} before every invocation. */
    @State(Scope.Thread)
    public static class RetortInsert {
        HeldConnection held;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            BenchDatabase.ensureInsertTable(factory);
            held = HeldConnection.open(Engine.create(factory, EngineOptions.builder().pooled(false).build()));
        }

        @Setup(Level.Invocation)
        public void truncate() {
            held.connection().executeRaw("TRUNCATE TABLE bench_insert").rowsAffected().block(BenchDatabase.TIMEOUT);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    /** A Retort engine with its own pool of {@value #POOL_SIZE}, no pre-ping. */
    @State(Scope.Benchmark)
    public static class RetortPooled {
        Engine engine;

        @Setup(Level.Trial)
        public void open(Options options) {
            ConnectionFactory factory = options.factory();
            ensureFixtures(factory);
            engine = Engine.create(factory, EngineOptions.builder()
                    .maxPoolSize(POOL_SIZE).initialPoolSize(POOL_SIZE).prePing(false).build());
            Flux.range(0, POOL_SIZE * 2)
                    .flatMap(i -> engine.connect(c -> retortPoint(c, PointSelectBenchmark.randomId())), POOL_SIZE * 2)
                    .blockLast(BenchDatabase.TIMEOUT);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (engine != null) {
                engine.dispose().block(BenchDatabase.TIMEOUT);
            }
        }
    }

    static void ensureFixtures(ConnectionFactory factory) {
        BenchDatabase.ensureMariaDbPointTable(factory);
        BenchDatabase.ensureStreamTable(factory);
    }

    // ------------------------------------------------------------------ point select

    @Benchmark
    public void pointRawSequential(Raw db, Blackhole bh) {
        bh.consume(rawPoint(db.connection, PointSelectBenchmark.randomId()).block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    public void pointRetortSequential(Retort db, Blackhole bh) {
        bh.consume(retortPoint(db.held.connection(), PointSelectBenchmark.randomId()).block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointRawPooled16(RawPooled db, Blackhole bh) {
        bh.consume(rawBatch(db, POINT_SQL));
    }

    /** {@value #IN_FLIGHT} point selects of {@code sql} at once through the raw pool. */
    static List<Point> rawBatch(RawPooled db, String sql) {
        return PointSelectBenchmark.checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> Mono.usingWhen(db.pool.create(), c -> rawPoint(c, sql, PointSelectBenchmark.randomId()),
                        Connection::close), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointRetortPooled16(RetortPooled db, Blackhole bh) {
        bh.consume(retortBatch(db));
    }

    static List<Point> retortBatch(RetortPooled db) {
        return PointSelectBenchmark.checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> db.engine.connect(c -> retortPoint(c, PointSelectBenchmark.randomId())), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT));
    }

    /** The raw side of a turn-taking pair with {@link #pointRetortPooled16Turns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointRawPooled16Turns(RawPooled db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> rawBatch(db, POINT_SQL), IN_FLIGHT, bh);
    }

    /** Retort's side of a turn-taking pair with {@link #pointRawPooled16Turns} in another JVM (see {@link TurnTimer}). */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointRetortPooled16Turns(RetortPooled db, TurnTimer turns, Blackhole bh) {
        turns.run(() -> retortBatch(db), IN_FLIGHT, bh);
    }

    /** Both sides alternately in one fork, timed batch by batch (see {@link PairTimer}). */
    @Benchmark
    @OperationsPerInvocation(2 * IN_FLIGHT)
    public void pointPairedPooled16(RawPooled raw, RetortPooled retort, PairTimer pair, Blackhole bh) {
        pair.run(() -> rawBatch(raw, POINT_SQL), () -> retortBatch(retort), IN_FLIGHT, bh);
    }

    /**
     * Diagnostic: the raw pool and driver sending the SQL text Retort renders, to split the
     * 16-in-flight gap between the statement's text and Retort's own work. (Retort's text was
     * qualified until the MySQL/MariaDB dialects wrote single-table columns bare; it now equals
     * {@link #POINT_SQL}, so this pair should match {@link #pointRawPooled16}.)
     */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointRawRetortSqlPooled16(RawPooled db, Blackhole bh) {
        bh.consume(rawBatch(db, RETORT_POINT_SQL));
    }

    /** The text Retort sends for {@link #retortPoint} on MariaDB. */
    static final String RETORT_POINT_SQL = io.retort.sql.compile.Compiler.compile(
            select(P.id, P.name, P.price).where(P.id.eq(0)), io.retort.dialect.mariadb.MariaDbDialect.INSTANCE).sql();

    static Mono<Point> rawPoint(Connection c, String sql, int id) {
        return Flux.from(c.createStatement(sql).bind(0, id).execute())
                .flatMap(result -> result.map((row, meta) -> PointSelectBenchmark.toPoint(row, meta)))
                .single();
    }

    /**
     * Diagnostic: Retort's pooled checkout and release around the raw driver's statement. Splits
     * the 16-in-flight gap between the engine's connection handling and its statement path.
     */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void pointEngineRawStatementPooled16(RetortPooled db, Blackhole bh) {
        bh.consume(PointSelectBenchmark.checkBatch(Flux.range(0, IN_FLIGHT)
                .flatMap(i -> db.engine.connect(c -> rawPoint(c.unwrap(), PointSelectBenchmark.randomId())), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT)));
    }

    static Mono<Point> rawPoint(Connection c, int id) {
        return rawPoint(c, POINT_SQL, id);
    }

    static Mono<Point> retortPoint(io.retort.engine.Connection c, int id) {
        return c.execute(select(P.id, P.name, P.price).where(P.id.eq(id)))
                .rows()
                .map(PointSelectBenchmark::toPoint)
                .single();
    }

    // ------------------------------------------------------------------ streaming

    @Benchmark
    @OperationsPerInvocation(STREAM_ROWS)
    public void streamRaw(Raw db, Blackhole bh) {
        StreamBenchmark.check(Flux.from(db.connection.createStatement(STREAM_SQL).bind(0, STREAM_ROWS).execute())
                .flatMap(result -> result.map((row, meta) -> StreamBenchmark.toItem(row, meta)))
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(STREAM_ROWS)
    public void streamRetortRows(Retort db, Blackhole bh) {
        StreamBenchmark.check(db.held.connection().execute(StreamBenchmark.statement())
                .rows()
                .map(StreamBenchmark::toItem)
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT));
    }

    // ------------------------------------------------------------------ bulk insert

    @Benchmark
    @OperationsPerInvocation(INSERT_ROWS)
    public long insertRawBatchAdd(RawInsert db, BulkInsertBenchmark.Data data) {
        Connection c = db.connection;
        return BulkInsertBenchmark.check(BulkInsertBenchmark.inTransaction(c, Mono.defer(() -> {
            Statement st = c.createStatement(INSERT_ONE);
            List<Item> items = data.items;
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    st.add();
                }
                Item it = items.get(i);
                st.bind(0, it.id()).bind(1, it.name()).bind(2, it.price()).bind(3, it.quantity());
            }
            return rowsUpdated(st);
        })));
    }

    @Benchmark
    @OperationsPerInvocation(INSERT_ROWS)
    public long insertRawMultiValues(RawInsert db, BulkInsertBenchmark.Data data) {
        Connection c = db.connection;
        return BulkInsertBenchmark.check(BulkInsertBenchmark.inTransaction(c,
                Flux.range(0, INSERT_ROWS / VALUES_PAGE).concatMap(p -> {
                    Statement st = c.createStatement(INSERT_VALUES_PAGE);
                    int k = 0;
                    for (Item it : data.items.subList(p * VALUES_PAGE, (p + 1) * VALUES_PAGE)) {
                        st.bind(k++, it.id()).bind(k++, it.name()).bind(k++, it.price()).bind(k++, it.quantity());
                    }
                    return rowsUpdated(st);
                }).reduce(0L, Long::sum)));
    }

    @Benchmark
    @OperationsPerInvocation(INSERT_ROWS)
    public long insertRetortExecuteMany(RetortInsert db, BulkInsertBenchmark.Data data) {
        List<Map<Column<?>, Object>> sets = new ArrayList<>(data.items.size());
        for (Item it : data.items) {
            sets.add(Map.of(T.id, it.id(), T.name, it.name(), T.price, it.price(), T.quantity, it.quantity()));
        }
        return BulkInsertBenchmark.check(db.held.connection()
                .inTransaction(c -> c.executeMany(insert(T), sets).rowsAffected())
                .single());
    }

    static Mono<Long> rowsUpdated(Statement st) {
        return Flux.from(st.execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
    }

    static String multiValues(int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO bench_insert (id, name, price, quantity) VALUES ");
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
        }
        return sb.toString();
    }
}
