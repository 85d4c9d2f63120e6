package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.Objects;
import java.util.function.Function;

/**
 * A SQL data type bound to the Java type its values have in Retort: the compiler uses it to
 * render DDL and casts, the engine to bind and read values, and operators to type their
 * results (so {@code price * 2} stays {@code BigDecimal} and {@code ratio * 2} stays
 * {@code Double}, C11). Instances are immutable and compared by value, so a type can be part
 * of a cache key.
 *
 * <p>Standard instances live in {@link SqlTypes}; {@link #converted} builds a user type that
 * stores values through a base type (the counterpart of SQLAlchemy's TypeDecorator).
 *
 * @param <T> the Java type of the values
 */
public final class SqlType<T> {

    /** The family a type belongs to; drives arithmetic typing, literal rendering and DDL. */
    public enum Kind {
        INTEGER, DECIMAL, FLOAT, STRING, BOOLEAN, DATE, TIME, TIMESTAMP, TIMESTAMP_TZ,
        INTERVAL, UUID, JSON, BINARY, ENUM, ARRAY, NULL, OTHER
    }

    private final String name;
    private final Class<T> javaType;
    private final Kind kind;
    private final int length;
    private final int precision;
    private final int scale;
    private final SqlType<?> element;
    private final Converter<T, ?> converter;
    /** Cached: every cache key hashes the types of its binds and operators. */
    private final int hash;
    /** The cache-key token of a plain bind of this type ({@link KeyTokens#bind}); a racy memo of an immutable token. */
    KeyTokens.Bind bindToken;

    SqlType(String name, Class<T> javaType, Kind kind, int length, int precision, int scale,
            SqlType<?> element, Converter<T, ?> converter) {
        this.name = Objects.requireNonNull(name, "name");
        this.javaType = Objects.requireNonNull(javaType, "javaType");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.length = length;
        this.precision = precision;
        this.scale = scale;
        this.element = element;
        this.converter = converter;
        this.hash = (name.hashCode() * 31 + javaType.hashCode()) * 31 + length * 7 + precision * 3 + scale;
    }

    static <T> SqlType<T> of(String name, Class<T> javaType, Kind kind) {
        return new SqlType<>(name, javaType, kind, -1, -1, -1, null, null);
    }

