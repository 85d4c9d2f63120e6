package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * SQLite, through the JDBC bridge and sqlite-jdbc: a scratch namespace is a database file
 * {@code retort_t_….db} in {@code <java.io.tmpdir>/retort-sqlite}, deleted (with its WAL and
 * journal files) by clean-up. Connections enable foreign keys (off by default in SQLite), use
 * WAL (readers do not block the writer, as on the server databases) and wait up to 10 s for a
 * lock. No server, no users, no provisioning.
 */
final class SqliteSupport extends BackendSupport {

    static final SqliteSupport INSTANCE = new SqliteSupport();

    /** Where the scratch files live. */
    static final Path DIR = Paths.get(System.getProperty("java.io.tmpdir"), "retort-sqlite");

    /** The in-process "server": a directory. */
    static final Server SERVER = new Server(Backend.SQLITE, Server.Source.IN_PROCESS, "in-process", "localhost", 0,
            DIR.toString(), "", "", Map.of(), Map.of(), Driver.BRIDGE_SQLITE);

    private static final String PRAGMAS = "?foreign_keys=true&journal_mode=WAL&busy_timeout=10000";
    private static final String[] SUFFIXES = {".db", ".db-wal", ".db-shm", ".db-journal"};

    private SqliteSupport() {
    }

    private static Path file(String namespace) {
        return DIR.resolve(namespace + ".db");
    }

    @Override
    String adminJdbcUrl(Server server) {
        throw new UnsupportedOperationException("SQLite has no admin");
    }

    @Override
    String jdbcUrl(Server server, @Nullable String namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("SQLite has no test database outside scratch namespaces");
        }
        return "jdbc:sqlite:" + file(namespace) + PRAGMAS;
    }

    @Override
    String database(Server server, String namespace) {
        return file(namespace).toString();
    }

    @Override
    Connection connect(String url, String user, String password, boolean housekeeping) throws SQLException {
        return open(new org.sqlite.JDBC(), url, new Properties());
    }

    @Override
    void provision(Connection admin, Server server) {
        // Nothing to provision in process.
    }

    @Override
    void resetPassword(Connection admin, Server server) {
        // SQLite has no users.
    }

    @Override
    boolean isAuthFailure(SQLException e) {
        return false;
    }

    @Override
    void createScratch(Server server, String name) throws SQLException {
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new SQLException("cannot create " + DIR + ": " + e, e);
        }
        // Opening creates the file; journal_mode=WAL is stored in it.
        connect(jdbcUrl(server, name), "", "", true).close();
    }

    @Override
    int dropScratch(Server server, String name) throws SQLException {
        for (String suffix : SUFFIXES) {
            try {
                Files.deleteIfExists(DIR.resolve(name + suffix));
            } catch (IOException e) {
                throw new SQLException("cannot delete " + DIR.resolve(name + suffix) + ": " + e, e);
            }
        }
        return 0;
    }

    @Override
    boolean scratchExists(Server server, String name) {
        return Files.exists(file(name));
    }

    @Override
    List<String> listScratch(Server server) throws SQLException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(DIR)) {
            return names;
        }
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".db"))
                    .forEach(n -> names.add(n.substring(0, n.length() - 3)));
        } catch (IOException e) {
            throw new SQLException("cannot list " + DIR + ": " + e, e);
        }
        return names;
    }

    @Override
    ConnectionFactoryOptions r2dbcOptions(Server server, Driver driver, String namespace) {
        return BridgeSupport.options(jdbcUrl(server, namespace), server);
    }

    @Override
    String r2dbcUrl(Server server, Driver driver, String namespace) {
        return BridgeSupport.url(jdbcUrl(server, namespace), server);
    }
}
