package io.retort.benchmarks;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 *   <li><b>16 in flight</b>: {@value #IN_FLIGHT} queries at once on an r2dbc-pool of
 *       {@value #POOL_SIZE} connections; one invocation is one batch of {@value #IN_FLIGHT},
 *       counted as {@value #IN_FLIGHT} operations. The batch is a barrier (the next batch starts
 *       when the slowest query of this one is done), so this slightly understates a steady
 *       16-in-flight stream; Retort's side will be measured the same way.</li>
 * </ul>
 *
 * <p>Only the raw r2dbc-postgresql side exists so far ({@code raw*}); the Retort side arrives with
 * the engine and will be added here as {@code retort*} methods on the same states, so both run in
 * the same JVM, against the same table, in the same run.
 */
public class PointSelectBenchmark extends BenchmarkSettings {

    /** Queries in flight per invocation in the concurrent shape. */
    public static final int IN_FLIGHT = 16;

    /** Connections in the pool for the concurrent shape. */
    public static final int POOL_SIZE = 8;

    static final String SQL = "SELECT id, name, price FROM bench_point WHERE id = $1";

    /** The row a point select materialises. */
    public record Point(int id, String name, BigDecimal price) {
    }

    /** One connection, one query at a time. Per thread, so {@code -t N} stays sequential per thread. */
    @State(Scope.Thread)
    public static class SingleConnection {
        Connection connection;

        @Setup(Level.Trial)
        public void open() {
            ConnectionFactory factory = BenchDatabase.connectionFactory();
            BenchDatabase.ensurePointTable(factory);
            connection = BenchDatabase.connect(factory);
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
        public void open() {
            ConnectionFactory factory = BenchDatabase.connectionFactory();
            BenchDatabase.ensurePointTable(factory);
            pool = BenchDatabase.pool(factory, POOL_SIZE);
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

    @Benchmark
    public void rawSequential(SingleConnection db, Blackhole bh) {
        bh.consume(rawSelect(db.connection, randomId()).block(BenchDatabase.TIMEOUT));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public void rawPooled16(Pooled db, Blackhole bh) {
        List<Point> rows = Flux.range(0, IN_FLIGHT)
                .flatMap(i -> db.select(randomId()), IN_FLIGHT)
                .collectList()
                .block(BenchDatabase.TIMEOUT);
        if (rows == null || rows.size() != IN_FLIGHT) {
            throw new IllegalStateException("expected " + IN_FLIGHT + " rows, got " + rows);
        }
        bh.consume(rows);
    }

    static Mono<Point> rawSelect(Connection connection, int id) {
        return Flux.from(connection.createStatement(SQL).bind(0, id).execute())
                .flatMap(result -> result.map(PointSelectBenchmark::toPoint))
                .single();
    }

    static Point toPoint(Row row, RowMetadata meta) {
        Integer id = row.get(0, Integer.class);
        return new Point(id == null ? 0 : id, row.get(1, String.class), row.get(2, BigDecimal.class));
    }

    static int randomId() {
        return ThreadLocalRandom.current().nextInt(1, BenchDatabase.POINT_ROWS + 1);
    }
}
