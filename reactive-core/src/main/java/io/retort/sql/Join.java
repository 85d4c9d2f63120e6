package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.List;

/** {@code left [LEFT|RIGHT|FULL|CROSS] JOIN right ON condition}. */
public final class Join extends FromClause {
    /** The join kind. */
    public enum Type {
        INNER("JOIN"), LEFT("LEFT OUTER JOIN"), RIGHT("RIGHT OUTER JOIN"), FULL("FULL OUTER JOIN"), CROSS("CROSS JOIN");

        private final String sql;

        Type(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    private final FromClause left;
    private final FromClause right;
    private final Expression<Boolean> on;
    private final Type type;

    Join(FromClause left, FromClause right, Expression<Boolean> on, Type type) {
        this.left = java.util.Objects.requireNonNull(left, "left");
        this.right = java.util.Objects.requireNonNull(right, "right");
        if (on == null && type != Type.CROSS) {
            throw new ArgumentError("A " + type.sql() + " needs an ON condition; use crossJoin for a cartesian product");
        }
        this.on = on;
        this.type = type;
    }

    /**
     * The ON clause from the single foreign key between the two sides (either direction);
     * an {@link ArgumentError} if there is none or more than one.
     */
    static Expression<Boolean> inferOn(FromClause left, FromClause right) {
        List<Expression<Boolean>> found = new ArrayList<>();
        for (FromClause l : left.leaves()) {
            collect(l, right, found);
            collect(right, l, found);
        }
        if (found.size() != 1) {
            throw new ArgumentError((found.isEmpty() ? "No foreign key" : "More than one foreign key")
                    + " links " + right.name() + " to " + left.name() + "; give the ON condition explicitly");
        }
        return found.get(0);
    }

    private static void collect(FromClause child, FromClause parent, List<Expression<Boolean>> out) {
        Table parentTable = parent instanceof Table ? (Table) parent
                : parent instanceof TableAlias ? ((TableAlias) parent).table() : null;
        if (parentTable == null) {
            return;
        }
        for (Column<?> c : child.columns()) {
            ColumnSpec.ForeignKeyRef ref = c.spec().references();
            if (ref != null && ref.table().equals(parentTable.name())
                    && java.util.Objects.equals(ref.schema(), parentTable.schema())) {
                out.add(eq(c, parent.c(ref.column())));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Expression<Boolean> eq(Column<T> a, Column<?> b) {
        return a.eq((Expression<T>) b);
    }

    public FromClause left() {
        return left;
    }

    public FromClause right() {
        return right;
    }

    /** The ON condition; null for CROSS JOIN. */
    public Expression<Boolean> on() {
        return on;
    }

    public Type type() {
        return type;
    }

    @Override
    public String name() {
        return null;
    }

    @Override
    public List<Column<?>> columns() {
        List<Column<?>> all = new ArrayList<>(left.columns());
        all.addAll(right.columns());
        return all;
    }

    @Override
    List<FromClause> leaves() {
        List<FromClause> l = new ArrayList<>(left.leaves());
        l.addAll(right.leaves());
        return l;
    }

    @Override
    String describe() {
        return "join of " + leaves().stream().map(FromClause::name).toList();
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitJoin(this);
    }

    @Override
    void appendRef(KeyBuilder key) {
        key.add(KeyTokens.JoinKind.of(type));
        left.appendRef(key);
        right.appendRef(key);
        if (on != null) {
            on.appendKey(key);
        }
    }
}
