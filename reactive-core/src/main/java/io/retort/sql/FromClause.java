package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/**
 * Something a SELECT can select FROM: a {@link Table}, a {@link TableAlias}, a {@link Subquery},
 * a {@link Cte} or a {@link Join}. A {@link Select} is deliberately not one: call
 * {@code select.subquery("name")} (seed 1.4 "SELECT is no longer a FROM").
 */
public abstract class FromClause extends Node {
    FromClause() {
    }

    /** The name that qualifies this element's columns ({@code alias.col}); null for a join. */
    public abstract String name();

    /** The columns this element exposes, in order. */
    public abstract List<Column<?>> columns();

    /** The column named {@code name}; an {@link ArgumentError} listing the columns if there is none. */
    public Column<?> c(String name) {
        for (Column<?> col : columns()) {
            if (col.name().equals(name)) {
                return col;
            }
        }
        throw new ArgumentError("No column '" + name + "' in " + describe() + "; columns are "
                + columns().stream().map(Column::name).toList());
    }

    /** The column named {@code name}, checked to have {@code type}'s Java type. */
    @SuppressWarnings("unchecked")
    public <T> Column<T> c(String name, SqlType<T> type) {
        Column<?> col = c(name);
        if (col.type().javaType() != type.javaType()) {
            throw new ArgumentError("Column " + col + " holds " + col.type().javaType().getSimpleName()
                    + ", not " + type.javaType().getSimpleName());
        }
        return (Column<T>) col;
    }

    /** This element's counterpart of {@code column} (same name), e.g. a table column seen through an alias. */
    @SuppressWarnings("unchecked")
    public <T> Column<T> col(Column<T> column) {
        return (Column<T>) c(column.name());
    }

    String describe() {
        return getClass().getSimpleName() + " " + name();
    }

    /** {@code this JOIN other ON on}. */
    public Join join(FromClause other, Expression<Boolean> on) {
        return new Join(this, other, on, Join.Type.INNER);
    }

    /** {@code this JOIN other}, the ON clause derived from the one foreign key linking them. */
    public Join join(FromClause other) {
        return new Join(this, other, Join.inferOn(this, other), Join.Type.INNER);
    }

    public Join leftJoin(FromClause other, Expression<Boolean> on) {
        return new Join(this, other, on, Join.Type.LEFT);
    }

    public Join leftJoin(FromClause other) {
        return new Join(this, other, Join.inferOn(this, other), Join.Type.LEFT);
    }

    public Join rightJoin(FromClause other, Expression<Boolean> on) {
        return new Join(this, other, on, Join.Type.RIGHT);
    }

    public Join fullJoin(FromClause other, Expression<Boolean> on) {
        return new Join(this, other, on, Join.Type.FULL);
    }

    public Join crossJoin(FromClause other) {
        return new Join(this, other, null, Join.Type.CROSS);
    }

    /** A SELECT cannot be joined: always an {@link ArgumentError} saying to call {@code subquery()}. */
    @Deprecated
    public Join join(SelectBase select, Expression<Boolean> on) {
        throw SelectBase.notAFrom();
    }

    /**
     * Appends a reference to this element from one of its columns: its name, and its body
     * the first time it is met in the traversal.
     */
    abstract void appendRef(KeyBuilder key);

    @Override
    public void appendKey(KeyBuilder key) {
        appendRef(key);
    }

    /** The leaf FROM elements (tables, aliases, subqueries) inside this one, for FROM linting. */
    List<FromClause> leaves() {
        return List.of(this);
    }
}
