package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** A prefix operator ({@code NOT x}, {@code -x}) or a postfix one ({@code x IS TRUE}). */
public final class UnaryExpression<T> extends Expression<T> {
    private final String operator;
    private final Expression<?> operand;
    private final boolean postfix;

    UnaryExpression(String operator, Expression<?> operand, SqlType<T> type, boolean postfix) {
        super(type);
        this.operator = operator;
        this.operand = operand;
        this.postfix = postfix;
    }

    public String operator() {
        return operator;
    }

    public Expression<?> operand() {
        return operand;
    }

    public boolean isPostfix() {
        return postfix;
    }

    @Override
    int precedence() {
        return operator.startsWith("NOT") ? Operator.NOT_LEVEL : Operator.UNARY_LEVEL;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitUnary(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("unary", operator);
        key.add(postfix);
        operand.appendKey(key);
    }
}
