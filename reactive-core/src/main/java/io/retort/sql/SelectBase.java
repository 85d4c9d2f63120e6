package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.ArrayList;
import java.util.List;

/**
 * What a SELECT and a set operation (UNION...) have in common: selected columns, ORDER BY,
 * LIMIT/OFFSET, and the ways to use the query inside another: {@link #subquery},
 * {@link #cte}, {@link #scalar}, {@link #exists}. A SelectBase is not a FROM element.
 */
public abstract class SelectBase extends Node implements Statement {
    private volatile List<String> labels;

    SelectBase() {
    }

    /** The columns clause, in order (C1 {@code selectedColumns()}). */
    public abstract List<Expression<?>> selectedColumns();

    /** The result column names: labels, column names, or {@code anon_N} for anonymous expressions. */
    public final List<String> columnLabels() {
        List<String> l = labels;
        if (l == null) {
            List<Expression<?>> cols = selectedColumns();
            List<String> out = new ArrayList<>(cols.size());
            int anon = 0;
            for (Expression<?> e : cols) {
                String name = e.defaultLabel();
                out.add(name != null ? name : "anon_" + (++anon));
            }
            labels = l = List.copyOf(out);
        }
        return l;
    }

    static String labelOf(Expression<?> e, int index) {
        String name = e.defaultLabel();
        return name != null ? name : "anon_" + (index + 1);
    }

    public abstract List<SortOrder> orderBy();

    /** The LIMIT expression, or null. */
    public abstract Expression<?> limit();

    /** The OFFSET expression, or null. */
    public abstract Expression<?> offset();

    /** {@code (SELECT ...) AS name}, usable as a FROM element. */
    public final Subquery subquery(String name) {
        return new Subquery(this, name, false);
    }

    /** {@code LATERAL (SELECT ...) AS name} (PostgreSQL, MySQL 8). */
    public final Subquery lateral(String name) {
        return new Subquery(this, name, true);
    }

    /** {@code WITH name AS (SELECT ...)}. */
    public final Cte cte(String name) {
        return new Cte(this, name, false, null);
    }

    /** The anchor of {@code WITH RECURSIVE name AS (anchor UNION ALL ...)}; complete it with {@link Cte#unionAll}. */
    public final Cte cteRecursive(String name) {
        return new Cte(this, name, true, null);
    }

    /** This one-column query as a scalar value {@code (SELECT ...)}. */
    @SuppressWarnings("unchecked")
    public final <T> Expression<T> scalar() {
        List<Expression<?>> cols = selectedColumns();
        if (cols.size() != 1) {
            throw new ArgumentError("A scalar subquery selects exactly one column, this one selects " + cols.size());
        }
        return new ScalarSubquery<>(this, (SqlType<T>) cols.get(0).type());
    }

    /** {@code EXISTS (SELECT ...)}. */
    public final Expression<Boolean> exists() {
        return new Exists(this);
    }

    public CompoundSelect union(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.UNION, List.of(this, other));
    }

    public CompoundSelect unionAll(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.UNION_ALL, List.of(this, other));
    }

    public CompoundSelect intersect(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.INTERSECT, List.of(this, other));
    }

    public CompoundSelect intersectAll(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.INTERSECT_ALL, List.of(this, other));
    }

    public CompoundSelect except(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.EXCEPT, List.of(this, other));
    }

    public CompoundSelect exceptAll(SelectBase other) {
        return new CompoundSelect(CompoundSelect.Kind.EXCEPT_ALL, List.of(this, other));
    }

    static ArgumentError notAFrom() {
        return new ArgumentError("A SELECT cannot be used as a FROM element: call .subquery(\"name\") on it"
                + " to make a named subquery (or .cte(\"name\") for a WITH clause)");
    }

    static Expression<?> limitValue(long n, String what) {
        if (n < 0) {
            throw new ArgumentError(what + " must not be negative, got " + n);
        }
        return n <= Integer.MAX_VALUE ? new BindParam<>(SqlTypes.INTEGER, (int) n, null, false)
                : new BindParam<>(SqlTypes.BIGINT, n, null, false);
    }
}
