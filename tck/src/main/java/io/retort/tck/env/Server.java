package io.retort.tck.env;

import java.util.Map;
import java.util.Objects;

/**
 * A database server the harness found, and how the tests log in to it: host, port, the
 * test database ({@code retort_test}) and the test user ({@code retort}) — never the admin.
 * Scratch namespaces ({@link TestDatabase}) are made inside it.
 *
 * <p>{@code r2dbcOptions} and {@code jdbcParams} carry the extra query options of a configured
 * URL (for example {@code sslMode=DISABLED}), so they reach every connection the harness
 * builds. {@link #toString()} masks the password.
 *
 * @param backend which product
 * @param source how it was found
 * @param origin the setting or probe that produced it, for messages (e.g. {@code RETORT_PG_URL})
 * @param host host name or address
 * @param port TCP port (0 for H2)
 * @param database the test database, e.g. {@code retort_test}
 * @param user the test user, e.g. {@code retort}
 * @param password the test user's password
 * @param r2dbcOptions extra R2DBC options from the configured URL
 * @param jdbcParams extra JDBC URL parameters from the configured JDBC URL
 * @param optionsDriver the driver the configured R2DBC URL named: {@code r2dbcOptions} are
 *     given to that driver only, because option values differ between drivers (r2dbc-mysql
 *     says {@code sslMode=DISABLED}, r2dbc-mariadb {@code sslMode=DISABLE})
 */
public record Server(
        Backend backend,
        Source source,
        String origin,
        String host,
        int port,
        String database,
        String user,
        String password,
        Map<String, String> r2dbcOptions,
        Map<String, String> jdbcParams,
        Driver optionsDriver) {

    /** The default test database every backend gets. */
    public static final String DEFAULT_DATABASE = "retort_test";
    /** The default test user. */
    public static final String DEFAULT_USER = "retort";
    /** The default test user's password. */
    public static final String DEFAULT_PASSWORD = "retort";

    /** Where a server came from, in the order the harness looks. */
    public enum Source {
        /** A system property or JUnit configuration parameter, e.g. {@code -Dretort.pg.url}. */
        PROPERTY,
        /** An environment variable, e.g. {@code RETORT_PG_URL}. */
        ENVIRONMENT,
        /** Something answered on the default port of 127.0.0.1. */
        LOOPBACK,
        /** A container started by Testcontainers. */
        TESTCONTAINERS,
        /** In this JVM (H2). */
        IN_PROCESS
    }

    /** Checks the components and copies the maps so a record never changes after it is built. */
    public Server {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(optionsDriver, "optionsDriver");
        if (optionsDriver.backend() != backend) {
            throw new IllegalArgumentException(optionsDriver + " is not a " + backend.displayName() + " driver");
        }
        r2dbcOptions = Map.copyOf(r2dbcOptions);
        jdbcParams = Map.copyOf(jdbcParams);
    }

    /** The same server reached under another source (used when a probe confirms a guess). */
    Server withSource(Source newSource, String newOrigin) {
        return new Server(backend, newSource, newOrigin, host, port, database, user, password,
                r2dbcOptions, jdbcParams, optionsDriver);
    }

    /** {@code host:port}, for messages. */
    public String address() {
        return backend.inProcess() ? "in-process" : host + ":" + port;
    }

    /** A one-line description for logs, password masked. */
    public String describe() {
        return backend.displayName() + " " + user + ":****@" + address() + "/" + database
                + " (" + origin + ")";
    }

    @Override
    public String toString() {
        // Records print every component; the password must not reach logs or reports.
        return "Server[" + describe() + "]";
    }
}
