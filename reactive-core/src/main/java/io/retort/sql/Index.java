package io.retort.sql;

import java.util.List;

/**
 * An index of a table; rendered by {@link Sql#createIndex}.
 *
 * @param name    index name
 * @param table   indexed table
 * @param columns indexed columns, in order
 * @param unique  UNIQUE index
 */
public record Index(String name, Table table, List<Column<?>> columns, boolean unique) {
    public Index {
        Identifiers.check(name, "index");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new io.retort.error.ArgumentError("Index " + name + " needs at least one column");
        }
    }
}
