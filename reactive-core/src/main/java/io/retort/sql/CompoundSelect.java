package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code a UNION b}, {@code UNION ALL}, {@code INTERSECT [ALL]}, {@code EXCEPT [ALL]} with their
 * own ORDER BY and LIMIT. Column counts are checked when compiling (C17), so a cached
 * statement pays the check once.
 */
public final class CompoundSelect extends SelectBase {
    /** The set operations. */
    public enum Kind {
        UNION("UNION"), UNION_ALL("UNION ALL"), INTERSECT("INTERSECT"), INTERSECT_ALL("INTERSECT ALL"),
        EXCEPT("EXCEPT"), EXCEPT_ALL("EXCEPT ALL");

        private final String sql;

        Kind(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    private final Kind kind;
    private final List<SelectBase> selects;
    private final List<SortOrder> orderBy;
    private final Expression<?> limit;
    private final Expression<?> offset;

    CompoundSelect(Kind kind, List<SelectBase> selects) {
        this(kind, selects, List.of(), null, null);
    }

    private CompoundSelect(Kind kind, List<SelectBase> selects, List<SortOrder> orderBy, Expression<?> limit,
                           Expression<?> offset) {
        this.kind = kind;
        this.selects = List.copyOf(selects);
        this.orderBy = orderBy;
        this.limit = limit;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    public List<SelectBase> selects() {
        return selects;
    }

    public CompoundSelect orderBy(OrderByElement... elements) {
        List<SortOrder> l = new ArrayList<>(orderBy);
        for (OrderByElement e : elements) {
            l.add(e.toSortOrder());
        }
        return new CompoundSelect(kind, selects, List.copyOf(l), limit, offset);
    }

    public CompoundSelect limit(long n) {
        return new CompoundSelect(kind, selects, orderBy, limitValue(n, "LIMIT"), offset);
    }

    public CompoundSelect offset(long n) {
        return new CompoundSelect(kind, selects, orderBy, limit, limitValue(n, "OFFSET"));
    }

    @Override
    public CompoundSelect union(SelectBase other) {
        return extend(Kind.UNION, other);
    }

    @Override
    public CompoundSelect unionAll(SelectBase other) {
        return extend(Kind.UNION_ALL, other);
    }

    private CompoundSelect extend(Kind k, SelectBase other) {
        if (k == kind && orderBy.isEmpty() && limit == null && offset == null) {
            List<SelectBase> l = new ArrayList<>(selects);
            l.add(other);
            return new CompoundSelect(kind, l);
        }
        return new CompoundSelect(k, Arrays.asList(this, other));
    }

    @Override
    public List<Expression<?>> selectedColumns() {
        return selects.get(0).selectedColumns();
    }

    @Override
    public List<SortOrder> orderBy() {
        return orderBy;
    }

    @Override
    public Expression<?> limit() {
        return limit;
    }

    @Override
    public Expression<?> offset() {
        return offset;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitCompoundSelect(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add(kind, selects.size());
        for (SelectBase s : selects) {
            s.appendKey(key);
        }
        Select.appendTail(key, orderBy, limit, offset);
        key.add("compound-end");
    }
}
