package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL: the test database {@code retort_test} owned by login role {@code retort}; a
 * scratch namespace is a schema {@code t_…} in it, reached through {@code search_path}
 * (r2dbc-postgresql option {@code schema}, pgjdbc parameter {@code currentSchema}).
 */
final class PostgresSupport extends BackendSupport {

    static final PostgresSupport INSTANCE = new PostgresSupport();

    private PostgresSupport() {
    }

    @Override
    String adminJdbcUrl(Server server) {
        // The maintenance database always exists; the test database may not yet.
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres"
                + Urls.queryString(server.jdbcParams());
    }

    @Override
    String jdbcUrl(Server server, @Nullable String namespace) {
        Map<String, String> params = new LinkedHashMap<>();
        if (namespace != null) {
            params.put("currentSchema", namespace);
            params.put("ApplicationName", applicationName(namespace));
        }
        params.putAll(server.jdbcParams());
        return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/"
                + Urls.encode(server.database()) + Urls.queryString(params);
    }

    @Override
    String database(Server server, String namespace) {
        return server.database();
    }

    /**
     * The {@code application_name} of every connection into a scratch schema, so clean-up can
     * find and end the sessions a failed test left open (PostgreSQL has no "sessions using
     * schema X" view).
     */
    static String applicationName(String namespace) {
        return "retort-tck " + namespace;
    }

    @Override
    Connection connect(String url, String user, String password, boolean housekeeping) throws SQLException {
        Properties p = credentials(user, password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "10");
        if (housekeeping) {
            p.setProperty("socketTimeout", "60");
        }
        return open(new org.postgresql.Driver(), url, p);
    }

    @Override
    void provision(Connection admin, Server server) throws SQLException {
        String role = ident(server.user());
        String db = ident(server.database());
        // Check first, then tolerate the duplicate errors: another JVM may create the same
        // object between our check and our CREATE. 42710 = duplicate role, 42P04 = duplicate
        // database; 23505 is what the loser of a truly simultaneous CREATE gets from the
        // catalog's unique index.
        if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", server.user())) {
            executeTolerating(admin, "CREATE ROLE " + role + " LOGIN PASSWORD " + literal(server.password()),
                    "42710", "23505");
        }
        if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", server.database())) {
            createDatabase(admin, db, role);
        }
        // A database made by someone else still needs CONNECT and CREATE (scratch schemas)
        // for the test role. Granting only when missing avoids "tuple concurrently updated"
        // (XX000) when two JVMs would both rewrite the ACL.
        if (!hasDatabasePrivileges(admin, server)) {
            executeTolerating(admin, "GRANT CONNECT, CREATE, TEMPORARY ON DATABASE " + db + " TO " + role, "XX000");
        }
    }

    private static void createDatabase(Connection admin, String db, String role) throws SQLException {
        // 55006: another session is copying template1 this very moment; wait and try again.
        for (int attempt = 1; ; attempt++) {
            try {
                executeTolerating(admin, "CREATE DATABASE " + db + " OWNER " + role, "42P04", "23505");
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt == 5) {
                    throw e;
                }
                sleep(200L * attempt);
            }
        }
    }

    private static boolean hasDatabasePrivileges(Connection admin, Server server) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT has_database_privilege(?, ?, 'CONNECT, CREATE')")) {
            ps.setString(1, server.user());
            ps.setString(2, server.database());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Override
    void resetPassword(Connection admin, Server server) throws SQLException {
        execute(admin, "ALTER ROLE " + ident(server.user()) + " WITH LOGIN PASSWORD " + literal(server.password()));
    }

    @Override
    boolean isAuthFailure(SQLException e) {
        // 28P01 invalid password, 28000 invalid authorization (no such role, pg_hba rejection).
        return "28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState());
    }

    @Override
    void createScratch(Server server, String name) throws SQLException {
        try (Connection c = connect(jdbcUrl(server, null), server.user(), server.password(), true)) {
            execute(c, "CREATE SCHEMA " + ident(name));
        }
    }

    @Override
    int dropScratch(Server server, String name) throws SQLException {
        try (Connection c = connect(jdbcUrl(server, null), server.user(), server.password(), true)) {
            // Never wait forever on a lock a leftover session holds.
            execute(c, "SET lock_timeout = '10s'");
            int ended = 0;
            // A role may end its own backends; the 2-argument form (PostgreSQL 14+) waits
            // until the backend is gone, so its locks are released before the DROP.
            for (String pid : lingering(c, "SELECT pid::text FROM pg_stat_activity WHERE application_name = ?"
                    + " AND pid <> pg_backend_pid()", applicationName(name))) {
                for (String ok : strings(c, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)::text", pid)) {
                    ended += "true".equals(ok) ? 1 : 0;
                }
            }
            execute(c, "DROP SCHEMA IF EXISTS " + ident(name) + " CASCADE");
            return ended;
        }
    }

    @Override
    boolean scratchExists(Server server, String name) throws SQLException {
        try (Connection c = connect(jdbcUrl(server, null), server.user(), server.password(), true)) {
            return exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", name);
        }
    }

    @Override
    List<String> listScratch(Server server) throws SQLException {
        try (Connection c = connect(jdbcUrl(server, null), server.user(), server.password(), true)) {
            return new ArrayList<>(strings(c, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'"
                    + " AND pg_get_userbyid(nspowner) = current_user"));
        }
    }

    @Override
    ConnectionFactoryOptions r2dbcOptions(Server server, Driver driver, String namespace) {
        return networkOptions(server, driver, server.database())
                // r2dbc-postgresql 1.0.x: "schema" becomes the search_path startup parameter.
                .option(Option.valueOf("schema"), namespace)
                .option(Option.valueOf("applicationName"), applicationName(namespace))
                .build();
    }

    @Override
    String r2dbcUrl(Server server, Driver driver, String namespace) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("schema", namespace);
        params.put("applicationName", applicationName(namespace));
        return networkUrl(server, driver, server.database(), params);
    }

    /** A double-quoted identifier; quotes inside are doubled. */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A string literal for DDL that takes no bind parameters (standard_conforming_strings=on). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void sleep(long millis) throws SQLException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to retry", e);
        }
    }
}
