package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** The value an upsert tried to insert for a column: {@code excluded.x} / {@code VALUES(x)} (D1, D2). */
public final class InsertedValue<T> extends Expression<T> {
    private final Column<T> column;

    InsertedValue(Column<T> column) {
        super(column.type());
        this.column = column;
    }

    public Column<T> column() {
        return column;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitInsertedValue(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("inserted", column.name());
    }
}
