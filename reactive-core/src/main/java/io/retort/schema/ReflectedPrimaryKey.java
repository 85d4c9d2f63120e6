package io.retort.schema;

import java.util.List;

/**
 * A table's primary key.
 *
 * @param name    the constraint name ({@code PRIMARY} on MySQL/MariaDB), or null if the database has none
 *                (always on SQLite, which keeps no constraint names)
 * @param columns the key columns in key order; empty when the table has no primary key
 */
public record ReflectedPrimaryKey(String name, List<String> columns) {
    public ReflectedPrimaryKey {
        columns = List.copyOf(columns);
    }
}
