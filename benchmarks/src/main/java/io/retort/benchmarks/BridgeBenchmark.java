package io.retort.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.r2dbc.spi.Connection;
import io.retort.benchmarks.PointSelectBenchmark.Point;
import io.retort.benchmarks.StreamBenchmark.Item;
import io.retort.bridge.jdbc.JdbcConnectionFactory;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
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
 * The blocking bridge (issue #6) against plain JDBC doing the same work in the same run, both on
 * pgjdbc with a HikariCP pool of {@value #POOL} connections:
 *
 * <ul>
 *   <li>point select by primary key ({@code bench_point}), one at a time and 16 in flight: plain
 *       JDBC runs the 16 on 16 platform threads that borrow from the pool; the bridge runs them as
 *       16 concurrent subscriptions ({@code flatMap(…, 16)}) on its own executor sized to the pool;</li>
 *   <li>streaming all {@value StreamBenchmark#ROWS} rows of {@code bench_stream} into records, both
 *       sides fetching {@value #FETCH} rows at a time through a server-side cursor (plain JDBC:
 *       auto-commit off and {@code setFetchSize}; the bridge does the same by default), so both
 *       hold bounded memory.</li>
 * </ul>
 *
 * The JDBC URL is {@code -Dretort.bench.pg.jdbc.url} (default the test harness's database, user
 * {@code retort}/{@code retort}).
 */
public class BridgeBenchmark extends BenchmarkSettings {
    static final int POOL = 8;
    static final int FETCH = 1000;
    static final String JDBC_POINT = "SELECT id, name, price FROM bench_point WHERE id = ?";
    static final String JDBC_STREAM = "SELECT id, name, price, quantity, created_at, active FROM bench_stream WHERE id <= ?";

    static String jdbcUrl() {
        return System.getProperty("retort.bench.pg.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/retort_test");
    }

    static String user() {
        return System.getProperty("retort.bench.pg.user", "retort");
    }

    static String password() {
        return System.getProperty("retort.bench.pg.password", "retort");
    }

    static HikariDataSource hikari(String name) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl());
        c.setUsername(user());
        c.setPassword(password());
        c.setMaximumPoolSize(POOL);
        c.setMinimumIdle(POOL);
        c.setPoolName(name);
        return new HikariDataSource(c);
    }

    /** Plain JDBC: a Hikari pool and 16 worker threads for the 16-in-flight shape. */
    @State(Scope.Benchmark)
    public static class Jdbc {
        HikariDataSource ds;
        ExecutorService threads;

        @Setup(Level.Trial)
        public void open() {
            io.r2dbc.spi.ConnectionFactory r2dbc = BenchDatabase.connectionFactory();
            BenchDatabase.ensurePointTable(r2dbc);
            BenchDatabase.ensureStreamTable(r2dbc);
            ds = hikari("jdbc");
            threads = Executors.newFixedThreadPool(16);
        }

        @TearDown(Level.Trial)
        public void close() {
            threads.shutdownNow();
            ds.close();
        }
    }

    /** The bridge over pgjdbc: its own Hikari pool of the same size. */
    @State(Scope.Benchmark)
    public static class Bridge {
        JdbcConnectionFactory cf;

        @Setup(Level.Trial)
        public void open() {
            io.r2dbc.spi.ConnectionFactory r2dbc = BenchDatabase.connectionFactory();
            BenchDatabase.ensurePointTable(r2dbc);
            BenchDatabase.ensureStreamTable(r2dbc);
            cf = JdbcConnectionFactory.builder().url(jdbcUrl()).user(user()).password(password())
                    .poolSize(POOL).minIdle(POOL).fetchSize(FETCH).poolName("bridge").build();
        }

        @TearDown(Level.Trial)
        public void close() {
            cf.close();
        }
    }

    private static Point jdbcPoint(HikariDataSource ds, int id) throws SQLException {
        try (java.sql.Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(JDBC_POINT)) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Point(rs.getInt(1), rs.getString(2), rs.getBigDecimal(3));
            }
        }
    }

    private static Mono<Point> bridgePoint(JdbcConnectionFactory cf, int id) {
        return Mono.usingWhen(cf.create(),
                c -> Flux.from(c.createStatement(PointSelectBenchmark.SQL).bind(0, id).execute())
                        .flatMap(r -> r.map((row, meta) -> new Point(row.get(0, Integer.class), row.get(1, String.class),
                                row.get(2, BigDecimal.class))))
                        .next(),
                Connection::close);
    }

    private static int randomId() {
        return ThreadLocalRandom.current().nextInt(1, BenchDatabase.POINT_ROWS + 1);
    }

    @Benchmark
    public Point jdbcSequential(Jdbc db) throws SQLException {
        return jdbcPoint(db.ds, randomId());
    }

    @Benchmark
    public Point bridgeSequential(Bridge db) {
        return bridgePoint(db.cf, randomId()).block(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void jdbcPooled16(Jdbc db, Blackhole bh) throws Exception {
        List<Future<Point>> futures = new ArrayList<>(16);
        for (int i = 0; i < 16; i++) {
            futures.add(db.threads.submit(() -> jdbcPoint(db.ds, randomId())));
        }
        for (Future<Point> f : futures) {
            bh.consume(f.get());
        }
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void bridgePooled16(Bridge db, Blackhole bh) {
        Flux.range(0, 16).flatMap(i -> bridgePoint(db.cf, randomId()), 16).doOnNext(bh::consume)
                .blockLast(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    @OperationsPerInvocation(StreamBenchmark.ROWS)
    public void jdbcStream(Jdbc db, Blackhole bh) throws SQLException {
        long n = 0;
        try (java.sql.Connection c = db.ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(JDBC_STREAM)) {
                ps.setFetchSize(FETCH);
                ps.setInt(1, StreamBenchmark.ROWS);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        bh.consume(new Item(rs.getInt(1), rs.getString(2), rs.getBigDecimal(3), rs.getInt(4),
                                rs.getObject(5, LocalDateTime.class), rs.getBoolean(6)));
                        n++;
                    }
                }
            } finally {
                c.commit();
                c.setAutoCommit(true);
            }
        }
        StreamBenchmark.check(n);
    }

    @Benchmark
    @OperationsPerInvocation(StreamBenchmark.ROWS)
    public void bridgeStream(Bridge db, Blackhole bh) {
        Long n = Flux.usingWhen(db.cf.create(),
                        // fetchSize: through a cursor, FETCH rows at a time, like the JDBC side (without it,
                        // pgjdbc in auto-commit mode reads all 200,000 rows into memory first).
                        c -> Flux.from(c.createStatement(StreamBenchmark.SQL).bind(0, StreamBenchmark.ROWS)
                                        .fetchSize(FETCH).execute())
                                .flatMap(r -> r.map((row, meta) -> StreamBenchmark.toItem(row, meta))),
                        Connection::close)
                .doOnNext(bh::consume)
                .count()
                .block(BenchDatabase.TIMEOUT);
        StreamBenchmark.check(n);
    }
}
