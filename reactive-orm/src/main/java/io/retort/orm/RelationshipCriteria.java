package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.Sql;
import io.retort.sql.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the relationship predicates of O16 ({@link Relationship#any}, {@link Relationship#has},
 * {@link Relationship#contains} and their {@link AliasedRelationship} forms) as Core
 * {@code EXISTS} subqueries. The subquery names the related rows (and a many-to-many's link
 * table) in its FROM and compares the parent's columns to them; the parent's FROM element is left
 * out of the subquery by Core's correlation, which removes a FROM element the enclosing SELECT
 * (or UPDATE / DELETE) already has. So the predicate holds per parent row wherever it is used.
 *
 * <p>The join condition is always the relationship's own column pairs (the ones the loaders use),
 * so a predicate and a loaded collection agree on what "related" means.
 */
final class RelationshipCriteria {
    private RelationshipCriteria() {
    }

    /** {@code any(...)}: EXISTS a related row of a collection meeting every criterion. */
    static Expression<Boolean> any(Relationship<?, ?> r, FromClause parent, EntityAlias<?> as,
                                   Expression<Boolean>[] criteria) {
        if (!r.isCollection()) {
            throw new ArgumentError(r + " is a many-to-one: any() tests a collection; use " + handle(r)
                    + ".has(...) to test the one related " + r.target().getSimpleName());
        }
        return exists(r, parent, as, checked("any", criteria));
    }

    /** {@code has(...)}: EXISTS the related row of a many-to-one, meeting every criterion. */
    static Expression<Boolean> has(Relationship<?, ?> r, FromClause parent, EntityAlias<?> as,
                                   Expression<Boolean>[] criteria) {
        if (r.isCollection()) {
            throw new ArgumentError(r + " is a collection (" + kindName(r) + "): has() tests a many-to-one; use "
                    + handle(r) + ".any(...) to test for a related " + r.target().getSimpleName());
        }
        return exists(r, parent, as, checked("has", criteria));
    }

    /**
     * {@code contains(entity)}: EXISTS the link from the parent to {@code entity}, found by the
     * entity's primary key (bound values). A many-to-many needs only its link table.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Expression<Boolean> contains(Relationship<?, ?> r, FromClause parent, Object entity) {
        if (!r.isCollection()) {
            throw new ArgumentError(r + " is a many-to-one: contains() tests a collection; use " + handle(r)
                    + ".has(...) with a criterion on the " + r.target().getSimpleName() + "'s key");
        }
        if (entity == null) {
            throw new ArgumentError(r + ".contains(null): a collection holds no null; to find parents with an empty"
                    + " collection use not(" + handle(r) + ".any())");
        }
        if (!r.target().isInstance(entity)) {
            throw new ArgumentError(r + ".contains() takes a " + r.target().getName() + ", not a "
                    + entity.getClass().getName());
        }
        Mapper<?> target = Metamodel.mapper(r.target());
        List<Property> id = target.identity();
        List<Object> key = new ArrayList<>(id.size());
        for (Property p : id) {
            Object v = p.get(entity);
            if (v == null) {
                throw new ArgumentError(r + ".contains() needs a persistent " + r.target().getSimpleName()
                        + ", found by its primary key, but this one has no " + p.name() + " (it is transient):"
                        + " add it to a session and flush first, or test its attributes with " + handle(r) + ".any(...)");
            }
            key.add(v);
        }
        List<Expression<Boolean>> where = new ArrayList<>();
        if (r.kind() == Relationship.Kind.MANY_TO_MANY) {
            // The link rows hold the target's key: the target table itself is not needed.
            link(where, parent, r.localColumns(), r.secondary(), r.secondarySourceColumns());
            for (int i = 0; i < r.remoteColumns().size(); i++) {
                Object v = key.get(id.indexOf(target.property(r.remoteColumns().get(i))));
                where.add(((Column) r.secondaryTargetColumns().get(i)).eq(v));
            }
            return Sql.select(Sql.literal(1)).from(r.secondary()).where(Sql.and(where)).exists();
        }
        FromClause child = targetFrom(r, parent, null, false);
        link(where, parent, r.localColumns(), child, r.remoteColumns());
        for (int i = 0; i < id.size(); i++) {
            where.add(((Column) child.col(id.get(i).column())).eq(key.get(i)));
        }
        return Sql.select(Sql.literal(1)).from(child).where(Sql.and(where)).exists();
    }

    /** The EXISTS of {@code any} and {@code has}: the related rows, correlated to {@code parent}. */
    private static Expression<Boolean> exists(Relationship<?, ?> r, FromClause parent, EntityAlias<?> as,
                                              List<Expression<Boolean>> criteria) {
        FromClause child = targetFrom(r, parent, as, !criteria.isEmpty());
        List<Expression<Boolean>> where = new ArrayList<>();
        List<FromClause> froms = new ArrayList<>();
        if (r.kind() == Relationship.Kind.MANY_TO_MANY) {
            froms.add(r.secondary());
            link(where, parent, r.localColumns(), r.secondary(), r.secondarySourceColumns());
            link(where, child, r.remoteColumns(), r.secondary(), r.secondaryTargetColumns());
        } else {
            link(where, parent, r.localColumns(), child, r.remoteColumns());
        }
        froms.add(child);
        // O8: related rows of a single-table subclass are that class's rows only.
        Expression<Boolean> disc = PolymorphicLoading.criterion(Metamodel.mapper(r.target()), child);
        if (disc != null) {
            where.add(disc);
        }
        where.addAll(criteria);
        return Sql.select(Sql.literal(1)).from(froms.toArray(new FromClause[0])).where(Sql.and(where)).exists();
    }

    /**
     * The FROM element of the related rows: the caller's alias, the target's table, or (for a
     * self-referential relationship, whose target table is the parent's) an alias of it, since
     * inside the subquery the table's name would mean the related rows and the parent row alike.
     */
    private static FromClause targetFrom(Relationship<?, ?> r, FromClause parent, EntityAlias<?> as, boolean criteria) {
        if (as != null) {
            if (as.type() != r.target()) {
                throw new ArgumentError(r + " leads to " + r.target().getSimpleName() + "; the alias " + as
                        + " is not one of it");
            }
            if (sameName(as.table(), parent)) {
                throw new ArgumentError("The alias " + as + " of the related rows of " + r + " has the name of the"
                        + " parent rows (" + parent.name() + "): the subquery could not tell them apart; give it another name");
            }
            return as.table();
        }
        Table table = Metamodel.mapper(r.target()).table();
        if (!sameName(table, parent)) {
            return table;
        }
        if (criteria) {
            // Criteria written with the table's columns would silently test the parent row.
            throw new ArgumentError(r + " is self-referential: in the subquery, " + table.name() + " would name both the"
                    + " parent and the related rows, so criteria cannot say which they mean. Pass an alias for the"
                    + " related rows and write the criteria with it: EntityAlias<" + r.target().getSimpleName()
                    + "> x = Orm.aliased(" + r.target().getSimpleName() + ".class, \"x\"); " + handle(r)
                    + "." + (r.isCollection() ? "any" : "has") + "(x, x.col(...).eq(...))");
        }
        String name = table.name() + "_1";
        for (int n = 2; sameName(name, parent.name()); n++) {
            name = table.name() + "_" + n;
        }
        return table.as(name);
    }

    /** Appends {@code a.col(as[i]) = b.col(bs[i])} for each column pair. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void link(List<Expression<Boolean>> where, FromClause a, List<Column<?>> as, FromClause b,
                             List<Column<?>> bs) {
        for (int i = 0; i < as.size(); i++) {
            where.add(((Column) a.col(as.get(i))).eq((Expression) b.col(bs.get(i))));
        }
    }

    private static List<Expression<Boolean>> checked(String method, Expression<Boolean>[] criteria) {
        List<Expression<Boolean>> out = new ArrayList<>(criteria.length);
        for (int i = 0; i < criteria.length; i++) {
            if (criteria[i] == null) {
                throw new ArgumentError(method + "(...): criterion " + (i + 1) + " is null");
            }
            out.add(criteria[i]);
        }
        return out;
    }

    /** Case-insensitively: MySQL, MariaDB and H2 match unquoted names without case. */
    private static boolean sameName(FromClause a, FromClause b) {
        return sameName(a.name(), b.name());
    }

    private static boolean sameName(String a, String b) {
        return a != null && b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    /** How the application names the relationship: the metamodel handle {@code Artist_.albums}. */
    private static String handle(Relationship<?, ?> r) {
        return r.source().getSimpleName() + "_." + r.name();
    }

    private static String kindName(Relationship<?, ?> r) {
        return r.kind() == Relationship.Kind.ONE_TO_MANY ? "one-to-many" : "many-to-many";
    }
}
