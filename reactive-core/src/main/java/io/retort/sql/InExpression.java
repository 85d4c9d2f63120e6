package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * {@code x IN (...)} / {@code x NOT IN (...)} over an expanding bind (one placeholder per element
 * after the cache, or one array on PostgreSQL, C5), a subquery, or a tuple list.
 */
public final class InExpression extends Expression<Boolean> {
    private final Expression<?> left;
    private final Expression<?> right;
    private final boolean negated;

    InExpression(Expression<?> left, Expression<?> right, boolean negated) {
        super(SqlTypes.BOOLEAN);
        this.left = left;
        this.right = right;
        this.negated = negated;
    }

    public Expression<?> left() {
        return left;
    }

    /** An expanding {@link BindParam} or a {@link ScalarSubquery}. */
    public Expression<?> right() {
        return right;
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
        visitor.visitIn(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add(negated ? "not-in" : "in");
        left.appendKey(key);
        right.appendKey(key);
    }
}
