package io.retort.dialect.sqlite;

import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.DialectProvider;

import java.util.Optional;

/** Registers {@link SqliteDialect} for the product name "SQLite" (as sqlite-jdbc reports it through the JDBC bridge). */
public final class SqliteDialectProvider implements DialectProvider {
    @Override
    public Optional<Dialect> dialectFor(String productName) {
        return "SQLite".equalsIgnoreCase(productName) ? Optional.of(SqliteDialect.INSTANCE) : Optional.empty();
    }
}
