package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * {@code column = value} in an UPDATE SET list or an upsert's update list.
 *
 * @param column the target column
 * @param value  the new value (a bound parameter for plain Java values)
 */
public record Assignment(Column<?> column, Expression<?> value) {
    void appendKey(KeyBuilder key) {
        key.add("set", column.name());
        value.appendKey(key);
    }

    static <T> Assignment of(Column<T> column, Object value) {
        if (value instanceof Expression) {
            return new Assignment(column, (Expression<?>) value);
        }
        @SuppressWarnings("unchecked")
        T v = (T) column.requireValue(value);
        return new Assignment(column, column.bind(v));
    }
}
