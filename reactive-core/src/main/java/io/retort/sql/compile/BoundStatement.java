package io.retort.sql.compile;

import java.util.Arrays;

/**
 * SQL ready for a driver: the text with the driver's placeholders and the values in placeholder
 * order (already converted to their storage types). {@code types} gives each value's Java class,
 * so a null can be bound with {@code bindNull(i, type)}.
 *
 * @param sql    the SQL text
 * @param values the parameter values, index i for placeholder i+1
 * @param types  the Java class of each parameter
 */
public record BoundStatement(String sql, Object[] values, Class<?>[] types) {
    @Override
    public String toString() {
        return sql + " " + Arrays.toString(values);
    }
}
