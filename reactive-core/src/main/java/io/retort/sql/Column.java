package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * A typed column of a table, an alias, a subquery or a CTE. Columns are expressions, so every
 * operator of {@link Expression} applies: {@code ARTIST.name.eq("AC/DC")}.
 *
 * @param <T> the Java type of the column's values
 */
public final class Column<T> extends Expression<T> {
    private final FromClause from;
    private final String name;
    private final ColumnSpec spec;

    Column(FromClause from, String name, SqlType<T> type, ColumnSpec spec) {
        super(type);
        this.from = from;
        this.name = Identifiers.check(name, "column");
        this.spec = spec;
    }

    /** The FROM element this column belongs to; null for a free-standing {@link Sql#column}. */
    public FromClause from() {
        return from;
    }

    public String name() {
        return name;
    }

    /** DDL facts (primary key, nullability, defaults, comment, foreign key). */
    public ColumnSpec spec() {
        return spec;
    }

    /** The table this column was declared on when it belongs to a table or a table alias, else null. */
    public Table table() {
        if (from instanceof Table) {
            return (Table) from;
        }
        if (from instanceof TableAlias) {
            return ((TableAlias) from).table();
        }
        return null;
    }

    /** A reference to {@code excluded.col} (PostgreSQL) or {@code VALUES(col)} (MySQL) in an upsert. */
    public Expression<T> inserted() {
        return new InsertedValue<>(this);
    }

    @Override
    public String defaultLabel() {
        return name;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitColumn(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("col", name).add(type());
        if (from != null) {
            from.appendRef(key);
        }
    }

    @Override
    public String toString() {
        return from == null ? name : from.name() + "." + name;
    }
}
