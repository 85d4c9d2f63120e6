package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A typed SQL value expression: a column, a bound value, an operator applied to others, a
 * function call. Every operator method returns a new node; Java values given to them become
 * bound parameters typed like this expression (never inlined SQL).
 *
 * <pre>{@code
 * TRACK.unitPrice.gt(new BigDecimal("0.99")).and(TRACK.name.startsWith("Love", true))
 * // PostgreSQL: track.unit_price > $1 AND track.name LIKE $2 || '%' ESCAPE '/'
 * // MySQL:      track.unit_price > ? AND track.name LIKE concat(?, '%') ESCAPE '/'
 * }</pre>
 *
 * @param <T> the Java type of the expression's values
 */
public abstract class Expression<T> extends Node implements GroupByElement, OrderByElement {
    private final SqlType<T> type;

    Expression(SqlType<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** The SQL type, which also tells the engine how to read the values. */
    public SqlType<T> type() {
        return type;
    }

    /** The name this expression gets in a result row when not labelled; null for anonymous. */
    public String defaultLabel() {
        return null;
    }

    /** Binding precedence of this node's top operator; {@link Integer#MAX_VALUE} for atoms. */
    int precedence() {
        return Integer.MAX_VALUE;
    }

    BindParam<T> bind(T value) {
        if (value instanceof Expression) {
            throw new ArgumentError("Pass an Expression through the Expression overload, not as a value");
        }
        @SuppressWarnings("unchecked")
        T checked = (T) type.checkBindValue(value);
        return new BindParam<>(type, checked, null, false);
    }

    // ----------------------------------------------------------------- comparison

    public Expression<Boolean> eq(T value) {
        return value == null ? isNull() : compare(Operator.EQ, bind(value));
    }

    public Expression<Boolean> eq(Expression<? extends T> other) {
        return compare(Operator.EQ, other);
    }

    public Expression<Boolean> ne(T value) {
        return value == null ? isNotNull() : compare(Operator.NE, bind(value));
    }

    public Expression<Boolean> ne(Expression<? extends T> other) {
        return compare(Operator.NE, other);
    }

    public Expression<Boolean> lt(T value) {
        return compare(Operator.LT, bind(value));
    }

    public Expression<Boolean> lt(Expression<? extends T> other) {
        return compare(Operator.LT, other);
    }

    public Expression<Boolean> le(T value) {
        return compare(Operator.LE, bind(value));
    }

    public Expression<Boolean> le(Expression<? extends T> other) {
        return compare(Operator.LE, other);
    }

    public Expression<Boolean> gt(T value) {
        return compare(Operator.GT, bind(value));
    }

    public Expression<Boolean> gt(Expression<? extends T> other) {
        return compare(Operator.GT, other);
    }

    public Expression<Boolean> ge(T value) {
        return compare(Operator.GE, bind(value));
    }

    public Expression<Boolean> ge(Expression<? extends T> other) {
        return compare(Operator.GE, other);
    }

    public Expression<Boolean> isNull() {
        return compare(Operator.IS, Constant.nullOf(type));
    }

    public Expression<Boolean> isNotNull() {
        return compare(Operator.IS_NOT, Constant.nullOf(type));
    }

    /** NULL-safe inequality; MySQL renders {@code NOT (a <=> b)}. */
    public Expression<Boolean> isDistinctFrom(T value) {
        return compare(Operator.IS_DISTINCT_FROM, bind(value));
    }

    public Expression<Boolean> isDistinctFrom(Expression<? extends T> other) {
        return compare(Operator.IS_DISTINCT_FROM, other);
    }

    /** NULL-safe equality; MySQL renders {@code a <=> b}. */
    public Expression<Boolean> isNotDistinctFrom(T value) {
        return compare(Operator.IS_NOT_DISTINCT_FROM, bind(value));
    }

    public Expression<Boolean> isNotDistinctFrom(Expression<? extends T> other) {
        return compare(Operator.IS_NOT_DISTINCT_FROM, other);
    }

    public Expression<Boolean> between(T low, T high) {
        return new Between(this, bind(low), bind(high), false);
    }

    public Expression<Boolean> between(Expression<? extends T> low, Expression<? extends T> high) {
        return new Between(this, low, high, false);
    }

    public Expression<Boolean> notBetween(T low, T high) {
        return new Between(this, bind(low), bind(high), true);
    }

    private Expression<Boolean> compare(Operator op, Expression<?> right) {
        return new BinaryExpression<>(this, op, right, SqlTypes.BOOLEAN);
    }

    // ----------------------------------------------------------------- IN (C4, C5)

    /**
     * {@code IN} with one expanding bind for the whole collection, so the statement's cache key
     * is the same for every list length; an empty collection is legal and is false (C4).
     */
    public Expression<Boolean> in(Collection<? extends T> values) {
        return new InExpression(this, expanding(values), false);
    }

    @SafeVarargs
    public final Expression<Boolean> in(T... values) {
        return in(Arrays.asList(values));
    }

    /** {@code NOT IN}; an empty collection is true (C4). */
    public Expression<Boolean> notIn(Collection<? extends T> values) {
        return new InExpression(this, expanding(values), true);
    }

    @SafeVarargs
    public final Expression<Boolean> notIn(T... values) {
        return notIn(Arrays.asList(values));
    }

    /** {@code IN (SELECT ...)}. */
    public Expression<Boolean> in(SelectBase subquery) {
        return new InExpression(this, new ScalarSubquery<>(subquery, type), false);
    }

    public Expression<Boolean> notIn(SelectBase subquery) {
        return new InExpression(this, new ScalarSubquery<>(subquery, type), true);
    }

    private BindParam<List<T>> expanding(Collection<? extends T> values) {
        Objects.requireNonNull(values, "values");
        List<Object> checked = new ArrayList<>(values.size());
        for (T v : values) {
            checked.add(type.checkBindValue(v));
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Collections0.unmodifiable(checked);
        return BindParam.expanding(type, list);
    }

    // ----------------------------------------------------------------- LIKE (C6)

    public Expression<Boolean> like(String pattern) {
        return new Like(this, new BindParam<>(SqlTypes.VARCHAR, pattern, null, false), null, false, false);
    }

    public Expression<Boolean> like(String pattern, char escape) {
        return new Like(this, new BindParam<>(SqlTypes.VARCHAR, pattern, null, false), escape, false, false);
    }

    public Expression<Boolean> notLike(String pattern) {
        return new Like(this, new BindParam<>(SqlTypes.VARCHAR, pattern, null, false), null, true, false);
    }

    /** Case-insensitive LIKE: PostgreSQL ILIKE, elsewhere {@code lower(x) LIKE lower(p)}. */
    public Expression<Boolean> ilike(String pattern) {
        return new Like(this, new BindParam<>(SqlTypes.VARCHAR, pattern, null, false), null, false, true);
    }

    /** {@code x LIKE :p || '%'} with the value as given (its wildcards stay wildcards). */
    public Expression<Boolean> startsWith(String prefix) {
        return Like.affix(this, prefix, false, true, false, null);
    }

    /**
     * {@code x LIKE :p || '%' ESCAPE '/'} where {@code %}, {@code _} and {@code /} in the value are
     * escaped when {@code autoescape} is on, so they match literally (C6).
     */
    public Expression<Boolean> startsWith(String prefix, boolean autoescape) {
        return Like.affix(this, prefix, false, true, autoescape, null);
    }

    /** Like {@link #startsWith(String, boolean)} with a custom escape character. */
    public Expression<Boolean> startsWith(String prefix, boolean autoescape, char escape) {
        return Like.affix(this, prefix, false, true, autoescape, escape);
    }

    public Expression<Boolean> endsWith(String suffix) {
        return Like.affix(this, suffix, true, false, false, null);
    }

    public Expression<Boolean> endsWith(String suffix, boolean autoescape) {
        return Like.affix(this, suffix, true, false, autoescape, null);
    }

    public Expression<Boolean> endsWith(String suffix, boolean autoescape, char escape) {
        return Like.affix(this, suffix, true, false, autoescape, escape);
    }

    public Expression<Boolean> contains(String part) {
        return Like.affix(this, part, true, true, false, null);
    }

    public Expression<Boolean> contains(String part, boolean autoescape) {
        return Like.affix(this, part, true, true, autoescape, null);
    }

    public Expression<Boolean> contains(String part, boolean autoescape, char escape) {
        return Like.affix(this, part, true, true, autoescape, escape);
    }

    // ----------------------------------------------------------------- arithmetic

    public Expression<T> plus(T value) {
        return arithmetic(Operator.PLUS, bind(value));
    }

    public Expression<T> plus(Expression<? extends T> other) {
        return arithmetic(Operator.PLUS, other);
    }

    public Expression<T> minus(T value) {
        return arithmetic(Operator.MINUS, bind(value));
    }

    public Expression<T> minus(Expression<? extends T> other) {
        return arithmetic(Operator.MINUS, other);
    }

    public Expression<T> times(T value) {
        return arithmetic(Operator.TIMES, bind(value));
    }

    public Expression<T> times(Expression<? extends T> other) {
        return arithmetic(Operator.TIMES, other);
    }

    public Expression<T> div(T value) {
        return arithmetic(Operator.DIVIDE, bind(value));
    }

    public Expression<T> div(Expression<? extends T> other) {
        return arithmetic(Operator.DIVIDE, other);
    }

    public Expression<T> mod(T value) {
        return arithmetic(Operator.MODULO, bind(value));
    }

    /** Unary minus. */
    public Expression<T> negate() {
        return new UnaryExpression<>("-", this, type, false);
    }

    private Expression<T> arithmetic(Operator op, Expression<?> right) {
        return new BinaryExpression<>(this, op, right, type);
    }

    /** String concatenation: {@code ||}, or {@code concat(a, b)} on MySQL. */
    public Expression<String> concat(Object other) {
        Expression<?> right = other instanceof Expression ? (Expression<?>) other
                : new BindParam<>(SqlTypes.VARCHAR, String.valueOf(other), null, false);
        return new BinaryExpression<>(this, Operator.CONCAT, right, SqlTypes.VARCHAR);
    }

    /**
     * A custom operator with an explicit result type, e.g. PostgreSQL
     * {@code data.op(Operator.custom("->>", 9, false), "name", SqlTypes.TEXT)} (C7).
     */
    public <R> Expression<R> op(Operator operator, Object other, SqlType<R> resultType) {
        Expression<?> right = other instanceof Expression ? (Expression<?>) other : Sql.param(other);
        return new BinaryExpression<>(this, operator, right, resultType);
    }

    // ----------------------------------------------------------------- boolean

    /** Conjunction; only meaningful on boolean expressions. */
    @SuppressWarnings("unchecked")
    public Expression<Boolean> and(Expression<Boolean> other) {
        return Junction.of(Operator.AND, List.of((Expression<Boolean>) booleanSelf(), other));
    }

    @SuppressWarnings("unchecked")
    public Expression<Boolean> or(Expression<Boolean> other) {
        return Junction.of(Operator.OR, List.of((Expression<Boolean>) booleanSelf(), other));
    }

    /** {@code NOT x}. */
    @SuppressWarnings("unchecked")
    public Expression<Boolean> not() {
        return new UnaryExpression<>("NOT ", (Expression<Boolean>) booleanSelf(), SqlTypes.BOOLEAN, false);
    }

    private Expression<?> booleanSelf() {
        if (type.kind() != SqlType.Kind.BOOLEAN && type.kind() != SqlType.Kind.NULL) {
            throw new ArgumentError("AND/OR/NOT need a boolean expression, got " + type);
        }
        return this;
    }

    // ----------------------------------------------------------------- shaping

    /** {@code expr AS label} in a columns clause. */
    public Expression<T> as(String label) {
        return new Label<>(this, label);
    }

    /** {@code CAST(expr AS type)}, labelled with this expression's name in a SELECT (C1). */
    public <R> Expression<R> cast(SqlType<R> target) {
        return new Cast<>(this, target);
    }

    /** {@code expr COLLATE "name"}; the collation name is quoted when needed (C18). */
    public Expression<T> collate(String collation) {
        return new Collate<>(this, collation);
    }

    public SortOrder asc() {
        return new SortOrder(this, false, SortOrder.Nulls.DEFAULT);
    }

    public SortOrder desc() {
        return new SortOrder(this, true, SortOrder.Nulls.DEFAULT);
    }

    /** {@link #asc()} or {@link #desc()} as {@code direction} says: a direction chosen at run time, never SQL text (B7). */
    public SortOrder sort(SortOrder.Direction direction) {
        return new SortOrder(this, Objects.requireNonNull(direction, "direction") == SortOrder.Direction.DESC,
                SortOrder.Nulls.DEFAULT);
    }

    @Override
    public SortOrder toSortOrder() {
        return asc();
    }
}
