package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * Single cache-key tokens standing for the fixed runs of tokens some nodes append ({@code "bin",
 * op, associative, type}; {@code "bind", type}; {@code "asc"/"desc", nulls}; {@code "join",
 * type}), built once and shared, so a traversal appends and hashes fewer tokens. Each class is
 * used at one site only and compares exactly the fields of the run it replaces, so a key using
 * them is equal to another exactly when the longer keys would have been.
 */
final class KeyTokens {
    private KeyTokens() {
    }

    /** {@code "bin", op, op.isAssociative(), type}. */
    static final class Bin extends KeyBuilder.Token {
        final Operator operator;
        final SqlType<?> type;

        Bin(Operator operator, SqlType<?> type) {
            super((operator.hashCode() * 31 + Boolean.hashCode(operator.isAssociative())) * 31 + type.hashCode());
            this.operator = operator;
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof Bin)) {
                return false;
            }
            Bin b = (Bin) o;
            return b.hashCode() == hashCode() && b.operator.equals(operator)
                    && b.operator.isAssociative() == operator.isAssociative() && b.type.equals(type);
        }

        @Override
        public String toString() {
            return "bin " + operator + " " + operator.isAssociative() + " " + type;
        }
    }

    /** {@code "bind", type} for a plain bind (not expanding, not literal-execute, no name). */
    static final class Bind extends KeyBuilder.Token {
        final SqlType<?> type;

        Bind(SqlType<?> type) {
            super(type.hashCode() * 31 + 0x62696e64);
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof Bind && o.hashCode() == hashCode() && ((Bind) o).type.equals(type));
        }

        @Override
        public String toString() {
            return "bind " + type;
        }
    }

    /** {@code "asc"/"desc", nulls}: one shared instance per combination, so identity is equality. */
    static final class Sort extends KeyBuilder.Token {
        private static final Sort[] ALL = new Sort[2 * SortOrder.Nulls.values().length];

        static {
            for (SortOrder.Nulls n : SortOrder.Nulls.values()) {
                ALL[n.ordinal() * 2] = new Sort(false, n);
                ALL[n.ordinal() * 2 + 1] = new Sort(true, n);
            }
        }

        private final boolean descending;
        private final SortOrder.Nulls nulls;

        private Sort(boolean descending, SortOrder.Nulls nulls) {
            // Stable across runs (identity hashes are not), like the tokens it replaces.
            super(nulls.name().hashCode() * 31 + (descending ? 1 : 2));
            this.descending = descending;
            this.nulls = nulls;
        }

        static Sort of(boolean descending, SortOrder.Nulls nulls) {
            return ALL[nulls.ordinal() * 2 + (descending ? 1 : 0)];
        }

        @Override
        public String toString() {
            return (descending ? "desc " : "asc ") + nulls;
        }
    }

    /** {@code "join", type}: one shared instance per join type. */
    static final class JoinKind extends KeyBuilder.Token {
        private static final JoinKind[] ALL = new JoinKind[Join.Type.values().length];

        static {
            for (Join.Type t : Join.Type.values()) {
                ALL[t.ordinal()] = new JoinKind(t);
            }
        }

        private final Join.Type type;

        private JoinKind(Join.Type type) {
            super(type.name().hashCode() * 31 + 0x6a6f696e);
            this.type = type;
        }

        static JoinKind of(Join.Type type) {
            return ALL[type.ordinal()];
        }

        @Override
        public String toString() {
            return "join " + type;
        }
    }

    /** The {@link Bin} token of {@code operator} applied to give {@code type}, memoized on the operator. */
    static Bin bin(Operator operator, SqlType<?> type) {
        Bin b = operator.binToken;
        if (b == null || b.type != type) {
            // One slot: comparisons always give BOOLEAN; arithmetic with varying types just rebuilds.
            b = new Bin(operator, type);
            operator.binToken = b;
        }
        return b;
    }

    /** The {@link Bind} token of {@code type}, memoized on the type. */
    static Bind bind(SqlType<?> type) {
        Bind b = type.bindToken;
        if (b == null) {
            b = new Bind(type);
            type.bindToken = b;
        }
        return b;
    }
}
