package io.retort.dialect.sqlite;

import io.retort.sql.SqlType;
import io.retort.sql.compile.LiteralRenderer;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;

/**
 * SQLite literals: SQLite has no typed literals ({@code DATE '…'}), so dates and times are the
 * ISO-8601 text SQLite keeps them as — in the same canonical form the JDBC bridge binds them
 * ({@code 2024-02-29 07:34:56.123456}, fraction without trailing zeros), so a literal and a
 * bound value compare equal. Infinities are {@code 9e999}; NaN has no SQLite value and is refused.
 */
final class SqliteLiterals extends LiteralRenderer {
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ')
            .append(DateTimeFormatter.ISO_LOCAL_TIME).toFormatter(Locale.ROOT);

    SqliteLiterals() {
        super("sqlite", false);
    }

    @Override
    public String render(Object value, SqlType<?> type) {
        if (value instanceof LocalDateTime) {
            return string(TIMESTAMP.format((LocalDateTime) value));
        }
        if (value instanceof LocalDate || value instanceof LocalTime) {
            return string(value.toString());
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime o = (OffsetDateTime) value;
            return string(TIMESTAMP.format(o.toLocalDateTime()) + o.getOffset().getId().replace("Z", "+00:00"));
        }
        return super.render(value, type);
    }

    @Override
    protected String nonFinite(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "9e999" : "(-9e999)";
        }
        return super.nonFinite(d);
    }
}
