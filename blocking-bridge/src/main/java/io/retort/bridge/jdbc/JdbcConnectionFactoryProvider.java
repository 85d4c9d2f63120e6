package io.retort.bridge.jdbc;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ConnectionFactoryProvider;
import io.r2dbc.spi.Option;
import java.time.Duration;

/**
 * Makes the bridge the R2DBC driver {@code jdbc}, found by {@code ConnectionFactories} through
 * {@link java.util.ServiceLoader}.
 *
 * <h2>URL form</h2>
 * {@code r2dbc:jdbc:<jdbc-url-rest>} stands for {@code jdbc:<jdbc-url-rest>}; the R2DBC parts
 * (user, password, bridge options) are taken out and every other query option becomes a JDBC
 * connection property:
 * <pre>
 *   r2dbc:jdbc:postgresql://app:pw@db:5432/shop?currentSchema=s1&amp;poolSize=16
 *       → jdbc:postgresql://db:5432/shop, user app, property currentSchema=s1, 16 connections
 *   r2dbc:jdbc:mariadb://app:pw@db/shop          → jdbc:mariadb://db/shop
 *   r2dbc:jdbc:h2:mem:///test;DB_CLOSE_DELAY=-1  → jdbc:h2:mem:test;DB_CLOSE_DELAY=-1
 *   r2dbc:jdbc:h2:file:///./data/app            → jdbc:h2:file:./data/app
 *   r2dbc:jdbc:sqlite:////var/data/app.db       → jdbc:sqlite:/var/data/app.db (absolute path)
 *   r2dbc:jdbc:sqlite:///app.db                 → jdbc:sqlite:app.db (relative path)
 *   r2dbc:jdbc://?jdbcUrl=jdbc:sqlite::memory:  → the JDBC URL verbatim
 * </pre>
 * That is: with a host, {@code jdbc:<protocol>://host[:port][/database]}; without one,
 * {@code jdbc:<protocol>:<database>} (the path after {@code :///}). Bridge options are listed
 * in {@link JdbcBridgeOptions}; {@code connectTimeout} bounds the JDBC driver's connect and
 * handshake (and sets the acquire timeout unless {@code acquireTimeout} is given),
 * {@code statementTimeout} and {@code lockWaitTimeout} every connection's initial timeouts.
 */
public final class JdbcConnectionFactoryProvider implements ConnectionFactoryProvider {
    /** The driver name in URLs and in the {@code driver} option. */
    public static final String DRIVER = "jdbc";

    @Override
    public JdbcConnectionFactory create(ConnectionFactoryOptions options) {
        JdbcConnectionFactory.Builder b = JdbcConnectionFactory.builder().url(jdbcUrl(options));
        Object user = options.getValue(ConnectionFactoryOptions.USER);
        if (user != null) {
            b.user(user.toString());
        }
        Object password = options.getValue(ConnectionFactoryOptions.PASSWORD);
        if (password != null) {
            b.password(password.toString());
        }
        Integer poolSize = integer(options, JdbcBridgeOptions.POOL_SIZE);
        if (poolSize != null) {
            b.poolSize(poolSize);
        }
        Integer minIdle = integer(options, JdbcBridgeOptions.MIN_IDLE);
        if (minIdle != null) {
            b.minIdle(minIdle);
        }
        Integer fetchSize = integer(options, JdbcBridgeOptions.FETCH_SIZE);
        if (fetchSize != null) {
            b.fetchSize(fetchSize);
        }
        Boolean pooled = bool(options, JdbcBridgeOptions.POOLED);
        if (pooled != null) {
            b.pooled(pooled);
        }
        Boolean virtual = bool(options, JdbcBridgeOptions.VIRTUAL_THREADS);
        if (virtual != null) {
            b.virtualThreads(virtual);
        }
        Boolean stream = bool(options, JdbcBridgeOptions.STREAM_IN_AUTO_COMMIT);
        if (stream != null) {
            b.streamInAutoCommit(stream);
        }
        Duration connect = duration(options, ConnectionFactoryOptions.CONNECT_TIMEOUT);
        if (connect != null) {
            b.connectTimeout(connect);
        }
        Duration network = duration(options, JdbcBridgeOptions.NETWORK_TIMEOUT);
        if (network != null) {
            b.networkTimeout(network);
        }
        Duration close = duration(options, JdbcBridgeOptions.CLOSE_TIMEOUT);
        if (close != null) {
            b.closeTimeout(close);
        }
        Duration acquire = duration(options, JdbcBridgeOptions.ACQUIRE_TIMEOUT);
        if (acquire == null) {
            acquire = connect;
        }
        if (acquire != null) {
            b.acquireTimeout(acquire);
        }
        Duration lifetime = duration(options, JdbcBridgeOptions.MAX_LIFETIME);
        if (lifetime != null) {
            b.maxLifetime(lifetime);
        }
        Duration idle = duration(options, JdbcBridgeOptions.IDLE_TIMEOUT);
        if (idle != null) {
            b.idleTimeout(idle);
        }
        Duration statement = duration(options, ConnectionFactoryOptions.STATEMENT_TIMEOUT);
        if (statement != null) {
            b.statementTimeout(statement);
        }
        Duration lock = duration(options, ConnectionFactoryOptions.LOCK_WAIT_TIMEOUT);
        if (lock != null) {
            b.lockWaitTimeout(lock);
        }
        Object name = options.getValue(JdbcBridgeOptions.POOL_NAME);
        if (name != null) {
            b.poolName(name.toString());
        }
        // Everything else is the driver's business.
        optionNames(options).forEach(n -> {
            if (!JdbcBridgeOptions.OWN.contains(n)) {
                Object v = options.getValue(Option.valueOf(n));
                if (v != null) {
                    b.property(n, v.toString());
                }
            }
        });
        return b.build();
    }

