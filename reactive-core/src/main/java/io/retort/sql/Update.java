package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable UPDATE. Tables other than the target referenced in WHERE or SET make it a
 * multi-table UPDATE: PostgreSQL {@code UPDATE a SET ... FROM b WHERE ...}, MySQL
 * {@code UPDATE a, b SET ... WHERE ...} (C8).
 */
public final class Update extends Node implements Statement {
    private final Table table;
    private final List<Assignment> set;
    private final Expression<Boolean> where;
    private final List<FromClause> extraFroms;
    private final List<Expression<?>> returning;

    Update(Table table) {
        this(table, List.of(), null, List.of(), List.of());
    }

    private Update(Table table, List<Assignment> set, Expression<Boolean> where, List<FromClause> extraFroms,
                   List<Expression<?>> returning) {
        this.table = table;
        this.set = set;
        this.where = where;
        this.extraFroms = extraFroms;
        this.returning = returning;
    }

    public <T> Update set(Column<T> column, T value) {
        return setValue(column, value);
    }

    public <T> Update set(Column<T> column, Expression<? extends T> value) {
        return setValue(column, value);
    }

    private Update setValue(Column<?> column, Object value) {
        if (column.from() != table) {
            throw new ArgumentError("Column " + column + " is not a column of " + table + "; only the target table's columns can be SET");
        }
        List<Assignment> l = new ArrayList<>(set);
        l.removeIf(a -> a.column() == column);
        l.add(Assignment.of(column, value));
        return new Update(table, List.copyOf(l), where, extraFroms, returning);
    }

    @SafeVarargs
    public final Update where(Expression<Boolean>... conditions) {
        return new Update(table, set, Select.and(where, conditions), extraFroms, returning);
    }

    /** Adds tables to the multi-table form explicitly (they are also found from WHERE and SET). */
    public Update from(FromClause... froms) {
        List<FromClause> l = new ArrayList<>(extraFroms);
        l.addAll(Arrays.asList(froms));
        return new Update(table, set, where, List.copyOf(l), returning);
    }

    public Update returning(Expression<?>... exprs) {
        return new Update(table, set, where, extraFroms, List.of(exprs));
    }

    public Table table() {
        return table;
    }

    public List<Assignment> set() {
        return set;
    }

    public Expression<Boolean> where() {
        return where;
    }

    public List<FromClause> extraFroms() {
        return extraFroms;
    }

    public List<Expression<?>> returning() {
        return returning;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitUpdate(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("update", set.size()).add(extraFroms.size());
        table.appendRef(key);
        for (Assignment a : set) {
            a.appendKey(key);
        }
        for (FromClause f : extraFroms) {
            f.appendKey(key);
        }
        if (where != null) {
            key.add("where");
            where.appendKey(key);
        }
        Returning.appendKey(key, returning);
    }
}
