package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

/** {@code expr AS name} in a columns clause; elsewhere the label is not rendered. */
public final class Label<T> extends Expression<T> {
    private final Expression<T> element;
    private final String name;

    Label(Expression<T> element, String name) {
        super(element.type());
        Identifiers.check(name, "label");
        this.element = element instanceof Label ? ((Label<T>) element).element : element;
        this.name = name;
    }

    public Expression<T> element() {
        return element;
    }

    public String name() {
        return name;
    }

    @Override
    public String defaultLabel() {
        return name;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitLabel(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("label", name);
        element.appendKey(key);
    }

    static void requireNotLabel(Expression<?> e) {
        if (e instanceof Label) {
            throw new ArgumentError("A labelled expression cannot be used here");
        }
    }
}
