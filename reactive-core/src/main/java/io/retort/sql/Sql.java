package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point of the expression language: static factories for statements, values,
 * functions and conditions. Import it statically:
 *
 * <pre>{@code
 * import static io.retort.sql.Sql.*;
 *
 * Select q = select(ARTIST.name, count().as("albums"))
 *     .from(ARTIST.join(ALBUM))
 *     .groupBy(ARTIST.name)
 *     .having(count().gt(5L))
 *     .orderBy(count().desc());
 * }</pre>
 */
public final class Sql {
    private Sql() {
    }

    // ----------------------------------------------------------------- statements

    /** {@code SELECT exprs}; FROM elements are taken from the columns unless given. */
    public static Select select(Expression<?>... columns) {
        return Select.of(columns);
    }

    public static Select select(List<? extends Expression<?>> columns) {
        return Select.of(columns);
    }

    /** {@code SELECT <all columns of from> FROM from}. */
    public static Select selectFrom(FromClause from) {
        return Select.of(from.columns()).from(from);
    }

    /** A SELECT is not a FROM element: always an {@link ArgumentError} naming the fix. */
    @Deprecated
    public static Select selectFrom(SelectBase select) {
        throw SelectBase.notAFrom();
    }

    public static Insert insert(Table table) {
        return new Insert(table);
    }

    public static Update update(Table table) {
        return new Update(table);
    }

    public static Delete delete(Table table) {
        return new Delete(table);
    }

    /** Literal SQL with {@code :name} binds (trusted text only; see {@link TextClause}). */
    public static TextClause text(String sql) {
        return TextClause.parse(sql);
    }

    /** A trusted SQL fragment used as a typed expression, e.g. {@code textExpr("now()", TIMESTAMP)}. */
    public static <T> Expression<T> textExpr(String sql, SqlType<T> type) {
        return new TextExpression<>(TextClause.parse(sql), type);
    }

    // ----------------------------------------------------------------- DDL (C10)

    public static Ddl createTable(Table table) {
        return Ddl.of(Ddl.Kind.CREATE_TABLE, table, null, null, null, null, false);
    }

    public static Ddl createTableIfNotExists(Table table) {
        return Ddl.of(Ddl.Kind.CREATE_TABLE, table, null, null, null, null, true);
    }

    public static Ddl dropTable(Table table) {
        return Ddl.of(Ddl.Kind.DROP_TABLE, table, null, null, null, null, false);
    }

    public static Ddl dropTableIfExists(Table table) {
        return Ddl.of(Ddl.Kind.DROP_TABLE, table, null, null, null, null, true);
    }

    public static Ddl createIndex(Index index) {
        return Ddl.of(Ddl.Kind.CREATE_INDEX, index.table(), index, null, null, null, false);
    }

    public static Ddl dropIndex(Index index) {
        return Ddl.of(Ddl.Kind.DROP_INDEX, index.table(), index, null, null, null, false);
    }

    public static Ddl createSequence(Sequence sequence) {
        return Ddl.of(Ddl.Kind.CREATE_SEQUENCE, null, null, sequence, null, null, false);
    }

    public static Ddl dropSequence(Sequence sequence) {
        return Ddl.of(Ddl.Kind.DROP_SEQUENCE, null, null, sequence, null, null, true);
    }

    /** {@code COMMENT ON TABLE t IS '...'} (MySQL: {@code ALTER TABLE t COMMENT '...'}); null removes it. */
    public static Ddl commentOn(Table table, String comment) {
        return Ddl.of(Ddl.Kind.COMMENT, table, null, null, null, comment, false);
    }

    /** {@code COMMENT ON COLUMN t.c IS '...'}; MySQL has no column-only form and refuses it at compile time. */
    public static Ddl commentOn(Column<?> column, String comment) {
        if (column.table() == null || column.from() != column.table()) {
            throw new ArgumentError("COMMENT ON needs a table column, got " + column);
        }
        return Ddl.of(Ddl.Kind.COMMENT, column.table(), null, null, column, comment, false);
    }

