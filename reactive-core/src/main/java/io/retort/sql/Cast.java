package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * {@code CAST(expr AS type)}. In a columns clause it is labelled with the name of the expression
 * it casts, so {@code select(cast(t.x, VARCHAR))} yields a column named {@code x}
 * (seed 1.4 "CAST labeling").
 */
public final class Cast<T> extends Expression<T> {
    private final Expression<?> operand;

    Cast(Expression<?> operand, SqlType<T> type) {
        super(type);
        this.operand = operand;
    }

    public Expression<?> operand() {
        return operand;
    }

    @Override
    public String defaultLabel() {
        return operand.defaultLabel();
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitCast(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("cast", type());
        operand.appendKey(key);
    }
}
