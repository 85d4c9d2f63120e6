package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A database table: its name, optional schema, typed columns and DDL facts (keys, indexes,
 * constraints, comment). Declare one by subclassing, so columns are typed fields:
 *
 * <pre>{@code
 * public final class ArtistTable extends Table {
 *     public static final ArtistTable ARTIST = new ArtistTable();
 *     public final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, primaryKey());
 *     public final Column<String> name = column("name", SqlTypes.varchar(120));
 *     private ArtistTable() { super("artist"); }
 * }
 * }</pre>
 *
 * or build one at run time with {@link #builder}. Columns are defined only while the table is
 * constructed; afterwards it is immutable.
 */
public class Table extends FromClause {
    private final String schema;
    private final String name;
    private final List<Column<?>> columns = new ArrayList<>();
    private final List<Column<?>> columnsView = Collections.unmodifiableList(columns);
    private final List<Index> indexes = new ArrayList<>();
    private final List<Constraint> constraints = new ArrayList<>();
    private String comment;
    private final RefToken refToken;

    protected Table(String name) {
        this(null, name);
    }

    protected Table(String schema, String name) {
        this.schema = schema == null ? null : Identifiers.check(schema, "schema");
        this.name = Identifiers.check(name, "table");
        this.refToken = new RefToken(this.name, this.schema);
    }

    /** A builder for a table defined at run time. */
    public static Builder builder(String name) {
        return new Builder(null, name);
    }

    /** Defines a column; call only from the subclass constructor or field initialisers. */
    protected final <T> Column<T> column(String columnName, SqlType<T> type, ColumnOption... options) {
        ColumnSpec spec = ColumnSpec.PLAIN;
        for (ColumnOption o : options) {
            spec = o.applyTo(spec);
        }
        for (Column<?> existing : columns) {
            if (existing.name().equals(columnName)) {
                throw new ArgumentError("Table " + name + " already has a column '" + columnName + "'");
            }
        }
        Column<T> c = new Column<>(this, columnName, type, spec);
        columns.add(c);
        return c;
    }

    /** Declares an index ({@code CREATE [UNIQUE] INDEX name ON table (cols)}). */
    protected final Index index(String indexName, boolean unique, Column<?>... on) {
        Index idx = new Index(indexName, this, List.of(on), unique);
        indexes.add(idx);
        return idx;
    }

    /** Declares a table constraint (composite primary key, UNIQUE, CHECK, composite FOREIGN KEY). */
    protected final void constraint(Constraint constraint) {
        constraints.add(constraint);
    }

    /** Sets the table COMMENT (C10). */
    protected final void tableComment(String text) {
        this.comment = text;
    }

    public final String schema() {
        return schema;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<Column<?>> columns() {
        return columnsView;
    }

    public final List<Column<?>> primaryKeyColumns() {
        List<Column<?>> pk = new ArrayList<>();
        for (Column<?> c : columns) {
            if (c.spec().primaryKey()) {
                pk.add(c);
            }
        }
        for (Constraint k : constraints) {
            if (k.kind() == Constraint.Kind.PRIMARY_KEY) {
                pk.addAll(k.columns());
            }
        }
        return List.copyOf(pk);
    }

    public final List<Index> indexes() {
        return Collections.unmodifiableList(indexes);
    }

    public final List<Constraint> constraints() {
        return Collections.unmodifiableList(constraints);
    }

    /** The table COMMENT, or null. */
    public final String tableComment() {
        return comment;
    }

    /** {@code table AS alias}: the same table under another name, e.g. for self-joins. */
    public final TableAlias as(String alias) {
        return new TableAlias(this, alias);
    }

    @Override
    public final void accept(SqlVisitor visitor) {
        visitor.visitTable(this);
    }

    @Override
    final void appendRef(KeyBuilder key) {
        // One precomputed token for the three of the general form ("table", name, schema).
        key.add(refToken);
    }

    /** A table's identity in a cache key: its name and schema, compared by value. */
    private static final class RefToken extends KeyBuilder.Token {
        private final String name;
        private final String schema;

        RefToken(String name, String schema) {
            super(java.util.Objects.hash(name, schema));
            this.name = name;
            this.schema = schema;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof RefToken && o.hashCode() == hashCode()
                    && ((RefToken) o).name.equals(name) && java.util.Objects.equals(((RefToken) o).schema, schema));
        }

        @Override
        public String toString() {
            return "table " + (schema == null ? "" : schema + ".") + name;
        }
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }

    /** Builds a {@link Table} at run time. */
    public static final class Builder {
        private final Table table;

        Builder(String schema, String name) {
            this.table = new Table(schema, name);
        }

        /** A table in another schema: the schema is part of every statement's cache key (B17). */
        public Builder schema(String schema) {
            Builder b = new Builder(schema, table.name);
            if (!table.columns.isEmpty()) {
                throw new ArgumentError("Call schema() before adding columns");
            }
            return b;
        }

        public Builder column(String name, SqlType<?> type, ColumnOption... options) {
            table.column(name, type, options);
            return this;
        }

        public Builder index(String name, boolean unique, String... columns) {
            table.index(name, unique, Arrays.stream(columns).map(table::c).toArray(Column[]::new));
            return this;
        }

        public Builder constraint(Constraint c) {
            table.constraint(c);
            return this;
        }

        public Builder comment(String text) {
            table.tableComment(text);
            return this;
        }

        public Table build() {
            if (table.columns.isEmpty()) {
                throw new ArgumentError("Table " + table.name + " needs at least one column");
            }
            return table;
        }
    }
}
