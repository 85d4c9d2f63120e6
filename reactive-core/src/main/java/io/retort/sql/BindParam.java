package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * A bound parameter: its value travels beside the SQL, never inside it. The key holds only the
 * type and flags; the value goes to the key's value list (C2). An <em>expanding</em> bind
 * holds a list for IN and is expanded after the cache (C4); a <em>literal-execute</em> bind is
 * rendered inline at execution for places a backend cannot bind, keeping the statement
 * cacheable (C16).
 *
 * @param <T> the value's Java type (a {@code List} for an expanding bind)
 */
public final class BindParam<T> extends Expression<T> {
    private final T value;
    private final String name;
    private final boolean literalExecute;
    private final SqlType<?> elementType;

    BindParam(SqlType<T> type, T value, String name, boolean literalExecute) {
        this(type, value, name, literalExecute, null);
    }

    private BindParam(SqlType<T> type, T value, String name, boolean literalExecute, SqlType<?> elementType) {
        super(type);
        this.value = value;
        this.name = name;
        this.literalExecute = literalExecute;
        this.elementType = elementType;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <E> BindParam<java.util.List<E>> expanding(SqlType<E> elementType, java.util.List<E> values) {
        return new BindParam(SqlTypes.NULL, values, null, false, elementType);
    }

    public T value() {
        return value;
    }

    /** The name of a named parameter ({@code :name} in a text fragment, C3 templates); null if anonymous. */
    public String name() {
        return name;
    }

    public boolean isLiteralExecute() {
        return literalExecute;
    }

    /** True for an IN list bind, expanded into one placeholder per element at execution. */
    public boolean isExpanding() {
        return elementType != null;
    }

    /** The element type of an expanding bind, or null. */
    public SqlType<?> elementType() {
        return elementType;
    }

    /** The same bind rendered inline at execution (C16). */
    public BindParam<T> literalExecute() {
        return new BindParam<>(type(), value, name, true, elementType);
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitBindParam(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        if (!isExpanding() && !literalExecute && name == null) {
            // The common case in one shared token (the run "bind", type below).
            key.add(KeyTokens.bind(type()));
            key.value(this, value);
            return;
        }
        key.add(isExpanding() ? "bind[]" : "bind", isExpanding() ? elementType : type());
        if (literalExecute) {
            key.add("literal-execute");
        }
        if (name != null) {
            key.add(name);
        }
        key.value(this, value);
    }
}
