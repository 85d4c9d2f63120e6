package io.retort.benchmarks;

import java.time.Duration;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabases;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where the benchmarks' databases are and how their fixtures are set up.
 *
 * <p>PostgreSQL is given by the system property {@value #URL_PROPERTY} (default
 * {@value #DEFAULT_URL}), MariaDB by {@value #MARIADB_URL_PROPERTY} (default
 * {@value #DEFAULT_MARIADB_URL}). JMH forks the benchmark JVM with the launching JVM's arguments,
 * so {@code java -Dretort.bench.pg.url=... -jar benchmarks.jar ...} reaches the fork. A suite may
 * append driver options to the URL's query string (its {@code driverOptions} JMH parameter).
 *
 * <p>Set-up runs once per trial, outside the measured region, and blocks: that is fine here, in
 * JMH's own thread, and never inside a Reactor operator.
 */
public final class BenchDatabase {

    public static final String URL_PROPERTY = "retort.bench.pg.url";
    public static final String DEFAULT_URL = "r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test";

    public static final String MARIADB_URL_PROPERTY = "retort.bench.mariadb.url";
    public static final String DEFAULT_MARIADB_URL = "r2dbc:mariadb://retort:retort@127.0.0.1:3306/retort_test";

    /** Rows in {@code bench_point}; ids are 1..POINT_ROWS. */
    public static final int POINT_ROWS = 10_000;

    /** Rows in {@code bench_stream}; ids are 1..STREAM_ROWS. */
    public static final int STREAM_ROWS = 200_000;

    /** Upper bound for any blocking wait, so an unreachable server fails instead of hanging. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BenchDatabase() {
    }

    public static String url() {
        String url = System.getProperty(URL_PROPERTY);
        if (url != null) {
            return url;
        }
        provision(Backend.POSTGRES);
        return DEFAULT_URL;
    }

    public static String mariadbUrl() {
        String url = System.getProperty(MARIADB_URL_PROPERTY);
        if (url != null) {
            return url;
        }
        provision(Backend.MARIADB);
        return DEFAULT_MARIADB_URL;
    }

    /**
     * The default URLs name the role and database the test harness creates; on a fresh machine
     * the benchmarks create them the same way (as the server's admin user, once per JVM), so the
     * benchmark command works without running the tests first. An unreachable server is left to
     * the connect that follows, which names the URL.
     */
    private static void provision(Backend backend) {
        TestDatabases.availability(backend);
    }

    /** The URL with any password masked, for messages. */
    public static String safeUrl() {
        return safe(url());
    }

    static String safe(String url) {
        return url.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
    }

    /** {@code url} with {@code options} ({@code a=1&b=2}, may be empty) appended to its query string. */
    public static String withOptions(String url, String options) {
        if (options == null || options.isBlank()) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + options;
    }

    /** A plain (unpooled) r2dbc-postgresql connection factory for {@link #url()}, driver defaults. */
    public static ConnectionFactory connectionFactory() {
        return connectionFactory(url());
    }

    /** A plain (unpooled) connection factory for {@code url} (PostgreSQL or MariaDB). */
    public static ConnectionFactory connectionFactory(String url) {
        try {
            return ConnectionFactories.get(ConnectionFactoryOptions.parse(url));
        } catch (RuntimeException e) {
            throw new IllegalStateException("No R2DBC driver for " + safe(url) + ": " + e.getMessage(), e);
        }
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

    /**
     * Creates {@code bench_stream(id int primary key, name varchar(64), price numeric(10,2),
     * quantity int, created_at timestamp, active boolean)} with ids 1..{@value #STREAM_ROWS} if
     * missing, on PostgreSQL or MariaDB (idempotent, like {@link #ensurePointTable}).
     */
    public static void ensureStreamTable(ConnectionFactory factory) {
        boolean pg = isPostgres(factory);
        String rows = pg
                ? "SELECT g, 'item-' || g, ((g * 37) % 100000) / 100.0, g % 100, "
                        + "TIMESTAMP '2026-01-01 00:00:00' + g * INTERVAL '1 second', g % 2 = 0 "
                        + "FROM generate_series(1, " + STREAM_ROWS + ") AS g ON CONFLICT (id) DO NOTHING"
                : "SELECT seq, concat('item-', seq), ((seq * 37) % 100000) / 100.0, seq % 100, "
                        + "TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND, seq % 2 = 0 "
                        + "FROM seq_1_to_" + STREAM_ROWS;
        ensure(factory, "bench_stream", STREAM_ROWS,
                "CREATE TABLE IF NOT EXISTS bench_stream (id int PRIMARY KEY, name varchar(64), price numeric(10,2), "
                        + "quantity int, created_at timestamp" + (pg ? "" : "(6)") + ", active boolean)",
                (pg ? "INSERT" : "INSERT IGNORE") + " INTO bench_stream (id, name, price, quantity, created_at, active) " + rows);
    }

    /**
     * Creates the empty target of the bulk-insert suites, {@code bench_insert(id int primary key,
     * name varchar(64), price numeric(10,2), quantity int)}, if missing.
     */
    public static void ensureInsertTable(ConnectionFactory factory) {
        Connection c = connect(factory);
        try {
            exec(c, "CREATE TABLE IF NOT EXISTS bench_insert (id int PRIMARY KEY, name varchar(64), "
                    + "price numeric(10,2), quantity int)").block(TIMEOUT);
        } finally {
            Mono.from(c.close()).block(TIMEOUT);
        }
    }

    /** Empties {@code bench_insert} (outside the measured region). */
    public static void truncateInsertTable(Connection c) {
        exec(c, "TRUNCATE TABLE bench_insert").block(TIMEOUT);
    }

    /** The MariaDB twin of {@link #ensurePointTable}: {@code bench_point} with ids 1..{@value #POINT_ROWS}. */
    public static void ensureMariaDbPointTable(ConnectionFactory factory) {
        ensure(factory, "bench_point", POINT_ROWS,
                "CREATE TABLE IF NOT EXISTS bench_point (id int PRIMARY KEY, name varchar(64), price numeric(10,2))",
                "INSERT IGNORE INTO bench_point (id, name, price) SELECT seq, concat('point-', seq), "
                        + "((seq * 37) % 100000) / 100.0 FROM seq_1_to_" + POINT_ROWS);
    }

    static boolean isPostgres(ConnectionFactory factory) {
        return factory.getMetadata().getName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
    }

    private static void ensure(ConnectionFactory factory, String table, int rows, String create, String fill) {
        Connection c = connect(factory);
        try {
            Flux.concat(exec(c, create), exec(c, fill), exec(c, "ANALYZE " + (isPostgres(factory) ? "" : "TABLE ") + table))
                    .then()
                    .block(Duration.ofMinutes(5));
            Long present = Flux.from(c.createStatement(
                                    "SELECT count(*) FROM " + table + " WHERE id BETWEEN 1 AND " + rows)
                            .execute())
                    .flatMap(r -> r.map((row, meta) -> ((Number) row.get(0)).longValue()))
                    .single()
                    .block(TIMEOUT);
            if (present == null || present != rows) {
                throw new IllegalStateException(table + " at " + factory.getMetadata().getName() + " has " + present
                        + " of the ids 1.." + rows + "; expected all of them");
            }
        } finally {
            Mono.from(c.close()).block(TIMEOUT);
        }
    }

    private static Mono<Long> exec(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                // Segments, so statements that return rows (MariaDB's ANALYZE TABLE) are consumed too.
                .flatMap(r -> r.flatMap(seg -> seg instanceof io.r2dbc.spi.Result.UpdateCount
                        ? Mono.just(((io.r2dbc.spi.Result.UpdateCount) seg).value()) : Mono.<Long>empty()))
                .reduce(0L, Long::sum);
    }

    private static IllegalStateException unreachable(RuntimeException e) {
        return new IllegalStateException("Cannot connect to the benchmark database (" + e.getMessage() + "); PostgreSQL is "
                + safeUrl() + " (-D" + URL_PROPERTY + "=r2dbc:postgresql://user:password@host:port/database), MariaDB is "
                + safe(mariadbUrl()) + " (-D" + MARIADB_URL_PROPERTY + "=r2dbc:mariadb://user:password@host:port/database)", e);
    }
}
