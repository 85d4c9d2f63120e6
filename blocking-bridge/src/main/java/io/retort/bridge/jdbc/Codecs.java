package io.retort.bridge.jdbc;

import io.r2dbc.spi.Blob;
import io.r2dbc.spi.Clob;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Value conversion between R2DBC and JDBC, in both directions.
 *
 * <p><b>Binding</b>: java.time, UUID, numbers, strings, {@code byte[]}/{@link ByteBuffer}
 * and Java arrays go to {@code setObject} (JDBC 4.2); nulls to {@code setNull} with the JDBC
 * type of the declared Java class. SQLite stores dates as ISO text (its own convention, which
 * its date functions read), so java.time values and UUIDs are bound as text there.
 *
 * <p><b>Reading</b>: every value of a row is read from the {@link ResultSet} on the worker
 * thread when the row is fetched ("materialised"), so {@code Row.get} on the subscriber's
 * thread never calls the driver and a row stays valid after the cursor moves on. LOBs are read
 * whole; binary values are kept as {@link ByteBuffer}, temporal ones as java.time.
 *
 * <p><b>Converting</b> ({@link #convert}): {@code Row.get(i, type)} converts exactly or
 * fails — integers never silently truncate — and parses the text SQLite keeps dates in.
 */
final class Codecs {
    private Codecs() {
    }

    private static final DateTimeFormatter SQLITE_TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ')
            .append(DateTimeFormatter.ISO_LOCAL_TIME).toFormatter(Locale.ROOT);
    private static final DateTimeFormatter FLEXIBLE_TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().append(DateTimeFormatter.ISO_LOCAL_TIME).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .toFormatter(Locale.ROOT);

    // ================================================================= binding

    /** Whether {@code value} must be read asynchronously before the statement runs (a LOB publisher). */
    static boolean needsResolution(Object value) {
        return value instanceof Blob || value instanceof Clob;
    }

    /** Reads a Blob into a byte[] or a Clob into a String, without blocking. */
    static Mono<Object> resolve(Object value) {
        if (value instanceof Blob) {
            return reactor.core.publisher.Flux.from(((Blob) value).stream())
                    .collectList()
                    .map(buffers -> {
                        int size = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
                        byte[] out = new byte[size];
                        int at = 0;
                        for (ByteBuffer b : buffers) {
                            int n = b.remaining();
                            b.duplicate().get(out, at, n);
                            at += n;
                        }
                        return (Object) out;
                    });
        }
        if (value instanceof Clob) {
            return reactor.core.publisher.Flux.from(((Clob) value).stream())
                    .collect(StringBuilder::new, StringBuilder::append)
                    .map(b -> (Object) b.toString());
        }
        return Mono.just(value);
    }

    /** Binds one value (never a Parameter or LOB: those are unwrapped before). */
    static void bind(PreparedStatement ps, int index, Object value, Class<?> nullType, Product product)
            throws SQLException {
        if (value == null) {
            ps.setNull(index, sqlType(nullType, product));
            return;
        }
        if (value instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            ps.setBytes(index, bytes);
            return;
        }
        if (value instanceof byte[]) {
            ps.setBytes(index, (byte[]) value);
            return;
        }
        if (product == Product.SQLITE) {
            Object text = sqliteText(value);
            if (text != null) {
                ps.setString(index, (String) text);
                return;
            }
        }
        if (value instanceof String) {
            ps.setString(index, (String) value);
        } else if (value instanceof Integer) {
            ps.setInt(index, (Integer) value);
        } else if (value instanceof Long) {
            ps.setLong(index, (Long) value);
        } else if (value instanceof Boolean) {
            ps.setBoolean(index, (Boolean) value);
        } else if (value instanceof BigDecimal) {
            ps.setBigDecimal(index, (BigDecimal) value);
        } else if (value instanceof Double) {
            ps.setDouble(index, (Double) value);
        } else if (value instanceof Float) {
            ps.setFloat(index, (Float) value);
        } else if (value instanceof Short) {
            ps.setShort(index, (Short) value);
        } else if (value instanceof Byte) {
            ps.setByte(index, (Byte) value);
        } else if (value instanceof BigInteger) {
            ps.setBigDecimal(index, new BigDecimal((BigInteger) value));
        } else if (value instanceof Character) {
            ps.setString(index, value.toString());
        } else if (value instanceof Instant) {
            ps.setObject(index, ((Instant) value).atOffset(ZoneOffset.UTC));
        } else if (value instanceof ZonedDateTime) {
            ps.setObject(index, ((ZonedDateTime) value).toOffsetDateTime());
        } else if (value instanceof UUID && (product == Product.MARIADB || product == Product.MYSQL)) {
            // Connector/J has no UUID binding; MariaDB's UUID type and CHAR(36) both take the text.
            ps.setString(index, value.toString());
        } else if (value instanceof Duration && product == Product.POSTGRESQL) {
            ps.setObject(index, pgInterval((Duration) value), Types.OTHER);
        } else if (value instanceof Enum) {
            ps.setString(index, ((Enum<?>) value).name());
        } else if (value instanceof Object[] && product == Product.POSTGRESQL && pgArrayType(value.getClass()) != null) {
            // pgjdbc sends String[] as varchar[], which text[] columns do not compare with; name the type.
            Object[] array = (Object[]) value;
            ps.setArray(index, ps.getConnection().createArrayOf(pgArrayType(value.getClass()), array));
        } else {
            ps.setObject(index, value);
        }
    }

    /** The PostgreSQL element type of a Java array class, as r2dbc-postgresql would send it. */
    private static String pgArrayType(Class<?> arrayClass) {
        Class<?> e = arrayClass.getComponentType();
        if (e == String.class) {
            return "text";
        }
        if (e == Integer.class) {
            return "int4";
        }
        if (e == Long.class) {
            return "int8";
        }
        if (e == Short.class) {
            return "int2";
        }
        if (e == Double.class) {
            return "float8";
        }
        if (e == Float.class) {
            return "float4";
        }
        if (e == BigDecimal.class) {
            return "numeric";
        }
        if (e == Boolean.class) {
            return "bool";
        }
        if (e == UUID.class) {
            return "uuid";
        }
        if (e == LocalDate.class) {
            return "date";
        }
        if (e == LocalTime.class) {
            return "time";
        }
        if (e == LocalDateTime.class) {
            return "timestamp";
        }
        if (e == OffsetDateTime.class) {
            return "timestamptz";
        }
        return null;
    }

    /** SQLite's text form of a value it has no storage class for, or null to bind it normally. */
    private static Object sqliteText(Object value) {
        if (value instanceof LocalDateTime) {
            return SQLITE_TIMESTAMP.format((LocalDateTime) value);
        }
        if (value instanceof LocalDate || value instanceof LocalTime || value instanceof UUID) {
            return value.toString();
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime o = (OffsetDateTime) value;
            return SQLITE_TIMESTAMP.format(o.toLocalDateTime()) + o.getOffset().getId().replace("Z", "+00:00");
        }
        if (value instanceof Instant) {
            return SQLITE_TIMESTAMP.format(LocalDateTime.ofInstant((Instant) value, ZoneOffset.UTC)) + "+00:00";
        }
        if (value instanceof Duration) {
            return value.toString();
        }
        if (value instanceof BigInteger) {
            return value.toString();
        }
        return null;
    }

    /** PostgreSQL interval text for a Duration ({@code "5 seconds"} form pgjdbc accepts as OTHER). */
    private static String pgInterval(Duration d) {
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        BigDecimal s = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nanos, 9)).stripTrailingZeros();
        return s.toPlainString() + " seconds";
    }

    /** The JDBC type for a null of Java class {@code type}. */
    static int sqlType(Class<?> type, Product product) {
        if (type == null || type == Object.class) {
            return Types.NULL;
        }
        if (type == String.class || type == Character.class || Clob.class.isAssignableFrom(type)) {
            return Types.VARCHAR;
        }
        if (type == Integer.class || type == int.class) {
            return Types.INTEGER;
        }
        if (type == Long.class || type == long.class || type == BigInteger.class) {
            return Types.BIGINT;
        }
        if (type == Short.class || type == short.class) {
            return Types.SMALLINT;
        }
        if (type == Byte.class || type == byte.class) {
            return Types.TINYINT;
        }
        if (type == Boolean.class || type == boolean.class) {
            return Types.BOOLEAN;
        }
        if (type == BigDecimal.class) {
            return Types.NUMERIC;
        }
        if (type == Double.class || type == double.class) {
            return Types.DOUBLE;
        }
        if (type == Float.class || type == float.class) {
            return Types.REAL;
        }
        if (type == byte[].class || ByteBuffer.class.isAssignableFrom(type) || Blob.class.isAssignableFrom(type)) {
            return product == Product.POSTGRESQL ? Types.BINARY : Types.VARBINARY;
        }
        if (type == LocalDate.class) {
            return Types.DATE;
        }
        if (type == LocalTime.class) {
            return Types.TIME;
        }
        if (type == LocalDateTime.class) {
            return Types.TIMESTAMP;
        }
        if (type == OffsetDateTime.class || type == Instant.class || type == ZonedDateTime.class) {
            return Types.TIMESTAMP_WITH_TIMEZONE;
        }
        if (type == OffsetTime.class) {
            return Types.TIME_WITH_TIMEZONE;
        }
        if (type.isArray()) {
            return Types.ARRAY;
        }
        // UUID, Duration, JSON holders…: let the server infer the type from the context.
        return product == Product.POSTGRESQL ? Types.OTHER : Types.NULL;
    }

    // ================================================================= reading

    /** Reads column {@code col} (1-based) of the current row as the value a row will hold. */
    static Object read(ResultSet rs, int col, JdbcColumnMetadata meta, Product product) throws SQLException {
        if (product == Product.SQLITE) {
            // Values carry their own storage class in SQLite; the declared type is advice only.
            Object v = rs.getObject(col);
            if (v instanceof byte[]) {
                return ByteBuffer.wrap((byte[]) v);
            }
            return v;
        }
        switch (meta.jdbcType()) {
            case Types.BIT:
            case Types.BOOLEAN: {
                Object o = rs.getObject(col);
                if (o == null || o instanceof Boolean) {
                    return o;
                }
                return o instanceof byte[] ? null : rs.getBoolean(col);
            }
            case Types.NUMERIC:
            case Types.DECIMAL:
                return rs.getBigDecimal(col);
            case Types.DATE:
                return getTemporal(rs, col, LocalDate.class);
            case Types.TIME:
                return getTemporal(rs, col, meta.withTimeZone() ? OffsetTime.class : LocalTime.class);
            case Types.TIMESTAMP:
                // pgjdbc reports timestamptz as TIMESTAMP; its type name tells them apart.
                return getTemporal(rs, col, meta.withTimeZone() ? OffsetDateTime.class : LocalDateTime.class);
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return getTemporal(rs, col, OffsetDateTime.class);
            case Types.TIME_WITH_TIMEZONE:
                return getTemporal(rs, col, OffsetTime.class);
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY: {
                byte[] b = rs.getBytes(col);
                return b == null ? null : ByteBuffer.wrap(b);
            }
            case Types.BLOB: {
                java.sql.Blob blob = rs.getBlob(col);
                if (blob == null) {
                    return null;
                }
                try {
                    return ByteBuffer.wrap(blob.getBytes(1, (int) blob.length()));
                } finally {
                    free(blob);
                }
            }
            case Types.CLOB:
            case Types.NCLOB:
            case Types.LONGVARCHAR:
            case Types.LONGNVARCHAR:
                return rs.getString(col);
            case Types.ARRAY: {
                Array a = rs.getArray(col);
                if (a == null) {
                    return null;
                }
                try {
                    return a.getArray();
                } finally {
                    try {
                        a.free();
                    } catch (SQLException | UnsupportedOperationException ignored) {
                        // some drivers do not implement free()
                    }
                }
            }
            default:
                break;
        }
        Object o = rs.getObject(col);
        if (o == null || o instanceof String || o instanceof Integer || o instanceof Long || o instanceof Boolean
                || o instanceof Double || o instanceof BigDecimal || o instanceof Short || o instanceof Float
                || o instanceof UUID) {
            // The common case, without the class-name checks below.
            return o;
        }
        String cls = o.getClass().getName();
        if (cls.startsWith("org.postgresql.")) {
            // PGobject (json, jsonb, enums…), PGInterval… : text, or a Duration for intervals.
            if (cls.endsWith("PGInterval")) {
                Duration d = pgIntervalToDuration(o);
                return d != null ? d : rs.getString(col);
            }
            return rs.getString(col);
        }
        if (cls.equals("org.h2.api.Interval")) {
            try {
                return rs.getObject(col, Duration.class);
            } catch (SQLException e) {
                return o.toString();
            }
        }
        if (o instanceof java.sql.Timestamp) {
            return ((java.sql.Timestamp) o).toLocalDateTime();
        }
        if (o instanceof java.sql.Date) {
            return ((java.sql.Date) o).toLocalDate();
        }
        if (o instanceof java.sql.Time) {
            return ((java.sql.Time) o).toLocalTime();
        }
        if (o instanceof byte[]) {
            return ByteBuffer.wrap((byte[]) o);
        }
        if (o instanceof java.sql.Clob) {
            java.sql.Clob c = (java.sql.Clob) o;
            try {
                return c.getSubString(1, (int) c.length());
            } finally {
                free(c);
            }
        }
        if (o instanceof java.sql.Blob) {
            java.sql.Blob b = (java.sql.Blob) o;
            try {
                return ByteBuffer.wrap(b.getBytes(1, (int) b.length()));
            } finally {
                free(b);
            }
        }
        return o;
    }

    private static Object getTemporal(ResultSet rs, int col, Class<?> type) throws SQLException {
        try {
            return rs.getObject(col, type);
        } catch (SQLException | IllegalArgumentException e) {
            Object o = rs.getObject(col);
            return o == null ? null : convert(o, type, null);
        }
    }

    private static void free(java.sql.Blob b) {
        try {
            b.free();
        } catch (SQLException | UnsupportedOperationException | AbstractMethodError ignored) {
            // optional in JDBC
        }
    }

    private static void free(java.sql.Clob c) {
        try {
            c.free();
        } catch (SQLException | UnsupportedOperationException | AbstractMethodError ignored) {
            // optional in JDBC
        }
    }

    private static Duration pgIntervalToDuration(Object interval) {
        try {
            Class<?> c = interval.getClass();
            int years = (Integer) c.getMethod("getYears").invoke(interval);
            int months = (Integer) c.getMethod("getMonths").invoke(interval);
            if (years != 0 || months != 0) {
                return null; // months have no fixed length
            }
            int days = (Integer) c.getMethod("getDays").invoke(interval);
            int hours = (Integer) c.getMethod("getHours").invoke(interval);
            int minutes = (Integer) c.getMethod("getMinutes").invoke(interval);
            double seconds = (Double) c.getMethod("getSeconds").invoke(interval);
            BigDecimal s = BigDecimal.valueOf(seconds);
            long whole = s.longValue();
            long nanos = s.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            return Duration.ofDays(days).plusHours(hours).plusMinutes(minutes).plusSeconds(whole).plusNanos(nanos);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The Java class a column's values are materialised as (ColumnMetadata.getJavaType). */
    static Class<?> javaType(int jdbcType, String className) {
        switch (jdbcType) {
            case Types.BIT:
            case Types.BOOLEAN:
                return Boolean.class;
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
                return Integer.class;
            case Types.BIGINT:
                return Long.class;
            case Types.REAL:
                return Float.class;
            case Types.FLOAT:
            case Types.DOUBLE:
                return Double.class;
            case Types.NUMERIC:
            case Types.DECIMAL:
                return BigDecimal.class;
            case Types.CHAR:
            case Types.VARCHAR:
            case Types.NCHAR:
            case Types.NVARCHAR:
            case Types.LONGVARCHAR:
            case Types.LONGNVARCHAR:
            case Types.CLOB:
            case Types.NCLOB:
                return String.class;
            case Types.DATE:
                return LocalDate.class;
            case Types.TIME:
                return LocalTime.class;
            case Types.TIMESTAMP:
                return LocalDateTime.class;
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return OffsetDateTime.class;
            case Types.TIME_WITH_TIMEZONE:
                return OffsetTime.class;
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
            case Types.BLOB:
                return ByteBuffer.class;
            case Types.ARRAY:
                return Object[].class;
            default:
                if (className != null) {
                    if (className.equals("java.util.UUID")) {
                        return UUID.class;
                    }
                    if (className.startsWith("java.lang.")) {
                        try {
                            return Class.forName(className);
                        } catch (ClassNotFoundException e) {
                            return Object.class;
                        }
                    }
                }
                return Object.class;
        }
    }

    // ================================================================= converting

    /**
     * {@code value} as {@code type}, exactly.
     *
     * @param meta the column, for the declared scale of decimals SQLite returns as doubles; may be null
     * @throws IllegalArgumentException if the value cannot be represented as {@code type}
     */
    @SuppressWarnings("unchecked")
    static <T> T convert(Object value, Class<T> type, JdbcColumnMetadata meta) {
        if (value == null) {
            return null;
        }
        Class<?> target = boxed(type);
        if (target.isInstance(value)) {
            if (value instanceof ByteBuffer) {
                return (T) ((ByteBuffer) value).duplicate();
            }
            return (T) value;
        }
        try {
            Object out = convertOrNull(value, target, meta);
            if (out != null) {
                return (T) out;
            }
        } catch (ArithmeticException | NumberFormatException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("Cannot read " + describe(value) + " as " + type.getName()
                    + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("Cannot read " + describe(value) + " as " + type.getName());
    }

    private static String describe(Object value) {
        String s = String.valueOf(value);
        return "a " + value.getClass().getName() + " (" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + ")";
    }

    private static Object convertOrNull(Object v, Class<?> t, JdbcColumnMetadata meta) {
        if (t == Object.class) {
            return v;
        }
        if (v instanceof Number) {
            Number n = (Number) v;
            if (t == Boolean.class) {
                long l = exact(n).longValueExact();
                if (l == 0 || l == 1) {
                    return l == 1;
                }
                throw new ArithmeticException(n + " is not 0 or 1");
            }
            if (t == String.class) {
                return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString();
            }
            Object num = number(n, t, meta);
            if (num != null) {
                return num;
            }
            if (t == Instant.class && (v instanceof Long || v instanceof Integer)) {
                return Instant.ofEpochMilli(n.longValue());
            }
        }
        if (v instanceof Boolean) {
            boolean b = (Boolean) v;
            if (t == String.class) {
                return v.toString();
            }
            Object num = number(b ? 1 : 0, t, meta);
            if (num != null) {
                return num;
            }
        }
        if (v instanceof String) {
            return fromString((String) v, t, meta);
        }
        if (v instanceof ByteBuffer || v instanceof byte[]) {
            byte[] bytes = v instanceof byte[] ? (byte[]) v : bytes((ByteBuffer) v);
            if (t == byte[].class) {
                return bytes;
            }
            if (t == ByteBuffer.class) {
                return ByteBuffer.wrap(bytes);
            }
            if (t == Blob.class) {
                return Blob.from(Mono.just(ByteBuffer.wrap(bytes)));
            }
            if (t == UUID.class && bytes.length == 16) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                return new UUID(b.getLong(), b.getLong());
            }
            if (t == String.class) {
                return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        if (v instanceof UUID && t == String.class) {
            return v.toString();
        }
        if (v instanceof Character && t == String.class) {
            return v.toString();
        }
        if (t == String.class && (v instanceof java.time.temporal.Temporal || v instanceof Duration)) {
            return v.toString();
        }
        if (v instanceof LocalDateTime) {
            LocalDateTime l = (LocalDateTime) v;
            if (t == LocalDate.class) {
                return l.toLocalDate();
            }
            if (t == LocalTime.class) {
                return l.toLocalTime();
            }
            if (t == Instant.class) {
                return l.toInstant(ZoneOffset.UTC);
            }
            if (t == OffsetDateTime.class) {
                return l.atOffset(ZoneOffset.UTC);
            }
        }
        if (v instanceof OffsetDateTime) {
            OffsetDateTime o = (OffsetDateTime) v;
            if (t == Instant.class) {
                return o.toInstant();
            }
            if (t == LocalDateTime.class) {
                return o.toLocalDateTime();
            }
            if (t == ZonedDateTime.class) {
                return o.toZonedDateTime();
            }
            if (t == LocalDate.class) {
                return o.toLocalDate();
            }
        }
        if (v instanceof LocalDate && t == LocalDateTime.class) {
            return ((LocalDate) v).atStartOfDay();
        }
        if (v instanceof java.sql.Timestamp) {
            return convert(((java.sql.Timestamp) v).toLocalDateTime(), t, meta);
        }
        if (v instanceof java.sql.Date) {
            return convert(((java.sql.Date) v).toLocalDate(), t, meta);
        }
        if (v instanceof java.sql.Time) {
            return convert(((java.sql.Time) v).toLocalTime(), t, meta);
        }
        if (v.getClass().isArray() && t.isArray() && !t.getComponentType().isPrimitive()) {
            int n = java.lang.reflect.Array.getLength(v);
            Object out = java.lang.reflect.Array.newInstance(t.getComponentType(), n);
            for (int i = 0; i < n; i++) {
                java.lang.reflect.Array.set(out, i, convert(java.lang.reflect.Array.get(v, i), t.getComponentType(), null));
            }
            return out;
        }
        return null;
    }

    private static Object fromString(String s, Class<?> t, JdbcColumnMetadata meta) {
        if (t == Clob.class) {
            return Clob.from(Mono.just(s));
        }
        if (t == Character.class && s.length() == 1) {
            return s.charAt(0);
        }
        if (t == UUID.class) {
            return UUID.fromString(s);
        }
        if (t == LocalDate.class) {
            return s.length() > 10 ? LocalDateTime.parse(s, FLEXIBLE_TIMESTAMP).toLocalDate() : LocalDate.parse(s);
        }
        if (t == LocalTime.class) {
            return LocalTime.parse(s);
        }
        if (t == LocalDateTime.class) {
            return LocalDateTime.parse(s, FLEXIBLE_TIMESTAMP);
        }
        if (t == OffsetDateTime.class) {
            java.time.temporal.TemporalAccessor a = FLEXIBLE_TIMESTAMP.parse(s);
            LocalDateTime l = LocalDateTime.from(a);
            ZoneOffset off = a.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(a) : ZoneOffset.UTC;
            return l.atOffset(off);
        }
        if (t == Instant.class) {
            return ((OffsetDateTime) fromString(s, OffsetDateTime.class, meta)).toInstant();
        }
        if (t == Duration.class) {
            return Duration.parse(s);
        }
        if (t == Boolean.class) {
            String l = s.trim().toLowerCase(Locale.ROOT);
            if (l.equals("true") || l.equals("1") || l.equals("t")) {
                return true;
            }
            if (l.equals("false") || l.equals("0") || l.equals("f")) {
                return false;
            }
            throw new NumberFormatException("'" + s + "' is not a boolean");
        }
        if (Number.class.isAssignableFrom(t)) {
            return number(new BigDecimal(s.trim()), t, meta);
        }
        if (t == byte[].class) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }

    private static Object number(Number n, Class<?> t, JdbcColumnMetadata meta) {
        if (t == Integer.class) {
            return exact(n).intValueExact();
        }
        if (t == Long.class) {
            return exact(n).longValueExact();
        }
        if (t == Short.class) {
            return exact(n).shortValueExact();
        }
        if (t == Byte.class) {
            return exact(n).byteValueExact();
        }
        if (t == BigInteger.class) {
            return exact(n).toBigIntegerExact();
        }
        if (t == BigDecimal.class) {
            BigDecimal d = exact(n);
            Integer scale = meta == null ? null : meta.getScale();
            if ((n instanceof Double || n instanceof Float) && scale != null && scale > 0 && d.scale() < scale) {
                // SQLite keeps NUMERIC(p, s) as a double: give the declared scale back (0.5 → 0.50).
                return d.setScale(scale, RoundingMode.UNNECESSARY);
            }
            return d;
        }
        if (t == Double.class) {
            return n.doubleValue();
        }
        if (t == Float.class) {
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

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == boolean.class) {
            return Boolean.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        if (c == float.class) {
            return Float.class;
        }
        if (c == short.class) {
            return Short.class;
        }
        if (c == byte.class) {
            return Byte.class;
        }
        if (c == char.class) {
            return Character.class;
        }
        return c;
    }
}
