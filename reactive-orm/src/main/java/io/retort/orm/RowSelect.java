package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.OrderByElement;
import io.retort.sql.Select;
import io.retort.sql.Sql;

import java.util.ArrayList;
import java.util.List;

/**
 * An ORM query whose rows hold several entities and column values (O13, SQLAlchemy's
 * {@code select(User, Address, Address.email)}): {@code session.execute(rowSelect)} emits one
 * {@link EntityRow} per row, keyed by entity class, {@link EntityAlias} and column. The entities
 * go through the identity map like any loaded object. Their relationships load only when asked:
 * {@link #options} takes relationship loader options ({@code selectinLoad(Album_.tracks)}), each
 * applied to every entity of its relationship's class in the rows, or {@code session.fetch}
 * afterwards. Immutable and generative; conditions and joins are Core's.
 */
public final class RowSelect {
    private final List<Object> elements;
    private final Select select;
    private final List<LoaderOption> options;

    RowSelect(List<Object> elements, Select select) {
        this(elements, select, List.of());
    }

    private RowSelect(List<Object> elements, Select select, List<LoaderOption> options) {
        this.elements = elements;
        this.select = select;
        this.options = options;
    }

    static RowSelect of(Object... elements) {
        if (elements.length == 0) {
            throw new ArgumentError("selectRows needs at least one entity class, EntityAlias or column");
        }
        List<Object> els = new ArrayList<>();
        List<Expression<?>> cols = new ArrayList<>();
        List<FromClause> froms = new ArrayList<>();
        List<Expression<Boolean>> criteria = new ArrayList<>();
        for (Object e : elements) {
            if (e instanceof Class<?> c) {
                Mapper<?> m = Metamodel.mapper(c);
                for (Property p : m.queryProperties()) {
                    cols.add(p.column());
                }
                // O8: a joined subclass's tables are joined on the key; a single-table subclass's rows picked out.
                if (m.tables().size() > 1) {
                    froms.add(m.from());
                }
                Expression<Boolean> crit = PolymorphicLoading.criterion(m);
                if (crit != null) {
                    criteria.add(crit);
                }
            } else if (e instanceof EntityAlias<?> a) {
                if (a.mapper().tables().size() > 1) {
                    throw new ArgumentError(a + ": an alias of a joined-table subclass is not supported (its rows span "
                            + a.mapper().tables().size() + " tables); select the class itself, or alias its root");
                }
                for (Property p : a.mapper().queryProperties()) {
                    cols.add(a.col(p.column()));
                }
                Expression<Boolean> crit = PolymorphicLoading.criterion(a.mapper(), a.table());
                if (crit != null) {
                    criteria.add(crit);
                }
            } else if (e instanceof Expression<?> x) {
                cols.add(x);
            } else {
                throw new ArgumentError("selectRows takes entity classes, EntityAlias and Core expressions; got "
                        + (e == null ? "null" : e.getClass().getName()));
            }
            els.add(e);
        }
        Select select = Sql.select(cols);
        if (!froms.isEmpty()) {
            select = select.from(froms.toArray(new FromClause[0]));
        }
        if (!criteria.isEmpty()) {
            select = select.where(Sql.and(criteria));
        }
        return new RowSelect(List.copyOf(els), select);
    }

    /**
     * Adds {@code entity}'s rows as an explicit FROM element (SQLAlchemy's {@code select_from}),
     * for a query whose columns do not name it, e.g. a count: with inheritance (O8, seed 1.2) the
     * class's tables (joined on the key, for a joined subclass) and, for a single-table subclass,
     * its discriminator criterion:
     * {@code selectRows(Sql.count()).selectFrom(Manager.class)} is
     * {@code SELECT count(*) FROM employee WHERE employee.type IN ('manager')}.
     */
    public RowSelect selectFrom(Class<?> entity) {
        Mapper<?> m = Metamodel.mapper(entity);
        Select s = select.from(m.from());
        Expression<Boolean> crit = PolymorphicLoading.criterion(m);
        return new RowSelect(elements, crit == null ? s : s.where(crit), options);
    }