    // ----------------------------------------------------------------- values

    /** A bound parameter typed from the Java value. */
    public static <T> Expression<T> param(T value) {
        return new BindParam<>(SqlTypes.infer(value), value, null, false);
    }

    /** A bound parameter with an explicit type. */
    @SuppressWarnings("unchecked")
    public static <T> Expression<T> param(T value, SqlType<T> type) {
        return new BindParam<>(type, (T) type.checkBindValue(value), null, false);
    }

    /** A named bound parameter, for cached statement templates (C3). */
    @SuppressWarnings("unchecked")
    public static <T> BindParam<T> param(String name, T value, SqlType<T> type) {
        return new BindParam<>(type, (T) type.checkBindValue(value), Identifiers.check(name, "parameter"), false);
    }

    /** A value rendered inline (escaped by the dialect); prefer {@link #param}. */
    public static <T> Expression<T> literal(T value) {
        return new Literal<>(SqlTypes.infer(value), value);
    }

    public static <T> Expression<T> literal(T value, SqlType<T> type) {
        return new Literal<>(type, value);
    }

    /** SQL NULL. */
    public static <T> Expression<T> nullValue(SqlType<T> type) {
        return Constant.nullOf(type);
    }

    public static Expression<Boolean> trueValue() {
        return new Constant<>(Constant.Kind.TRUE, SqlTypes.BOOLEAN);
    }

    public static Expression<Boolean> falseValue() {
        return new Constant<>(Constant.Kind.FALSE, SqlTypes.BOOLEAN);
    }

    /** {@code *}, as in {@code count(*)}. */
    public static Expression<Object> star() {
        return new Constant<>(Constant.Kind.STAR, SqlTypes.NULL);
    }

    /** A free-standing column not tied to a table (rendered unqualified). */
    public static <T> Column<T> column(String name, SqlType<T> type) {
        return new Column<>(null, name, type, ColumnSpec.PLAIN);
    }

    /** {@code (a, b, ...)}: a row value. */
    public static Tuple tuple(Expression<?>... elements) {
        if (elements.length < 2) {
            throw new ArgumentError("A tuple needs at least two elements");
        }
        return new Tuple(Arrays.asList(elements));
    }

    // ----------------------------------------------------------------- conditions

    @SafeVarargs
    public static Expression<Boolean> and(Expression<Boolean>... terms) {
        if (terms.length == 0) {
            throw new ArgumentError("and() needs at least one condition");
        }
        return Junction.of(Operator.AND, Arrays.asList(terms));
    }

    public static Expression<Boolean> and(List<Expression<Boolean>> terms) {
        if (terms.isEmpty()) {
            throw new ArgumentError("and() needs at least one condition");
        }
        return Junction.of(Operator.AND, terms);
    }

    @SafeVarargs
    public static Expression<Boolean> or(Expression<Boolean>... terms) {
        if (terms.length == 0) {
            throw new ArgumentError("or() needs at least one condition");
        }
        return Junction.of(Operator.OR, Arrays.asList(terms));
    }

    public static Expression<Boolean> not(Expression<Boolean> condition) {
        return condition.not();
    }

    public static Expression<Boolean> exists(SelectBase select) {
        return select.exists();
    }

    /** {@code CASE WHEN condition THEN result ...}; add branches with {@link Case#when}. */
    public static <T> Case<T> caseWhen(Expression<Boolean> condition, Expression<T> result) {
        return new Case<T>(List.of(), List.of(), null, result.type()).when(condition, result);
    }

    public static <T> Case<T> caseWhen(Expression<Boolean> condition, T result, SqlType<T> type) {
        return new Case<T>(List.of(), List.of(), null, type).when(condition, result);
    }

    public static <T> Expression<T> cast(Expression<?> expr, SqlType<T> type) {
        return new Cast<>(expr, type);
    }

    // ----------------------------------------------------------------- grouping (C9)

    public static GroupByElement rollup(Expression<?>... columns) {
        return new GroupingSet(GroupingSet.Kind.ROLLUP, singletons(columns));
    }

