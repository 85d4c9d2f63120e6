package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/** {@code (a, b)}: a row value, e.g. the left side of a composite-key IN (C4). */
public final class Tuple extends Expression<Object[]> {
    private final List<Expression<?>> elements;

    Tuple(List<Expression<?>> elements) {
        super(SqlType.of("TUPLE", Object[].class, SqlType.Kind.OTHER));
        this.elements = List.copyOf(elements);
    }

    public List<Expression<?>> elements() {
        return elements;
    }

    /** Composite IN: {@code (a, b) IN ((1, 2), (3, 4))}, one bind per element. */
    public Expression<Boolean> in(List<Object[]> rows) {
        return inRows(rows, false);
    }

    public Expression<Boolean> notIn(List<Object[]> rows) {
        return inRows(rows, true);
    }

    private Expression<Boolean> inRows(List<Object[]> rows, boolean negated) {
        java.util.List<Object> values = new java.util.ArrayList<>(rows.size());
        for (Object[] row : rows) {
            if (row.length != elements.size()) {
                throw new io.retort.error.ArgumentError("Tuple IN needs rows of " + elements.size()
                        + " values, got one of " + row.length);
            }
            Object[] checked = new Object[row.length];
            for (int i = 0; i < row.length; i++) {
                checked[i] = elements.get(i).type().checkBindValue(row[i]);
            }
            values.add(checked);
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        BindParam<?> list = BindParam.expanding((SqlType) type(), Collections0.unmodifiable(values));
        return new InExpression(this, list, negated);
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitTuple(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("tuple", elements.size());
        for (Expression<?> e : elements) {
            e.appendKey(key);
        }
    }
}
