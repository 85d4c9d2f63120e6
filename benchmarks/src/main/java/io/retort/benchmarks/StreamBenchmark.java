package io.retort.benchmarks;

import static io.retort.sql.Sql.select;

import java.math.BigDecimal;
import java.time.LocalDateTime;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.RowMetadata;
import io.retort.benchmarks.BenchTables.StreamTable;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.Row;
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
 * Streaming a large result into records (issue #4), on PostgreSQL: all {@value #ROWS} rows of
 * {@code bench_stream} ({@code SELECT id, name, price, quantity, created_at, active FROM
 * bench_stream WHERE id <= $1}, six columns: int, varchar, numeric, int, timestamp, boolean),
 * each materialised into an {@link Item} and consumed by a JMH {@code Blackhole}, on one
 * connection held for the trial. Measured in rows per second.
 *
 * <p>The {@code WHERE id <= $1} (always all rows) gives both sides a bound parameter, so both use
 * the extended protocol (a parameterless statement would go through r2dbc-postgresql's simple
 * query protocol, which is always text).
 *
 * <ul>
 *   <li>{@code raw}: r2dbc-postgresql, {@code result.map((row, meta) -> new Item(row.get(0, Integer.class), ...))};</li>
 *   <li>{@code retortRows}: Retort's engine: the statement built with the expression API, rows read
 *       into Retort {@code Row}s (typed by the statement's columns), mapped by hand to the same
 *       record;</li>
 *   <li>{@code retortInto}: the same with {@code result.into(Item.class)} (record mapping by
 *       component name).</li>
 * </ul>
 *
 * <p>{@code driverOptions} (JMH parameter) is appended to the URL of both sides: by default the
 * suite runs with the driver's defaults and with {@code forceBinary=true} (binary transfer of
 * every column).
 */
public class StreamBenchmark extends BenchmarkSettings {

    public static final int ROWS = BenchDatabase.STREAM_ROWS;

    static final String SQL = "SELECT id, name, price, quantity, created_at, active FROM bench_stream WHERE id <= $1";

    static final StreamTable S = BenchTables.STREAM;

    /** One streamed row. */
    public record Item(int id, String name, BigDecimal price, int quantity, LocalDateTime createdAt, boolean active) {
    }

    /** Driver options appended to the URL of both sides. */
    @State(Scope.Benchmark)
    public static class Options {
        @Param({"", "forceBinary=true"})
        public String driverOptions;

        ConnectionFactory factory() {
            ConnectionFactory factory = BenchDatabase.connectionFactory(
                    BenchDatabase.withOptions(BenchDatabase.url(), driverOptions));
            BenchDatabase.ensureStreamTable(factory);
            return factory;
        }
    }

    /** One raw connection for the trial. */
    @State(Scope.Thread)
    public static class Raw {
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

    /** One Retort connection for the trial (unpooled engine over the same factory). */
    @State(Scope.Thread)
    public static class Retort {
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

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void raw(Raw db, Blackhole bh) {
        Long n = Flux.from(db.connection.createStatement(SQL).bind(0, ROWS).execute())
                .flatMap(result -> result.map((row, meta) -> toItem(row, meta)))
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT);
        check(n);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void retortRows(Retort db, Blackhole bh) {
        Long n = db.held.connection().execute(statement())
                .rows()
                .map(StreamBenchmark::toItem)
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT);
        check(n);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void retortInto(Retort db, Blackhole bh) {
        Long n = db.held.connection().execute(statement())
                .into(Item.class)
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT);
        check(n);
    }

    static io.retort.sql.Select statement() {
        return select(S.id, S.name, S.price, S.quantity, S.createdAt, S.active).where(S.id.le(ROWS));
    }

    static Item toItem(io.r2dbc.spi.Row row, RowMetadata meta) {
        return new Item(row.get(0, Integer.class), row.get(1, String.class), row.get(2, BigDecimal.class),
                row.get(3, Integer.class), row.get(4, LocalDateTime.class), row.get(5, Boolean.class));
    }

    static Item toItem(Row row) {
        return new Item(row.get(0, Integer.class), row.get(1, String.class), row.get(2, BigDecimal.class),
                row.get(3, Integer.class), row.get(4, LocalDateTime.class), row.get(5, Boolean.class));
    }

    static void check(Long n) {
        if (n == null || n != ROWS) {
            throw new IllegalStateException("expected " + ROWS + " rows, got " + n);
        }
    }
}
