package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code (SELECT ...)} used as a value: a scalar subquery, or the right side of IN. */
public final class ScalarSubquery<T> extends Expression<T> {
    private final SelectBase select;

    ScalarSubquery(SelectBase select, SqlType<T> type) {
        super(type);
        this.select = select;
    }

    public SelectBase select() {
        return select;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitScalarSubquery(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("scalar");
        select.appendKey(key);
    }
}
