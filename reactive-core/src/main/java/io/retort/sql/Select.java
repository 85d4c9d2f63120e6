package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable, generative SELECT. FROM elements not given explicitly are taken from the columns
 * the statement refers to, as in SQLAlchemy; {@code where} and {@code having} calls are ANDed.
 *
 * <pre>{@code
 * select(ALBUM.title, ARTIST.name)
 *     .from(ALBUM.join(ARTIST))
 *     .where(ARTIST.name.startsWith("A"))
 *     .orderBy(ALBUM.title)
 *     .limit(10)
 * // PostgreSQL: SELECT album.title, artist.name FROM album JOIN artist ON album.artist_id = artist.artist_id
 * //             WHERE artist.name LIKE $1 || '%' ORDER BY album.title LIMIT $2
 * }</pre>
 */
public final class Select extends SelectBase {
    private final List<Expression<?>> columns;
    private final List<FromClause> froms;
    private final Expression<Boolean> where;
    private final List<GroupByElement> groupBy;
    private final Expression<Boolean> having;
    private final List<SortOrder> orderBy;
    private final Expression<?> limit;
    private final Expression<?> offset;
    private final boolean distinct;
    private final List<Expression<?>> distinctOn;
    private final LockClause lock;

    // One constructor taking every clause: a generative call copies the fields it keeps straight
    // into the new node (no intermediate builder object per call on the hot path).
    private Select(List<Expression<?>> columns, List<FromClause> froms, Expression<Boolean> where,
                   List<GroupByElement> groupBy, Expression<Boolean> having, List<SortOrder> orderBy,
                   Expression<?> limit, Expression<?> offset, boolean distinct,
                   List<Expression<?>> distinctOn, LockClause lock) {
        this.columns = columns;
        this.froms = froms;
        this.where = where;
        this.groupBy = groupBy;
        this.having = having;
        this.orderBy = orderBy;
        this.limit = limit;
        this.offset = offset;
        this.distinct = distinct;
        this.distinctOn = distinctOn;
        this.lock = lock;
    }

    private static Select withColumns(List<Expression<?>> columns) {
        return new Select(columns, List.of(), null, List.of(), null, List.of(),
                null, null, false, List.of(), null);
    }

    static Select of(List<? extends Expression<?>> columns) {
        for (Expression<?> c : columns) {
            java.util.Objects.requireNonNull(c, "column");
        }
        return withColumns(List.copyOf(columns));
    }

    /** {@link #of(List)} for a varargs array: one copy (List.of) instead of two. */
    static Select of(Expression<?>[] columns) {
        for (Expression<?> c : columns) {
            java.util.Objects.requireNonNull(c, "column");
        }
        return withColumns(List.of(columns));
    }

    private static <T> List<T> plus(List<T> list, List<? extends T> more) {
        // One sized array and List.of, instead of an ArrayList and List.copyOf: fewer copies per call.
        int n = list.size();
        Object[] a = new Object[n + more.size()];
        for (int i = 0; i < n; i++) {
            a[i] = list.get(i);
        }
        for (int i = 0; i < more.size(); i++) {
            a[n + i] = more.get(i);
        }
        @SuppressWarnings("unchecked")
        List<T> l = (List<T>) List.of(a);
        return l;
    }

