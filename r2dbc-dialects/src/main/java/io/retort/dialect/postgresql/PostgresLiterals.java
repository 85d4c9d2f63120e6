package io.retort.dialect.postgresql;

import io.retort.sql.compile.LiteralRenderer;

/**
 * PostgreSQL literals, assuming {@code standard_conforming_strings=on} (the default since 9.1):
 * backslashes are ordinary characters in {@code '...'}, NaN and infinities are
 * {@code 'NaN'::float8}, bytes are {@code '\x..'::bytea}.
 */
final class PostgresLiterals extends LiteralRenderer {
    PostgresLiterals() {
        super("postgresql", false);
    }

    @Override
    protected String nonFinite(double d) {
        String v = Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        return "'" + v + "'::float8";
    }

    @Override
    protected String bytes(byte[] b) {
        return "'\\x" + hex(b) + "'::bytea";
    }
}
