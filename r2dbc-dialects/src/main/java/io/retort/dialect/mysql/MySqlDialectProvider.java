package io.retort.dialect.mysql;

import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.DialectProvider;

import java.util.Optional;

/** Registers {@link MySqlDialect} for the product name "MySQL". */
public final class MySqlDialectProvider implements DialectProvider {
    @Override
    public Optional<Dialect> dialectFor(String productName) {
        return "MySQL".equalsIgnoreCase(productName) ? Optional.of(MySqlDialect.INSTANCE) : Optional.empty();
    }
}
