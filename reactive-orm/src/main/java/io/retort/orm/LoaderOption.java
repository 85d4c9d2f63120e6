package io.retort.orm;

import io.retort.sql.Column;
import io.retort.sql.Expression;

import java.util.ArrayList;
import java.util.List;

/**
 * A loader option of an ORM query (O6, O7): how a relationship path loads — selectin, joined,
 * immediate, noload, raise — or which columns load. Chains read like SQLAlchemy's:
 * {@code selectinLoad(Artist_.albums).selectinLoad(Album_.tracks)}. A null relationship in a
 * step is the wildcard ({@code "*"}) for that level. Immutable; part of nothing mutable.
 */
public final class LoaderOption {
    /** How a relationship loads. */
    public enum Strategy { SELECTIN, JOINED, IMMEDIATE, NOLOAD, RAISE }

    /**
     * One step of a chain.
     *
     * @param relationship the relationship, or null for every relationship at this level
     * @param strategy     how it loads
     */
    public record Step(Relationship<?, ?> relationship, Strategy strategy) {
    }

    /**
     * A {@link QueryExpression} field filled from a SQL expression by this query.
     *
     * @param attribute  the field
     * @param expression the SQL expression, in terms of the entity's table columns
     */
    public record WithExpression(ExpressionAttribute<?, ?> attribute, Expression<?> expression) {
    }

    private final List<Step> path;
    private final List<Column<?>> deferred;
    private final List<Column<?>> undeferred;
    private final List<Column<?>> only;
    private final List<WithExpression> expressions;
    private final boolean raiseload;

    LoaderOption(List<Step> path, List<Column<?>> deferred, List<Column<?>> undeferred, List<Column<?>> only,
                 List<WithExpression> expressions) {
        this(path, deferred, undeferred, only, expressions, false);
    }

    LoaderOption(List<Step> path, List<Column<?>> deferred, List<Column<?>> undeferred, List<Column<?>> only,
                 List<WithExpression> expressions, boolean raiseload) {
        this.raiseload = raiseload;
        this.path = List.copyOf(path);
        this.deferred = List.copyOf(deferred);
        this.undeferred = List.copyOf(undeferred);
        this.only = List.copyOf(only);
        this.expressions = List.copyOf(expressions);
    }

    static LoaderOption of(Relationship<?, ?> r, Strategy s) {
        return new LoaderOption(List.of(new Step(r, s)), List.of(), List.of(), List.of(), List.of());
    }

    /** Only the relationship path (a nested level's options carry no column options). */
    static LoaderOption path(List<Step> steps) {
        return new LoaderOption(steps, List.of(), List.of(), List.of(), List.of());
    }

    private LoaderOption then(Relationship<?, ?> r, Strategy s) {
        List<Step> p = new ArrayList<>(path);
        p.add(new Step(r, s));
        return new LoaderOption(p, deferred, undeferred, only, expressions, raiseload);
    }

    /** This path, then loads {@code next} of the loaded objects with selectin. */
    public LoaderOption selectinLoad(Relationship<?, ?> next) {
        return then(next, Strategy.SELECTIN);
    }

    /** This path, then loads {@code next} in the same query with a LEFT OUTER JOIN. */
    public LoaderOption joinedLoad(Relationship<?, ?> next) {
        return then(next, Strategy.JOINED);
    }

    /** This path, then loads {@code next} with one SELECT per object. */
    public LoaderOption immediateLoad(Relationship<?, ?> next) {
        return then(next, Strategy.IMMEDIATE);
    }

    /** This path, then leaves {@code next} empty. */
    public LoaderOption noLoad(Relationship<?, ?> next) {
        return then(next, Strategy.NOLOAD);
    }

    /** This path, then makes {@code next} raise when touched. */
    public LoaderOption raiseLoad(Relationship<?, ?> next) {
        return then(next, Strategy.RAISE);
    }

    public List<Step> path() {
        return path;
    }

    public List<Column<?>> deferred() {
        return deferred;
    }

    /** Whether the {@link #deferred()} columns are deferred with raiseload ({@link Load#deferRaiseload}). */
    public boolean raiseload() {
        return raiseload;
    }

    public List<Column<?>> undeferred() {
        return undeferred;
    }

    public List<Column<?>> loadOnly() {
        return only;
    }

    public List<WithExpression> expressions() {
        return expressions;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Step s : path) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(s.strategy().name().toLowerCase()).append("Load(")
                    .append(s.relationship() == null ? "*" : s.relationship().toString()).append(')');
        }
        return sb.toString();
    }
}
