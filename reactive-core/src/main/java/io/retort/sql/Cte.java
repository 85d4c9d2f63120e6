package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/**
 * A common table expression, {@code WITH name AS (SELECT ...)}, referenced by name wherever it is
 * used. A recursive CTE starts from its anchor ({@code select.cteRecursive("t")}) and is completed
 * with {@link #unionAll}, whose SELECT may refer to the anchor's columns:
 *
 * <pre>{@code
 * Cte chain = select(E.employeeId, E.reportsTo).where(E.reportsTo.isNull()).cteRecursive("chain");
 * EmployeeAlias e2 = ...;
 * chain = chain.unionAll(select(e2.employeeId, e2.reportsTo).from(e2.join(chain, e2.reportsTo.eq(chain.col(...)))));
 * }</pre>
 */
public final class Cte extends FromClause {
    private final SelectBase select;
    private final String name;
    private final boolean recursive;
    private final Cte anchor;
    private final List<Column<?>> columns;

    Cte(SelectBase select, String name, boolean recursive, Cte anchor) {
        this.select = select;
        this.name = Identifiers.check(name, "CTE");
        this.recursive = recursive;
        this.anchor = anchor;
        this.columns = Subquery.deriveColumns(this, anchor == null ? select : anchor.select);
    }

    public SelectBase select() {
        return select;
    }

    public boolean isRecursive() {
        return recursive;
    }

    /** The anchor this CTE was completed from with {@link #unionAll}, or null. */
    public Cte anchor() {
        return anchor;
    }

    /** Completes a recursive CTE: {@code anchor UNION ALL recursivePart}. */
    public Cte unionAll(SelectBase recursivePart) {
        return complete(CompoundSelect.Kind.UNION_ALL, recursivePart);
    }

    /** Completes a recursive CTE with UNION (duplicates removed). */
    public Cte union(SelectBase recursivePart) {
        return complete(CompoundSelect.Kind.UNION, recursivePart);
    }

    private Cte complete(CompoundSelect.Kind kind, SelectBase part) {
        if (anchor != null) {
            throw new ArgumentError("CTE " + name + " is already completed");
        }
        return new Cte(new CompoundSelect(kind, List.of(select, part)), name, recursive, this);
    }

    /** True when {@code other} is this CTE or the anchor/completion of it. */
    public boolean sameAs(Cte other) {
        return other == this || other.anchor == this || anchor == other || (anchor != null && anchor == other.anchor);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Column<?>> columns() {
        return columns;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitCteReference(this);
    }

    @Override
    void appendRef(KeyBuilder key) {
        key.add("cte", name).add(recursive);
        if (key.identify(this)) {
            select.appendKey(key);
        }
    }
}
