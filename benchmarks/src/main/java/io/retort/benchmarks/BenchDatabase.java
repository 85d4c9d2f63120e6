package io.retort.benchmarks;

import java.time.Duration;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where the benchmarks' PostgreSQL is and how its fixtures are set up.
 *
 * <p>The server is given by the system property {@value #URL_PROPERTY} (default
 * {@value #DEFAULT_URL}). JMH forks the benchmark JVM with the launching JVM's arguments, so
 * {@code java -Dretort.bench.pg.url=... -jar benchmarks.jar ...} reaches the fork.
 *
 * <p>Set-up runs once per trial, outside the measured region, and blocks: that is fine here, in
 * JMH's own thread, and never inside a Reactor operator.
 */
public final class BenchDatabase {

    public static final String URL_PROPERTY = "retort.bench.pg.url";
    public static final String DEFAULT_URL = "r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test";

    /** Rows in {@code bench_point}; ids are 1..POINT_ROWS. */
    public static final int POINT_ROWS = 10_000;

    /** Upper bound for any blocking wait, so an unreachable server fails instead of hanging. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BenchDatabase() {
    }

    public static String url() {
        return System.getProperty(URL_PROPERTY, DEFAULT_URL);
    }

    /** The URL with any password masked, for messages. */
    public static String safeUrl() {
        return url().replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
    }

    /** A plain (unpooled) r2dbc-postgresql connection factory for {@link #url()}, driver defaults. */
    public static ConnectionFactory connectionFactory() {
        return ConnectionFactories.get(ConnectionFactoryOptions.parse(url()));
    }

    /** One connection, opened eagerly. */
    public static Connection connect(ConnectionFactory factory) {
        try {
            return Mono.from(factory.create()).block(TIMEOUT);
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /**
     * An r2dbc-pool of exactly {@code size} connections, all opened before it is returned. Every
     * other setting is r2dbc-pool's default (no acquire timeout, no validation query: validation
     * is the driver's local {@code ValidationDepth.LOCAL} check), so the pool adds no timers of
     * its own to each acquisition.
     */
    public static ConnectionPool pool(ConnectionFactory factory, int size) {
        ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
                .name("bench")
                .initialSize(size)
                .maxSize(size)
                .build());
        try {
            pool.warmup().block(TIMEOUT);
        } catch (RuntimeException e) {
            pool.dispose();
            throw unreachable(e);
        }
        return pool;
    }

    /**
     * Creates {@code bench_point(id int primary key, name varchar(64), price numeric(10,2))} with
     * ids 1..{@value #POINT_ROWS} if missing. Idempotent: existing rows are kept, missing ones are
     * added, and the ids the benchmarks draw from must all be present afterwards.
     */
    public static void ensurePointTable(ConnectionFactory factory) {
        Connection c = connect(factory);
        try {
            Flux.concat(
                            exec(c, "CREATE TABLE IF NOT EXISTS bench_point ("
                                    + "id int PRIMARY KEY, name varchar(64), price numeric(10,2))"),
                            exec(c, "INSERT INTO bench_point (id, name, price) "
                                    + "SELECT g, 'point-' || g, ((g * 37) % 100000) / 100.0 "
                                    + "FROM generate_series(1, " + POINT_ROWS + ") AS g "
                                    + "ON CONFLICT (id) DO NOTHING"),
                            exec(c, "ANALYZE bench_point"))
                    .then()
                    .block(TIMEOUT);
            Long present = Flux.from(c.createStatement(
                                    "SELECT count(*) FROM bench_point WHERE id BETWEEN 1 AND " + POINT_ROWS)
                            .execute())
                    .flatMap(r -> r.map((row, meta) -> row.get(0, Long.class)))
                    .single()
                    .block(TIMEOUT);
            if (present == null || present != POINT_ROWS) {
                throw new IllegalStateException("bench_point at " + safeUrl() + " has " + present
                        + " of the ids 1.." + POINT_ROWS + "; expected all of them");
            }
        } finally {
            Mono.from(c.close()).block(TIMEOUT);
        }
    }

    private static Mono<Long> exec(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .flatMap(r -> r.getRowsUpdated())
                .reduce(0L, Long::sum);
    }

    private static IllegalStateException unreachable(RuntimeException e) {
        return new IllegalStateException("Cannot connect to PostgreSQL at " + safeUrl()
                + " (set -D" + URL_PROPERTY + "=r2dbc:postgresql://user:password@host:port/database)", e);
    }
}
