package io.retort.orm;

import io.retort.sql.Column;
import io.retort.sql.Expression;

import java.util.ArrayList;
import java.util.List;

/**
 * A loader option of an ORM query (O6, O7): how a relationship path loads — selectin, joined,
 * immediate, noload, raise — or which columns load. Column options apply to the entity at the
 * end of the option's path: the query's entity for {@code Load.defer(...)}, the albums for
 * {@code selectinLoad(Artist_.albums).defer(Album_.notes)}. Chains read like SQLAlchemy's:
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
    private final List<Column<?>> raising;
    private final List<Column<?>> undeferred;
    private final List<Column<?>> only;
    private final List<WithExpression> expressions;
    private final Polymorphic polymorphic;

    /**
     * Polymorphic loading of an inheritance hierarchy's subclass columns (O8).
     *
     * @param strategy SELECTIN (one SELECT per subclass table after the rows) or JOINED (LEFT OUTER
     *                 JOINs of the subclass tables in the query)
     * @param classes  the subclasses whose columns load; empty for every subclass of the queried class
     */
    public record Polymorphic(Strategy strategy, List<Class<?>> classes) {
    }

    LoaderOption(List<Step> path, List<Column<?>> deferred, List<Column<?>> undeferred, List<Column<?>> only,
                 List<WithExpression> expressions) {
        this(path, deferred, List.of(), undeferred, only, expressions);
    }

    LoaderOption(List<Step> path, List<Column<?>> deferred, List<Column<?>> raising, List<Column<?>> undeferred,
                 List<Column<?>> only, List<WithExpression> expressions) {
        this(path, deferred, raising, undeferred, only, expressions, null);
    }

    private LoaderOption(List<Step> path, List<Column<?>> deferred, List<Column<?>> raising, List<Column<?>> undeferred,
                         List<Column<?>> only, List<WithExpression> expressions, Polymorphic polymorphic) {
        this.polymorphic = polymorphic;
        this.path = List.copyOf(path);
        this.deferred = List.copyOf(deferred);
        this.raising = List.copyOf(raising);
        this.undeferred = List.copyOf(undeferred);
        this.only = List.copyOf(only);
        this.expressions = List.copyOf(expressions);
    }

    static LoaderOption polymorphic(Strategy s, Class<?>... classes) {
        for (Class<?> c : classes) {
            java.util.Objects.requireNonNull(c, "subclass");
        }
        return new LoaderOption(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                new Polymorphic(s, List.of(classes)));
    }

    /** The polymorphic loading this option asks for (O8), or null. */
    public Polymorphic polymorphic() {
        return polymorphic;
    }

    static LoaderOption of(Relationship<?, ?> r, Strategy s) {
        return new LoaderOption(List.of(new Step(r, s)), List.of(), List.of(), List.of(), List.of());
    }

    /** The same column options on another path: the part of this option that continues below a level. */
    LoaderOption withPath(List<Step> steps) {
        return new LoaderOption(steps, deferred, raising, undeferred, only, expressions, polymorphic);
    }

    /** Whether it carries defer, undefer or loadOnly columns. */
    boolean hasColumnOptions() {
        return !deferred.isEmpty() || !undeferred.isEmpty() || !only.isEmpty();
    }

    private LoaderOption then(Relationship<?, ?> r, Strategy s) {
        if (hasColumnOptions()) {
            throw new io.retort.error.ArgumentError("Column options end a loader path: " + this + " already has them;"
                    + " start another option for " + r);
        }
        List<Step> p = new ArrayList<>(path);
        p.add(new Step(r, s));
        return new LoaderOption(p, deferred, raising, undeferred, only, expressions, polymorphic);
    }

    private static <T> List<T> plus(List<T> l, T[] more) {
        List<T> out = new ArrayList<>(l);
        out.addAll(java.util.Arrays.asList(more));
        return out;
    }

    /**
     * Leaves these columns of the entity at the end of this path out of its query
     * ({@code selectinLoad(Artist_.albums).defer(Album_.notes)}); see {@link Load#defer}.
     */
    public LoaderOption defer(Column<?>... columns) {
        return new LoaderOption(path, plus(deferred, columns), raising, undeferred, only, expressions, polymorphic);
    }

    /** {@link #defer} with raiseload; see {@link Load#deferRaiseload}. */
    public LoaderOption deferRaiseload(Column<?>... columns) {
        return new LoaderOption(path, plus(deferred, columns), plus(raising, columns), undeferred, only, expressions, polymorphic);
    }

    /** Loads these columns of the entity at the end of this path although its mapping defers them. */
    public LoaderOption undefer(Column<?>... columns) {
        return new LoaderOption(path, deferred, raising, plus(undeferred, columns), only, expressions, polymorphic);
    }

    /** Loads only these columns (plus the key) of the entity at the end of this path. */
    public LoaderOption loadOnly(Column<?>... columns) {
        return new LoaderOption(path, deferred, raising, undeferred, plus(only, columns), expressions, polymorphic);
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

    /** The {@link #deferred()} columns deferred with raiseload ({@link Load#deferRaiseload}). */
    public List<Column<?>> deferredRaiseload() {
        return raising;
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
