package io.retort.dialect.postgresql;

import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.DialectProvider;

import java.util.Optional;

/** Registers {@link PostgresDialect} for the product name "PostgreSQL". */
public final class PostgresDialectProvider implements DialectProvider {
    @Override
    public Optional<Dialect> dialectFor(String productName) {
        return "PostgreSQL".equalsIgnoreCase(productName) ? Optional.of(PostgresDialect.INSTANCE) : Optional.empty();
    }
}
