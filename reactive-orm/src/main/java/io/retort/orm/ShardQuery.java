package io.retort.orm;

import io.retort.sql.BinaryExpression;
import io.retort.sql.BindParam;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.InExpression;
import io.retort.sql.Junction;
import io.retort.sql.Operator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@link QueryChooser} sees of a statement a {@link ShardedSession} is about to run (O14):
 * the statement itself ({@link EntitySelect}, {@link RowSelect} or {@link BulkStatement}), its
 * entity class and its WHERE criteria, plus {@link #values}, which reads the values the criteria
 * pin a column to. Immutable; no I/O.
 */
public final class ShardQuery {
    private final Object statement;
    private final Class<?> entity;
    private final List<Expression<Boolean>> criteria;

    private ShardQuery(Object statement, Class<?> entity, List<Expression<Boolean>> criteria) {
        this.statement = statement;
        this.entity = entity;
        this.criteria = criteria;
    }

    static ShardQuery of(EntitySelect<?> q) {
        return new ShardQuery(q, q.type(), q.where());
    }

    static ShardQuery of(BulkStatement<?> b) {
        return new ShardQuery(b, b.type(), b.where());
    }

    static ShardQuery of(RowSelect q) {
        Class<?> first = null;
        for (Object e : q.elements()) {
            if (e instanceof Class<?> c) {
                first = c;
                break;
            }
            if (e instanceof EntityAlias<?> a) {
                first = a.type();
                break;
            }
        }
        Expression<Boolean> w = q.statement().where();
        return new ShardQuery(q, first, w == null ? List.of() : List.of(w));
    }

    /** The statement: an {@link EntitySelect}, a {@link RowSelect} or a {@link BulkStatement}. */
    public Object statement() {
        return statement;
    }

    /** The entity class queried or updated (a row query's first entity; null when it selects none). */
    public Class<?> entity() {
        return entity;
    }

    /** The WHERE criteria, AND-ed (an ORM query's {@code where(...)} calls in order). */
    public List<Expression<Boolean>> criteria() {
        return criteria;
    }

    /**
     * The values the criteria pin {@code column} to, when they do: each {@code column = value} and
     * {@code column IN (values)} at the top level of the criteria (directly or inside an AND; not
     * under OR or NOT, where the column no longer bounds the rows), intersected when there are
     * several. Empty when the column is not pinned (no such comparison, or a comparison with
     * another column or a subquery): the rows may be on any shard.
     *
     * <p>{@code where(WeatherLocation_.continent.in("Asia", "Europe"))} gives {@code [Asia, Europe]};
     * {@code where(or(continent.eq("Asia"), name.eq("Quito")))} gives empty.
     */
    @SuppressWarnings("unchecked")
    public <T> Optional<Set<T>> values(Column<T> column) {
        Set<Object> found = null;
        List<Expression<?>> terms = new ArrayList<>();
        for (Expression<Boolean> c : criteria) {
            flattenAnd(c, terms);
        }
        for (Expression<?> t : terms) {
            Collection<?> here = pinned(t, column);
            if (here == null) {
                continue;
            }
            if (found == null) {
                found = new LinkedHashSet<>(here);
            } else {
                found.retainAll(here); // a AND b: rows satisfy both
            }
        }
        return Optional.ofNullable((Set<T>) (Set<?>) found);
    }

    private static void flattenAnd(Expression<?> e, List<Expression<?>> out) {
        if (e instanceof Junction j && j.operator() == Operator.AND) {
            for (Expression<Boolean> t : j.terms()) {
                flattenAnd(t, out);
            }
        } else {
            out.add(e);
        }
    }

    /** The values {@code term} allows {@code column} to take, or null when it does not pin the column. */
    private static Collection<?> pinned(Expression<?> term, Column<?> column) {
        if (term instanceof BinaryExpression<?> b && b.operator() == Operator.EQ) {
            if (b.left() == column && b.right() instanceof BindParam<?> p && !p.isExpanding()) {
                return java.util.Collections.singletonList(p.value());
            }
            if (b.right() == column && b.left() instanceof BindParam<?> p && !p.isExpanding()) {
                return java.util.Collections.singletonList(p.value());
            }
            return null;
        }
        if (term instanceof InExpression in && !in.isNegated() && in.left() == column
                && in.right() instanceof BindParam<?> p && p.isExpanding() && p.value() instanceof Collection<?> vs) {
            return vs;
        }
        return null;
    }

    @Override
    public String toString() {
        return statement.toString();
    }
}
