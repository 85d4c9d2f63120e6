package io.retort.orm;

import io.retort.sql.Column;
import io.retort.sql.Expression;

import java.util.List;

/**
 * Factories for loader options (O6, O7). Relationships load only when an option asks
 * ({@code selectinLoad}, {@code joinedLoad}, {@code immediateLoad}); otherwise a touched
 * collection raises {@link UnloadedAttributeException} — never hidden I/O.
 *
 * <pre>{@code
 * session.execute(Orm.select(Artist.class)
 *         .options(selectinLoad(Artist_.albums).selectinLoad(Album_.tracks)))
 * }</pre>
 */
public final class Load {
    private Load() {
    }

    /** One extra SELECT per relationship level: {@code WHERE fk IN (parent keys)} (= ANY on PostgreSQL). */
    public static LoaderOption selectinLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.SELECTIN);
    }

    /** A LEFT OUTER JOIN in the parent query; with LIMIT the parent query becomes a subquery. */
    public static LoaderOption joinedLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.JOINED);
    }

    /** One SELECT per parent, right after the parents load. */
    public static LoaderOption immediateLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.IMMEDIATE);
    }

    /** Never loads: an empty collection. */
    public static LoaderOption noLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.NOLOAD);
    }

    /** Touching it raises, even where a default would apply. */
    public static LoaderOption raiseLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.RAISE);
    }

    /** The wildcard {@code "*"}: every relationship of the entity loads with selectin. */
    public static LoaderOption selectinLoadAll() {
        return LoaderOption.of(null, LoaderOption.Strategy.SELECTIN);
    }

    /** The wildcard: every relationship not otherwise named raises when touched. */
    public static LoaderOption raiseLoadAll() {
        return LoaderOption.of(null, LoaderOption.Strategy.RAISE);
    }

    /**
     * Leaves these columns out of the query (O7); their fields stay as constructed, never loaded
     * behind a read. {@link AsyncSession#attribute} loads one explicitly when it is needed.
     */
    public static LoaderOption defer(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(columns), List.of(), List.of(), List.of());
    }

    /**
     * {@link #defer}, and {@link AsyncSession#attribute} refuses to load them one object at a time:
     * it fails with an {@link UnloadedAttributeException} naming {@code undefer} (SQLAlchemy's
     * {@code defer(col, raiseload=True)}). An explicit {@code session.refresh(entity, columns)} still loads.
     */
    public static LoaderOption deferRaiseload(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(columns), List.of(columns), List.of(), List.of(), List.of());
    }

    /** Loads columns that a previous option or the mapping ({@link Deferred}) deferred. */
    public static LoaderOption undefer(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(), List.of(columns), List.of(), List.of());
    }

    /**
     * Fills the {@link QueryExpression} field {@code attribute} of each loaded entity with
     * {@code expression}, computed by the database in the same SELECT (O7). The expression is
     * written in terms of the entity's columns ({@code Album_.albumId}) and may be a correlated
     * scalar subquery. Objects already in the session's identity map get the new value too; without
     * this option the field is left as it is ({@code null} on a fresh object).
     */
    public static <E, T> LoaderOption withExpression(ExpressionAttribute<E, T> attribute, Expression<? extends T> expression) {
        java.util.Objects.requireNonNull(attribute, "attribute");
        java.util.Objects.requireNonNull(expression, "expression");
        return new LoaderOption(List.of(), List.of(), List.of(), List.of(),
                List.of(new LoaderOption.WithExpression(attribute, expression)));
    }

    /**
     * Loads the columns of joined-table subclasses after the query's rows (O8, SQLAlchemy's
     * {@code selectin_polymorphic}): one SELECT per subclass table with objects among the rows,
     * {@code WHERE key IN (...)} in chunks of 500 ({@code = ANY(?)} with one array on PostgreSQL).
     * With no classes, every subclass of the queried class; a class listed brings the tables
     * between the queried class and it. For single-table inheritance every column is in the
     * query already and this option changes nothing. Without it (or {@link #withPolymorphic}) a
     * query for a joined hierarchy's root loads the root's table only, and the subclass columns
     * of the objects it returns stay unloaded: {@link AsyncSession#attribute} raises
     * {@link UnloadedAttributeException} naming this option.
     *
     * <pre>{@code
     * session.execute(Orm.select(Employee.class).options(selectinPolymorphic(Manager.class, Engineer.class)))
     * // SELECT employee.id, employee.name, employee.type FROM employee
     * // SELECT manager.id, manager.budget FROM manager WHERE manager.id = ANY($1) ORDER BY manager.id   (PostgreSQL)
     * // SELECT engineer.id, engineer.language FROM engineer WHERE engineer.id IN (?, ?) ORDER BY engineer.id
     * }</pre>
     */
    public static LoaderOption selectinPolymorphic(Class<?>... subclasses) {
        return LoaderOption.polymorphic(LoaderOption.Strategy.SELECTIN, subclasses);
    }

    /**
     * Loads the columns of joined-table subclasses in the query itself (O8, SQLAlchemy's
     * {@code with_polymorphic}): each subclass table is LEFT OUTER JOINed on the key, so one
     * statement returns complete objects of every class:
     * {@code SELECT employee.id, ..., manager.budget FROM employee LEFT OUTER JOIN manager ON
     * manager.id = employee.id}. With no classes, every subclass of the queried class. A no-op for
     * single-table inheritance.
     */
    public static LoaderOption withPolymorphic(Class<?>... subclasses) {
        return LoaderOption.polymorphic(LoaderOption.Strategy.JOINED, subclasses);
    }

    /** Loads only these columns (plus the primary key). */
    public static LoaderOption loadOnly(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(), List.of(), List.of(columns), List.of());
    }
}
