package io.retort.orm;

import io.retort.orm.BulkEvaluator.Undecided;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * SQL's value rules reproduced in Java, for {@link BulkEvaluator}: NULL as unknown (three-valued
 * AND, OR and NOT; a comparison with a NULL side is unknown), numbers compared by value whatever
 * their Java type, exact integer and decimal arithmetic (an overflow is the database's error),
 * LIKE patterns as regexes, and a value converted to a column's type as the database would store
 * it. Where Java cannot be sure to give the database's answer (values of unrelated types, NaN, an
 * overflow, a decimal the database would round) these throw {@link Undecided}.
 */
final class SqlValues {
    private SqlValues() {
    }

    static Boolean and3(Boolean a, Boolean b) {
        if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
            return Boolean.FALSE;
        }
        return a == null || b == null ? null : Boolean.TRUE;
    }

    static Boolean or3(Boolean a, Boolean b) {
        if (Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b)) {
            return Boolean.TRUE;
        }
        return a == null || b == null ? null : Boolean.FALSE;
    }

    static Boolean not(Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean)) {
            throw Undecided.INSTANCE;
        }
        return !(Boolean) v;
    }

    interface Test {
        boolean test(int comparison);
    }

    /** A SQL comparison: unknown with a NULL side, Java order otherwise (numbers by value). */
    static Boolean cmp(Object a, Object b, Test t) {
        if (a == null || b == null) {
            return null;
        }
        return t.test(compare(a, b));
    }

    static boolean notDistinct(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        return compare(a, b) == 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) {
            return decimal((Number) a).compareTo(decimal((Number) b));
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return java.util.Arrays.compare((byte[]) a, (byte[]) b);
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable) {
            return ((Comparable) a).compareTo(b);
        }
        if (a instanceof Enum && b instanceof String) {
            return ((Enum<?>) a).name().compareTo((String) b);
        }
        throw Undecided.INSTANCE;
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal) {
            return (BigDecimal) n;
        }
        if (n instanceof BigInteger) {
            return new BigDecimal((BigInteger) n);
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw Undecided.INSTANCE;
            }
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(n.longValue());
    }

    /**
     * {@code a + b}, {@code a - b}, {@code a * b} (NULL if either is): exact for integers (an
     * overflow is the database's error, not a wrapped value) and decimals; in double for floats.
     */
    static Object arithmetic(char op, Object a, Object b) {
        if (a == null || b == null) {
            return null;
        }
        if (!(a instanceof Number) || !(b instanceof Number)) {
            throw Undecided.INSTANCE;
        }
        Number x = (Number) a;
        Number y = (Number) b;
        if (x instanceof Double || x instanceof Float || y instanceof Double || y instanceof Float) {
            double l = x.doubleValue();
            double r = y.doubleValue();
            return op == '+' ? l + r : op == '-' ? l - r : l * r;
        }
        if (x instanceof BigDecimal || y instanceof BigDecimal || x instanceof BigInteger || y instanceof BigInteger) {
            BigDecimal l = decimal(x);
            BigDecimal r = decimal(y);
            return op == '+' ? l.add(r) : op == '-' ? l.subtract(r) : l.multiply(r);
        }
        try {
            long l = x.longValue();
            long r = y.longValue();
            long v = op == '+' ? Math.addExact(l, r) : op == '-' ? Math.subtractExact(l, r) : Math.multiplyExact(l, r);
            boolean wide = x instanceof Long || y instanceof Long;
            if (!wide && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                throw Undecided.INSTANCE; // the database's INTEGER overflows: its error, not a value here
            }
            return wide ? (Object) v : (Object) (int) v;
        } catch (ArithmeticException e) {
            throw Undecided.INSTANCE;
        }
    }

    /**
     * {@code v} as a value of {@code p}'s column, as the database would store it; {@link Undecided}
     * when it would convert it in a way Java cannot be sure of (a decimal with more digits than the
     * column's scale, which the database rounds; a fraction for an integer column).
     */
    static Object coerce(Object v, Property p) {
        if (v == null) {
            return null;
        }
        Class<?> target = p.column().type().javaType();
        if (target.isInstance(v)) {
            if (v instanceof BigDecimal && p.column().type().scale() >= 0
                    && ((BigDecimal) v).stripTrailingZeros().scale() > p.column().type().scale()) {
                throw Undecided.INSTANCE;
            }
            return v;
        }
        if (!(v instanceof Number)) {
            throw Undecided.INSTANCE;
        }
        Number n = (Number) v;
        try {
            if (target == Integer.class) {
                return decimal(n).intValueExact();
            }
            if (target == Long.class) {
                return decimal(n).longValueExact();
            }
            if (target == Short.class) {
                return decimal(n).shortValueExact();
            }
            if (target == BigDecimal.class) {
                return coerce(decimal(n), p);
            }
            if (target == Double.class) {
                return n.doubleValue();
            }
        } catch (ArithmeticException e) {
            throw Undecided.INSTANCE;
        }
        throw Undecided.INSTANCE;
    }

    /** A LIKE pattern as a Java regex: {@code %} any run, {@code _} one character, the escape taken literally. */
    static String likeRegex(String pattern, Character escape) {
        StringBuilder re = new StringBuilder(pattern.length() + 8);
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (escape != null && c == escape && i + 1 < pattern.length()) {
                lit.append(pattern.charAt(++i));
            } else if (c == '%' || c == '_') {
                if (lit.length() > 0) {
                    re.append(Pattern.quote(lit.toString()));
                    lit.setLength(0);
                }
                re.append(c == '%' ? ".*" : ".");
            } else {
                lit.append(c);
            }
        }
        if (lit.length() > 0) {
            re.append(Pattern.quote(lit.toString()));
        }
        return re.toString();
    }
}
