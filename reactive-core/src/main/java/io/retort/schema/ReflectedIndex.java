package io.retort.schema;

import java.util.List;

/**
 * An index of a table (the primary key's own index is not reported). Databases differ in which
 * indexes they create implicitly: a UNIQUE constraint is backed by a unique index everywhere, and
 * MariaDB and H2 also index foreign key columns; those implicit indexes are reported too.
 *
 * @param name    the index name (SQLite names a UNIQUE constraint's index
 *                {@code sqlite_autoindex_<table>_<n>}, whatever the constraint was called)
 * @param columns the indexed columns in order (expression parts are left out)
 * @param unique  whether it is a UNIQUE index
 */
public record ReflectedIndex(String name, List<String> columns, boolean unique) {
    public ReflectedIndex {
        columns = List.copyOf(columns);
    }
}
