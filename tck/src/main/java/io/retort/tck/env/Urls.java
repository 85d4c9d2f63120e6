package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses the configured R2DBC and JDBC URLs into a {@link Server}, and builds URLs back.
 * Pure functions, so {@code UrlsTest} covers them without a database.
 */
final class Urls {

    // Options that Server models as components; everything else in a query string is kept as
    // an extra option and handed to the driver unchanged.
    private static final Set<String> R2DBC_MODELLED = Set.of(
            "driver", "protocol", "host", "port", "user", "password", "database", "schema");
    private static final Set<String> JDBC_MODELLED = Set.of("user", "password", "currentSchema");

    private Urls() {
    }

    /**
     * Parses an R2DBC URL such as {@code r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test}.
     *
     * @throws IllegalArgumentException naming {@code origin} if the URL is not one for {@code backend}
     */
    static Server parseR2dbc(Backend backend, String url, Server.Source source, String origin) {
        ConnectionFactoryOptions options;
        try {
            options = ConnectionFactoryOptions.parse(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(origin + " is not an R2DBC URL (" + e.getMessage()
                    + "): " + mask(url), e);
        }
        String driverName = String.valueOf(options.getValue(ConnectionFactoryOptions.DRIVER));
        Driver driver = driverNamed(backend, driverName);
        if (driver == null) {
            throw new IllegalArgumentException(origin + " names driver '" + driverName + "', not a "
                    + backend.displayName() + " driver (" + expectedSchemes(backend) + "): " + mask(url));
        }
        Object host = options.getValue(ConnectionFactoryOptions.HOST);
        if (host == null) {
            throw new IllegalArgumentException(origin + " has no host: " + mask(url));
        }
        Object port = options.getValue(ConnectionFactoryOptions.PORT);
        Object user = options.getValue(ConnectionFactoryOptions.USER);
        Object password = options.getValue(ConnectionFactoryOptions.PASSWORD);
        Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
        Map<String, String> extras = new LinkedHashMap<>(query(url));
        extras.keySet().removeAll(R2DBC_MODELLED);
        return new Server(backend, source, origin, host.toString(),
                port == null ? backend.defaultPort() : Integer.parseInt(port.toString()),
                database == null || database.toString().isEmpty() ? Server.DEFAULT_DATABASE : database.toString(),
                user == null ? Server.DEFAULT_USER : user.toString(),
                // A user without a password is legal (trust auth); only the default user gets the default password.
                password != null ? password.toString() : user == null ? Server.DEFAULT_PASSWORD : "",
                extras, Map.of(), driver);
    }

    /**
     * Parses a JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/retort_test?user=retort&password=retort}.
     *
     * @throws IllegalArgumentException naming {@code origin} if the URL is not one for {@code backend}
     */
    static Server parseJdbc(Backend backend, String url, Server.Source source, String origin) {
        String scheme = backend == Backend.POSTGRES ? "jdbc:postgresql://"
                : url.startsWith("jdbc:mysql://") ? "jdbc:mysql://" : "jdbc:mariadb://";
        if (backend.inProcess() || !url.startsWith(scheme)) {
            throw new IllegalArgumentException(origin + " is not a " + backend.displayName()
                    + " JDBC URL (expected " + scheme + "…): " + mask(url));
        }
        URI uri;
        try {
            uri = new URI("x://" + url.substring(scheme.length()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(origin + " is not a valid URL: " + mask(url), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(origin + " has no host: " + mask(url));
        }
        Map<String, String> params = new LinkedHashMap<>(query(url));
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String user = params.get("user");
        String password = params.get("password");
        params.keySet().removeAll(JDBC_MODELLED);
        return new Server(backend, source, origin, uri.getHost(),
                uri.getPort() < 0 ? backend.defaultPort() : uri.getPort(),
                path.isEmpty() ? Server.DEFAULT_DATABASE : path,
                user == null ? Server.DEFAULT_USER : user,
                password != null ? password : user == null ? Server.DEFAULT_PASSWORD : "",
                Map.of(), params, backend.defaultDriver());
    }

    /**
     * Combines the R2DBC and JDBC settings of one backend: the R2DBC URL says where and who,
     * the JDBC URL adds its driver parameters. Two URLs for two different servers are a
     * configuration error rather than a guess.
     */
    static Server merge(Server r2dbc, Server jdbc) {
        if (!r2dbc.host().equals(jdbc.host()) || r2dbc.port() != jdbc.port()
                || !r2dbc.database().equals(jdbc.database())) {
            throw new IllegalArgumentException(r2dbc.origin() + " and " + jdbc.origin()
                    + " point at different databases: " + r2dbc.address() + "/" + r2dbc.database()
                    + " vs " + jdbc.address() + "/" + jdbc.database());
        }
        return new Server(r2dbc.backend(), r2dbc.source(), r2dbc.origin() + " + " + jdbc.origin(),
                r2dbc.host(), r2dbc.port(), r2dbc.database(), r2dbc.user(), r2dbc.password(),
                r2dbc.r2dbcOptions(), jdbc.jdbcParams(), r2dbc.optionsDriver());
    }

    /** The driver of {@code backend} whose R2DBC name is {@code name}, or null. */
    static @Nullable Driver driverNamed(Backend backend, String name) {
        for (Driver d : Driver.values()) {
            if (d.backend() == backend && d.r2dbcName().equals(name)) {
                return d;
            }
        }
        return null;
    }

    private static String expectedSchemes(Backend backend) {
        StringBuilder sb = new StringBuilder();
        for (Driver d : Driver.values()) {
            if (d.backend() == backend) {
                sb.append(sb.length() == 0 ? "" : " or ").append("r2dbc:").append(d.r2dbcName()).append("://");
            }
        }
        return sb.toString();
    }

    /** The decoded query parameters of a URL, in order; empty when it has none. */
    static Map<String, String> query(String url) {
        Map<String, String> result = new LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return result;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            result.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return result;
    }

    /** Builds a query string ({@code ?a=1&b=2}, or empty) from parameters, encoding each. */
    static String queryString(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? '?' : '&')
                .append(encode(k)).append('=').append(encode(v)));
        return sb.toString();
    }

    /** Percent-encodes a URL component; a space becomes {@code %20}, which every parser reads back. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * Replaces the password in an R2DBC or JDBC URL with {@code ****}, for messages: the
     * {@code user:password@} form and a {@code password=} parameter.
     */
    static String mask(String url) {
        Objects.requireNonNull(url, "url");
        String masked = url.replaceAll("(://[^/@:?]*):[^/@?]*@", "$1:****@");
        return masked.replaceAll("(?i)([?&;]password=)[^&;]*", "$1****");
    }
}
