package io.retort.schema;

import java.util.List;
import java.util.Optional;

/**
 * Everything {@link Inspector} knows about one table, read in one go by {@link Inspector#table}.
 *
 * @param name        the table name
 * @param comment     the table comment, or null (always on SQLite, which keeps no comments)
 * @param columns     the columns in table order
 * @param primaryKey  the primary key (empty columns when there is none)
 * @param foreignKeys the foreign keys, ordered by name (on SQLite, unnamed, in declaration order)
 * @param indexes     the indexes other than the primary key's, ordered by name
 */
public record ReflectedTable(String name, String comment, List<ReflectedColumn> columns,
                             ReflectedPrimaryKey primaryKey, List<ReflectedForeignKey> foreignKeys,
                             List<ReflectedIndex> indexes) {
    public ReflectedTable {
        columns = List.copyOf(columns);
        foreignKeys = List.copyOf(foreignKeys);
        indexes = List.copyOf(indexes);
    }

    /** The column named {@code name}, if the table has one. */
    public Optional<ReflectedColumn> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
