package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code x BETWEEN low AND high}. */
public final class Between extends Expression<Boolean> {
    private final Expression<?> operand;
    private final Expression<?> low;
    private final Expression<?> high;
    private final boolean negated;

    Between(Expression<?> operand, Expression<?> low, Expression<?> high, boolean negated) {
        super(SqlTypes.BOOLEAN);
        this.operand = operand;
        this.low = low;
        this.high = high;
        this.negated = negated;
    }

    public Expression<?> operand() {
        return operand;
    }

    public Expression<?> low() {
        return low;
    }

    public Expression<?> high() {
        return high;
    }

    public boolean isNegated() {
        return negated;
    }

    @Override
    int precedence() {
        return Operator.COMPARISON_LEVEL;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitBetween(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add(negated ? "not-between" : "between");
        operand.appendKey(key);
        low.appendKey(key);
        high.appendKey(key);
    }
}
