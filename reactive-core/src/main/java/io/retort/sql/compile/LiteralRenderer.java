package io.retort.sql.compile;

import io.retort.error.CompileError;
import io.retort.sql.SqlType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Renders values inline as SQL literals for {@code render(..., literalBinds)} and literal-execute
 * parameters. Every value either round-trips exactly or is refused with a {@link CompileError}:
 * quotes are doubled, backslashes doubled where the server treats them as escapes (MySQL without
 * NO_BACKSLASH_ESCAPES), NUL is refused, negative numbers are parenthesised so {@code --} can
 * never form (B3, B5). Bound parameters remain the default and the safe choice.
 */
public class LiteralRenderer {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String dialect;
    private final boolean backslashEscapes;

    /**
     * @param dialect          the dialect name, for error messages
     * @param backslashEscapes whether the server reads {@code \} as an escape inside string literals
     */
    public LiteralRenderer(String dialect, boolean backslashEscapes) {
        this.dialect = dialect;
        this.backslashEscapes = backslashEscapes;
    }

    /** The literal for {@code value} of {@code type}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public String render(Object value, SqlType<?> type) {
        if (value == null) {
            return "NULL";
        }
        if (type != null && type.converter() != null && type.javaType().isInstance(value)) {
            SqlType.Converter c = type.converter();
            return render(c.toDatabase(value), c.storage());
        }
        if (value instanceof String) {
            return string((String) value);
        }
        if (value instanceof Character) {
            return string(value.toString());
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "TRUE" : "FALSE";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return signed(value.toString());
        }
        if (value instanceof BigDecimal) {
            return signed(((BigDecimal) value).toPlainString());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return nonFinite(d);
            }
            return signed(value.toString());
        }
        if (value instanceof LocalDate) {
            return "DATE '" + value + "'";
        }
        if (value instanceof LocalDateTime) {
            return "TIMESTAMP '" + TS.format((LocalDateTime) value) + "'";
        }
        if (value instanceof LocalTime) {
            return "TIME '" + value + "'";
        }
        if (value instanceof OffsetDateTime) {
            return offsetDateTime((OffsetDateTime) value);
        }
        if (value instanceof UUID) {
            return "'" + value + "'";
        }
        if (value instanceof byte[]) {
            return bytes((byte[]) value);
        }
        if (value instanceof Enum) {
            return string(((Enum<?>) value).name());
        }
        throw new CompileError("The " + dialect + " dialect cannot render a " + value.getClass().getName()
                + " value as a literal; bind it as a parameter instead");
    }

    /** A quoted string literal. */
    public String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new CompileError("The " + dialect + " dialect cannot render a NUL character inside a"
                        + " string literal; bind the value as a parameter instead");
            }
            if (c == '\'') {
                sb.append('\'');
            } else if (c == '\\' && backslashEscapes) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('\'').toString();
    }

    private static String signed(String digits) {
        return digits.startsWith("-") ? "(" + digits + ")" : digits;
    }

    /** NaN and infinities: refused unless the dialect has a spelling for them. */
    protected String nonFinite(double d) {
        throw new CompileError("The " + dialect + " dialect cannot render " + d + " as a literal");
    }

    protected String offsetDateTime(OffsetDateTime v) {
        return "TIMESTAMP WITH TIME ZONE '" + TS.format(v) + v.getOffset() + "'";
    }

    protected String bytes(byte[] b) {
        return "X'" + hex(b) + "'";
    }

    protected static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
        }
        return sb.toString();
    }

    protected String dialect() {
        return dialect;
    }
}
