package io.retort.tck.env;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The harness's settings, read from system properties (or JUnit configuration parameters)
 * and environment variables. A system property wins over the environment variable with the
 * same meaning, because it is the more specific, per-run choice ({@code mvn -Dretort.pg.url=…}).
 *
 * <table>
 * <caption>Settings (property = variable in lower case, underscores as dots)</caption>
 * <tr><th>environment variable</th><th>system property</th><th>meaning</th></tr>
 * <tr><td>{@code RETORT_IT_REQUIRED}</td><td>{@code retort.it.required}</td>
 *     <td>{@code true}: an unavailable database fails the test instead of skipping it (CI)</td></tr>
 * <tr><td>{@code RETORT_PG_URL}</td><td>{@code retort.pg.url}</td>
 *     <td>R2DBC URL of the PostgreSQL test database, e.g.
 *     {@code r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test}</td></tr>
 * <tr><td>{@code RETORT_PG_JDBC_URL}</td><td>{@code retort.pg.jdbc.url}</td>
 *     <td>JDBC URL of the same database (adds JDBC driver parameters; alone, it also says where)</td></tr>
 * <tr><td>{@code RETORT_PG_ADMIN_USER} / {@code _PASSWORD}</td><td>{@code retort.pg.admin.user} / {@code .password}</td>
 *     <td>who provisions the test database and user (default {@code postgres}, no password)</td></tr>
 * <tr><td>{@code RETORT_MARIADB_URL}</td><td>{@code retort.mariadb.url}</td>
 *     <td>R2DBC URL of the MariaDB test database, {@code r2dbc:mariadb://…} or {@code r2dbc:mysql://…};
 *     its query options go only to the driver its scheme names</td></tr>
 * <tr><td>{@code RETORT_MARIADB_JDBC_URL}</td><td>{@code retort.mariadb.jdbc.url}</td><td>as for PostgreSQL</td></tr>
 * <tr><td>{@code RETORT_MARIADB_ADMIN_USER} / {@code _PASSWORD}</td><td>{@code retort.mariadb.admin.user} / {@code .password}</td>
 *     <td>default {@code root}, no password</td></tr>
 * <tr><td>{@code RETORT_TESTCONTAINERS}</td><td>{@code retort.testcontainers}</td>
 *     <td>{@code false}: never try Docker (saves the Docker probe where there is no engine)</td></tr>
 * </table>
 *
 * <p>A URL setting of {@code none} (or {@code off}, {@code disabled}) turns the backend off:
 * its tests are unavailable with that reason. When a backend's URL is set, the harness uses
 * that server or nothing: it does not fall back to the loopback port or to Docker, so a typo
 * is never hidden by another server answering.
 */
public final class HarnessSettings {

    /** The system property that makes an unavailable database a failure. */
    public static final String REQUIRED_PROPERTY = "retort.it.required";
    /** The environment variable with the same meaning as {@link #REQUIRED_PROPERTY}. */
    public static final String REQUIRED_ENV = "RETORT_IT_REQUIRED";
    /** The system property that, set to {@code false}, keeps the harness from trying Docker. */
    public static final String TESTCONTAINERS_PROPERTY = "retort.testcontainers";
    /** The environment variable with the same meaning as {@link #TESTCONTAINERS_PROPERTY}. */
    public static final String TESTCONTAINERS_ENV = "RETORT_TESTCONTAINERS";

    private final Function<String, Optional<String>> properties;
    private final Map<String, String> env;

    private HarnessSettings(Function<String, Optional<String>> properties, Map<String, String> env) {
        this.properties = properties;
        this.env = Map.copyOf(env);
    }

    /** The settings of this JVM: {@link System#getProperty} and {@link System#getenv()}. */
    public static HarnessSettings fromSystem() {
        return of(key -> Optional.ofNullable(System.getProperty(key)), System.getenv());
    }

    /**
     * Settings from a property lookup (e.g. JUnit's {@code ExtensionContext::getConfigurationParameter},
     * which also sees system properties) and an environment map. Tests pass plain maps.
     */
    public static HarnessSettings of(Function<String, Optional<String>> properties, Map<String, String> env) {
        return new HarnessSettings(Objects.requireNonNull(properties, "properties"), env);
    }

    /** A setting's value and where it came from, e.g. {@code RETORT_PG_URL} or {@code -Dretort.pg.url}. */
    record Setting(String value, String origin, Server.Source source) {
    }

    /** Looks a setting up: the property first, then the environment variable; blank means unset. */
    Optional<Setting> lookup(String property, String envVar) {
        Optional<String> fromProperty = properties.apply(property).filter(v -> !v.isBlank());
        if (fromProperty.isPresent()) {
            return Optional.of(new Setting(fromProperty.get().trim(), "-D" + property, Server.Source.PROPERTY));
        }
        String fromEnv = env.get(envVar);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new Setting(fromEnv.trim(), envVar, Server.Source.ENVIRONMENT));
        }
        return Optional.empty();
    }

    private Optional<Setting> lookup(Backend backend, String suffix) {
        return lookup(backend.property(suffix), backend.envVar(suffix));
    }

    /** Whether an unavailable database must fail the test ({@code retort.it.required=true}). */
    public boolean required() {
        return lookup(REQUIRED_PROPERTY, REQUIRED_ENV).map(s -> Boolean.parseBoolean(s.value())).orElse(false);
    }

    /** Whether the harness may ask Docker for a container; true unless set to {@code false}. */
    public boolean testcontainersAllowed() {
        return lookup(TESTCONTAINERS_PROPERTY, TESTCONTAINERS_ENV)
                .map(s -> !s.value().equalsIgnoreCase("false")).orElse(true);
    }

    /** The setting that turned {@code backend} off ({@code RETORT_PG_URL=none}), if any. */
    public Optional<String> disabledBy(Backend backend) {
        return lookup(backend, "URL").filter(s -> isOff(s.value())).map(s -> s.origin() + "=" + s.value());
    }

    private static boolean isOff(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        return v.equals("none") || v.equals("off") || v.equals("disabled");
    }

    /**
     * The server the settings name for {@code backend}, if any.
     *
     * @throws IllegalArgumentException if a URL is malformed or the two URLs disagree; the
     *     message names the setting
     */
    public Optional<Server> configuredServer(Backend backend) {
        if (backend.inProcess() || disabledBy(backend).isPresent()) {
            return Optional.empty();
        }
        Optional<Setting> r2dbc = lookup(backend, "URL");
        Optional<Setting> jdbc = lookup(backend, "JDBC_URL");
        @Nullable Server fromR2dbc = r2dbc.map(s -> Urls.parseR2dbc(backend, s.value(), s.source(), s.origin())).orElse(null);
        @Nullable Server fromJdbc = jdbc.map(s -> Urls.parseJdbc(backend, s.value(), s.source(), s.origin())).orElse(null);
        if (fromR2dbc != null && fromJdbc != null) {
            return Optional.of(Urls.merge(fromR2dbc, fromJdbc));
        }
        return Optional.ofNullable(fromR2dbc != null ? fromR2dbc : fromJdbc);
    }

    /** The admin user that provisions {@code backend} ({@code postgres} / {@code root} by default). */
    public String adminUser(Backend backend) {
        return lookup(backend, "ADMIN_USER").map(Setting::value)
                .orElse(backend == Backend.POSTGRES ? "postgres" : "root");
    }

    /** The admin's password; empty by default (trust or socket-less root on a developer machine). */
    public String adminPassword(Backend backend) {
        return lookup(backend, "ADMIN_PASSWORD").map(Setting::value).orElse("");
    }

    /**
     * A key that is equal for two settings that would discover the same thing for
     * {@code backend}, so discovery runs once per JVM per distinct configuration.
     */
    String discoveryKey(Backend backend) {
        StringBuilder key = new StringBuilder(backend.name());
        for (String suffix : new String[] {"URL", "JDBC_URL", "ADMIN_USER", "ADMIN_PASSWORD"}) {
            key.append('|').append(lookup(backend, suffix).map(Setting::value).orElse(""));
        }
        return key.append('|').append(testcontainersAllowed()).toString();
    }
}
