package io.retort.dialect.mariadb;

import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.DialectProvider;

import java.util.Optional;

/** Registers {@link MariaDbDialect} for the product name "MariaDB". */
public final class MariaDbDialectProvider implements DialectProvider {
    @Override
    public Optional<Dialect> dialectFor(String productName) {
        return "MariaDB".equalsIgnoreCase(productName) ? Optional.of(MariaDbDialect.INSTANCE) : Optional.empty();
    }
}
