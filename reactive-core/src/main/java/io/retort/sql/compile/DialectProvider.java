package io.retort.sql.compile;

import java.util.Optional;

/**
 * Finds the {@link Dialect} for a database product, as reported by the R2DBC driver's
 * {@code ConnectionFactoryMetadata.getName()} ("PostgreSQL", "MySQL", "MariaDB", "H2").
 * Implementations are found with {@link java.util.ServiceLoader}; the r2dbc-dialects module
 * registers one per database.
 */
public interface DialectProvider {
    /** The dialect for {@code productName}, or empty if this provider does not know it. */
    Optional<Dialect> dialectFor(String productName);
}