    /** Adds columns to the columns clause. */
    public Select addColumns(Expression<?>... more) {
        return new Select(plus(columns, Arrays.asList(more)), froms, where, groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    /** Replaces the columns clause, keeping everything else (e.g. for a count query). */
    public Select withOnlyColumns(Expression<?>... cols) {
        return new Select(List.of(cols), froms, where, groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    /** Adds explicit FROM elements. */
    public Select from(FromClause... elements) {
        return new Select(columns, plus(froms, Arrays.asList(elements)), where, groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    /** A SELECT is not a FROM element: always an {@link ArgumentError} naming the fix. */
    @Deprecated
    public Select from(SelectBase select) {
        throw notAFrom();
    }

    /**
     * Joins {@code target} to the last explicit FROM element (or to the table of the first
     * column when there is none).
     */
    public Select join(FromClause target, Expression<Boolean> on) {
        return joinWith(target, on, Join.Type.INNER);
    }

    /** Joins {@code target} with the ON clause inferred from the foreign key between them. */
    public Select join(FromClause target) {
        return joinWith(target, null, Join.Type.INNER);
    }

    public Select leftJoin(FromClause target, Expression<Boolean> on) {
        return joinWith(target, on, Join.Type.LEFT);
    }

    public Select leftJoin(FromClause target) {
        return joinWith(target, null, Join.Type.LEFT);
    }

    /** A SELECT cannot be joined directly: always an {@link ArgumentError}. */
    @Deprecated
    public Select join(SelectBase target, Expression<Boolean> on) {
        throw notAFrom();
    }

    private Select joinWith(FromClause target, Expression<Boolean> on, Join.Type type) {
        int n = froms.size();
        FromClause left = n == 0 ? firstColumnFrom() : froms.get(n - 1);
        Expression<Boolean> cond = on != null ? on : Join.inferOn(left, target);
        // The join replaces the last FROM element (or becomes the first).
        FromClause[] f = new FromClause[Math.max(n, 1)];
        for (int i = 0; i < n - 1; i++) {
            f[i] = froms.get(i);
        }
        f[f.length - 1] = new Join(left, target, cond, type);
        return new Select(columns, List.of(f), where, groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    private FromClause firstColumnFrom() {
        for (Expression<?> e : columns) {
            Expression<?> x = e instanceof Label ? ((Label<?>) e).element() : e;
            if (x instanceof Column && ((Column<?>) x).from() != null) {
                return ((Column<?>) x).from();
            }
        }
        throw new ArgumentError("Cannot tell what to join from: call from(...) first");
    }

    /** Adds WHERE conditions, ANDed with any present. */
    @SafeVarargs
    public final Select where(Expression<Boolean>... conditions) {
        return new Select(columns, froms, and(where, conditions), groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    @SafeVarargs
    static Expression<Boolean> and(Expression<Boolean> existing, Expression<Boolean>... more) {
        if (existing == null && more.length == 0) {
            return null;
        }
        return Junction.of(Operator.AND, existing, more);
    }

    public Select groupBy(GroupByElement... elements) {
        return new Select(columns, froms, where, plus(groupBy, Arrays.asList(elements)), having, orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    @SafeVarargs
    public final Select having(Expression<Boolean>... conditions) {
        return new Select(columns, froms, where, groupBy, and(having, conditions), orderBy,
                limit, offset, distinct, distinctOn, lock);
    }

    public Select orderBy(OrderByElement... elements) {
        int n = orderBy.size();
        SortOrder[] l = new SortOrder[n + elements.length];
        for (int i = 0; i < n; i++) {
            l[i] = orderBy.get(i);
        }
        for (int i = 0; i < elements.length; i++) {
            l[n + i] = elements[i].toSortOrder();
        }
        return new Select(columns, froms, where, groupBy, having, List.of(l),
                limit, offset, distinct, distinctOn, lock);
    }

    /** {@code LIMIT n}, bound as a parameter so every page size shares one cached statement. */
    public Select limit(long n) {
        return new Select(columns, froms, where, groupBy, having, orderBy,
                limitValue(n, "LIMIT"), offset, distinct, distinctOn, lock);
    }

    /** {@code OFFSET n}, bound as a parameter. */
    public Select offset(long n) {
        return new Select(columns, froms, where, groupBy, having, orderBy,
                limit, limitValue(n, "OFFSET"), distinct, distinctOn, lock);
    }

    public Select distinct() {
        return new Select(columns, froms, where, groupBy, having, orderBy,
                limit, offset, true, distinctOn, lock);
    }

    /** PostgreSQL {@code DISTINCT ON (exprs)} (D1); other dialects refuse it at compile time. */
    public Select distinctOn(Expression<?>... expressions) {
        return new Select(columns, froms, where, groupBy, having, orderBy,
                limit, offset, true, List.of(expressions), lock);
    }

    /** {@code FOR UPDATE}. */
    public Select forUpdate() {
        return lock(LockClause.forUpdate());
    }

    /** A row lock with options ({@code FOR SHARE OF t SKIP LOCKED}...). */
    public Select lock(LockClause clause) {
        return new Select(columns, froms, where, groupBy, having, orderBy,
                limit, offset, distinct, distinctOn, clause);
    }

    @Override
    public List<Expression<?>> selectedColumns() {
        return columns;
    }

    /** The explicit FROM elements (implicit ones are derived from the columns when compiling). */
    public List<FromClause> froms() {
        return froms;
    }

    public Expression<Boolean> where() {
        return where;
    }

    public List<GroupByElement> groupBy() {
        return groupBy;
    }

    public Expression<Boolean> having() {
        return having;
    }

    @Override
    public List<SortOrder> orderBy() {
        return orderBy;
    }

    @Override
    public Expression<?> limit() {
        return limit;
    }

    @Override
    public Expression<?> offset() {
        return offset;
    }

    public boolean isDistinct() {
        return distinct;
    }

    public List<Expression<?>> distinctOn() {
        return distinctOn;
    }

    /** The row lock, or null. */
    public LockClause lock() {
        return lock;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitSelect(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("select", columns.size()).add(froms.size()).add(distinct);
        for (Expression<?> c : columns) {
            c.appendKey(key);
        }
        for (FromClause f : froms) {
            f.appendKey(key);
        }
        if (where != null) {
            key.add("where");
            where.appendKey(key);
        }
        if (!groupBy.isEmpty()) {
            key.add("group", groupBy.size());
            for (GroupByElement g : groupBy) {
                if (g instanceof Expression) {
                    ((Expression<?>) g).appendKey(key);
                } else {
                    ((GroupingSet) g).appendKey(key);
                }
            }
        }
        if (having != null) {
            key.add("having");
            having.appendKey(key);
        }
        if (!distinctOn.isEmpty()) {
            key.add("distinct-on", distinctOn.size());
            for (Expression<?> e : distinctOn) {
                e.appendKey(key);
            }
        }
        appendTail(key, orderBy, limit, offset);
        if (lock != null) {
            lock.appendKey(key);
        }
        // The optional clauses above make the key ambiguous without an end: a nested SELECT's
        // WHERE/ORDER BY/LIMIT would key the same as its parent's (scalar subquery, EXISTS, UNION member).
        key.add("select-end");
    }

    static void appendTail(KeyBuilder key, List<SortOrder> orderBy, Expression<?> limit, Expression<?> offset) {
        if (!orderBy.isEmpty()) {
            key.add("order", orderBy.size());
            for (SortOrder o : orderBy) {
                o.appendKey(key);
            }
        }
        if (limit != null) {
            key.add("limit");
            limit.appendKey(key);
        }
        if (offset != null) {
            key.add("offset");
            offset.appendKey(key);
        }
    }
}
