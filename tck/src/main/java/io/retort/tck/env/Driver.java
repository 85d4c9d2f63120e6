package io.retort.tck.env;

/**
 * An R2DBC driver the TCK runs on, and the backend it talks to. MariaDB has two: the
 * MySQL-protocol driver from io.asyncer ({@code r2dbc:mysql://}) and MariaDB's own
 * ({@code r2dbc:mariadb://}); the harness serves both from one server. The {@code BRIDGE_*}
 * drivers are Retort's JDBC bridge ({@code r2dbc:jdbc:}) over the backend's JDBC driver, built
 * from the scratch namespace's JDBC URL.
 */
public enum Driver {
    /** {@code org.postgresql:r2dbc-postgresql}, URL scheme {@code r2dbc:postgresql://}. */
    R2DBC_POSTGRESQL(Backend.POSTGRES, "postgresql"),
    /** {@code io.asyncer:r2dbc-mysql}, URL scheme {@code r2dbc:mysql://}. */
    R2DBC_MYSQL(Backend.MARIADB, "mysql"),
    /** {@code org.mariadb:r2dbc-mariadb}, URL scheme {@code r2dbc:mariadb://}. */
    R2DBC_MARIADB(Backend.MARIADB, "mariadb"),
    /** {@code io.r2dbc:r2dbc-h2}, URL scheme {@code r2dbc:h2:mem:///}. */
    R2DBC_H2(Backend.H2, "h2"),
    /** The JDBC bridge over H2's JDBC driver. */
    BRIDGE_H2(Backend.H2, "jdbc"),
    /** The JDBC bridge over pgjdbc. */
    BRIDGE_POSTGRES(Backend.POSTGRES, "jdbc"),
    /** The JDBC bridge over MariaDB Connector/J. */
    BRIDGE_MARIADB(Backend.MARIADB, "jdbc"),
    /** The JDBC bridge over xerial sqlite-jdbc (SQLite has no R2DBC driver). */
    BRIDGE_SQLITE(Backend.SQLITE, "jdbc");

    private final Backend backend;
    private final String r2dbcName;

    Driver(Backend backend, String r2dbcName) {
        this.backend = backend;
        this.r2dbcName = r2dbcName;
    }

    /** The backend this driver connects to. */
    public Backend backend() {
        return backend;
    }

    /** Whether this is the JDBC bridge, whose options come from the namespace's JDBC URL. */
    public boolean bridge() {
        return r2dbcName.equals("jdbc");
    }

    /** The value of the R2DBC {@code driver} option, which picks the driver's provider. */
    public String r2dbcName() {
        return r2dbcName;
    }
}
