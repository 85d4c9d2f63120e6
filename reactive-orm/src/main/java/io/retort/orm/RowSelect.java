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
 * go through the identity map like any loaded object; their relationships are not loaded (load
 * them with {@code session.fetch}). Immutable and generative; conditions and joins are Core's.
 */
public final class RowSelect {
    private final List<Object> elements;
    private final Select select;

    RowSelect(List<Object> elements, Select select) {
        this.elements = elements;
        this.select = select;
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
        return new RowSelect(elements, select.where(conditions));
    }

    /** INNER JOIN {@code target} (a table, or {@link EntityAlias#table()}) to the last FROM element. */
    public RowSelect join(FromClause target, Expression<Boolean> on) {
        return new RowSelect(elements, select.join(target, on));
    }

    /** LEFT OUTER JOIN: an entity of the outer side with no row comes back as null. */
    public RowSelect leftJoin(FromClause target, Expression<Boolean> on) {
        return new RowSelect(elements, select.leftJoin(target, on));
    }

    public RowSelect orderBy(OrderByElement... elements) {
        return new RowSelect(this.elements, select.orderBy(elements));
    }

    public RowSelect limit(long n) {
        return new RowSelect(elements, select.limit(n));
    }

    public RowSelect offset(long n) {
        return new RowSelect(elements, select.offset(n));
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
