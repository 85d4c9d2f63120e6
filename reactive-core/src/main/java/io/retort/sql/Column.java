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
    /** The cache-key token of a table's column, built once (see {@link #appendKey}); null otherwise. */
    private final KeyToken keyToken;

    Column(FromClause from, String name, SqlType<T> type, ColumnSpec spec) {
        super(type);
        this.from = from;
        this.name = Identifiers.check(name, "column");
        this.spec = spec;
        this.keyToken = from instanceof Table ? new KeyToken(this.name, type, (Table) from) : null;
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
        if (keyToken != null) {
            // A table's column keys the same wherever it appears: one precomputed token instead of
            // the six the general form below adds for it ("col", name, type, "table", name, schema).
            key.add(keyToken);
            return;
        }
        key.add("col", name).add(type());
        if (from != null) {
            from.appendRef(key);
        }
    }

    /**
     * A table column's structural identity in a cache key: its name and type and its table's name
     * and schema (what the six tokens of the general form carry), compared by value so equal
     * tables declared twice still share cache entries. Hash computed once.
     */
    private static final class KeyToken extends KeyBuilder.Token {
        private final String name;
        private final SqlType<?> type;
        private final String table;
        private final String schema;

        KeyToken(String name, SqlType<?> type, Table table) {
            super(java.util.Objects.hash(name, type, table.name(), table.schema()));
            this.name = name;
            this.type = type;
            this.table = table.name();
            this.schema = table.schema();
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof KeyToken)) {
                return false;
            }
            KeyToken k = (KeyToken) o;
            return hashCode() == k.hashCode() && name.equals(k.name) && type.equals(k.type) && table.equals(k.table)
                    && java.util.Objects.equals(schema, k.schema);
        }

        @Override
        public String toString() {
            return "col " + (schema == null ? "" : schema + ".") + table + "." + name + " " + type;
        }
    }

    @Override
    public String toString() {
        return from == null ? name : from.name() + "." + name;
    }

    /**
     * {@code value} checked to be a value of this column (a SQL expression aside): the column's
     * Java type, or anything its converter or the strict boolean rule will judge; otherwise an
     * {@link io.retort.error.ArgumentError} naming the column.
     */
    public Object requireValue(Object value) {
        if (value != null && type().converter() == null && !type().javaType().isInstance(value)
                && type().kind() != SqlType.Kind.BOOLEAN) {
            throw new io.retort.error.ArgumentError("Column " + this + " holds " + type().javaType().getSimpleName()
                    + " values; got " + value.getClass().getSimpleName() + " '" + value + "'");
        }
        return value;
    }
}
