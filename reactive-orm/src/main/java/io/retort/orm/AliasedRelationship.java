package io.retort.orm;

import io.retort.sql.Expression;

import java.util.Objects;

/**
 * A relationship of the rows of an {@link EntityAlias} (SQLAlchemy's {@code aliased(User).addresses}),
 * made by {@link Relationship#of}: its predicates (O16) are the relationship's, correlated to the
 * alias instead of the source entity's table. For a query that selects an employee and its
 * manager under the alias {@code boss}, the employees whose manager has other reports:
 *
 * <pre>{@code
 * EntityAlias<Employee> boss = Orm.aliased(Employee.class, "boss");
 * Orm.selectRows(Employee.class, boss)
 *     .join(boss.table(), Employee_.reportsTo.eq(boss.col(Employee_.employeeId)))
 *     .where(Employee_.reports.of(boss).any(Employee_.employeeId.ne(42)))
 * // ... WHERE EXISTS (SELECT 1 AS anon_1 FROM employee WHERE boss.employee_id = employee.reports_to
 * //                   AND employee.employee_id <> $1)
 * }</pre>
 *
 * Inside the subquery the entity's plain table names the related rows, so criteria written with
 * the metamodel's columns mean them, as with {@link Relationship#any}.
 *
 * @param <S> the source entity (the alias's)
 * @param <T> the target entity
 */
public final class AliasedRelationship<S, T> {
    private final Relationship<S, T> relationship;
    private final EntityAlias<S> parent;

    AliasedRelationship(Relationship<S, T> relationship, EntityAlias<S> parent) {
        this.relationship = relationship;
        this.parent = parent;
    }

    /** The relationship. */
    public Relationship<S, T> relationship() {
        return relationship;
    }

    /** The alias of the source rows the predicates correlate to. */
    public EntityAlias<S> parent() {
        return parent;
    }

    /** {@link Relationship#any(Expression[])}, correlated to the alias. */
    @SafeVarargs
    public final Expression<Boolean> any(Expression<Boolean>... criteria) {
        return RelationshipCriteria.any(relationship, parent.table(), null, criteria);
    }

    /** {@link Relationship#any(EntityAlias, Expression[])}, correlated to the alias. */
    @SafeVarargs
    public final Expression<Boolean> any(EntityAlias<T> target, Expression<Boolean>... criteria) {
        return RelationshipCriteria.any(relationship, parent.table(), Objects.requireNonNull(target, "target"), criteria);
    }

    /** {@link Relationship#has(Expression[])}, correlated to the alias. */
    @SafeVarargs
    public final Expression<Boolean> has(Expression<Boolean>... criteria) {
        return RelationshipCriteria.has(relationship, parent.table(), null, criteria);
    }

    /** {@link Relationship#has(EntityAlias, Expression[])}, correlated to the alias. */
    @SafeVarargs
    public final Expression<Boolean> has(EntityAlias<T> target, Expression<Boolean>... criteria) {
        return RelationshipCriteria.has(relationship, parent.table(), Objects.requireNonNull(target, "target"), criteria);
    }

    /** {@link Relationship#contains}, correlated to the alias. */
    public Expression<Boolean> contains(T element) {
        return RelationshipCriteria.contains(relationship, parent.table(), element);
    }

    @Override
    public String toString() {
        return relationship + " of " + parent;
    }
}
