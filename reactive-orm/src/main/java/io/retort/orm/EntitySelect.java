package io.retort.orm;

import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.LockClause;
import io.retort.sql.OrderByElement;
import io.retort.sql.SortOrder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An ORM query for entities of one class (O2): filters, ordering, paging, joins for filtering,
 * a row lock, and loader options. Immutable and generative like Core's Select; executed by
 * {@link AsyncSession#execute(EntitySelect)} into a {@code Flux<E>}.
 *
 * @param <E> the entity class
 */
public final class EntitySelect<E> {
    private final Class<E> type;
    private final List<Expression<Boolean>> where;
    private final List<SortOrder> orderBy;
    private final Long limit;
    private final Long offset;
    private final List<JoinSpec> joins;
    private final List<LoaderOption> options;
    private final LockClause lock;

    /**
     * An extra join used for filtering.
     *
     * @param target the joined FROM element
     * @param on     the ON condition
     * @param outer  LEFT OUTER JOIN
     */
    public record JoinSpec(FromClause target, Expression<Boolean> on, boolean outer) {
    }

    EntitySelect(Class<E> type) {
        this(type, List.of(), List.of(), null, null, List.of(), List.of(), null);
    }

    private EntitySelect(Class<E> type, List<Expression<Boolean>> where, List<SortOrder> orderBy, Long limit, Long offset,
                         List<JoinSpec> joins, List<LoaderOption> options, LockClause lock) {
        this.type = type;
        this.where = where;
        this.orderBy = orderBy;
        this.limit = limit;
        this.offset = offset;
        this.joins = joins;
        this.options = options;
        this.lock = lock;
    }

    private static <T> List<T> plus(List<T> l, List<? extends T> more) {
        List<T> out = new ArrayList<>(l);
        out.addAll(more);
        return List.copyOf(out);
    }

    @SafeVarargs
    public final EntitySelect<E> where(Expression<Boolean>... conditions) {
        return new EntitySelect<>(type, plus(where, Arrays.asList(conditions)), orderBy, limit, offset, joins, options, lock);
    }

    public EntitySelect<E> orderBy(OrderByElement... elements) {
        List<SortOrder> l = new ArrayList<>();
        for (OrderByElement e : elements) {
            l.add(e.toSortOrder());
        }
        return new EntitySelect<>(type, where, plus(orderBy, l), limit, offset, joins, options, lock);
    }

    public EntitySelect<E> limit(long n) {
        return new EntitySelect<>(type, where, orderBy, n, offset, joins, options, lock);
    }

    public EntitySelect<E> offset(long n) {
        return new EntitySelect<>(type, where, orderBy, limit, n, joins, options, lock);
    }

    /**
     * This query with its ordering and paging replaced (null: none); a sharded session sends each
     * shard such a copy (O14, {@link ShardMerge}).
     */
    EntitySelect<E> withPaging(List<SortOrder> newOrderBy, Long newLimit, Long newOffset) {
        return new EntitySelect<>(type, where, List.copyOf(newOrderBy), newLimit, newOffset, joins, options, lock);
    }

    /** Joins another table for filtering (the entities selected are still only {@code E}). */
    public EntitySelect<E> join(FromClause target, Expression<Boolean> on) {
        return new EntitySelect<>(type, where, orderBy, limit, offset, plus(joins, List.of(new JoinSpec(target, on, false))),
                options, lock);
    }

    /**
     * Joins another entity's rows for filtering: its table (a joined subclass's tables, joined on
     * the key) with, for a single-table subclass, its discriminator criterion AND-ed into
     * {@code on} (O8, seed 1.2), so only rows of that class match.
     */
    public EntitySelect<E> join(Class<?> entity, Expression<Boolean> on) {
        Mapper<?> m = Metamodel.mapper(entity);
        return new EntitySelect<>(type, where, orderBy, limit, offset,
                plus(joins, List.of(new JoinSpec(m.from(), PolymorphicLoading.and(on, m, null), false))), options, lock);
    }

    public EntitySelect<E> options(LoaderOption... more) {
        return new EntitySelect<>(type, where, orderBy, limit, offset, joins, plus(options, Arrays.asList(more)), lock);
    }

    /** {@code FOR UPDATE} (with joined eager loading, the lock goes inside the parent subquery on MySQL, D2). */
    public EntitySelect<E> forUpdate() {
        return new EntitySelect<>(type, where, orderBy, limit, offset, joins, options, LockClause.forUpdate());
    }

    public Class<E> type() {
        return type;
    }

    public List<Expression<Boolean>> where() {
        return where;
    }

    public List<SortOrder> orderBy() {
        return orderBy;
    }

    public Long limit() {
        return limit;
    }

    public Long offset() {
        return offset;
    }

    public List<JoinSpec> joins() {
        return joins;
    }

    public List<LoaderOption> options() {
        return options;
    }

    public LockClause lock() {
        return lock;
    }
}
