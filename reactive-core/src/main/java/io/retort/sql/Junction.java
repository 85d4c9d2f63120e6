package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.List;

/** {@code a AND b AND c} or {@code a OR b}: nested junctions of the same operator are flattened. */
public final class Junction extends Expression<Boolean> {
    private final Operator operator;
    private final List<Expression<Boolean>> terms;

    private Junction(Operator operator, List<Expression<Boolean>> terms) {
        super(SqlTypes.BOOLEAN);
        this.operator = operator;
        this.terms = terms;
    }

    static Expression<Boolean> of(Operator op, List<Expression<Boolean>> terms) {
        List<Expression<Boolean>> flat = new ArrayList<>(terms.size() + 2);
        for (Expression<Boolean> t : terms) {
            if (t instanceof Junction && ((Junction) t).operator.equals(op)) {
                flat.addAll(((Junction) t).terms);
            } else {
                flat.add(java.util.Objects.requireNonNull(t, "condition"));
            }
        }
        if (flat.size() == 1) {
            return flat.get(0);
        }
        return new Junction(op, List.copyOf(flat));
    }

    public Operator operator() {
        return operator;
    }

    public List<Expression<Boolean>> terms() {
        return terms;
    }

    @Override
    int precedence() {
        return operator.precedence();
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitJunction(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add(operator, terms.size());
        for (Expression<Boolean> t : terms) {
            t.appendKey(key);
        }
    }
}
