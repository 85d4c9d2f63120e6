package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code EXISTS (SELECT ...)}. */
public final class Exists extends Expression<Boolean> {
    private final SelectBase select;

    Exists(SelectBase select) {
        super(SqlTypes.BOOLEAN);
        this.select = select;
    }

    public SelectBase select() {
        return select;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitExists(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("exists");
        select.appendKey(key);
    }
}
