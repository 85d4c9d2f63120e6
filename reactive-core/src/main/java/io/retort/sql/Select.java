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
    private static final class Spec implements Cloneable {
        List<Expression<?>> columns = List.of();
        List<FromClause> froms = List.of();
        Expression<Boolean> where;
        List<GroupByElement> groupBy = List.of();
        Expression<Boolean> having;
        List<SortOrder> orderBy = List.of();
        Expression<?> limit;
        Expression<?> offset;
        boolean distinct;
        List<Expression<?>> distinctOn = List.of();
        LockClause lock;

        Spec copy() {
            try {
                return (Spec) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

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

    private Select(Spec s) {
        columns = s.columns;
        froms = s.froms;
        where = s.where;
        groupBy = s.groupBy;
        having = s.having;
        orderBy = s.orderBy;
        limit = s.limit;
        offset = s.offset;
        distinct = s.distinct;
        distinctOn = s.distinctOn;
        lock = s.lock;
    }

    private Spec spec() {
        Spec s = new Spec();
        s.columns = columns;
        s.froms = froms;
        s.where = where;
        s.groupBy = groupBy;
        s.having = having;
        s.orderBy = orderBy;
        s.limit = limit;
        s.offset = offset;
        s.distinct = distinct;
        s.distinctOn = distinctOn;
        s.lock = lock;
        return s;
    }

    static Select of(List<? extends Expression<?>> columns) {
        Spec s = new Spec();
        for (Expression<?> c : columns) {
            java.util.Objects.requireNonNull(c, "column");
        }
        s.columns = List.copyOf(columns);
        return new Select(s);
    }

    /** {@link #of(List)} for a varargs array: one copy (List.of) instead of two. */
    static Select of(Expression<?>[] columns) {
        Spec s = new Spec();
        for (Expression<?> c : columns) {
            java.util.Objects.requireNonNull(c, "column");
        }
        s.columns = List.of(columns);
        return new Select(s);
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
        Spec s = spec();
        s.columns = plus(columns, Arrays.asList(more));
        return new Select(s);
    }

    /** Replaces the columns clause, keeping everything else (e.g. for a count query). */
    public Select withOnlyColumns(Expression<?>... cols) {
        Spec s = spec();
        s.columns = List.of(cols);
        return new Select(s);
    }

    /** Adds explicit FROM elements. */
    public Select from(FromClause... elements) {
        Spec s = spec();
        s.froms = plus(froms, Arrays.asList(elements));
        return new Select(s);
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
        Spec s = spec();
        int n = froms.size();
        FromClause left = n == 0 ? firstColumnFrom() : froms.get(n - 1);
        Expression<Boolean> cond = on != null ? on : Join.inferOn(left, target);
        // The join replaces the last FROM element (or becomes the first).
        FromClause[] f = new FromClause[Math.max(n, 1)];
        for (int i = 0; i < n - 1; i++) {
            f[i] = froms.get(i);
        }
        f[f.length - 1] = new Join(left, target, cond, type);
        s.froms = List.of(f);
        return new Select(s);
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
        Spec s = spec();
        s.where = and(where, conditions);
        return new Select(s);
    }

    @SafeVarargs
    static Expression<Boolean> and(Expression<Boolean> existing, Expression<Boolean>... more) {
        if (existing == null && more.length == 0) {
            return null;
        }
        return Junction.of(Operator.AND, existing, more);
    }

    public Select groupBy(GroupByElement... elements) {
        Spec s = spec();
        s.groupBy = plus(groupBy, Arrays.asList(elements));
        return new Select(s);
    }

    @SafeVarargs
    public final Select having(Expression<Boolean>... conditions) {
        Spec s = spec();
        s.having = and(having, conditions);
        return new Select(s);
    }

    public Select orderBy(OrderByElement... elements) {
        Spec s = spec();
        int n = orderBy.size();
        SortOrder[] l = new SortOrder[n + elements.length];
        for (int i = 0; i < n; i++) {
            l[i] = orderBy.get(i);
        }
        for (int i = 0; i < elements.length; i++) {
            l[n + i] = elements[i].toSortOrder();
        }
        s.orderBy = List.of(l);
        return new Select(s);
    }

    /** {@code LIMIT n}, bound as a parameter so every page size shares one cached statement. */
    public Select limit(long n) {
        Spec s = spec();
        s.limit = limitValue(n, "LIMIT");
        return new Select(s);
    }

    /** {@code OFFSET n}, bound as a parameter. */
    public Select offset(long n) {
        Spec s = spec();
        s.offset = limitValue(n, "OFFSET");
        return new Select(s);
    }

    public Select distinct() {
        Spec s = spec();
        s.distinct = true;
        return new Select(s);
    }

    /** PostgreSQL {@code DISTINCT ON (exprs)} (D1); other dialects refuse it at compile time. */
    public Select distinctOn(Expression<?>... expressions) {
        Spec s = spec();
        s.distinct = true;
        s.distinctOn = List.of(expressions);
        return new Select(s);
    }

    /** {@code FOR UPDATE}. */
    public Select forUpdate() {
        return lock(LockClause.forUpdate());
    }

    /** A row lock with options ({@code FOR SHARE OF t SKIP LOCKED}...). */
    public Select lock(LockClause clause) {
        Spec s = spec();
        s.lock = clause;
        return new Select(s);
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