    @Override
    public boolean supports(ConnectionFactoryOptions options) {
        return DRIVER.equals(options.getValue(ConnectionFactoryOptions.DRIVER));
    }

    @Override
    public String getDriver() {
        return DRIVER;
    }

    /** The JDBC URL the options stand for; see the class comment. */
    static String jdbcUrl(ConnectionFactoryOptions o) {
        Object explicit = o.getValue(JdbcBridgeOptions.JDBC_URL);
        if (explicit != null) {
            return explicit.toString();
        }
        Object protocol = o.getValue(ConnectionFactoryOptions.PROTOCOL);
        if (protocol == null) {
            throw new IllegalArgumentException("An r2dbc:jdbc URL names the JDBC protocol (r2dbc:jdbc:postgresql://…)"
                    + " or gives jdbcUrl=jdbc:…");
        }
        Object host = o.getValue(ConnectionFactoryOptions.HOST);
        Object port = o.getValue(ConnectionFactoryOptions.PORT);
        Object db = o.getValue(ConnectionFactoryOptions.DATABASE);
        StringBuilder url = new StringBuilder("jdbc:").append(protocol).append(':');
        if (host != null && !host.toString().isEmpty()) {
            url.append("//").append(host);
            if (port != null) {
                url.append(':').append(port);
            }
            url.append('/');
            if (db != null) {
                url.append(db);
            }
        } else if (db != null) {
            url.append(db);
        }
        return url.toString();
    }

    /** The names of all options given (the SPI has no iteration; read its map, else parse toString). */
    private static java.util.List<String> optionNames(ConnectionFactoryOptions o) {
        java.util.List<String> names = new java.util.ArrayList<>();
        try {
            java.lang.reflect.Field f = ConnectionFactoryOptions.class.getDeclaredField("options");
            f.setAccessible(true);
            for (Object key : ((java.util.Map<?, ?>) f.get(o)).keySet()) {
                names.add(((Option<?>) key).name());
            }
            return names;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall back to the documented-enough "options={a=b, c=d}" form
        }
        String s = o.toString();
        int open = s.indexOf("options={");
        int close = s.lastIndexOf("}}");
        if (open < 0 || close < open) {
            return names;
        }
        for (String part : s.substring(open + "options={".length(), close).split(", ")) {
            int eq = part.indexOf('=');
            if (eq > 0 && o.hasOption(Option.valueOf(part.substring(0, eq)))) {
                names.add(part.substring(0, eq));
            }
        }
        return names;
    }

    private static Integer integer(ConnectionFactoryOptions o, Option<Integer> option) {
        Object v = o.getValue(option);
        if (v == null) {
            return null;
        }
        return v instanceof Number ? ((Number) v).intValue() : Integer.parseInt(v.toString().trim());
    }

    private static Boolean bool(ConnectionFactoryOptions o, Option<Boolean> option) {
        Object v = o.getValue(option);
        if (v == null) {
            return null;
        }
        return v instanceof Boolean ? (Boolean) v : Boolean.parseBoolean(v.toString().trim());
    }

    private static Duration duration(ConnectionFactoryOptions o, Option<Duration> option) {
        Object v = o.getValue(option);
        if (v == null) {
            return null;
        }
        if (v instanceof Duration) {
            return (Duration) v;
        }
        if (v instanceof Number) {
            return Duration.ofMillis(((Number) v).longValue());
        }
        String s = v.toString().trim();
        return s.startsWith("P") || s.startsWith("p") ? Duration.parse(s) : Duration.ofMillis(Long.parseLong(s));
    }
}
