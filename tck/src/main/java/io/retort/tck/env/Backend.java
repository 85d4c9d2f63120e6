package io.retort.tck.env;

/**
 * A database product the harness can give a test: which server, its default loopback port,
 * and the prefix of its settings ({@code RETORT_PG_URL}, {@code retort.mariadb.url}, …).
 *
 * <p>H2 and SQLite (a file, through the JDBC bridge) run in-process and are always available;
 * PostgreSQL and MariaDB are discovered as described in {@link HarnessSettings}.
 */
public enum Backend {
    /** H2 in memory, in this JVM: {@code r2dbc:h2:mem:///<name>;DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE}. */
    H2("H2", 0, "H2", "h2"),
    /** PostgreSQL (15 is the lowest supported), port 5432 by default. */
    POSTGRES("PostgreSQL", 5432, "PG", "pg"),
    /** MariaDB (10.11 is the lowest supported), port 3306 by default; MySQL-protocol drivers too. */
    MARIADB("MariaDB", 3306, "MARIADB", "mariadb"),
    /** SQLite through the JDBC bridge, in this JVM: one temporary database file per scratch namespace. */
    SQLITE("SQLite", 0, "SQLITE", "sqlite");

    private final String displayName;
    private final int defaultPort;
    private final String envPrefix;
    private final String propertyPrefix;

    Backend(String displayName, int defaultPort, String envKey, String propertyKey) {
        this.displayName = displayName;
        this.defaultPort = defaultPort;
        this.envPrefix = "RETORT_" + envKey + "_";
        this.propertyPrefix = "retort." + propertyKey + ".";
    }

    /** The product name used in log lines and messages, e.g. {@code PostgreSQL}. */
    public String displayName() {
        return displayName;
    }

    /** The port probed on 127.0.0.1 when nothing is configured; 0 for the in-process H2. */
    public int defaultPort() {
        return defaultPort;
    }

    /** Whether the database runs inside this JVM, so it needs no discovery at all. */
    public boolean inProcess() {
        return this == H2 || this == SQLITE;
    }

    /** The environment variable for a setting, e.g. {@code envVar("URL")} = {@code RETORT_PG_URL}. */
    public String envVar(String suffix) {
        return envPrefix + suffix;
    }

    /**
     * The system property for the same setting: the environment variable in lower case with
     * dots for underscores, e.g. {@code RETORT_PG_JDBC_URL} → {@code retort.pg.jdbc.url}.
     */
    public String property(String suffix) {
        return propertyPrefix + suffix.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }

    /** The R2DBC driver the harness uses for this backend when a test names none. */
    public Driver defaultDriver() {
        switch (this) {
            case POSTGRES:
                return Driver.R2DBC_POSTGRESQL;
            case MARIADB:
                return Driver.R2DBC_MARIADB;
            case SQLITE:
                return Driver.BRIDGE_SQLITE;
            default:
                return Driver.R2DBC_H2;
        }
    }
}
