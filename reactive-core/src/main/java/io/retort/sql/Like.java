package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

/**
 * {@code x LIKE pattern [ESCAPE 'c']}, also the {@code startsWith/endsWith/contains} helpers,
 * whose wildcards are concatenated in SQL ({@code :p || '%'}) so the bound value stays exactly
 * what the caller gave. With autoescape, {@code %}, {@code _} and the escape character itself
 * ({@code /} by default) are escaped in the value (C6, seed 1.2 "autoescape").
 */
public final class Like extends Expression<Boolean> {
    /** The escape character autoescape uses unless another is given. */
    public static final char DEFAULT_ESCAPE = '/';

    private final Expression<?> left;
    private final Expression<?> pattern;
    private final Character escape;
    private final boolean negated;
    private final boolean caseInsensitive;
    private final boolean wildcardBefore;
    private final boolean wildcardAfter;

    Like(Expression<?> left, Expression<?> pattern, Character escape, boolean negated, boolean caseInsensitive) {
        this(left, pattern, escape, negated, caseInsensitive, false, false);
    }

    private Like(Expression<?> left, Expression<?> pattern, Character escape, boolean negated,
                 boolean caseInsensitive, boolean wildcardBefore, boolean wildcardAfter) {
        super(SqlTypes.BOOLEAN);
        if (escape != null && (escape == '\'' || escape == '%' || escape == '_' || escape == 0)) {
            throw new ArgumentError("'" + escape + "' cannot be a LIKE escape character; use '/' or '#'");
        }
        this.left = left;
        this.pattern = pattern;
        this.escape = escape;
        this.negated = negated;
        this.caseInsensitive = caseInsensitive;
        this.wildcardBefore = wildcardBefore;
        this.wildcardAfter = wildcardAfter;
    }

    static Like affix(Expression<?> left, String value, boolean before, boolean after, boolean autoescape,
                      Character escape) {
        java.util.Objects.requireNonNull(value, "LIKE value");
        Character esc = escape;
        String v = value;
        if (autoescape) {
            esc = escape == null ? DEFAULT_ESCAPE : escape;
            v = escapeValue(value, esc);
        }
        return new Like(left, new BindParam<>(SqlTypes.VARCHAR, v, null, false), esc, false, false, before, after);
    }

    /** Escapes {@code %}, {@code _} and {@code escape} itself with {@code escape}. */
    public static String escapeValue(String value, char escape) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' || c == '_' || c == escape) {
                sb.append(escape);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    public Expression<?> left() {
        return left;
    }

    public Expression<?> pattern() {
        return pattern;
    }

    /** The ESCAPE character, or null. */
    public Character escape() {
        return escape;
    }

    public boolean isNegated() {
        return negated;
    }

    public boolean isCaseInsensitive() {
        return caseInsensitive;
    }

    /** Whether {@code '%'} is concatenated before the pattern (endsWith, contains). */
    public boolean wildcardBefore() {
        return wildcardBefore;
    }

    /** Whether {@code '%'} is concatenated after the pattern (startsWith, contains). */
    public boolean wildcardAfter() {
        return wildcardAfter;
    }

    /** The same test negated ({@code NOT LIKE}). */
    @Override
    public Expression<Boolean> not() {
        return new Like(left, pattern, escape, !negated, caseInsensitive, wildcardBefore, wildcardAfter);
    }

    @Override
    int precedence() {
        return Operator.COMPARISON_LEVEL;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitLike(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("like", escape);
        key.add(negated).add(caseInsensitive).add(wildcardBefore).add(wildcardAfter);
        left.appendKey(key);
        pattern.appendKey(key);
    }
}
