package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.List;

/** {@code CASE WHEN c1 THEN r1 ... ELSE e END}; build with {@link Sql#caseWhen}. */
public final class Case<T> extends Expression<T> {
    private final List<Expression<Boolean>> conditions;
    private final List<Expression<? extends T>> results;
    private final Expression<? extends T> otherwise;

    Case(List<Expression<Boolean>> conditions, List<Expression<? extends T>> results,
         Expression<? extends T> otherwise, SqlType<T> type) {
        super(type);
        this.conditions = conditions;
        this.results = results;
        this.otherwise = otherwise;
    }

    /** Adds a WHEN branch. */
    public Case<T> when(Expression<Boolean> condition, T result) {
        return when(condition, Sql.param(result, type()));
    }

    @SuppressWarnings("unchecked")
    public Case<T> when(Expression<Boolean> condition, Expression<? extends T> result) {
        List<Expression<Boolean>> c = new ArrayList<>(conditions);
        c.add(condition);
        List<Expression<? extends T>> r = new ArrayList<>(results);
        r.add(result);
        return new Case<>(List.copyOf(c), List.copyOf(r), otherwise, type());
    }

    /** The ELSE result. */
    public Case<T> otherwise(T result) {
        return new Case<>(conditions, results, Sql.param(result, type()), type());
    }

    public Case<T> otherwise(Expression<? extends T> result) {
        return new Case<>(conditions, results, result, type());
    }

    public List<Expression<Boolean>> conditions() {
        return conditions;
    }

    public List<Expression<? extends T>> results() {
        return results;
    }

    public Expression<? extends T> otherwise() {
        return otherwise;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitCase(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("case", conditions.size()).add(otherwise != null);
        for (int i = 0; i < conditions.size(); i++) {
            conditions.get(i).appendKey(key);
            results.get(i).appendKey(key);
        }
        if (otherwise != null) {
            otherwise.appendKey(key);
        }
    }
}
