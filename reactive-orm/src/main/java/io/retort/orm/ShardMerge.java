package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Column;
import io.retort.sql.ColumnSpec;
import io.retort.sql.Expression;
import io.retort.sql.SortOrder;
import io.retort.sql.Sql;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.compile.Dialect;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How an ORM query of a {@link ShardedSession} runs on several shards and comes back as one
 * result (O14): the query each shard runs, and the merge of their entities by the query's ORDER
 * BY, LIMIT and OFFSET. No I/O.
 *
 * <p><b>What the merge compares.</b> Each ORDER BY term must be a mapped column attribute of the
 * queried class that the query loads; the merge reads its value from each entity, in the form
 * the database stores ({@link SqlType#toStorage}: an enum stored by name compares by name), and
 * compares the values as {@link Comparable}s: numbers, dates and times by value, an
 * {@link OffsetDateTime} by instant, a {@code -0.0} equal to {@code 0.0}, strings by Unicode code
 * point (binary order: {@code "Zurich"} before {@code "apple"}). Other kinds (UUID, JSON, binary,
 * arrays, intervals, native enums) have no order all databases share and are refused.
 *
 * <p><b>What each shard is asked.</b> The same order, made explicit where databases disagree:
 * a string column sorts by binary collation ({@code COLLATE "C"} on PostgreSQL,
 * {@code CAST(... AS BINARY)} on MySQL and MariaDB, whose default collations ignore case; H2 and
 * SQLite compare strings by code unit already), and a nullable column says where its NULLs go:
 * the term's own {@code nullsFirst()}/{@code nullsLast()}, else as the lowest value (first
 * ascending, last descending, as MySQL, MariaDB, H2 and SQLite sort by default and PostgreSQL is
 * told to). Over several shards each is sent {@code LIMIT limit + offset} and no OFFSET; the merge
 * then skips {@code offset} and keeps {@code limit}. Without ORDER BY the results are
 * concatenated in the chooser's shard order and LIMIT and OFFSET apply to that concatenation.
 *
 * <p><b>Checked as it merges.</b> A k-way merge is right only if every shard's rows come in the
 * merge's order. A shard whose rows do not (a database collation the merge cannot follow, an
 * object of the session whose attribute was changed by another transaction since it was loaded)
 * fails the query with an {@link InvalidRequestError} naming the shard and the two values,
 * rather than giving a wrongly merged result.
 *
 * @param <E> the queried class
 */
final class ShardMerge<E> {
    /** The kinds whose values compare the same in Java and in every dialect (with the rewrites above). */
    private static final Set<SqlType.Kind> ORDERED = EnumSet.of(SqlType.Kind.INTEGER, SqlType.Kind.DECIMAL,
            SqlType.Kind.FLOAT, SqlType.Kind.STRING, SqlType.Kind.BOOLEAN, SqlType.Kind.DATE, SqlType.Kind.TIME,
            SqlType.Kind.TIMESTAMP, SqlType.Kind.TIMESTAMP_TZ);

    /** One ORDER BY term the merge follows. */
    private record Key(Property property, Column<?> column, boolean descending, boolean nullsFirst, boolean nullable,
                       boolean string) {
        Object value(Object entity) {
            return column.type().toStorage(property.get(entity));
        }

        String describe() {
            return column.name() + (descending ? " DESC" : " ASC") + (nullable ? nullsFirst ? " NULLS FIRST" : " NULLS LAST" : "");
        }
    }

    private final EntitySelect<E> query;
    /** The merge's keys; null when an ORDER BY term cannot be merged ({@link #refusal} says why). */
    private final List<Key> keys;
    private final String refusal;

    private ShardMerge(EntitySelect<E> query, List<Key> keys, String refusal) {
        this.query = query;
        this.keys = keys;
        this.refusal = refusal;
    }

