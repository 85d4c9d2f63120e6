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
        for (Object e : elements) {
            if (e instanceof Class<?> c) {
                Mapper<?> m = Metamodel.mapper(c);
                for (Property p : m.defaultProperties()) {
                    cols.add(p.column());
                }
            } else if (e instanceof EntityAlias<?> a) {
                for (Property p : a.mapper().defaultProperties()) {
                    cols.add(a.col(p.column()));
                }
            } else if (e instanceof Expression<?> x) {
                cols.add(x);
            } else {
                throw new ArgumentError("selectRows takes entity classes, EntityAlias and Core expressions; got "
                        + (e == null ? "null" : e.getClass().getName()));
            }
            els.add(e);
        }
        return new RowSelect(List.copyOf(els), Sql.select(cols));
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
