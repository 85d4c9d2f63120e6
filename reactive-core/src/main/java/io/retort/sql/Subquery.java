package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code (SELECT ...) AS name}: a SELECT made usable as a FROM element by an explicit
 * {@link SelectBase#subquery} call. Its columns are the SELECT's selected columns, named by
 * their labels.
 */
public final class Subquery extends FromClause {
    private final SelectBase select;
    private final String name;
    private final boolean lateral;
    private final List<Column<?>> columns;

    Subquery(SelectBase select, String name, boolean lateral) {
        this.select = select;
        this.name = Identifiers.check(name, "subquery");
        this.lateral = lateral;
        this.columns = deriveColumns(this, select);
    }

    static List<Column<?>> deriveColumns(FromClause owner, SelectBase select) {
        List<Expression<?>> selected = select.selectedColumns();
        List<Column<?>> cols = new ArrayList<>(selected.size());
        for (int i = 0; i < selected.size(); i++) {
            cols.add(columnFor(owner, selected.get(i), SelectBase.labelOf(selected.get(i), i)));
        }
        return List.copyOf(cols);
    }

    private static <T> Column<T> columnFor(FromClause owner, Expression<T> e, String label) {
        return new Column<>(owner, label, e.type(), ColumnSpec.PLAIN);
    }

    public SelectBase select() {
        return select;
    }

    public boolean isLateral() {
        return lateral;
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
        visitor.visitSubquery(this);
    }

    @Override
    void appendRef(KeyBuilder key) {
        key.add("subquery", name).add(lateral);
        if (key.identify(this)) {
            select.appendKey(key);
        }
    }
}
