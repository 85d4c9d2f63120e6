package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Delete;
import io.retort.sql.Expression;
import io.retort.sql.Sql;
import io.retort.sql.Statement;
import io.retort.sql.Update;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ORM-enabled bulk UPDATE or DELETE by criteria (O9, SQLAlchemy's {@code update(User)} /
 * {@code delete(User)} run through a session): one statement for all matching rows, not one per
 * object, after which the session's objects are brought in line according to
 * {@link #synchronize(SynchronizeSession)}. Built with {@link Orm#update} / {@link Orm#delete};
 * immutable and generative; run by {@link AsyncSession#execute(BulkStatement)}, which emits the
 * number of rows matched.
 *
 * <pre>{@code
 * Mono<Long> repriced = session.execute(Orm.update(Track.class)
 *         .set(Track_.unitPrice, Track_.unitPrice.plus(new BigDecimal("0.10")))
 *         .where(Track_.milliseconds.gt(300_000)));
 * // PostgreSQL: UPDATE track SET unit_price = track.unit_price + $1 WHERE track.milliseconds > $2
 * // MariaDB:    UPDATE track SET unit_price = unit_price + ? WHERE milliseconds > ?
 *
 * Mono<Long> gone = session.execute(Orm.delete(Track.class)
 *         .where(Track_.album.has(Album_.title.eq("Demo")))     // a relationship predicate
 *         .synchronize(SynchronizeSession.FETCH));               // not evaluable in Java
 * // PostgreSQL: DELETE FROM track WHERE EXISTS (SELECT 1 ...) RETURNING track.track_id
 * }</pre>
 *
 * <p>SET takes the entity's own mapped columns ({@code Track_.name}), by value or by a Core
 * expression of the row ({@code Track_.milliseconds.plus(1000)}); {@link #set(String, Object)}
 * also takes an {@code @Embedded} attribute, whose value is broken out into its columns (seed 1.2
 * "bulk updates of composites"). Criteria may name other tables: the statement becomes
 * {@code UPDATE ... FROM} / {@code DELETE ... USING} on PostgreSQL, {@code UPDATE a, b} /
 * {@code DELETE a FROM a, b} on MySQL and MariaDB (Core renders them, C8), and a correlated
 * {@code EXISTS} on dialects without a multi-table form (H2; SQLite for DELETE).
 *
 * <p>A bulk statement runs no ORM logic per row: no {@code @Version} increment (set the version
 * column explicitly to bump it, e.g. {@code set(Employee_.version, Employee_.version.plus(1))}),
 * no cascades (see {@link #withoutOrmCascade()}), no events. It runs in the session's transaction
 * (begun if need be), after pending changes are flushed, and loads nothing.
 *
 * @param <E> the entity class
 */
public final class BulkStatement<E> {
    /** Which statement. */
    public enum Kind { UPDATE, DELETE }

    /**
     * One SET entry.
     *
     * @param property the mapped column attribute
     * @param value    the new value: a bound parameter for a plain value, or an expression
     */
    record Assignment(Property property, Expression<?> value) {
    }

    private final Class<E> type;
    private final Mapper<E> mapper;
    private final Kind kind;
    private final List<Assignment> set;
    private final List<Expression<Boolean>> where;
    private final SynchronizeSession synchronize;
    private final boolean withoutOrmCascade;

    BulkStatement(Class<E> type, Kind kind) {
        this(type, Metamodel.mapper(type), kind, List.of(), List.of(), SynchronizeSession.EVALUATE, false);
    }

    private BulkStatement(Class<E> type, Mapper<E> mapper, Kind kind, List<Assignment> set,
                          List<Expression<Boolean>> where, SynchronizeSession synchronize, boolean withoutOrmCascade) {
        this.type = type;
        this.mapper = mapper;
        this.kind = kind;
        this.set = set;
        this.where = where;
        this.synchronize = synchronize;
        this.withoutOrmCascade = withoutOrmCascade;
    }

    /** SET {@code column} to {@code value} (bound); {@code column} must be one of the entity's mapped columns. */
    public <T> BulkStatement<E> set(Column<T> column, T value) {
        Property p = property(column);
        return with(p, value == null ? Sql.nullValue(column.type()) : bind(column, value));
    }

    /** SET {@code column} to a Core expression, e.g. {@code Track_.milliseconds.plus(1000)}. */
    public <T> BulkStatement<E> set(Column<T> column, Expression<? extends T> value) {
        Objects.requireNonNull(value, "value (use set(column, (T) null) for NULL)");
        return with(property(column), value);
    }

    /**
     * SET by attribute name, as SQLAlchemy's {@code values({"name": ...})}: a column attribute
     * ({@code "name"}, {@code "place.city"}) takes a value or an {@link Expression}; an
     * {@code @Embedded} attribute ({@code "place"}) takes an instance of its embeddable (or null),
     * broken out into one SET per column. A relationship or a {@link QueryExpression} field is an
     * {@link ArgumentError} saying what to set instead.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public BulkStatement<E> set(String attribute, Object value) {
        Objects.requireNonNull(attribute, "attribute");
        if (mapper.relationships().containsKey(attribute)) {
            Relationship<E, ?> r = mapper.relationships().get(attribute);
            throw new ArgumentError("Bulk UPDATE cannot SET the relationship " + type.getSimpleName() + "." + attribute
                    + ": it is not a column. " + (r.kind() == Relationship.Kind.MANY_TO_ONE
                    ? "Set its foreign-key column with synchronize(NONE), or assign the relationship on loaded objects and flush"
                    : "Change the collection on loaded objects and flush (the unit of work writes the children's keys)"));
        }
        if (mapper.expressions().containsKey(attribute)) {
            throw new ArgumentError(type.getSimpleName() + "." + attribute + " is a @QueryExpression (computed per query,"
                    + " not stored): bulk UPDATE can only SET mapped columns; SET the columns it is computed from");
        }
        List<Property> parts = new ArrayList<>();
        for (Property p : mapper.properties()) {
            if (p.name().startsWith(attribute + ".")) {
                parts.add(p);
            }
        }
        if (!parts.isEmpty()) {
            if (value instanceof Expression) {
                throw new ArgumentError(type.getSimpleName() + "." + attribute + " is an embedded (composite) attribute:"
                        + " SET it to an instance of its embeddable, or SET its columns (" + attribute + ".x) one by one");
            }
            BulkStatement<E> out = this;
            for (Property p : parts) {
                Object v = value == null ? null : p.getFrom(value);
                out = out.with(p, v == null ? Sql.nullValue(p.column().type()) : bind((Column) p.column(), v));
            }
            return out;
        }
        Property p = mapper.property(attribute); // an ArgumentError naming the mapped attributes if unknown
        if (value instanceof Expression) {
            return with(p, (Expression<?>) value);
        }
        return with(p, value == null ? Sql.nullValue(p.column().type()) : bind((Column) p.column(), value));
    }

    /** Adds WHERE criteria (AND-ed): Core predicates on the entity's columns, other tables' columns, relationship predicates. */
    @SafeVarargs
    public final BulkStatement<E> where(Expression<Boolean>... conditions) {
        if (conditions.length == 0) {
            return this;
        }
        List<Expression<Boolean>> l = new ArrayList<>(where);
        for (Expression<Boolean> c : conditions) {
            l.add(Objects.requireNonNull(c, "condition"));
        }
        return new BulkStatement<>(type, mapper, kind, set, List.copyOf(l), synchronize, withoutOrmCascade);
    }

    /** How the session's objects are synchronized afterwards; {@link SynchronizeSession#EVALUATE} by default. */
    public BulkStatement<E> synchronize(SynchronizeSession mode) {
        return new BulkStatement<>(type, mapper, kind, set, where, Objects.requireNonNull(mode, "mode"), withoutOrmCascade);
    }

    /**
     * Allows a bulk DELETE of an entity whose relationships cascade deletes in the ORM
     * ({@code cascade = REMOVE/ALL}, {@code orphanRemoval}). A bulk DELETE runs no ORM cascade, so
     * without this such a DELETE is refused (the children would be orphaned or the foreign key
     * would fail): call it when the schema's {@code ON DELETE CASCADE} or an earlier bulk DELETE of
     * the children takes care of them.
     */
    public BulkStatement<E> withoutOrmCascade() {
        return new BulkStatement<>(type, mapper, kind, set, where, synchronize, true);
    }

    /** The entity class. */
    public Class<E> type() {
        return type;
    }

    /** UPDATE or DELETE. */
    public Kind kind() {
        return kind;
    }

    /** The synchronization mode. */
    public SynchronizeSession synchronizeSession() {
        return synchronize;
    }

    /** The WHERE criteria, in the order given. */
    public List<Expression<Boolean>> where() {
        return where;
    }

    /**
     * The Core statement this sends in its plain form ({@link Update} or {@link Delete} of the
     * entity's table, criteria AND-ed), without the RETURNING that {@link SynchronizeSession#FETCH}
     * may add or the EXISTS form used where a dialect has no multi-table statement.
     */
    public Statement statement() {
        checkComplete();
        return kind == Kind.UPDATE ? update() : delete();
    }

    private Update update() {
        return update(where.isEmpty() ? null : Sql.and(where));
    }

    /** The UPDATE with {@code criteria} (null for none) as its WHERE. */
    Update update(Expression<Boolean> criteria) {
        criteria = discriminated(criteria);
        Update u = Sql.update(mapper.table());
        for (Assignment a : set) {
            u = setTo(u, a.property().column(), a.value());
        }
        return criteria == null ? u : u.where(criteria);
    }

    private Delete delete() {
        return delete(where.isEmpty() ? null : Sql.and(where));
    }

    /** The DELETE with {@code criteria} (null for none) as its WHERE. */
    Delete delete(Expression<Boolean> criteria) {
        criteria = discriminated(criteria);
        Delete d = Sql.delete(mapper.table());
        return criteria == null ? d : d.where(criteria);
    }

    /** O8: a single-table subclass's statement touches its rows only ({@code AND type IN (...)}). */
    private Expression<Boolean> discriminated(Expression<Boolean> criteria) {
        Expression<Boolean> c = PolymorphicLoading.criterion(mapper);
        return c == null ? criteria : criteria == null ? c : Sql.and(List.of(criteria, c));
    }

    @SuppressWarnings("unchecked")
    private static <T> Update setTo(Update u, Column<T> column, Expression<?> value) {
        return u.set(column, (Expression<? extends T>) value);
    }

    Mapper<E> mapper() {
        return mapper;
    }

    List<Assignment> assignments() {
        return set;
    }

    boolean isWithoutOrmCascade() {
        return withoutOrmCascade;
    }

    /** The statement-shape errors no mode can get past (checked again before anything is sent). */
    void checkComplete() {
        if (kind == Kind.UPDATE && set.isEmpty()) {
            throw new ArgumentError("Bulk UPDATE of " + type.getSimpleName() + " has no SET: add set(column, value)");
        }
    }

    private BulkStatement<E> with(Property p, Expression<?> value) {
        if (kind == Kind.DELETE) {
            throw new ArgumentError("A bulk DELETE has no SET; use Orm.update(" + type.getSimpleName() + ".class)");
        }
        List<Assignment> l = new ArrayList<>(set);
        l.removeIf(a -> a.property() == p);
        l.add(new Assignment(p, value));
        return new BulkStatement<>(type, mapper, kind, List.copyOf(l), where, synchronize, withoutOrmCascade);
    }

    private Property property(Column<?> column) {
        Objects.requireNonNull(column, "column");
        Property p = mapper.property(column);
        if (p == null) {
            throw new ArgumentError(column + " is not a mapped column of " + type.getSimpleName() + ": a bulk UPDATE"
                    + " of an entity SETs its own columns (" + type.getSimpleName() + "_.x); use Core's Sql.update for"
                    + " another table");
        }
        return p;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Expression<?> bind(Column column, Object value) {
        return Sql.param(column.requireValue(value), column.type());
    }

    @Override
    public String toString() {
        return "BulkStatement[" + kind + " " + type.getSimpleName() + ", " + set.size() + " SET, " + where.size()
                + " criteria, " + synchronize + "]";
    }

    /** The SET attributes by name, in order (diagnostics and tests). */
    List<String> setNames() {
        List<String> l = new ArrayList<>();
        for (Assignment a : set) {
            l.add(a.property().name());
        }
        return l;
    }
}