    /** The merge plan of {@code query}; an ORDER BY the merge cannot follow is refused by {@link #check}, not here. */
    static <E> ShardMerge<E> of(OrmRegistry registry, EntitySelect<E> query) {
        Mapper<E> m = registry.mapper(query.type());
        List<Property> loaded = null;
        List<Key> keys = new ArrayList<>();
        for (SortOrder o : query.orderBy()) {
            Expression<?> e = o.expression();
            Property p = e instanceof Column<?> c ? m.property(c) : null;
            if (p == null || p.isHidden()) {
                return refused(query, "ORDER BY " + e + " is not a mapped column attribute of " + m.type().getSimpleName()
                        + ": merging the shards' results reads each ORDER BY value from the entities, so order by the"
                        + " class's own attributes (e.g. " + m.type().getSimpleName() + "_." + m.properties().get(0).name()
                        + ")");
            }
            if (loaded == null) {
                loaded = Loading.selection(m, query.options()).props();
            }
            if (!loaded.contains(p)) {
                return refused(query, "ORDER BY " + p.name() + ": the attribute is deferred in this query, so the merge of the"
                        + " shards' results could not read it; undefer it with a column option");
            }
            SqlType<?> storage = p.column().type().storageType();
            if (!ORDERED.contains(storage.kind()) || !Comparable.class.isAssignableFrom(storage.javaType())) {
                return refused(query, "ORDER BY " + p.name() + ": its values (" + storage.kind() + ") have no order that every"
                        + " database and Java share, so the shards' results cannot be merged by it");
            }
            ColumnSpec spec = p.column().spec();
            boolean nullable = spec == null || spec.nullable() && !spec.primaryKey();
            boolean desc = o.isDescending();
            // Unsaid, NULLs are the lowest value: what MySQL, MariaDB, H2 and SQLite do by default.
            boolean nullsFirst = o.nulls() == SortOrder.Nulls.FIRST || o.nulls() == SortOrder.Nulls.DEFAULT && !desc;
            keys.add(new Key(p, p.column(), desc, nullsFirst, nullable, storage.kind() == SqlType.Kind.STRING));
        }
        return new ShardMerge<>(query, keys, null);
    }

    private static <E> ShardMerge<E> refused(EntitySelect<E> query, String why) {
        return new ShardMerge<>(query, null, why);
    }

    /**
     * Fails when the query runs on several shards ({@code shards} of them) and its ORDER BY cannot
     * be merged: an {@link ArgumentError} saying why. On one shard the database orders it alone.
     */
    void check(int shards) {
        if (refusal != null && shards > 1) {
            throw new ArgumentError("A query of " + query.type().getSimpleName() + " running on " + shards + " shards: " + refusal
                    + "; or run it on one shard with onShard(id)");
        }
    }

    /**
     * The query a shard with {@code dialect} runs: the ORDER BY made explicit (see the class
     * comment), and, when it runs on several shards ({@code alone} false), {@code LIMIT limit +
     * offset} without OFFSET, since any of a shard's first {@code limit + offset} rows may be among
     * the result and none after them can.
     */
    EntitySelect<E> shardQuery(Dialect dialect, boolean alone) {
        List<SortOrder> order;
        if (keys == null) {
            order = query.orderBy(); // runs alone (check refused it otherwise): the database's own order
        } else {
            order = new ArrayList<>(keys.size());
            for (Key k : keys) {
                Expression<?> x = k.string ? binary(k.column, dialect) : k.column;
                SortOrder o = k.descending ? x.desc() : x.asc();
                if (k.nullable) {
                    o = k.nullsFirst ? o.nullsFirst() : o.nullsLast();
                }
                order.add(o);
            }
        }
        if (alone) {
            return query.withPaging(order, query.limit(), query.offset());
        }
        long end = end();
        return query.withPaging(order, end == Long.MAX_VALUE && query.limit() == null ? null : end, null);
    }

    /** {@code column} sorted by Unicode code point on {@code dialect}, as the merge compares strings. */
    private static Expression<?> binary(Column<?> column, Dialect dialect) {
        return switch (dialect.name()) {
            // Byte order of UTF-8 is code point order; the default collations sort by locale or ignore case.
            case "postgresql" -> column.collate("C");
            case "mysql", "mariadb" -> Sql.cast(column, SqlTypes.BINARY);
            default -> column; // H2 and SQLite compare strings by code unit by default
        };
    }

    private long skip() {
        return query.offset() == null ? 0 : query.offset();
    }

    /** How many merged entities the result reaches into: {@code offset + limit}, saturated; MAX_VALUE without LIMIT. */
    private long end() {
        if (query.limit() == null) {
            return Long.MAX_VALUE;
        }
        long skip = skip();
        return Long.MAX_VALUE - skip < query.limit() ? Long.MAX_VALUE : skip + query.limit();
    }