    public static GroupByElement cube(Expression<?>... columns) {
        return new GroupingSet(GroupingSet.Kind.CUBE, singletons(columns));
    }

    /** {@code GROUPING SETS ((a, b), (a), ())}. */
    @SafeVarargs
    public static GroupByElement groupingSets(List<Expression<?>>... sets) {
        List<List<Expression<?>>> l = new ArrayList<>();
        for (List<Expression<?>> s : sets) {
            l.add(List.copyOf(s));
        }
        return new GroupingSet(GroupingSet.Kind.GROUPING_SETS, List.copyOf(l));
    }

    private static List<List<Expression<?>>> singletons(Expression<?>[] columns) {
        List<List<Expression<?>>> l = new ArrayList<>();
        for (Expression<?> c : columns) {
            l.add(List.of(c));
        }
        return List.copyOf(l);
    }

    // ----------------------------------------------------------------- functions

    /** Any SQL function, {@code function("coalesce", TEXT, a, b)}. */
    public static <T> FunctionCall<T> function(String name, SqlType<T> type, Expression<?>... args) {
        return new FunctionCall<>(name, Arrays.asList(args), type, false, null);
    }

    /** {@code count(*)}. */
    public static FunctionCall<Long> count() {
        return function("count", SqlTypes.BIGINT, star());
    }

    public static FunctionCall<Long> count(Expression<?> expr) {
        return function("count", SqlTypes.BIGINT, expr);
    }

    public static <T> FunctionCall<T> max(Expression<T> expr) {
        return function("max", expr.type(), expr);
    }

    public static <T> FunctionCall<T> min(Expression<T> expr) {
        return function("min", expr.type(), expr);
    }

    /** {@code sum(x)}: integer sums widen to BIGINT, others keep their type. */
    @SuppressWarnings("unchecked")
    public static <T> FunctionCall<T> sum(Expression<T> expr) {
        SqlType<?> t = expr.type().kind() == SqlType.Kind.INTEGER ? SqlTypes.NUMERIC : expr.type();
        return function("sum", (SqlType<T>) t, expr);
    }

    /** {@code avg(x)}: NUMERIC for exact types, DOUBLE for floats. */
    public static FunctionCall<?> avg(Expression<?> expr) {
        return expr.type().kind() == SqlType.Kind.FLOAT ? function("avg", SqlTypes.DOUBLE, expr)
                : function("avg", SqlTypes.NUMERIC, expr);
    }

    public static <T> FunctionCall<T> coalesce(Expression<T> first, Expression<?>... rest) {
        List<Expression<?>> args = new ArrayList<>();
        args.add(first);
        args.addAll(Arrays.asList(rest));
        return new FunctionCall<>("coalesce", args, first.type(), false, null);
    }

    public static FunctionCall<String> lower(Expression<String> expr) {
        return function("lower", SqlTypes.VARCHAR, expr);
    }

    public static FunctionCall<String> upper(Expression<String> expr) {
        return function("upper", SqlTypes.VARCHAR, expr);
    }

    public static FunctionCall<Long> rowNumber() {
        return function("row_number", SqlTypes.BIGINT);
    }

    public static FunctionCall<Long> rank() {
        return function("rank", SqlTypes.BIGINT);
    }

    public static FunctionCall<Long> denseRank() {
        return function("dense_rank", SqlTypes.BIGINT);
    }

    /** {@code GROUPING(x)} for ROLLUP/CUBE results. */
    public static FunctionCall<Integer> grouping(Expression<?> expr) {
        return function("grouping", SqlTypes.INTEGER, expr);
    }

    /** {@code CURRENT_TIMESTAMP}. */
    public static Expression<java.time.LocalDateTime> currentTimestamp() {
        return textExpr("CURRENT_TIMESTAMP", SqlTypes.TIMESTAMP);
    }

    /** A window specification for {@link FunctionCall#over}. */
    public static Window window() {
        return Window.empty();
    }
}
