package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * MariaDB: the test database {@code retort_test} and user {@code retort} (at {@code '%'} and
 * {@code 'localhost'}); a scratch namespace is a database {@code retort_t_…}, which the test
 * user may create and drop itself thanks to a grant on the pattern {@code retort\_t\_%}.
 * Served to both r2dbc-mysql ({@code r2dbc:mysql://}) and r2dbc-mariadb ({@code r2dbc:mariadb://}).
 */
final class MariaDbSupport extends BackendSupport {

    static final MariaDbSupport INSTANCE = new MariaDbSupport();

    // MariaDB error codes: 1396 CREATE USER failed (it exists: the IF NOT EXISTS race),
    // 1045 access denied, 1094 unknown thread (it ended by itself before our KILL).
    private static final String ER_CANNOT_USER = "1396";
    private static final int ER_ACCESS_DENIED = 1045;
    private static final int ER_NO_SUCH_THREAD = 1094;

    private MariaDbSupport() {
    }

    @Override
    String adminJdbcUrl(Server server) {
        return "jdbc:mariadb://" + server.host() + ":" + server.port() + "/" + Urls.queryString(server.jdbcParams());
    }

    @Override
    String jdbcUrl(Server server, @Nullable String namespace) {
        return "jdbc:mariadb://" + server.host() + ":" + server.port() + "/"
                + Urls.encode(namespace == null ? server.database() : namespace)
                + Urls.queryString(server.jdbcParams());
    }

    @Override
    String database(Server server, String namespace) {
        return namespace;
    }

    @Override
    Connection connect(String url, String user, String password, boolean housekeeping) throws SQLException {
        Properties p = credentials(user, password);
        p.setProperty("connectTimeout", "5000");
        if (housekeeping) {
            p.setProperty("socketTimeout", "60000");
        }
        return open(new org.mariadb.jdbc.Driver(), url, p);
    }

    @Override
    void provision(Connection admin, Server server) throws SQLException {
        String db = ident(server.database());
        // utf8mb4 explicitly: the server default differs between packagings (Debian: utf8mb4,
        // a bare build: latin1), and the TCK's round-trip tests must not depend on it.
        execute(admin, "CREATE DATABASE IF NOT EXISTS " + db + " CHARACTER SET utf8mb4");
        // Both hosts: with an anonymous ''@'localhost' account present, a login from
        // localhost would match it before 'retort'@'%'.
        for (String host : new String[] {"%", "localhost"}) {
            String account = literal(server.user()) + "@" + literal(host);
            executeTolerating(admin, "CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY "
                    + literal(server.password()), ER_CANNOT_USER);
            execute(admin, "GRANT ALL PRIVILEGES ON " + db + ".* TO " + account);
            // Scratch databases: the pattern lets the test user create and drop them itself,
            // so no test ever needs the admin. '_' is a LIKE wildcard in grants, hence the escapes.
            execute(admin, "GRANT ALL PRIVILEGES ON `" + ScratchNames.prefix(Backend.MARIADB).replace("_", "\\_")
                    + "%`.* TO " + account);
        }
    }

    @Override
    void resetPassword(Connection admin, Server server) throws SQLException {
        for (String host : new String[] {"%", "localhost"}) {
            execute(admin, "ALTER USER " + literal(server.user()) + "@" + literal(host)
                    + " IDENTIFIED BY " + literal(server.password()));
        }
    }

    @Override
    boolean isAuthFailure(SQLException e) {
        return e.getErrorCode() == ER_ACCESS_DENIED || "28000".equals(e.getSQLState());
    }

    @Override
    void createScratch(Server server, String name) throws SQLException {
        try (Connection c = connect(adminJdbcUrl(server), server.user(), server.password(), true)) {
            execute(c, "CREATE DATABASE " + ident(name) + " CHARACTER SET utf8mb4");
        }
    }

    @Override
    int dropScratch(Server server, String name) throws SQLException {
        try (Connection c = connect(adminJdbcUrl(server), server.user(), server.password(), true)) {
            // DROP DATABASE waits for metadata locks, by default for a day: bound it.
            execute(c, "SET SESSION lock_wait_timeout = 10");
            int ended = 0;
            // A user sees and may KILL its own sessions; those whose current database is the
            // scratch one were left open by the test.
            for (String id : lingering(c, "SELECT CAST(id AS CHAR) FROM information_schema.processlist"
                    + " WHERE db = ? AND id <> CONNECTION_ID()", name)) {
                try {
                    execute(c, "KILL CONNECTION " + Long.parseLong(id));
                    ended++;
                } catch (SQLException e) {
                    if (e.getErrorCode() != ER_NO_SUCH_THREAD) {
                        throw e;
                    }
                }
            }
            execute(c, "DROP DATABASE IF EXISTS " + ident(name));
            return ended;
        }
    }

    @Override
    boolean scratchExists(Server server, String name) throws SQLException {
        try (Connection c = connect(adminJdbcUrl(server), server.user(), server.password(), true)) {
            return exists(c, "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", name);
        }
    }

    @Override
    List<String> listScratch(Server server) throws SQLException {
        try (Connection c = connect(adminJdbcUrl(server), server.user(), server.password(), true)) {
            return strings(c, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?",
                    ScratchNames.prefix(Backend.MARIADB).replace("_", "\\_") + "%");
        }
    }

    @Override
    ConnectionFactoryOptions r2dbcOptions(Server server, Driver driver, String namespace) {
        return networkOptions(server, driver, namespace).build();
    }

    @Override
    String r2dbcUrl(Server server, Driver driver, String namespace) {
        return networkUrl(server, driver, namespace, Map.of());
    }

    /** A back-quoted identifier; back quotes inside are doubled. */
    static String ident(String name) {
        return '`' + name.replace("`", "``") + '`';
    }

    /** A string literal for statements that take no bind parameters (backslashes escape by default). */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
