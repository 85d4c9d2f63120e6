package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable DELETE. Other tables referenced in WHERE make it a multi-table DELETE:
 * PostgreSQL {@code DELETE FROM a USING b WHERE ...}, MySQL {@code DELETE a FROM a, b WHERE ...}
 * (C8, seed 1.2 "multiple-table DELETE").
 */
public final class Delete extends Node implements Statement {
    private final Table table;
    private final Expression<Boolean> where;
    private final List<FromClause> using;
    private final List<Expression<?>> returning;

    Delete(Table table) {
        this(table, null, List.of(), List.of());
    }

    private Delete(Table table, Expression<Boolean> where, List<FromClause> using, List<Expression<?>> returning) {
        this.table = table;
        this.where = where;
        this.using = using;
        this.returning = returning;
    }

    @SafeVarargs
    public final Delete where(Expression<Boolean>... conditions) {
        return new Delete(table, Select.and(where, conditions), using, returning);
    }

    /** Adds tables to the multi-table form explicitly (they are also found from WHERE). */
    public Delete using(FromClause... froms) {
        List<FromClause> l = new ArrayList<>(using);
        l.addAll(Arrays.asList(froms));
        return new Delete(table, where, List.copyOf(l), returning);
    }

    public Delete returning(Expression<?>... exprs) {
        return new Delete(table, where, using, List.of(exprs));
    }

    public Table table() {
        return table;
    }

    public Expression<Boolean> where() {
        return where;
    }

    public List<FromClause> using() {
        return using;
    }

    public List<Expression<?>> returning() {
        return returning;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitDelete(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("delete", using.size());
        table.appendRef(key);
        for (FromClause f : using) {
            f.appendKey(key);
        }
        if (where != null) {
            key.add("where");
            where.appendKey(key);
        }
        Returning.appendKey(key, returning);
    }
}
