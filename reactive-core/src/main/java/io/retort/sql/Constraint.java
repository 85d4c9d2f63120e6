package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.List;

/**
 * A table constraint: composite PRIMARY KEY, UNIQUE, CHECK (trusted SQL text) or FOREIGN KEY.
 *
 * @param kind          which constraint
 * @param name          constraint name, or null to let the database name it
 * @param columns       constrained columns (empty for CHECK)
 * @param check         the CHECK condition as SQL text, or null
 * @param targetTable   FOREIGN KEY target table, or null
 * @param targetColumns FOREIGN KEY target column names
 * @param onDelete      FOREIGN KEY ON DELETE action, or null
 */
public record Constraint(Kind kind, String name, List<Column<?>> columns, String check, Table targetTable,
                         List<String> targetColumns, String onDelete) {
    /** The constraint kinds. */
    public enum Kind { PRIMARY_KEY, UNIQUE, CHECK, FOREIGN_KEY }

    public Constraint {
        columns = List.copyOf(columns);
        targetColumns = targetColumns == null ? List.of() : List.copyOf(targetColumns);
        if (name != null) {
            Identifiers.check(name, "constraint");
        }
    }

    public static Constraint primaryKey(Column<?>... columns) {
        return new Constraint(Kind.PRIMARY_KEY, null, List.of(columns), null, null, null, null);
    }

    public static Constraint unique(String name, Column<?>... columns) {
        return new Constraint(Kind.UNIQUE, name, List.of(columns), null, null, null, null);
    }

    public static Constraint check(String name, String sql) {
        if (sql == null || sql.contains(";")) {
            throw new ArgumentError("A CHECK constraint is one SQL condition without ';'");
        }
        return new Constraint(Kind.CHECK, name, List.of(), sql, null, null, null);
    }

    public static Constraint foreignKey(String name, List<Column<?>> columns, Table target, List<String> targetColumns,
                                        String onDelete) {
        if (columns.size() != targetColumns.size()) {
            throw new ArgumentError("Foreign key " + name + " has " + columns.size() + " columns but references "
                    + targetColumns.size());
        }
        return new Constraint(Kind.FOREIGN_KEY, name, columns, null, target, targetColumns, onDelete);
    }
}
