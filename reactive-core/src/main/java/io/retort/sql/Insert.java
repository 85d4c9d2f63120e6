package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable INSERT: one row ({@link #set}), several rows in one multi-row VALUES
 * ({@link #values(List)}), or {@code INSERT ... SELECT}; optionally RETURNING and an upsert
 * clause (PostgreSQL/H2 {@code ON CONFLICT}, MySQL/MariaDB {@code ON DUPLICATE KEY UPDATE}).
 *
 * <pre>{@code
 * insert(ARTIST).set(ARTIST.name, "Nightwish").returning(ARTIST.artistId)
 * // PostgreSQL: INSERT INTO artist (name) VALUES ($1) RETURNING artist.artist_id
 * }</pre>
 */
public final class Insert extends Node implements Statement {
    private final Table table;
    private final List<Column<?>> columns;
    private final List<List<Expression<?>>> rows;
    private final SelectBase fromSelect;
    private final List<Expression<?>> returning;
    private final OnConflict onConflict;
    private final List<Assignment> onDuplicateKeyUpdate;

    Insert(Table table) {
        this(table, List.of(), List.of(), null, List.of(), null, List.of());
    }

    private Insert(Table table, List<Column<?>> columns, List<List<Expression<?>>> rows, SelectBase fromSelect,
                   List<Expression<?>> returning, OnConflict onConflict, List<Assignment> onDuplicateKeyUpdate) {
        this.table = table;
        this.columns = columns;
        this.rows = rows;
        this.fromSelect = fromSelect;
        this.returning = returning;
        this.onConflict = onConflict;
        this.onDuplicateKeyUpdate = onDuplicateKeyUpdate;
    }

    /** Sets one column of the single row. */
    public <T> Insert set(Column<T> column, T value) {
        return setValue(column, value);
    }

    /** Sets one column of the single row to an expression. */
    public <T> Insert set(Column<T> column, Expression<? extends T> value) {
        return setValue(column, value);
    }

    private Insert setValue(Column<?> column, Object value) {
        checkOwn(column);
        if (rows.size() > 1 || fromSelect != null) {
            throw new ArgumentError("set() builds a single-row INSERT; this one already has " + rows.size() + " rows");
        }
        List<Column<?>> cols = new ArrayList<>(columns);
        List<Expression<?>> row = rows.isEmpty() ? new ArrayList<>() : new ArrayList<>(rows.get(0));
        int i = cols.indexOf(column);
        Expression<?> e = Assignment.of(column, value).value();
        if (i >= 0) {
            row.set(i, e);
        } else {
            cols.add(column);
            row.add(e);
        }
        return new Insert(table, List.copyOf(cols), List.of(List.copyOf(row)), null, returning, onConflict,
                onDuplicateKeyUpdate);
    }

    /** A single row from a column → value map. */
    public Insert values(Map<? extends Column<?>, ?> row) {
        return values(List.of(row));
    }

    /**
     * Several rows in one multi-row VALUES statement; every row must set the same columns (for
     * many parameter sets of one statement, use the engine's executemany instead).
     */
    public Insert values(List<? extends Map<? extends Column<?>, ?>> newRows) {
        if (newRows.isEmpty()) {
            throw new ArgumentError("values() needs at least one row");
        }
        List<Column<?>> cols = new ArrayList<>(newRows.get(0).keySet());
        for (Column<?> c : cols) {
            checkOwn(c);
        }
        List<List<Expression<?>>> out = new ArrayList<>(newRows.size());
        for (int r = 0; r < newRows.size(); r++) {
            Map<? extends Column<?>, ?> row = newRows.get(r);
            if (!row.keySet().equals(new java.util.HashSet<>(cols))) {
                throw new ArgumentError("Row " + r + " of a multi-row INSERT sets columns " + names(row.keySet())
                        + " but row 0 sets " + names(cols) + "; every row must set the same columns");
            }
            List<Expression<?>> vals = new ArrayList<>(cols.size());
            for (Column<?> c : cols) {
                vals.add(Assignment.of(c, row.get(c)).value());
            }
            out.add(List.copyOf(vals));
        }
        return new Insert(table, List.copyOf(cols), List.copyOf(out), null, returning, onConflict, onDuplicateKeyUpdate);
    }

    private static List<String> names(java.util.Collection<? extends Column<?>> cols) {
        return cols.stream().map(Column::name).toList();
    }

    /** {@code INSERT INTO t (cols) SELECT ...}. */
    public Insert fromSelect(List<? extends Column<?>> targetColumns, SelectBase select) {
        if (select.selectedColumns().size() != targetColumns.size()) {
            throw new ArgumentError("INSERT ... SELECT names " + targetColumns.size() + " columns but the SELECT has "
                    + select.selectedColumns().size());
        }
        targetColumns.forEach(this::checkOwn);
        return new Insert(table, List.copyOf(targetColumns), List.of(), select, returning, onConflict,
                onDuplicateKeyUpdate);
    }

    /** {@code RETURNING exprs} (PostgreSQL, MariaDB 10.5+, H2 via data change delta tables). */
    public Insert returning(Expression<?>... exprs) {
        return new Insert(table, columns, rows, fromSelect, List.of(exprs), onConflict, onDuplicateKeyUpdate);
    }

    /** {@code ON CONFLICT (target) DO NOTHING} (PostgreSQL); no target means any conflict. */
    public Insert onConflictDoNothing(Column<?>... target) {
        return new Insert(table, columns, rows, fromSelect, returning,
                new OnConflict(List.of(target), List.of(), null), List.of());
    }

    /**
     * {@code ON CONFLICT (target) DO UPDATE SET ... [WHERE ...]} (PostgreSQL); use
     * {@link Column#inserted()} for the proposed value ({@code excluded.col}).
     */
    public Insert onConflictDoUpdate(List<? extends Column<?>> target, Map<? extends Column<?>, ?> set,
                                     Expression<Boolean> where) {
        if (target.isEmpty()) {
            throw new ArgumentError("ON CONFLICT DO UPDATE needs conflict target columns");
        }
        return new Insert(table, columns, rows, fromSelect, returning,
                new OnConflict(List.copyOf(target), assignments(set), where), List.of());
    }

    /** MySQL/MariaDB {@code ON DUPLICATE KEY UPDATE ...}; {@link Column#inserted()} renders {@code VALUES(col)}. */
    public Insert onDuplicateKeyUpdate(Map<? extends Column<?>, ?> set) {
        return new Insert(table, columns, rows, fromSelect, returning, null, assignments(set));
    }

    private List<Assignment> assignments(Map<? extends Column<?>, ?> set) {
        if (set.isEmpty()) {
            throw new ArgumentError("An upsert update list needs at least one column");
        }
        List<Assignment> l = new ArrayList<>(set.size());
        for (Map.Entry<? extends Column<?>, ?> e : new LinkedHashMap<>(set).entrySet()) {
            checkOwn(e.getKey());
            l.add(Assignment.of(e.getKey(), e.getValue()));
        }
        return List.copyOf(l);
    }

    private void checkOwn(Column<?> c) {
        if (c.from() != table) {
            throw new ArgumentError("Column " + c + " is not a column of " + table);
        }
    }

    public Table table() {
        return table;
    }

    public List<Column<?>> columns() {
        return columns;
    }

    /** The VALUES rows (one for a single-row insert); empty for INSERT ... SELECT or DEFAULT VALUES. */
    public List<List<Expression<?>>> rows() {
        return rows;
    }

    public SelectBase fromSelect() {
        return fromSelect;
    }

    public List<Expression<?>> returning() {
        return returning;
    }

    /** The ON CONFLICT clause, or null. */
    public OnConflict onConflict() {
        return onConflict;
    }

    public List<Assignment> onDuplicateKeyUpdate() {
        return onDuplicateKeyUpdate;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitInsert(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("insert").add(columns.size()).add(rows.size());
        table.appendRef(key);
        for (Column<?> c : columns) {
            key.add(c.name());
        }
        for (List<Expression<?>> row : rows) {
            for (Expression<?> e : row) {
                e.appendKey(key);
            }
        }
        if (fromSelect != null) {
            key.add("from-select");
            fromSelect.appendKey(key);
        }
        if (onConflict != null) {
            onConflict.appendKey(key);
        }
        if (!onDuplicateKeyUpdate.isEmpty()) {
            key.add("on-duplicate", onDuplicateKeyUpdate.size());
            for (Assignment a : onDuplicateKeyUpdate) {
                a.appendKey(key);
            }
        }
        Returning.appendKey(key, returning);
    }

    /**
     * PostgreSQL {@code ON CONFLICT (target) DO NOTHING | DO UPDATE SET ... WHERE ...}.
     *
     * @param target conflict target columns (empty: any conflict, DO NOTHING only)
     * @param set    the DO UPDATE assignments; empty for DO NOTHING
     * @param where  the DO UPDATE condition, or null
     */
    public record OnConflict(List<Column<?>> target, List<Assignment> set, Expression<Boolean> where) {
        void appendKey(KeyBuilder key) {
            key.add("on-conflict", target.size()).add(set.size());
            for (Column<?> c : target) {
                key.add(c.name());
            }
            for (Assignment a : set) {
                a.appendKey(key);
            }
            if (where != null) {
                where.appendKey(key);
            }
        }

        public boolean doNothing() {
            return set.isEmpty();
        }
    }

    static List<Expression<?>> list(Expression<?>[] a) {
        return List.copyOf(Arrays.asList(a));
    }
}
