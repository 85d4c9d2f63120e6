package io.retort.tck.env;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import io.retort.bridge.jdbc.JdbcBridgeOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * R2DBC options and URLs for the JDBC bridge drivers ({@link Driver#bridge()}), made from the
 * scratch namespace's JDBC URL: {@code jdbc:<protocol>://host:port/db?k=v} becomes the options
 * {@code driver=jdbc, protocol, host, port, database} plus {@code k=v} (handed to the JDBC driver
 * as connection properties), which the bridge turns back into the same JDBC URL. As options, a
 * test can change the port or password the way it does for the R2DBC drivers.
 */
final class BridgeSupport {
    /**
     * Connections each bridge factory may hold: above the largest engine pool the suites build
     * (10, LoadSuite), since an r2dbc-pool connection holds one bridge connection.
     */
    static final int POOL_SIZE = 16;

    private BridgeSupport() {
    }

    /** The parts of a JDBC URL. */
    private static final class Parts {
        String protocol;
        String host;
        Integer port;
        String database;
        final Map<String, String> params = new LinkedHashMap<>();
    }

    private static Parts parse(String jdbcUrl, Backend backend) {
        Parts p = new Parts();
        String rest = jdbcUrl.substring("jdbc:".length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String kv : rest.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    p.params.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
                }
            }
            rest = rest.substring(0, q);
        }
        int authority = rest.indexOf("://");
        if (authority > 0) {
            p.protocol = rest.substring(0, authority);
            String hostPath = rest.substring(authority + 3);
            int slash = hostPath.indexOf('/');
            String hostPort = slash < 0 ? hostPath : hostPath.substring(0, slash);
            p.database = slash < 0 ? null : decode(hostPath.substring(slash + 1));
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0 && hostPort.indexOf(']') < colon) {
                p.host = hostPort.substring(0, colon);
                p.port = Integer.parseInt(hostPort.substring(colon + 1));
            } else {
                p.host = hostPort;
            }
        } else {
            // jdbc:h2:mem:<name>;… and jdbc:sqlite:<path>: the protocol is known per backend.
            p.protocol = backend == Backend.SQLITE ? "sqlite" : "h2:mem";
            p.database = rest.substring(p.protocol.length() + 1);
        }
        return p;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The bridge's options for {@code jdbcUrl} on {@code server}, as the test user. */
    static ConnectionFactoryOptions options(String jdbcUrl, Server server) {
        Parts p = parse(jdbcUrl, server.backend());
        ConnectionFactoryOptions.Builder b = ConnectionFactoryOptions.builder()
                .option(ConnectionFactoryOptions.DRIVER, "jdbc")
                .option(ConnectionFactoryOptions.PROTOCOL, p.protocol)
                .option(JdbcBridgeOptions.POOL_SIZE, POOL_SIZE)
                .option(JdbcBridgeOptions.ACQUIRE_TIMEOUT, BackendSupport.CONNECT_TIMEOUT.multipliedBy(3));
        if (p.host != null) {
            b.option(ConnectionFactoryOptions.HOST, p.host);
        }
        if (p.port != null) {
            b.option(ConnectionFactoryOptions.PORT, p.port);
        }
        if (p.database != null) {
            b.option(ConnectionFactoryOptions.DATABASE, p.database);
        }
        if (!server.user().isEmpty()) {
            b.option(ConnectionFactoryOptions.USER, server.user()).option(ConnectionFactoryOptions.PASSWORD, server.password());
        }
        p.params.forEach((k, v) -> b.option(Option.valueOf(k), v));
        return b.build();
    }

    /** The same as a URL, e.g. {@code r2dbc:jdbc:postgresql://u:p@host:5432/db?currentSchema=…}; contains the password. */
    static String url(String jdbcUrl, Server server) {
        Parts p = parse(jdbcUrl, server.backend());
        Map<String, String> params = new LinkedHashMap<>(p.params);
        params.put(JdbcBridgeOptions.POOL_SIZE.name(), Integer.toString(POOL_SIZE));
        String auth = server.user().isEmpty() ? "" : Urls.encode(server.user()) + ":" + Urls.encode(server.password()) + "@";
        String address = p.host == null ? "" : p.host + (p.port == null ? "" : ":" + p.port);
        return "r2dbc:jdbc:" + p.protocol + "://" + auth + address + "/" + (p.database == null ? "" : p.database)
                + Urls.queryString(params);
    }
}
