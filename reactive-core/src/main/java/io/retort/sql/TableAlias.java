package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.List;

/** {@code table AS alias}; its columns are the table's columns qualified by the alias. */
public final class TableAlias extends FromClause {
    private final Table table;
    private final String alias;
    private final List<Column<?>> columns;

    TableAlias(Table table, String alias) {
        this.table = table;
        this.alias = Identifiers.check(alias, "alias");
        List<Column<?>> cols = new ArrayList<>(table.columns().size());
        for (Column<?> c : table.columns()) {
            cols.add(copy(c));
        }
        this.columns = List.copyOf(cols);
    }

    private <T> Column<T> copy(Column<T> c) {
        return new Column<>(this, c.name(), c.type(), c.spec());
    }

    public Table table() {
        return table;
    }

    @Override
    public String name() {
        return alias;
    }

    @Override
    public List<Column<?>> columns() {
        return columns;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitTableAlias(this);
    }

    @Override
    void appendRef(KeyBuilder key) {
        key.add("alias", alias);
        // Two alias objects with one name are two FROM entries to the compiler (identity), so the
        // key tells them apart too.
        if (key.identify(this)) {
            table.appendRef(key);
        }
    }
}
