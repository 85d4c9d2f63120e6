package io.retort.bridge.jdbc;

import java.time.Duration;
import java.util.Locale;

/**
 * What the bridge must know about the database behind a JDBC driver: how its SQL quotes text
 * (for placeholder translation), how a lock wait timeout is set and reset, and how a
 * cancellation behaves. Detected from {@code DatabaseMetaData} on the first connection; every
 * other database gets {@link #OTHER}, the SQL-standard rules.
 */
enum Product {
    /** PostgreSQL (pgjdbc). */
    POSTGRESQL("PostgreSQL"),
    /** MariaDB (MariaDB Connector/J, or MySQL Connector/J on a MariaDB server). */
    MARIADB("MariaDB"),
    /** MySQL. */
    MYSQL("MySQL"),
    /** H2. */
    H2("H2"),
    /** SQLite (xerial sqlite-jdbc). */
    SQLITE("SQLite"),
    /** Anything else: standard quoting, no session settings. */
    OTHER("JDBC");

    private final String displayName;

    Product(String displayName) {
        this.displayName = displayName;
    }

    /** The product for a JDBC product name and version, as the engine's dialect lookup expects them. */
    static Product of(String productName, String version) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        String v = version == null ? "" : version.toLowerCase(Locale.ROOT);
        if (p.contains("mariadb") || v.contains("mariadb")) {
            return MARIADB;
        }
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.contains("mysql")) {
            return MYSQL;
        }
        if (p.equals("h2")) {
            return H2;
        }
        if (p.contains("sqlite")) {
            return SQLITE;
        }
        return OTHER;
    }

    /** A guess from the JDBC URL, used only before the first connection has told us. */
    static Product fromUrl(String jdbcUrl) {
        String u = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (u.startsWith("jdbc:mariadb:")) {
            return MARIADB;
        }
        if (u.startsWith("jdbc:mysql:")) {
            return MYSQL;
        }
        if (u.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (u.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        return OTHER;
    }

    /** The product's usual name, e.g. {@code PostgreSQL}. */
    String displayName() {
        return displayName;
    }

    /** Whether a backslash escapes the next character inside '…' and "…" (MySQL's default sql_mode). */
    boolean backslashEscapes() {
        return this == MARIADB || this == MYSQL;
    }

    /** Whether `…` quotes identifiers (MySQL family; SQLite accepts it too). */
    boolean backtickIdentifiers() {
        return this == MARIADB || this == MYSQL || this == SQLITE;
    }

    /** Whether {@code $tag$…$tag$} quotes text (PostgreSQL) and E'…' strings take backslash escapes. */
    boolean dollarQuotes() {
        return this == POSTGRESQL;
    }

    /** Whether {@code # …} starts a comment (MySQL family). */
    boolean hashComments() {
        return this == MARIADB || this == MYSQL;
    }

    /** Whether block comments nest (PostgreSQL). */
    boolean nestedComments() {
        return this == POSTGRESQL;
    }

    /**
     * Whether a literal {@code ?} left in translated SQL must be doubled: pgjdbc reads every
     * {@code ?} as a placeholder unless written {@code ??} (the jsonb operators {@code ?},
     * {@code ?|}, {@code ?&}).
     */
    boolean doublesLiteralQuestionMarks() {
        return this == POSTGRESQL;
    }

    /**
     * Whether cancelling a half-read result needs {@code Statement.cancel()} even when no call
     * is running: MySQL-protocol drivers stream a result over the socket and closing it would
     * read every remaining row first; a cancel stops the server sending them.
     */
    boolean cancelIdleCursor() {
        return this == MARIADB || this == MYSQL;
    }

    /** The statement that sets this session's lock wait timeout, or null when unknown. */
    String lockTimeoutSql(Duration d) {
        long ms = d.toMillis();
        switch (this) {
            case POSTGRESQL:
                return "SET lock_timeout = " + ms;
            case MARIADB:
            case MYSQL:
                // Whole seconds only; 0 would mean "fail at once", so round up.
                return "SET SESSION innodb_lock_wait_timeout = " + Math.max(1, (ms + 999) / 1000);
            case H2:
                return "SET LOCK_TIMEOUT " + ms;
            case SQLITE:
                return "PRAGMA busy_timeout = " + ms;
            default:
                return null;
        }
    }

    /** The statement that puts the lock wait timeout back to the server's default, or null. */
    String resetLockTimeoutSql() {
        switch (this) {
            case POSTGRESQL:
                return "RESET lock_timeout";
            case MARIADB:
            case MYSQL:
                return "SET SESSION innodb_lock_wait_timeout = DEFAULT";
            case H2:
                // H2 2.x: a session starts with the database's DEFAULT_LOCK_TIMEOUT (1 s unless changed).
                return "SET LOCK_TIMEOUT 1000";
            case SQLITE:
                // sqlite-jdbc opens connections with a 3 s busy timeout.
                return "PRAGMA busy_timeout = 3000";
            default:
                return null;
        }
    }
}
