package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.error.DataError;
import io.retort.sql.SqlType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Reads driver values into the Java types the statement's {@link SqlType}s promise (C11 at
 * runtime): asks the driver for the storage class first, falls back to exact conversion
 * (numbers never lose digits silently, booleans accept only 0/1), then applies a user type's
 * converter. One call per value, when the row is read.
 */
final class TypeReader {
    private TypeReader() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object read(io.r2dbc.spi.Row row, int i, SqlType<?> type, String label) {
        if (type == null || type.kind() == SqlType.Kind.NULL || type.kind() == SqlType.Kind.OTHER) {
            return normalize(row.get(i));
        }
        SqlType<?> storage = type.converter() == null ? type : type.converter().storage();
        Class<?> target = storage.javaType();
        Object v;
        try {
            v = row.get(i, target);
        } catch (RuntimeException driverCannot) {
            v = cast(normalize(row.get(i)), target, label);
        }
        if (v != null && !target.isInstance(v)) {
            v = cast(normalize(v), target, label);
        }
        if (type.converter() != null && v != null) {
            SqlType.Converter c = type.converter();
            return c.fromDatabase(v);
        }
        return v;
    }

    /**
     * {@link #read} for a column whose type needs no converter: asks the driver for
     * {@code target} directly (the common case, once per value of a large result), falling back
     * to exact conversion as {@code read} does.
     */
    static Object readPlain(io.r2dbc.spi.Row row, int i, Class<?> target, RowShape shape) {
        Object v;
        try {
            v = row.get(i, target);
        } catch (RuntimeException driverCannot) {
            return cast(normalize(row.get(i)), target, shape.label(i));
        }
        return v == null || target.isInstance(v) ? v : cast(normalize(v), target, shape.label(i));
    }

    /** Driver-specific holder types to plain Java values. */
    private static Object normalize(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        String cls = v.getClass().getName();
        if (cls.endsWith(".Json") || cls.endsWith("JsonByteArrayInput") || cls.contains("codec.Json")) {
            return v.toString();
        }
        return v;
    }

    /** Exact conversion of {@code v} to {@code type}; a DataError if it would lose information. */
    @SuppressWarnings("unchecked")
    static <T> T cast(Object v, Class<T> type, String label) {
        if (v == null || type.isInstance(v)) {
            return (T) v;
        }
        try {
            if (v instanceof Number) {
                Object n = number((Number) v, type);
                if (n != null) {
                    return (T) n;
                }
            }
            if (type == Boolean.class) {
                if (v instanceof Number) {
                    long l = ((Number) v).longValue();
                    if (l == 0 || l == 1) {
                        return (T) Boolean.valueOf(l == 1);
                    }
                }
                throw new DataError("Column " + label + " holds " + v + ", which is not a boolean (0/1, true/false)",
                        null, null, null, 0, null);
            }
            if (type == UUID.class && v instanceof String) {
                return (T) UUID.fromString((String) v);
            }
            if (type == UUID.class && v instanceof byte[] && ((byte[]) v).length == 16) {
                ByteBuffer b = ByteBuffer.wrap((byte[]) v);
                return (T) new UUID(b.getLong(), b.getLong());
            }
            if (type == String.class && (v instanceof Character || v instanceof UUID || v instanceof Number)) {
                return (T) v.toString();
            }
            if (type == LocalDateTime.class && v instanceof OffsetDateTime) {
                return (T) ((OffsetDateTime) v).toLocalDateTime();
            }
            if (type == byte[].class && v instanceof ByteBuffer) {
                return (T) normalize(v);
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new DataError("Column " + label + " value " + v + " cannot be read as " + type.getSimpleName()
                    + ": " + e.getMessage(), null, null, null, 0, e);
        }
        throw new ArgumentError("Column " + label + " holds a " + v.getClass().getName() + ", which cannot be read as "
                + type.getName());
    }

    private static Object number(Number n, Class<?> type) {
        if (type == Integer.class) {
            return exact(n).intValueExact();
        }
        if (type == Long.class) {
            return exact(n).longValueExact();
        }
        if (type == Short.class) {
            return exact(n).shortValueExact();
        }
        if (type == BigDecimal.class) {
            return exact(n);
        }
        if (type == BigInteger.class) {
            return exact(n).toBigIntegerExact();
        }
        if (type == Double.class) {
            return n.doubleValue();
        }
        if (type == Float.class) {
            return n.floatValue();
        }
        return null;
    }

    private static BigDecimal exact(Number n) {
        if (n instanceof BigDecimal) {
            return (BigDecimal) n;
        }
        if (n instanceof BigInteger) {
            return new BigDecimal((BigInteger) n);
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }
}
