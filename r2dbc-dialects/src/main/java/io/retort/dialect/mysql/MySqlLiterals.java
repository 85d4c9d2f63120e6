package io.retort.dialect.mysql;

import io.retort.error.CompileError;
import io.retort.sql.compile.LiteralRenderer;

import java.time.OffsetDateTime;

/** MySQL/MariaDB literals: backslashes doubled unless NO_BACKSLASH_ESCAPES; no NaN, no offsets. */
final class MySqlLiterals extends LiteralRenderer {
    MySqlLiterals(String dialect, boolean backslashEscapes) {
        super(dialect, backslashEscapes);
    }

    @Override
    protected String offsetDateTime(OffsetDateTime v) {
        throw new CompileError("The " + dialect() + " dialect cannot render a timestamp with an offset as a literal");
    }
}