    /**
     * INNER JOIN {@code entity}'s rows to the last FROM element: its table (a joined subclass's
     * tables, joined on the key), with a single-table subclass's discriminator criterion AND-ed
     * into {@code on} (O8), so the join matches rows of that class only.
     */
    public RowSelect join(Class<?> entity, Expression<Boolean> on) {
        Mapper<?> m = Metamodel.mapper(entity);
        return new RowSelect(elements, select.join(m.from(), PolymorphicLoading.and(on, m, null)), options);
    }

    /** {@link #join(Class, Expression)} as a LEFT OUTER JOIN (the criterion stays in ON, so unmatched rows remain). */
    public RowSelect leftJoin(Class<?> entity, Expression<Boolean> on) {
        Mapper<?> m = Metamodel.mapper(entity);
        return new RowSelect(elements, select.leftJoin(m.from(), PolymorphicLoading.and(on, m, null)), options);
    }

    /** INNER JOIN an entity alias, with the discriminator criterion of a single-table subclass on the alias (O8). */
    public RowSelect join(EntityAlias<?> alias, Expression<Boolean> on) {
        return new RowSelect(elements, select.join(alias.table(), PolymorphicLoading.and(on, alias.mapper(), alias.table())),
                options);
    }

    @SafeVarargs
    public final RowSelect where(Expression<Boolean>... conditions) {
        return new RowSelect(elements, select.where(conditions), options);
    }

    /** INNER JOIN {@code target} (a table, or {@link EntityAlias#table()}) to the last FROM element. */
    public RowSelect join(FromClause target, Expression<Boolean> on) {
        return new RowSelect(elements, select.join(target, on), options);
    }

    /** LEFT OUTER JOIN: an entity of the outer side with no row comes back as null. */
    public RowSelect leftJoin(FromClause target, Expression<Boolean> on) {
        return new RowSelect(elements, select.leftJoin(target, on), options);
    }

    public RowSelect orderBy(OrderByElement... elements) {
        return new RowSelect(this.elements, select.orderBy(elements), options);
    }

    public RowSelect limit(long n) {
        return new RowSelect(elements, select.limit(n), options);
    }

    public RowSelect offset(long n) {
        return new RowSelect(elements, select.offset(n), options);
    }

    /**
     * Relationship loader options for the entities of the rows: {@code selectinLoad},
     * {@code immediateLoad}, {@code noLoad}, {@code raiseLoad}, with nested steps and column
     * options where a path ends. Each applies to every entity (class or alias) of its first
     * relationship's source class, all rows' entities loaded together. These fail here with an
     * {@link ArgumentError}: an option whose relationship belongs to no entity of the query; a
     * wildcard or a column option at the root (they name no single entity); {@code joinedLoad} as
     * the first step (a row query's joins are the application's).
     */
    public RowSelect options(LoaderOption... more) {
        List<LoaderOption> all = new ArrayList<>(options);
        for (LoaderOption o : more) {
            check(java.util.Objects.requireNonNull(o, "loader option"));
            all.add(o);
        }
        return new RowSelect(elements, select, List.copyOf(all));
    }

    private void check(LoaderOption o) {
        if (o.path().isEmpty() || o.path().get(0).relationship() == null) {
            throw new ArgumentError(o + " names no single entity of a multi-entity row; start the option from a"
                    + " relationship, e.g. selectinLoad(Album_.tracks)");
        }
        LoaderOption.Step first = o.path().get(0);
        if (first.strategy() == LoaderOption.Strategy.JOINED) {
            throw new ArgumentError(o + ": joinedLoad cannot start from a multi-entity row, whose joins are the"
                    + " query's own; use selectinLoad, or join the table in the query");
        }
        Class<?> source = first.relationship().source();
        for (Object e : elements) {
            if (e == source || e instanceof EntityAlias<?> a && a.type() == source) {
                return;
            }
        }
        throw new ArgumentError(o + " does not apply to any entity of this query: " + first.relationship().source()
                .getSimpleName() + " is not among " + EntityRow.describe(elements));
    }

    /** The loader options, in the order given. */
    public List<LoaderOption> options() {
        return options;
    }

    /** The selected entity classes, aliases and expressions, in order. */
    public List<Object> elements() {
        return elements;
    }

    /** The Core statement it runs. */
    public Select statement() {
        return select;
    }
}
