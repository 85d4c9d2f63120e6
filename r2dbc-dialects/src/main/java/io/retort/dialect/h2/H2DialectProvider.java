package io.retort.dialect.h2;

import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.DialectProvider;

import java.util.Optional;

/** Registers {@link H2Dialect} for the product name "H2". */
public final class H2DialectProvider implements DialectProvider {
    @Override
    public Optional<Dialect> dialectFor(String productName) {
        return "H2".equalsIgnoreCase(productName) ? Optional.of(H2Dialect.INSTANCE) : Optional.empty();
    }
}
