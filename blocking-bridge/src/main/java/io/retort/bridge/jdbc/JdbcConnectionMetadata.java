package io.retort.bridge.jdbc;

import io.r2dbc.spi.ConnectionMetadata;

/**
 * The database behind a connection, as its JDBC driver's {@code DatabaseMetaData} reports it:
 * "PostgreSQL", "MariaDB", "MySQL", "H2", "SQLite"… — the names Retort's engine looks
 * dialects up by. A MySQL-protocol driver on a MariaDB server reports "MariaDB" here.
 */
final class JdbcConnectionMetadata implements ConnectionMetadata {
    private final String productName;
    private final String version;

    JdbcConnectionMetadata(String productName, String version) {
        this.productName = productName;
        this.version = version;
    }

    @Override
    public String getDatabaseProductName() {
        return productName;
    }

    @Override
    public String getDatabaseVersion() {
        return version;
    }

    @Override
    public String toString() {
        return productName + " " + version;
    }
}
