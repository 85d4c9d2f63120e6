package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.Objects;

/**
 * A binary or unary SQL operator with its precedence. All comparison operators share one
 * level, so a comparison nested in another is always parenthesised:
 * {@code (q IS NULL) <> (y IS NULL)} (C7, seed "flattened operator precedence").
 * Custom operators ({@link #custom}) carry an explicit precedence; their result type is given
 * where they are applied.
 */
public final class Operator {
    /** Precedence levels, higher binds tighter. */
    public static final int OR_LEVEL = 1;
    public static final int AND_LEVEL = 2;
    public static final int NOT_LEVEL = 3;
    public static final int COMPARISON_LEVEL = 5;
    public static final int CONCAT_LEVEL = 6;
    public static final int ADDITIVE_LEVEL = 7;
    public static final int MULTIPLICATIVE_LEVEL = 8;
    public static final int UNARY_LEVEL = 9;

    public static final Operator EQ = new Operator("=", COMPARISON_LEVEL, true, false);
    public static final Operator NE = new Operator("<>", COMPARISON_LEVEL, true, false);
    public static final Operator LT = new Operator("<", COMPARISON_LEVEL, true, false);
    public static final Operator LE = new Operator("<=", COMPARISON_LEVEL, true, false);
    public static final Operator GT = new Operator(">", COMPARISON_LEVEL, true, false);
    public static final Operator GE = new Operator(">=", COMPARISON_LEVEL, true, false);
    public static final Operator IS = new Operator("IS", COMPARISON_LEVEL, true, false);
    public static final Operator IS_NOT = new Operator("IS NOT", COMPARISON_LEVEL, true, false);
    public static final Operator IS_DISTINCT_FROM = new Operator("IS DISTINCT FROM", COMPARISON_LEVEL, true, false);
    public static final Operator IS_NOT_DISTINCT_FROM = new Operator("IS NOT DISTINCT FROM", COMPARISON_LEVEL, true, false);
    public static final Operator PLUS = new Operator("+", ADDITIVE_LEVEL, false, true);
    public static final Operator MINUS = new Operator("-", ADDITIVE_LEVEL, false, false);
    public static final Operator TIMES = new Operator("*", MULTIPLICATIVE_LEVEL, false, true);
    public static final Operator DIVIDE = new Operator("/", MULTIPLICATIVE_LEVEL, false, false);
    public static final Operator MODULO = new Operator("%", MULTIPLICATIVE_LEVEL, false, false);
    public static final Operator CONCAT = new Operator("||", CONCAT_LEVEL, false, true);
    public static final Operator AND = new Operator("AND", AND_LEVEL, false, true);
    public static final Operator OR = new Operator("OR", OR_LEVEL, false, true);

    private final String sql;
    private final int precedence;
    private final boolean comparison;
    private final boolean associative;
    /**
     * The cache-key token of this operator's last result type ({@link KeyTokens#bin}); a racy
     * memo, safe because the token is immutable.
     */
    KeyTokens.Bin binToken;

    private Operator(String sql, int precedence, boolean comparison, boolean associative) {
        this.sql = sql;
        this.precedence = precedence;
        this.comparison = comparison;
        this.associative = associative;
    }

    /**
     * A custom operator such as PostgreSQL's {@code @>} or {@code ->>}. The text is checked so a
     * custom operator can never smuggle SQL (only operator characters and words are allowed).
     */
    public static Operator custom(String sql, int precedence, boolean comparison) {
        Objects.requireNonNull(sql, "sql");
        if (sql.isBlank() || !sql.matches("[A-Za-z _]+|[-+*/<>=~!@#%^&|`?:]+")) {
            throw new ArgumentError("Custom operator '" + sql + "' must be operator symbols or keywords only");
        }
        return new Operator(sql, precedence, comparison, false);
    }

    public String sql() {
        return sql;
    }

    public int precedence() {
        return precedence;
    }

    public boolean isComparison() {
        return comparison;
    }

    /** True when {@code a op (b op c)} equals {@code (a op b) op c}, so no parentheses are needed. */
    public boolean isAssociative() {
        return associative;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Operator && ((Operator) o).sql.equals(sql) && ((Operator) o).precedence == precedence
                && ((Operator) o).comparison == comparison;
    }

    @Override
    public int hashCode() {
        return sql.hashCode() * 31 + precedence;
    }

    @Override
    public String toString() {
        return sql;
    }
}