    /**
     * The shards' results as one, each {@code sources.get(i)} being shard {@code shards.get(i)}'s
     * entities from its {@link #shardQuery}, in the chooser's order. With ORDER BY, a k-way merge
     * that holds one entity per shard and asks a shard for its next only when its last was
     * emitted (ties go to the earlier shard); without, the shards one after the other, a later
     * shard not even asked once the concatenation reaches {@code offset + limit}. Then OFFSET and
     * LIMIT: the entities before the offset and after the limit are read and dropped, not
     * cancelled, since each shard's LIMIT bounds them and cancelling a statement mid-way costs its
     * connection. One source (the query ran alone, paging included) is returned as it is.
     */
    Flux<E> merge(List<String> shards, List<? extends Publisher<E>> sources) {
        if (sources.size() == 1) {
            return Flux.from(sources.get(0));
        }
        long skip = skip();
        long end = end();
        return Flux.defer(() -> {
            Flux<E> all;
            if (keys == null || keys.isEmpty()) {
                AtomicLong emitted = new AtomicLong();
                all = Flux.range(0, sources.size())
                        .concatMap(i -> emitted.get() >= end ? Flux.<E>empty() : Flux.from(sources.get(i)), 0)
                        .doOnNext(e -> emitted.incrementAndGet());
            } else {
                @SuppressWarnings("unchecked")
                Publisher<E>[] checked = new Publisher[sources.size()];
                for (int i = 0; i < checked.length; i++) {
                    checked[i] = inOrder(shards.get(i), Flux.from(sources.get(i)));
                }
                all = Flux.mergeComparing(1, this::compare, checked);
            }
            if (skip == 0 && end == Long.MAX_VALUE) {
                return all;
            }
            AtomicLong index = new AtomicLong();
            return all.filter(e -> {
                long i = index.getAndIncrement();
                return i >= skip && i < end;
            });
        });
    }

    /**
     * Fails with the {@link InvalidRequestError} of {@link #inOrder} if {@code entities}, shard
     * {@code shard}'s whole result, are not in the merge's order: a buffered result is checked
     * before any of it is emitted.
     */
    void checkOrder(String shard, List<E> entities) {
        if (keys == null || keys.isEmpty()) {
            return;
        }
        for (int i = 1; i < entities.size(); i++) {
            if (compare(entities.get(i - 1), entities.get(i)) > 0) {
                throw outOfOrder(shard, entities.get(i - 1), entities.get(i));
            }
        }
    }

    /** {@code entities} of {@code shard}, failing at the first that comes before its predecessor in the merge's order. */
    private Flux<E> inOrder(String shard, Flux<E> entities) {
        return Flux.defer(() -> {
            Object[] last = new Object[1];
            return entities.handle((e, sink) -> {
                if (last[0] != null && compare(last[0], e) > 0) {
                    sink.error(outOfOrder(shard, last[0], e));
                    return;
                }
                last[0] = e;
                sink.next(e);
            });
        });
    }

    private InvalidRequestError outOfOrder(String shard, Object before, Object after) {
        StringBuilder b = new StringBuilder();
        for (Key k : keys) {
            b.append(b.length() == 0 ? "" : ", ").append(k.property.name()).append(' ')
                    .append(describe(k.value(before))).append(" then ").append(describe(k.value(after)));
        }
        List<String> order = new ArrayList<>();
        keys.forEach(k -> order.add(k.describe()));
        return new InvalidRequestError("Shard '" + shard + "' returned " + query.type().getSimpleName() + " rows out of the"
                + " order the merge of several shards follows (" + String.join(", ", order) + ", strings by code point): "
                + b + ". Its database sorts these values differently (a collation of its own), or an object of the session"
                + " holds a value another transaction has changed since it was loaded (expire or refresh it); the merge"
                + " would be wrong, so it stops");
    }

    private static String describe(Object v) {
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }

    /** The merge's order of two entities (see the class comment). */
    int compare(Object a, Object b) {
        for (Key k : keys) {
            Object x = k.value(a);
            Object y = k.value(b);
            if (x == null || y == null) {
                if (x == y) {
                    continue;
                }
                // Placement of NULLs is already resolved for the direction: DESC does not reverse it.
                return (x == null) == k.nullsFirst ? -1 : 1;
            }
            int c = compareValues(x, y);
            if (c != 0) {
                return k.descending ? -c : c;
            }
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareValues(Object x, Object y) {
        if (x instanceof String s && y instanceof String t) {
            return compareCodePoints(s, t);
        }
        if (x instanceof OffsetDateTime s && y instanceof OffsetDateTime t) {
            return s.toInstant().compareTo(t.toInstant()); // databases compare instants, not offsets
        }
        if ((x instanceof Double || x instanceof Float) && (y instanceof Double || y instanceof Float)) {
            double s = ((Number) x).doubleValue();
            double t = ((Number) y).doubleValue();
            return s == t ? 0 : Double.compare(s, t); // -0.0 equals 0.0, as in SQL
        }
        return ((Comparable) x).compareTo(y);
    }

    /** Unicode code point order (UTF-8 byte order), which differs from {@link String#compareTo} for supplementary characters. */
    static int compareCodePoints(String s, String t) {
        int i = 0;
        while (i < s.length() && i < t.length()) {
            int x = s.codePointAt(i);
            int y = t.codePointAt(i);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
        }
        return Integer.compare(s.length() - i, t.length() - i);
    }
}
