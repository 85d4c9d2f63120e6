package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * A value rendered inline into the SQL text (escaped by the dialect's literal renderer, or
 * refused when it cannot be rendered safely). Because it changes the SQL text, its value is
 * part of the cache key. Prefer bound values; use this for constants in DDL and the like.
 */
public final class Literal<T> extends Expression<T> {
    private final T value;

    Literal(SqlType<T> type, T value) {
        super(type);
        this.value = value;
    }

    public T value() {
        return value;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitLiteral(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("literal", type()).add(value instanceof byte[] ? new String((byte[]) value, java.nio.charset.StandardCharsets.ISO_8859_1) : value);
    }
}
