package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * H2 in memory: a scratch namespace is a whole in-memory database {@code retort_t_…}, kept
 * alive between connections by {@code DB_CLOSE_DELAY=-1} and dropped by {@code SHUTDOWN}.
 * No server, no provisioning.
 */
final class H2Support extends BackendSupport {

    static final H2Support INSTANCE = new H2Support();

    /** The in-process "server": there is nothing to find. */
    static final Server SERVER = new Server(Backend.H2, Server.Source.IN_PROCESS, "in-process", "localhost", 0,
            "mem", "sa", "", Map.of(), Map.of(), Driver.R2DBC_H2);

    // H2 error 90146: "Database not found, either create it or run with IFEXISTS=FALSE".
    private static final int DATABASE_NOT_FOUND = 90146;
    /** Kept open between connections; results streamed, not materialized (H2 reads a whole result first otherwise: L4). */
    private static final String KEEP_OPEN = ";DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE";

    private H2Support() {
    }

    @Override
    String adminJdbcUrl(Server server) {
        throw new UnsupportedOperationException("H2 has no admin");
    }

    @Override
    String jdbcUrl(Server server, @Nullable String namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("H2 has no test database outside scratch namespaces");
        }
        return "jdbc:h2:mem:" + namespace + KEEP_OPEN;
    }

    @Override
    String database(Server server, String namespace) {
        return namespace;
    }

    @Override
    Connection connect(String url, String user, String password, boolean housekeeping) throws SQLException {
        return open(new org.h2.Driver(), url, credentials(user, password));
    }

    @Override
    void provision(Connection admin, Server server) {
        // Nothing to provision in process.
    }

    @Override
    void resetPassword(Connection admin, Server server) {
        // Nothing to reset in process.
    }

    @Override
    boolean isAuthFailure(SQLException e) {
        return false;
    }

    @Override
    void createScratch(Server server, String name) throws SQLException {
        // The first connection creates the database; DB_CLOSE_DELAY=-1 keeps it after we close.
        connect(jdbcUrl(server, name), server.user(), server.password(), true).close();
    }

    @Override
    int dropScratch(Server server, String name) throws SQLException {
        try (Connection c = openIfExists(server, name)) {
            // SHUTDOWN closes every session of this database and discards it.
            execute(c, "SHUTDOWN");
        } catch (SQLException e) {
            if (e.getErrorCode() != DATABASE_NOT_FOUND) {
                throw e;
            }
        }
        return 0;
    }

    @Override
    boolean scratchExists(Server server, String name) throws SQLException {
        try {
            openIfExists(server, name).close();
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == DATABASE_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private Connection openIfExists(Server server, String name) throws SQLException {
        Properties p = credentials(server.user(), server.password());
        // IFEXISTS: connect to the database only if it is there, never create it by looking.
        return open(new org.h2.Driver(), jdbcUrl(server, name) + ";IFEXISTS=TRUE", p);
    }

    @Override
    List<String> listScratch(Server server) {
        // In-memory databases die with the JVM: nothing is ever left over to sweep.
        return List.of();
    }

    @Override
    ConnectionFactoryOptions r2dbcOptions(Server server, Driver driver, String namespace) {
        // No CONNECT_TIMEOUT: r2dbc-h2 passes unknown options on to H2, which rejects them.
        return ConnectionFactoryOptions.builder()
                .option(ConnectionFactoryOptions.DRIVER, driver.r2dbcName())
                .option(ConnectionFactoryOptions.PROTOCOL, "mem")
                .option(ConnectionFactoryOptions.DATABASE, namespace + KEEP_OPEN)
                .option(ConnectionFactoryOptions.USER, server.user())
                .option(ConnectionFactoryOptions.PASSWORD, server.password())
                .build();
    }

    @Override
    String r2dbcUrl(Server server, Driver driver, String namespace) {
        // The credentials the database was created with: without them r2dbc-h2 logs in as no one and is refused.
        String password = server.password() == null || server.password().isEmpty() ? "" : ":" + Urls.encode(server.password());
        return "r2dbc:h2:mem://" + Urls.encode(server.user()) + password + "@/" + namespace + KEEP_OPEN;
    }
}
