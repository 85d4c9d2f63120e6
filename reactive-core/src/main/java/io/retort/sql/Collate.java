package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code expr COLLATE "name"}: the name is an identifier, quoted by the dialect (C18). */
public final class Collate<T> extends Expression<T> {
    private final Expression<T> operand;
    private final String collation;

    Collate(Expression<T> operand, String collation) {
        super(operand.type());
        this.operand = operand;
        this.collation = Identifiers.check(collation, "collation");
    }

    public Expression<T> operand() {
        return operand;
    }

    public String collation() {
        return collation;
    }

    @Override
    public String defaultLabel() {
        return operand.defaultLabel();
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitCollate(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("collate", collation);
        operand.appendKey(key);
    }
}
