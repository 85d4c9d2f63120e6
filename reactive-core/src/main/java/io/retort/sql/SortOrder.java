package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** An ORDER BY element: expression, direction and NULLS placement. */
public final class SortOrder implements OrderByElement {
    /** Where NULLs sort. */
    public enum Nulls { DEFAULT, FIRST, LAST }

    private final Expression<?> expression;
    private final boolean descending;
    private final Nulls nulls;

    SortOrder(Expression<?> expression, boolean descending, Nulls nulls) {
        this.expression = expression;
        this.descending = descending;
        this.nulls = nulls;
    }

    public Expression<?> expression() {
        return expression;
    }

    public boolean isDescending() {
        return descending;
    }

    public Nulls nulls() {
        return nulls;
    }

    public SortOrder nullsFirst() {
        return new SortOrder(expression, descending, Nulls.FIRST);
    }

    public SortOrder nullsLast() {
        return new SortOrder(expression, descending, Nulls.LAST);
    }

    @Override
    public SortOrder toSortOrder() {
        return this;
    }

    void appendKey(KeyBuilder key) {
        key.add(KeyTokens.Sort.of(descending, nulls));
        expression.appendKey(key);
    }
}
