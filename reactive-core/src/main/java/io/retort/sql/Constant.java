package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** A fixed SQL keyword value: NULL, TRUE, FALSE, or {@code *}. Rendered inline, part of the key. */
public final class Constant<T> extends Expression<T> {
    /** Which constant. */
    public enum Kind { NULL, TRUE, FALSE, STAR }

    private final Kind kind;

    Constant(Kind kind, SqlType<T> type) {
        super(type);
        this.kind = kind;
    }

    static <T> Constant<T> nullOf(SqlType<T> type) {
        return new Constant<>(Kind.NULL, type);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitConstant(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add(kind);
        if (kind == Kind.NULL) {
            key.add(type()); // select(nullValue(INTEGER)) and nullValue(VARCHAR) read differently
        }
    }
}
