package io.retort.sql;

import io.retort.error.ArgumentError;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The standard {@link SqlType}s and the inference of a type from a Java value, used when a
 * value is bound without an explicit type.
 */
public final class SqlTypes {
    private SqlTypes() {
    }

    public static final SqlType<Short> SMALLINT = SqlType.of("SMALLINT", Short.class, SqlType.Kind.INTEGER);
    public static final SqlType<Integer> INTEGER = SqlType.of("INTEGER", Integer.class, SqlType.Kind.INTEGER);
    public static final SqlType<Long> BIGINT = SqlType.of("BIGINT", Long.class, SqlType.Kind.INTEGER);
    public static final SqlType<BigDecimal> NUMERIC = SqlType.of("NUMERIC", BigDecimal.class, SqlType.Kind.DECIMAL);
    public static final SqlType<Float> REAL = SqlType.of("REAL", Float.class, SqlType.Kind.FLOAT);
    public static final SqlType<Double> DOUBLE = SqlType.of("DOUBLE PRECISION", Double.class, SqlType.Kind.FLOAT);
    public static final SqlType<String> VARCHAR = SqlType.of("VARCHAR", String.class, SqlType.Kind.STRING);
    public static final SqlType<String> TEXT = SqlType.of("TEXT", String.class, SqlType.Kind.STRING);
    public static final SqlType<Boolean> BOOLEAN = SqlType.of("BOOLEAN", Boolean.class, SqlType.Kind.BOOLEAN);
    public static final SqlType<LocalDate> DATE = SqlType.of("DATE", LocalDate.class, SqlType.Kind.DATE);
    public static final SqlType<LocalTime> TIME = SqlType.of("TIME", LocalTime.class, SqlType.Kind.TIME);
    public static final SqlType<LocalDateTime> TIMESTAMP = SqlType.of("TIMESTAMP", LocalDateTime.class, SqlType.Kind.TIMESTAMP);
    public static final SqlType<OffsetDateTime> TIMESTAMP_TZ = SqlType.of("TIMESTAMP WITH TIME ZONE", OffsetDateTime.class, SqlType.Kind.TIMESTAMP_TZ);
    public static final SqlType<Duration> INTERVAL = SqlType.of("INTERVAL", Duration.class, SqlType.Kind.INTERVAL);
    public static final SqlType<UUID> UUID_TYPE = SqlType.of("UUID", UUID.class, SqlType.Kind.UUID);
    public static final SqlType<String> JSON = SqlType.of("JSON", String.class, SqlType.Kind.JSON);
    public static final SqlType<byte[]> BINARY = SqlType.of("VARBINARY", byte[].class, SqlType.Kind.BINARY);
    /** The type of a NULL literal and of values whose type is not known yet. */
    public static final SqlType<Object> NULL = SqlType.of("NULL", Object.class, SqlType.Kind.NULL);

    /** {@code VARCHAR(length)}. */
    public static SqlType<String> varchar(int length) {
        return VARCHAR.withLength(length);
    }

    /** {@code NUMERIC(precision, scale)}. */
    public static SqlType<BigDecimal> numeric(int precision, int scale) {
        return NUMERIC.withPrecision(precision, scale);
    }

    private static final ClassValue<SqlType<?>> ENUM_TYPES = new ClassValue<>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        protected SqlType<?> computeValue(Class<?> type) {
            Class raw = type;
            return SqlType.converted(VARCHAR, raw, e -> ((Enum<?>) e).name(), s -> Enum.valueOf(raw, (String) s));
        }
    };

    /**
     * An enum stored as its name in a VARCHAR column. One instance per enum class, so equal
     * statements binding the same enum share a cache key.
     */
    @SuppressWarnings("unchecked")
    public static <E extends Enum<E>> SqlType<E> enumByName(Class<E> type) {
        return (SqlType<E>) ENUM_TYPES.get(type);
    }

    private static final ClassValue<SqlType<?>> JSON_TYPES = new ClassValue<>() {
        @Override
        protected SqlType<?> computeValue(Class<?> type) {
            return json(type, JsonCodec.defaultCodec());
        }
    };

    /**
     * A JSON document read and written as a {@code type} (a POJO, a record, {@code Map} or
     * {@code List} for a free-form document) through the {@linkplain JsonCodec#defaultCodec()
     * default codec}, stored in a JSON column (O15). The values are mutable: the ORM notices a
     * document changed in place. One instance per class, so statements share cache keys.
     */
    @SuppressWarnings("unchecked")
    public static <T> SqlType<T> json(Class<T> type) {
        return (SqlType<T>) JSON_TYPES.get(type);
    }

    /**
     * A JSON document as a {@code type} through {@code codec}. Each call makes a distinct type
     * (types with different codecs are different types): keep it in a constant.
     */
    public static <T> SqlType<T> json(Class<T> type, JsonCodec codec) {
        java.util.Objects.requireNonNull(codec, "codec");
        return SqlType.mutableConverted(JSON, type, codec::write, s -> codec.read(s, type));
    }

    /** An ARRAY of {@code element} (PostgreSQL and H2), read and bound as a Java array. */
    @SuppressWarnings("unchecked")
    public static <E> SqlType<E[]> arrayOf(SqlType<E> element) {
        Class<E[]> arrayClass = (Class<E[]>) java.lang.reflect.Array.newInstance(element.javaType(), 0).getClass();
        return new SqlType<>("ARRAY", arrayClass, SqlType.Kind.ARRAY, -1, -1, -1, element, null);
    }

    /**
     * The type a bound value gets when none is given. Refuses values that are never bindable
     * ({@code Class}, {@code Thread}, {@code Optional}, lambdas: bad-input row B11) with an
     * {@link ArgumentError}, before any SQL is built.
     */
    @SuppressWarnings("unchecked")
    public static <T> SqlType<T> infer(T value) {
        if (value == null) {
            return (SqlType<T>) NULL;
        }
        Class<?> c = value.getClass();
        SqlType<?> t;
        if (c == String.class) {
            t = VARCHAR;
        } else if (c == Integer.class) {
            t = INTEGER;
        } else if (c == Long.class) {
            t = BIGINT;
        } else if (c == Short.class) {
            t = SMALLINT;
        } else if (c == BigDecimal.class) {
            t = NUMERIC;
        } else if (c == Double.class) {
            t = DOUBLE;
        } else if (c == Float.class) {
            t = REAL;
        } else if (c == Boolean.class) {
            t = BOOLEAN;
        } else if (c == LocalDate.class) {
            t = DATE;
        } else if (c == LocalDateTime.class) {
            t = TIMESTAMP;
        } else if (c == LocalTime.class) {
            t = TIME;
        } else if (c == OffsetDateTime.class) {
            t = TIMESTAMP_TZ;
        } else if (c == Duration.class) {
            t = INTERVAL;
        } else if (c == UUID.class) {
            t = UUID_TYPE;
        } else if (c == byte[].class) {
            t = BINARY;
        } else if (value instanceof Enum) {
            t = ENUM_TYPES.get(((Enum<?>) value).getDeclaringClass());
        } else {
            throw new ArgumentError("Cannot bind a value of type " + c.getName()
                    + ": give the expression an explicit SqlType with a converter, or bind a supported type"
                    + " (String, numbers, Boolean, java.time, UUID, byte[], enums)");
        }
        return (SqlType<T>) t;
    }
}