    /**
     * A database-specific type such as PostgreSQL's {@code JSONB}: {@code name} is the DDL name,
     * {@code kind} the family it behaves like.
     */
    public static <T> SqlType<T> custom(String name, Class<T> javaType, Kind kind) {
        if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_ ()]*")) {
            throw new ArgumentError("A type name is letters, digits, spaces and parentheses, got: " + name);
        }
        return of(name, javaType, kind);
    }

    /** The generic SQL name ({@code VARCHAR}, {@code NUMERIC}); dialects map it for DDL. */
    public String name() {
        return name;
    }

    /** The Java class of values of this type. */
    public Class<T> javaType() {
        return javaType;
    }

    public Kind kind() {
        return kind;
    }

    /** Declared length (VARCHAR(n)), or -1. */
    public int length() {
        return length;
    }

    /** Declared precision (NUMERIC(p, s)), or -1. */
    public int precision() {
        return precision;
    }

    /** Declared scale (NUMERIC(p, s)), or -1. */
    public int scale() {
        return scale;
    }

    /** The element type of an ARRAY type, or null. */
    public SqlType<?> elementType() {
        return element;
    }

    /** The converter of a user-defined type, or null for a built-in type. */
    public Converter<T, ?> converter() {
        return converter;
    }

    /**
     * The type values are stored as: this type, or for a {@linkplain #converted converted} type its
     * storage type, sized by this type's own length or precision when one was given with
     * {@link #withLength}/{@link #withPrecision} (so {@code enumByName(E.class).withLength(10)} is
     * stored as {@code VARCHAR(10)}; before, the size was dropped and MySQL refused the DDL).
     */
    public SqlType<?> storageType() {
        if (converter == null) {
            return this;
        }
        SqlType<?> s = converter.storage();
        if (length > 0 && length != s.length()) {
            s = s.withLength(length);
        }
        if (precision > 0 && (precision != s.precision() || scale != s.scale())) {
            s = s.withPrecision(precision, scale);
        }
        return s;
    }

    /** This type with a length, for {@code VARCHAR(n)} and {@code VARBINARY(n)}. */
    public SqlType<T> withLength(int newLength) {
        if (newLength <= 0) {
            throw new ArgumentError("A type length must be positive, got " + newLength);
        }
        return new SqlType<>(name, javaType, kind, newLength, precision, scale, element, converter);
    }

    /** This type with precision and scale, for {@code NUMERIC(p, s)}. */
    public SqlType<T> withPrecision(int newPrecision, int newScale) {
        if (newPrecision <= 0 || newScale < 0 || newScale > newPrecision) {
            throw new ArgumentError("NUMERIC precision/scale must satisfy 0 <= scale <= precision and precision > 0, got ("
                    + newPrecision + ", " + newScale + ")");
        }
        return new SqlType<>(name, javaType, kind, length, newPrecision, newScale, element, converter);
    }

    /** True for INTEGER, DECIMAL and FLOAT kinds. */
    public boolean isNumeric() {
        return kind == Kind.INTEGER || kind == Kind.DECIMAL || kind == Kind.FLOAT;
    }

    /**
     * The type of {@code this <op> other} for arithmetic: FLOAT wins over DECIMAL, which wins over
     * INTEGER, so a float expression is never silently read back as a BigDecimal (C11, seed
     * "Stronger typing added to float datatypes"). Non-numeric operands keep the left type.
     */
    public SqlType<?> arithmeticWith(SqlType<?> other) {
        if (!isNumeric() || !other.isNumeric()) {
            return kind == Kind.NULL ? other : this;
        }
        return rank(other.kind) > rank(kind) ? other.base() : base();
    }

    private static int rank(Kind k) {
        switch (k) {
            case FLOAT: return 3;
            case DECIMAL: return 2;
            default: return 1;
        }
    }

    private SqlType<?> base() {
        return converter == null ? this : converter.storage();
    }

    /**
     * Validates and normalises a value bound to this type. Boolean is strict (C11): true, false,
     * null, or the integers 0 and 1; anything else is an {@link ArgumentError}.
     */
    public Object checkBindValue(Object value) {
        if (value == null) {
            return null;
        }
        if (kind == Kind.BOOLEAN && converter == null) {
            if (value instanceof Boolean) {
                return value;
            }
            if (value instanceof Number) {
                long v = ((Number) value).longValue();
                if ((v == 0 || v == 1) && ((Number) value).doubleValue() == v) {
                    return v == 1;
                }
            }
            throw new ArgumentError("Value " + describe(value) + " is not a boolean: a BOOLEAN accepts true, false, null, 0 or 1");
        }
        return value;
    }

    /**
     * A bound value in the form the database stores: the converter applied (after checking the
     * value is a {@code T}), or the value itself for a type without a converter.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object toStorage(Object value) {
        if (value == null || converter == null) {
            return value;
        }
        if (!javaType.isInstance(value)) {
            throw new ArgumentError("Expected a " + javaType.getName() + " for " + this + ", got " + value.getClass().getName());
        }
        return ((Converter) converter).toDatabase(value);
    }

    private static String describe(Object value) {
        return value.getClass().getSimpleName() + " '" + value + "'";
    }

    /**
     * A user-defined type storing {@code U} values through {@code storage} (an enum as a string,
     * a value object as JSON): the TypeDecorator counterpart of C11.
     */
    public static <U, S> SqlType<U> converted(SqlType<S> storage, Class<U> javaType,
                                              Function<? super U, ? extends S> toDatabase,
                                              Function<? super S, ? extends U> fromDatabase) {
        Converter<U, S> c = new Converter<>(storage, toDatabase, fromDatabase);
        return new SqlType<>(storage.name, javaType, storage.kind, storage.length, storage.precision,
                storage.scale, storage.element, c);
    }

    /**
     * Like {@link #converted}, for a Java type whose values are mutable objects (a JSON document
     * as a POJO or a Map, O15): the ORM snapshots such a value by its stored form, so a change
     * made in place is a change at the next flush. A copy is {@code fromDatabase(toDatabase(v))},
     * and two values are equal when their stored forms are; the functions must round-trip.
     */
    public static <U, S> SqlType<U> mutableConverted(SqlType<S> storage, Class<U> javaType,
                                                     Function<? super U, ? extends S> toDatabase,
                                                     Function<? super S, ? extends U> fromDatabase) {
        Converter<U, S> c = new Converter<>(storage, toDatabase, fromDatabase, true);
        return new SqlType<>(storage.name, javaType, storage.kind, storage.length, storage.precision,
                storage.scale, storage.element, c);
    }

    /**
     * Whether values of this type can change in place (O15): arrays (including {@code byte[]}),
     * collections and maps, and {@linkplain #mutableConverted mutable converted} types. The ORM
     * keeps a {@linkplain #copyValue copy} of such a value as its snapshot and compares by
     * {@linkplain #compareValues content}.
     */
    public boolean isMutable() {
        return converter != null && converter.mutable || MutableValues.isMutableClass(javaType);
    }

    /**
     * A copy of {@code value} that shares no mutable state with it: the value itself for an
     * immutable type; a deep copy of an array, collection or map; for a mutable converted type,
     * the value read back from its stored form (the counterpart of SQLAlchemy's
     * {@code TypeEngine.copy_value}).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object copyValue(Object value) {
        if (value == null) {
            return null;
        }
        if (converter != null && converter.mutable) {
            Converter c = converter;
            return c.fromDatabase(c.toDatabase(value));
        }
        return MutableValues.copy(value);
    }

    /**
     * Whether two values of this type are equal by content (SQLAlchemy's
     * {@code TypeEngine.compare_values}): arrays element by element, a mutable converted type by
     * its stored form, BigDecimal by {@code compareTo} (1.0 equals 1.00), else {@code equals}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public boolean compareValues(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (converter != null && converter.mutable) {
            Converter c = converter;
            return MutableValues.equal(c.toDatabase(a), c.toDatabase(b));
        }
        return MutableValues.equal(a, b);
    }

    /**
     * Conversion between a user type and its storage type. Compared by identity of the
     * functions, so two converted types are equal only when they share their converter.
     */
    public static final class Converter<U, S> {
        private final SqlType<S> storage;
        private final Function<? super U, ? extends S> toDatabase;
        private final Function<? super S, ? extends U> fromDatabase;
        /** Values are mutable objects, copied and compared through their stored form (O15). */
        final boolean mutable;

        Converter(SqlType<S> storage, Function<? super U, ? extends S> toDatabase,
                  Function<? super S, ? extends U> fromDatabase) {
            this(storage, toDatabase, fromDatabase, false);
        }

        Converter(SqlType<S> storage, Function<? super U, ? extends S> toDatabase,
                  Function<? super S, ? extends U> fromDatabase, boolean mutable) {
            this.storage = storage;
            this.toDatabase = toDatabase;
            this.fromDatabase = fromDatabase;
            this.mutable = mutable;
        }

        public SqlType<S> storage() {
            return storage;
        }

        public S toDatabase(U value) {
            return value == null ? null : toDatabase.apply(value);
        }

        public U fromDatabase(S value) {
            return value == null ? null : fromDatabase.apply(value);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SqlType)) {
            return false;
        }
        SqlType<?> t = (SqlType<?>) o;
        return length == t.length && precision == t.precision && scale == t.scale
                && name.equals(t.name) && javaType == t.javaType && kind == t.kind
                && Objects.equals(element, t.element) && converter == t.converter;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        if (length > 0) {
            sb.append('(').append(length).append(')');
        } else if (precision > 0) {
            sb.append('(').append(precision).append(", ").append(scale).append(')');
        }
        if (element != null) {
            sb.append('<').append(element).append('>');
        }
        return sb.toString();
    }
}
