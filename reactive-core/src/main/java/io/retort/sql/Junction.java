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

    /**
     * {@link #of(Operator, List)} for {@code first} (may be null: absent) followed by {@code more},
     * flattened straight into one array (the WHERE/HAVING path of every statement build).
     */
    @SafeVarargs
    static Expression<Boolean> of(Operator op, Expression<Boolean> first, Expression<Boolean>... more) {
        int count = first == null ? 0 : width(op, first);
        for (Expression<Boolean> t : more) {
            count += width(op, t);
        }
        @SuppressWarnings("unchecked")
        Expression<Boolean>[] flat = new Expression[count];
        int n = first == null ? 0 : put(op, first, flat, 0);
        for (Expression<Boolean> t : more) {
            n = put(op, t, flat, n);
        }
        if (count == 1) {
            return flat[0];
        }
        return new Junction(op, List.of(flat));
    }

    private static int width(Operator op, Expression<Boolean> t) {
        return t instanceof Junction && ((Junction) t).operator.equals(op) ? ((Junction) t).terms.size() : 1;
    }

    private static int put(Operator op, Expression<Boolean> t, Expression<Boolean>[] flat, int n) {
        if (t instanceof Junction && ((Junction) t).operator.equals(op)) {
            for (Expression<Boolean> x : ((Junction) t).terms) {
                flat[n++] = x;
            }
            return n;
        }
        flat[n] = java.util.Objects.requireNonNull(t, "condition");
        return n + 1;
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
