package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** {@code function(...) OVER (window)}. */
public final class Over<T> extends Expression<T> {
    private final FunctionCall<T> function;
    private final Window window;

    Over(FunctionCall<T> function, Window window) {
        super(function.type());
        this.function = function;
        this.window = window;
    }

    public FunctionCall<T> function() {
        return function;
    }

    public Window window() {
        return window;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitOver(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("over");
        function.appendKey(key);
        window.appendKey(key);
    }
}
