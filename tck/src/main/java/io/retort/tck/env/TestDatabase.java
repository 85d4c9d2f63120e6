package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test's own database namespace, and everything needed to connect to it as the test user:
 * a schema {@code t_…} in {@code retort_test} on PostgreSQL, a database {@code retort_t_…} on
 * MariaDB, an in-memory database {@code retort_t_…} on H2, a temporary file {@code retort_t_….db}
 * on SQLite. Tests create whatever tables they
 * like in it; {@link #close()} drops it with everything inside, so tests run in any order and
 * twice in a row.
 *
 * <p>Get one from {@link RequiresDatabase} (injected as a test-method parameter) or from
 * {@link TestDatabases#scratch(Backend)} (then close it yourself, e.g. try-with-resources).
 * Thread-safe; {@link #close()} is idempotent.
 *
 * <pre>{@code
 * @RequiresDatabase(Backend.POSTGRES)
 * class SelectIT {
 *     @Test
 *     void selects(TestDatabase db) {
 *         ConnectionFactory cf = db.connectionFactory();           // r2dbc-postgresql, search_path = t_…
 *         try (java.sql.Connection jdbc = db.jdbcConnection()) { … } // same schema, for assertions
 *     }
 * }
 * }</pre>
 */
public final class TestDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);

    private final Server server;
    private final String namespace;
    private final BackendSupport support;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Bridge factories own a JDBC pool and threads: closed before the namespace is dropped.
    private final java.util.List<AutoCloseable> bridges = new java.util.concurrent.CopyOnWriteArrayList<>();

    TestDatabase(Server server, String namespace) {
        this.server = server;
        this.namespace = namespace;
        this.support = BackendSupport.of(server.backend());
    }

    /** Which product. */
    public Backend backend() {
        return server.backend();
    }

    /** The server this namespace lives on (test user, never the admin). */
    public Server server() {
        return server;
    }

    /** The scratch namespace's name: the schema (PostgreSQL) or database (MariaDB, H2). */
    public String namespace() {
        return namespace;
    }

    /** The database connections land in: {@code retort_test} on PostgreSQL, the namespace elsewhere. */
    public String database() {
        return support.database(server, namespace);
    }

    /** Host name or address (meaningless for H2). */
    public String host() {
        return server.host();
    }

    /** TCP port (0 for H2). */
    public int port() {
        return server.port();
    }

    /** The test user, e.g. {@code retort}. */
    public String user() {
        return server.user();
    }

    /** The test user's password. */
    public String password() {
        return server.password();
    }

    /** The R2DBC options for the backend's default driver; see {@link #options(Driver)}. */
    public ConnectionFactoryOptions options() {
        return options(backend().defaultDriver());
    }

    /**
     * The R2DBC options that reach this namespace through {@code driver}: host, port,
     * credentials, database, connect timeout, the schema (PostgreSQL) and the configured URL's
     * extra options.
     *
     * @throws IllegalArgumentException if {@code driver} is for another backend
     */
    public ConnectionFactoryOptions options(Driver driver) {
        if (check(driver).bridge()) {
            return BridgeSupport.options(jdbcUrl(), server);
        }
        return support.r2dbcOptions(server, driver, namespace);
    }

    /** The R2DBC URL for the backend's default driver; see {@link #r2dbcUrl(Driver)}. */
    public String r2dbcUrl() {
        return r2dbcUrl(backend().defaultDriver());
    }

    /**
     * The same as {@link #options(Driver)} as a URL, e.g.
     * {@code r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test?schema=t_…},
     * {@code r2dbc:mysql://…/retort_t_…}, {@code r2dbc:mariadb://…/retort_t_…},
     * {@code r2dbc:h2:mem:///retort_t_…;DB_CLOSE_DELAY=-1}. It contains the password: log
     * {@link #describe()} instead.
     */
    public String r2dbcUrl(Driver driver) {
        if (check(driver).bridge()) {
            return BridgeSupport.url(jdbcUrl(), server);
        }
        return support.r2dbcUrl(server, driver, namespace);
    }

    /** A new connection factory with the backend's default driver; see {@link #connectionFactory(Driver)}. */
    public ConnectionFactory connectionFactory() {
        return connectionFactory(backend().defaultDriver());
    }

    /**
     * A new, unpooled connection factory into this namespace, found through
     * {@link ConnectionFactories#get(ConnectionFactoryOptions)} like an application would.
     * Each call builds a new one; connections it opens must be closed by the test (clean-up
     * ends leftovers, with a warning). A JDBC bridge factory ({@link Driver#bridge()}) is closed
     * by {@link #close()}, which ends its JDBC pool and threads.
     */
    public ConnectionFactory connectionFactory(Driver driver) {
        ConnectionFactory f = ConnectionFactories.get(options(driver));
        if (f instanceof AutoCloseable) {
            bridges.add((AutoCloseable) f);
        }
        return f;
    }

    /**
     * The JDBC URL of this namespace for the test user, e.g.
     * {@code jdbc:postgresql://127.0.0.1:5432/retort_test?currentSchema=t_…}; the blocking
     * bridge uses it too.
     */
    public String jdbcUrl() {
        return support.jdbcUrl(server, namespace);
    }

    /**
     * A new blocking JDBC connection into this namespace as the test user, for set-up and
     * assertions next to the reactive code under test. The caller closes it.
     */
    public Connection jdbcConnection() throws SQLException {
        return support.connect(jdbcUrl(), server.user(), server.password(), false);
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed.get();
    }

    /** One line for logs, password masked: backend, user, address, database and namespace. */
    public String describe() {
        return backend().displayName() + " " + server.user() + ":****@" + server.address() + "/" + database()
                + (backend() == Backend.POSTGRES ? " schema " + namespace : "") + " (" + server.origin() + ")";
    }

    /**
     * Drops the namespace and everything in it, then checks that it is gone. Sessions still
     * open in it are ended first (a warning names how many: a test leaked connections).
     * Idempotent.
     *
     * @throws IllegalStateException if the drop failed or the namespace is still there; the
     *     test that owned it then fails, since the next run would find its leftovers
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable f : bridges) {
            try {
                f.close();
            } catch (Exception e) {
                LOG.warn("closing a JDBC bridge factory of {} failed: {}", describe(), e.toString());
            }
        }
        try {
            int ended = support.dropScratch(server, namespace);
            if (ended > 0) {
                LOG.warn("{}: ended {} session(s) still open in {} at clean-up; the test leaked connections",
                        backend().displayName(), ended, namespace);
            }
            if (support.scratchExists(server, namespace)) {
                throw new IllegalStateException("scratch namespace " + namespace + " still exists after DROP: " + describe());
            }
            LOG.debug("dropped {}", describe());
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop scratch namespace " + describe() + ": " + e, e);
        }
    }

    private Driver check(Driver driver) {
        if (driver.backend() != backend()) {
            throw new IllegalArgumentException(driver + " is a " + driver.backend().displayName()
                    + " driver; this is a " + backend().displayName() + " database");
        }
        return driver;
    }

    @Override
    public String toString() {
        return "TestDatabase[" + describe() + "]";
    }
}
