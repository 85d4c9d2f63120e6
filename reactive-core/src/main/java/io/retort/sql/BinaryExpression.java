package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code left <op> right}, typed by the operator (comparisons are boolean, arithmetic promotes). */
public final class BinaryExpression<T> extends Expression<T> {
    private final Expression<?> left;
    private final Operator operator;
    private final Expression<?> right;

    BinaryExpression(Expression<?> left, Operator operator, Expression<?> right, SqlType<T> type) {
        super(type);
        this.left = left;
        this.operator = operator;
        this.right = right;
    }

    public Expression<?> left() {
        return left;
    }

    public Operator operator() {
        return operator;
    }

    public Expression<?> right() {
        return right;
    }

    @Override
    int precedence() {
        return operator.precedence();
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitBinary(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        // Operator.equals ignores associativity, which decides parentheses (a + (b + c)); the type
        // of a custom operator's result is the read type of a result column.
        key.add(KeyTokens.bin(operator, type()));
        left.appendKey(key);
        right.appendKey(key);
    }
}
