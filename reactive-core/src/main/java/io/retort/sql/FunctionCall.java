package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/**
 * A SQL function call such as {@code count(*)}, {@code lower(name)} or {@code row_number()}.
 * Aggregates and window functions become window expressions with {@link #over(Window)}.
 */
public final class FunctionCall<T> extends Expression<T> {
    private final String name;
    private final List<Expression<?>> arguments;
    private final boolean distinct;
    private final Expression<Boolean> filter;

    FunctionCall(String name, List<Expression<?>> arguments, SqlType<T> type, boolean distinct,
                 Expression<Boolean> filter) {
        super(type);
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new ArgumentError("Function name '" + name + "' is not a plain SQL identifier");
        }
        this.name = name;
        this.arguments = List.copyOf(arguments);
        this.distinct = distinct;
        this.filter = filter;
    }

    public String name() {
        return name;
    }

    public List<Expression<?>> arguments() {
        return arguments;
    }

    public boolean isDistinct() {
        return distinct;
    }

    /** The aggregate FILTER (WHERE ...) condition, or null. */
    public Expression<Boolean> filter() {
        return filter;
    }

    /** {@code f(DISTINCT x)}. */
    public FunctionCall<T> distinct() {
        return new FunctionCall<>(name, arguments, type(), true, filter);
    }

    /** {@code f(x) FILTER (WHERE cond)}. */
    public FunctionCall<T> filter(Expression<Boolean> condition) {
        return new FunctionCall<>(name, arguments, type(), distinct, condition);
    }

    /** {@code f(x) OVER (...)}: a window function. */
    public Expression<T> over(Window window) {
        return new Over<>(this, window);
    }

    @Override
    public String defaultLabel() {
        return null;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitFunction(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        // FILTER presence comes first, or f(g(x)) FILTER (...) keys like f(g(x) FILTER (...)); the
        // declared type is the read type of a result column.
        key.add("fn", name).add(arguments.size()).add(distinct).add(filter != null).add(type());
        for (Expression<?> a : arguments) {
            a.appendKey(key);
        }
        if (filter != null) {
            filter.appendKey(key);
        }
    }
}
