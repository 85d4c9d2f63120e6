package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What differs between backends: URLs, provisioning SQL and scratch-namespace DDL. One small
 * subclass per backend; {@link #of(Backend)} picks it.
 *
 * <p>All JDBC here is blocking and runs on the test thread: it is set-up and clean-up, outside
 * the reactive code under test.
 */
abstract class BackendSupport {

    /** The R2DBC connect timeout: long enough for a busy 2-core CI machine, short enough to fail clearly. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** The support for {@code backend}. */
    static BackendSupport of(Backend backend) {
        switch (backend) {
            case POSTGRES:
                return PostgresSupport.INSTANCE;
            case MARIADB:
                return MariaDbSupport.INSTANCE;
            case SQLITE:
                return SqliteSupport.INSTANCE;
            default:
                return H2Support.INSTANCE;
        }
    }

    /** The JDBC URL the admin logs in with (no test database: it may not exist yet). */
    abstract String adminJdbcUrl(Server server);

    /** The test user's JDBC URL into {@code namespace}, or into the test database when null. */
    abstract String jdbcUrl(Server server, @org.jspecify.annotations.Nullable String namespace);

    /** The database a connection into {@code namespace} lands in (PostgreSQL: the test database). */
    abstract String database(Server server, String namespace);

    /**
     * Opens a JDBC connection with this backend's driver, directly rather than through
     * {@code DriverManager}, so a second driver on the classpath can never answer instead.
     *
     * @param housekeeping true for the harness's own short statements: they get a socket
     *     timeout so a hung server cannot hang the build; tests' connections get none
     */
    abstract Connection connect(String url, String user, String password, boolean housekeeping) throws SQLException;

    /** Creates the test database and user if missing, and grants what tests need. Idempotent, concurrency-safe. */
    abstract void provision(Connection admin, Server server) throws SQLException;

    /** Sets the test user's password to the configured one (it existed with another). */
    abstract void resetPassword(Connection admin, Server server) throws SQLException;

    /** Whether {@code e} says the user or password was wrong, as opposed to the server being away. */
    abstract boolean isAuthFailure(SQLException e);

    /** Creates scratch namespace {@code name}, as the test user. */
    abstract void createScratch(Server server, String name) throws SQLException;

    /**
     * Drops scratch namespace {@code name} and everything in it, as the test user, first
     * ending the sessions still using it (a failed test may leave one open, and it would hold
     * the locks the drop waits for).
     *
     * @return how many leftover sessions were ended
     */
    abstract int dropScratch(Server server, String name) throws SQLException;

    /** Whether scratch namespace {@code name} exists. */
    abstract boolean scratchExists(Server server, String name) throws SQLException;

    /** The scratch namespaces that exist on the server, from any JVM. */
    abstract List<String> listScratch(Server server) throws SQLException;

    /** The R2DBC options for {@code driver} into {@code namespace}; typed values, ready for {@code ConnectionFactories}. */
    abstract ConnectionFactoryOptions r2dbcOptions(Server server, Driver driver, String namespace);

    /** The same as {@link #r2dbcOptions} as a URL, for people and logs (contains the password). */
    abstract String r2dbcUrl(Server server, Driver driver, String namespace);

    // ---- helpers shared by the subclasses ----

    /** The configured URL's extra options, for the driver that URL named only (values differ between drivers). */
    static Map<String, String> extraOptions(Server server, Driver driver) {
        return driver == server.optionsDriver() ? server.r2dbcOptions() : Map.of();
    }

    /** Standard options shared by the networked drivers. */
    static ConnectionFactoryOptions.Builder networkOptions(Server server, Driver driver, String database) {
        ConnectionFactoryOptions.Builder b = ConnectionFactoryOptions.builder()
                .option(ConnectionFactoryOptions.DRIVER, driver.r2dbcName())
                .option(ConnectionFactoryOptions.HOST, server.host())
                .option(ConnectionFactoryOptions.PORT, server.port())
                .option(ConnectionFactoryOptions.USER, server.user())
                .option(ConnectionFactoryOptions.PASSWORD, server.password())
                .option(ConnectionFactoryOptions.DATABASE, database)
                .option(ConnectionFactoryOptions.CONNECT_TIMEOUT, CONNECT_TIMEOUT);
        extraOptions(server, driver).forEach((k, v) -> b.option(io.r2dbc.spi.Option.valueOf(k), v));
        return b;
    }

    /** {@code r2dbc:<driver>://user:password@host:port/database?params}. */
    static String networkUrl(Server server, Driver driver, String database, Map<String, String> params) {
        Map<String, String> all = new LinkedHashMap<>(params);
        all.putAll(extraOptions(server, driver));
        return "r2dbc:" + driver.r2dbcName() + "://" + Urls.encode(server.user()) + ":"
                + Urls.encode(server.password()) + "@" + server.host() + ":" + server.port() + "/"
                + Urls.encode(database) + Urls.queryString(all);
    }

    static Properties credentials(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return p;
    }

    static Connection open(java.sql.Driver driver, String url, Properties props) throws SQLException {
        Connection c = driver.connect(url, props);
        if (c == null) {
            throw new SQLException(driver.getClass().getName() + " does not accept " + Urls.mask(url));
        }
        return c;
    }

    static boolean exists(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<String> strings(Connection c, String sql, String... args) throws SQLException {
        List<String> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
        }
        return result;
    }

    /**
     * The sessions {@code sql} lists that are still there after at most {@link #SESSION_GRACE}:
     * a pool closed just before clean-up ends its connections asynchronously (the server sees a
     * closed socket a moment later), and those are not leaks. What remains after the grace is.
     */
    static List<String> lingering(Connection c, String sql, String... args) throws SQLException {
        long deadline = System.nanoTime() + SESSION_GRACE.toNanos();
        List<String> left = strings(c, sql, args);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = strings(c, sql, args);
        }
        return left;
    }

    /** How long clean-up lets sessions that are already closing go by themselves; see {@link #lingering}. */
    static final java.time.Duration SESSION_GRACE = java.time.Duration.ofSeconds(1);

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Executes DDL that another JVM may be running at the same moment; the listed SQLSTATEs
     * (or vendor codes, as strings) mean "someone else just did it" and are success.
     */
    static void executeTolerating(Connection c, String sql, String... tolerated) throws SQLException {
        try {
            execute(c, sql);
        } catch (SQLException e) {
            for (String code : tolerated) {
                if (code.equals(e.getSQLState()) || code.equals(Integer.toString(e.getErrorCode()))) {
                    return;
                }
            }
            throw e;
        }
    }
}
