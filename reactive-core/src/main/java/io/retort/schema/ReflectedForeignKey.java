package io.retort.schema;

import java.util.List;

/**
 * A foreign key of a table.
 *
 * @param name             the constraint name, or null where the database keeps none (SQLite)
 * @param columns          the referencing columns, in key order
 * @param referredSchema   the schema (database on MySQL/MariaDB) of the referenced table, or null
 *                         when it is the connection's current one
 * @param referredTable    the referenced table
 * @param referredColumns  the referenced columns, matching {@code columns} position by position
 *                         (a SQLite key declared without them refers to the referenced table's
 *                         primary key, whose columns are given; empty if that table does not exist)
 * @param onDelete         the ON DELETE action ({@code CASCADE}, {@code SET NULL}, {@code SET DEFAULT},
 *                         {@code RESTRICT}), or null for the default (NO ACTION; MySQL, MariaDB and H2
 *                         report that default as RESTRICT, so an explicit RESTRICT reads as null there)
 * @param onUpdate         the ON UPDATE action, or null for the default
 */
public record ReflectedForeignKey(String name, List<String> columns, String referredSchema, String referredTable,
                                  List<String> referredColumns, String onDelete, String onUpdate) {
    public ReflectedForeignKey {
        columns = List.copyOf(columns);
        referredColumns = List.copyOf(referredColumns);
    }
}
