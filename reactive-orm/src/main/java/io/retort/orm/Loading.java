package io.retort.orm;

import io.retort.engine.Connection;
import io.retort.engine.Row;
import io.retort.orm.internal.LoadedList;
import io.retort.orm.internal.UnloadedList;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.Select;
import io.retort.sql.SortOrder;
import io.retort.sql.Sql;
import io.retort.sql.Subquery;
import io.retort.sql.TableAlias;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns ORM queries into Core SELECTs and rows into entities (O2, O5–O7): builds the column
 * list (minus deferred columns), LEFT OUTER JOINs for joined eager loading (wrapping a LIMITed
 * parent query in a subquery), materialises rows through the identity map, then runs the
 * post-load strategies (selectin in chunks of 500, or one array bind on PostgreSQL; immediate;
 * noload; raise) level by level. Collections nobody asked for get an {@link UnloadedList}.
 */
final class Loading {
    static final int SELECTIN_CHUNK = 500;

    /**
     * The keys of one selectin load as its statements take them: all in one array bind where the
     * dialect binds arrays ({@code = ANY($1)}), else IN lists of {@link #SELECTIN_CHUNK}.
     */
    static List<List<Object>> selectinChunks(io.retort.sql.compile.Dialect dialect, List<Object> keys) {
        int chunk = dialect.supportsArrayInBinding() ? Integer.MAX_VALUE : SELECTIN_CHUNK;
        List<List<Object>> chunks = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += chunk) {
            chunks.add(keys.subList(i, Math.min(keys.size(), i + chunk)));
        }
        return chunks;
    }

    private final AsyncSession session;

    Loading(AsyncSession session) {
        this.session = session;
    }

    /** Runs {@code q} on {@code c} and emits the distinct entities in row order, loaders applied. */
    <E> Flux<E> execute(EntitySelect<E> q, Connection c) {
        Prepared<E> p = new Prepared<>(q);
        // The absorber is made at subscription: it belongs to the session's epoch the operation ran in.
        return Flux.defer(() -> {
            Absorber a = p.absorber(session.epoch());
            return c.execute(p.core).rows()
                    .doOnNext(a::accept)
                    .then(Mono.defer(() -> {
                        List<Object> parents = a.finish();
                        return p.polymorphic.load(session, parents, c).then(postLoad(p.mapper, parents, p.plans, c));
                    }))
                    .thenMany(Flux.defer(() -> Flux.fromIterable(p.cast(a.order))));
        });
    }

    /**
     * Streams {@code p} (O17): rows are read {@code chunkSize} at a time, each chunk becomes its
     * distinct entities, the chunk's loaders run, and its entities are emitted before the next
     * chunk is read. With loaders that send SQL ({@link Prepared#needsCursor}) the rows come
     * through a server-side cursor on {@code c} (the caller checked the dialect and began the
     * transaction), which leaves the connection free for them between chunks; without, straight
     * from the statement, the driver holding back as the subscriber does.
     */
    <E> Flux<E> stream(Prepared<E> p, Connection c, int chunkSize, boolean detach) {
        Flux<List<Row>> chunks = p.needsCursor() ? c.cursor(p.core, chunkSize) : c.execute(p.core).rows().buffer(chunkSize);
        // No prefetch: the next chunk is asked for only once this one's entities have all been taken.
        return Flux.defer(() -> {
            Object epoch = session.epoch();
            return chunks.concatMap(rows -> {
                int mark = session.trackedCount();
                Absorber a = p.absorber(epoch);
                rows.forEach(a::accept);
                List<Object> parents = a.finish();
                Flux<E> out = p.polymorphic.load(session, parents, c).then(postLoad(p.mapper, parents, p.plans, c)).thenMany(Flux.defer(() -> Flux.fromIterable(p.cast(a.order))));
                // Detached: what this chunk brought in leaves the session once its entities are out, before
                // the end signal goes on (concatMap may start the next chunk from it), or on a cancel.
                return detach ? out.doOnTerminate(() -> session.forgetSince(mark)).doOnCancel(() -> session.forgetSince(mark)) : out;
            }, 0);
        });
    }

    /**
     * {@code q} made ready to stream, checking first that it can: a joined collection cannot, as
     * one parent's rows may fall into two chunks.
     */
    <E> Prepared<E> prepareStream(EntitySelect<E> q) {
        Prepared<E> p = new Prepared<>(q);
        for (Map.Entry<Relationship<?, ?>, Plan> e : p.plans.entrySet()) {
            if (e.getValue().strategy == LoaderOption.Strategy.JOINED && e.getKey().isCollection()) {
                throw new io.retort.error.ArgumentError("joinedLoad(" + e.getKey() + ") cannot stream: one "
                        + p.mapper.type().getSimpleName() + "'s rows may fall into two chunks; use selectinLoad(" + e.getKey()
                        + "), which loads each chunk's collections with one query");
            }
        }
        return p;
    }

    /** Whether any loader in {@code plans}, at any depth, runs a query of its own. */
    private boolean sendsSql(Mapper<?> mapper, Map<Relationship<?, ?>, Plan> plans) {
        for (Map.Entry<Relationship<?, ?>, Plan> e : plans.entrySet()) {
            Plan p = e.getValue();
            if (p.strategy == LoaderOption.Strategy.SELECTIN || p.strategy == LoaderOption.Strategy.IMMEDIATE) {
                return true;
            }
            if (p.strategy == LoaderOption.Strategy.JOINED && !p.nested.isEmpty()) {
                Mapper<?> target = session.registry().mapper(e.getKey().target());
                if (sendsSql(target, plans(target, p.nested))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An entity query made ready to run: its Core SELECT and how its rows become entities. */
    final class Prepared<E> {
        final Mapper<E> mapper;
        final Selection selection;
        final List<Property> props;
        final Map<Relationship<?, ?>, Plan> plans;
        final List<Joined> joined = new ArrayList<>();
        final List<LoaderOption.WithExpression> exprs;
        final Select core;
        /** O8: subclass tables loaded by withPolymorphic / selectinPolymorphic. */
        final PolymorphicLoading polymorphic;

        Prepared(EntitySelect<E> q) {
            mapper = session.registry().mapper(q.type());
            selection = selection(mapper, q.options());
            polymorphic = PolymorphicLoading.of(session.registry(), mapper, q.options());
            props = polymorphic.extend(selection.props());
            plans = plans(mapper, q.options());
            int aliasNo = 0;
            for (Map.Entry<Relationship<?, ?>, Plan> e : plans.entrySet()) {
                if (e.getValue().strategy == LoaderOption.Strategy.JOINED) {
                    Mapper<?> target = session.registry().mapper(e.getKey().target());
                    PolymorphicLoading.checkJoinable(mapper, e.getKey(), target, props);
                    joined.add(new Joined(e.getKey(), target, ++aliasNo, e.getValue().selection(target)));
                }
            }
            exprs = expressions(mapper, q.options());
            core = build(mapper, props, exprs, q, joined, polymorphic);
        }

        Absorber absorber(Object epoch) {
            return new Absorber(this, epoch);
        }

        /** Whether a loader, at any depth, runs a query of its own: streaming needs a cursor then. */
        boolean needsCursor() {
            return polymorphic.sendsSql() || sendsSql(mapper, plans);
        }

        @SuppressWarnings("unchecked")
        List<E> cast(List<Object> entities) {
            return (List<E>) (List<?>) entities;
        }
    }

    /**
     * Turns one run of rows into distinct parents in row order, through the identity map, with
     * their query expressions set and their joined relationships collected.
     */
    private final class Absorber {
        private final Prepared<?> p;
        final List<Object> order = new ArrayList<>();
        private final Map<Object, Map<Relationship<?, ?>, LinkedHashMap<Object, Object>>> collected = new IdentityHashMap<>();
        /** A row that could not become an object (O8): raised once every row is read, so the statement ends cleanly. */
        private PolymorphicIdentityError failure;
        /** The session's epoch when the operation started (see {@link AsyncSession#epoch}). */
        private final Object epoch;
        /** The session was closed, or the operation cancelled, since it started: rows are no longer taken. */
        private boolean outlived;

        Absorber(Prepared<?> p, Object epoch) {
            this.p = p;
            this.epoch = epoch;
        }

        void accept(Row row) {
            if (failure != null || outlived) {
                return;
            }
            // F35: a cancelled operation's rows may still arrive (the bridge's JDBC thread delivers
            // the row it was reading) after close() or the next operation took the session. Under
            // the session's row lock and only in the epoch it started in, a row can never be taken
            // into objects close() or a rollback is clearing, nor into a later operation's session.
            session.rowLock().lock();
            try {
                if (session.epoch() != epoch) {
                    outlived = true;
                    return;
                }
                absorb(row);
            } catch (PolymorphicIdentityError e) {
                // Thrown mid-stream it would cancel the statement and cost the session its connection.
                failure = e;
            } finally {
                session.rowLock().unlock();
            }
        }

        private void absorb(Row row) {
            List<Property> props = p.props;
            InstanceState parentState = materializeState(p.mapper, props, row, 0, p.selection.raise());
            Object parent = parentState == null ? null : parentState.entity;
            if (parent == null) {
                return;
            }
            for (int k = 0; k < p.exprs.size(); k++) {
                ExpressionAttribute<?, ?> a = p.exprs.get(k).attribute();
                a.accessor.set(parent, row.get(props.size() + k, a.javaType()));
            }
            if (!collected.containsKey(parent)) {
                collected.put(parent, new LinkedHashMap<>());
                order.add(parent);
            }
            int offset = props.size() + p.exprs.size();
            for (Joined j : p.joined) {
                InstanceState childState = materializeState(j.target, j.selection.props(), row, offset, j.selection.raise());
                Object child = childState == null ? null : childState.entity;
                offset += j.selection.props().size();
                LinkedHashMap<Object, Object> members = collected.get(parent).computeIfAbsent(j.rel, k -> new LinkedHashMap<>());
                if (child != null) {
                    members.putIfAbsent(child, child);
                }
            }
        }

        /** Assigns the joined relationships collected; returns the parents in row order. */
        List<Object> finish() {
            if (failure != null) {
                throw failure;
            }
            if (outlived || session.epoch() != epoch) {
                // Only an operation that was not cancelled gets here: close() ran while it read.
                throw new io.retort.error.InvalidRequestError("The session was closed while this query ran:"
                        + " its rows were not loaded into the session");
            }
            for (Joined j : p.joined) {
                for (Object parent : order) {
                    LinkedHashMap<Object, Object> m = collected.get(parent).get(j.rel);
                    assign(j.rel, parent, m == null ? List.of() : new ArrayList<>(m.keySet()));
                }
            }
            return order;
        }
    }

    /** One relationship's strategy at one level, with the options that continue below it. */
    static final class Plan {
        final LoaderOption.Strategy strategy;
        final List<LoaderOption> nested = new ArrayList<>();
        /** Column options for the relationship's target ({@code selectinLoad(A_.bs).defer(B_.c)}). */
        final List<LoaderOption> columns = new ArrayList<>();
        private Selection selection;

        Plan(LoaderOption.Strategy strategy) {
            this.strategy = strategy;
        }

        /** The target's columns to load at this level. */
        Selection selection(Mapper<?> target) {
            Selection s = selection;
            if (s == null) {
                selection = s = Loading.selection(target, columns);
            }
            return s;
        }
    }

    private record Joined(Relationship<?, ?> rel, Mapper<?> target, int number, Selection selection) {
    }

    /** Strategies for {@code mapper}'s relationships from options whose first step applies here. */
    Map<Relationship<?, ?>, Plan> plans(Mapper<?> mapper, List<LoaderOption> options) {
        Map<Relationship<?, ?>, Plan> plans = new LinkedHashMap<>();
        LoaderOption.Strategy wildcard = null;
        List<LoaderOption> wildcardNested = new ArrayList<>();
        for (LoaderOption o : options) {
            if (o.path().isEmpty()) {
                continue;
            }
            LoaderOption.Step first = o.path().get(0);
            // The rest of the path keeps the column options: they apply where the path ends.
            LoaderOption rest = o.path().size() > 1 ? o.withPath(o.path().subList(1, o.path().size())) : null;
            if (first.relationship() == null) {
                if (o.hasColumnOptions()) {
                    throw new io.retort.error.ArgumentError("Column options after a wildcard (" + o
                            + ") name no single entity: put them on an option for one relationship");
                }
                wildcard = first.strategy();
                if (rest != null) {
                    wildcardNested.add(rest);
                }
                continue;
            }
            if (!PolymorphicLoading.appliesTo(first.relationship(), mapper)) {
                continue;
            }
            Plan p = plans.computeIfAbsent(first.relationship(), r -> new Plan(first.strategy()));
            if (rest != null) {
                p.nested.add(rest);
            } else if (o.hasColumnOptions()) {
                p.columns.add(o.withPath(List.of()));
            }
        }
        if (wildcard != null) {
            for (Relationship<?, ?> r : mapper.relationships().values()) {
                if (!plans.containsKey(r)) {
                    Plan p = new Plan(wildcard);
                    p.nested.addAll(wildcardNested);
                    plans.put(r, p);
                }
            }
        }
        return plans;
    }

    /**
     * The columns a query loads and, per property, whether one it leaves out raises on
     * {@link AsyncSession#attribute} (null when none does).
     */
    record Selection(List<Property> props, boolean[] raise) {
        /** What {@code mapper}'s entity loads without column options. */
        static Selection defaults(Mapper<?> mapper) {
            return new Selection(mapper.queryProperties(), mapper.queryRaise());
        }
    }

    /** The columns a query for {@code mapper} with {@code options} loads (its column options applied). */
    static Selection selection(Mapper<?> mapper, List<LoaderOption> options) {
        List<LoaderOption> columnOptions = null;
        for (LoaderOption o : options) {
            // A relationship path's columns apply at its end (see plans()).
            if (o.path().isEmpty() && o.hasColumnOptions()) {
                checkColumns(mapper, o);
                if (columnOptions == null) {
                    columnOptions = new ArrayList<>();
                }
                columnOptions.add(o);
            }
        }
        if (columnOptions == null) {
            return Selection.defaults(mapper); // the common query: no sets, no scan of the columns
        }
        List<Property> all = mapper.loadableProperties();
        Property discriminator = mapper.hierarchy() == null ? null : mapper.hierarchy().discriminator;
        Set<Column<?>> deferred = new HashSet<>();
        Set<Column<?>> raising = new HashSet<>();
        Set<Column<?>> undeferred = new HashSet<>();
        Set<Column<?>> only = new HashSet<>();
        for (LoaderOption o : columnOptions) {
            // Later options win over earlier ones for the same column, as in a chain of options.
            for (Column<?> c : o.deferred()) {
                deferred.add(c);
                undeferred.remove(c);
                if (o.deferredRaiseload().contains(c)) {
                    raising.add(c);
                } else {
                    raising.remove(c);
                }
            }
            for (Column<?> c : o.undeferred()) {
                deferred.remove(c);
                raising.remove(c);
                undeferred.add(c);
            }
            only.addAll(o.loadOnly());
        }
        List<Property> out = new ArrayList<>();
        boolean[] raise = null;
        for (int i = 0; i < all.size(); i++) {
            Property p = all.get(i);
            Column<?> c = p.column();
            boolean keep = p.isId() || p.isHidden() || p.isVersion() || p == discriminator
                    || (only.isEmpty() ? !deferred.contains(c) && (!p.isDeferred() || undeferred.contains(c)) : only.contains(c));
            if (keep) {
                out.add(p);
            } else if (raising.contains(c) || p.isRaiseload() && !deferred.contains(c)) {
                // A plain defer() in the query overrides the mapping's raiseload, as it does in SQLAlchemy.
                if (raise == null) {
                    raise = new boolean[all.size()];
                }
                raise[i] = true;
            }
        }
        // Every column: the mapper's own list, whose row plan is shared (see plan()).
        if (out.size() == all.size()) {
            return new Selection(all, null);
        }
        return new Selection(out.equals(mapper.queryProperties()) ? mapper.queryProperties() : out, raise);
    }

    /** Every column an option names must be one of the entity's it applies to. */
    private static void checkColumns(Mapper<?> mapper, LoaderOption o) {
        List<Column<?>> all = new ArrayList<>(o.deferred());
        all.addAll(o.undeferred());
        all.addAll(o.loadOnly());
        for (Column<?> c : all) {
            if (mapper.property(c) == null && mapper.loadableProperties().stream().noneMatch(p -> p.column() == c)) {
                throw new io.retort.error.ArgumentError(c + " is not a column of " + mapper.type().getSimpleName()
                        + ", the entity " + (o.path().isEmpty() ? "these column options apply to" : "at the end of " + o));
            }
        }
    }

    /** Runs a multi-entity query: each row split into its entities (identity-mapped) and values (O13). */
    Flux<EntityRow> rows(RowSelect q, Connection c) {
        List<Object> elements = q.elements();
        int n = elements.size();
        Mapper<?>[] mappers = new Mapper<?>[n];
        for (int i = 0; i < n; i++) {
            Object e = elements.get(i);
            if (e instanceof Class<?> type) {
                mappers[i] = session.registry().mapper(type);
            } else if (e instanceof EntityAlias<?> a) {
                mappers[i] = session.registry().mapper(a.type());
            }
        }
        // Rows are read to the end before any becomes an object: a row that cannot (O8) fails the
        // query without cutting its statement short.
        return c.execute(q.statement()).rows().collectList().flatMapIterable(l -> l).map(row -> {
            Object[] values = new Object[n];
            int offset = 0;
            for (int i = 0; i < n; i++) {
                Mapper<?> m = mappers[i];
                if (m == null) {
                    values[i] = row.get(offset++);
                } else {
                    List<Property> props = m.queryProperties();
                    values[i] = materialize(m, props, row, offset);
                    offset += props.size();
                }
            }
            return new EntityRow(elements, values);
        }).collectList().flatMapMany(list -> {
            // The entities of one class (plain or aliased) load together, distinct, in row order: the
            // query's loader options, and as after an entity query, many-to-one targets already in
            // the identity map set without SQL.
            Map<Mapper<?>, List<Object>> byMapper = new LinkedHashMap<>();
            Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (EntityRow r : list) {
                for (int i = 0; i < n; i++) {
                    Object e = mappers[i] == null ? null : r.get(i);
                    if (e != null && seen.add(e)) {
                        byMapper.computeIfAbsent(mappers[i], m -> new ArrayList<>()).add(e);
                    }
                }
            }
            Mono<Void> chain = Mono.empty();
            for (Map.Entry<Mapper<?>, List<Object>> g : byMapper.entrySet()) {
                chain = chain.then(Mono.defer(() -> postLoad(g.getKey(), g.getValue(), plans(g.getKey(), q.options()), c)));
            }
            return chain.thenMany(Flux.fromIterable(list));
        });
    }

    /** The withExpression options of {@code options}; each must name a field of {@code mapper}'s entity. */
    private static List<LoaderOption.WithExpression> expressions(Mapper<?> mapper, List<LoaderOption> options) {
        List<LoaderOption.WithExpression> out = new ArrayList<>();
        Set<ExpressionAttribute<?, ?>> seen = new HashSet<>();
        for (LoaderOption o : options) {
            for (LoaderOption.WithExpression w : o.expressions()) {
                if (!w.attribute().source().isAssignableFrom(mapper.type())) {
                    throw new io.retort.error.ArgumentError("withExpression(" + w.attribute() + ") does not apply to a query for "
                            + mapper.type().getSimpleName());
                }
                if (!seen.add(w.attribute())) {
                    throw new io.retort.error.ArgumentError("withExpression(" + w.attribute() + ") is given twice in one query");
                }
                out.add(w);
            }
        }
        return out;
    }

    /** The SELECT-list label of a query expression: unlike a column name, never ambiguous in a join. */
    private static String label(LoaderOption.WithExpression w) {
        return "qexpr_" + w.attribute().name();
    }

    private Select build(Mapper<?> mapper, List<Property> props, List<LoaderOption.WithExpression> exprs, EntitySelect<?> q,
                         List<Joined> joined, PolymorphicLoading polymorphic) {
        List<Expression<?>> cols = new ArrayList<>();
        for (Property p : props) {
            cols.add(p.column());
        }
        for (LoaderOption.WithExpression w : exprs) {
            cols.add(w.expression().as(label(w)));
        }
        FromClause from = polymorphic.from(mapper.from(), mapper);
        for (EntitySelect.JoinSpec j : q.joins()) {
            from = j.outer() ? from.leftJoin(j.target(), j.on()) : from.join(j.target(), j.on());
        }
        boolean wrap = !joined.isEmpty() && (q.limit() != null || q.offset() != null)
                && joined.stream().anyMatch(j -> j.rel.isCollection());
        if (!wrap) {
            Select s = discriminated(Sql.select(cols).from(from), mapper);
            for (Joined j : joined) {
                TableAlias alias = j.target.table().as(j.rel.name() + "_" + j.number);
                for (Property p : j.selection.props()) {
                    s = s.addColumns(alias.col(p.column()));
                }
                s = joinAlias(s, j, alias, null);
            }
            s = filters(s, q);
            for (Joined j : joined) {
                TableAlias alias = j.target.table().as(j.rel.name() + "_" + j.number);
                s = s.orderBy(alias.col(j.target.identity().get(0).column()));
            }
            return s;
        }
        // Joined eager loading with LIMIT: limit the parents in a subquery, then join (seed 1.3).
        Select inner = filters(discriminated(Sql.select(cols).from(from), mapper), q);
        Subquery sub = inner.subquery("anon_1");
        List<Expression<?>> outerCols = new ArrayList<>();
        for (Property p : props) {
            outerCols.add(sub.col(p.column()));
        }
        for (LoaderOption.WithExpression w : exprs) {
            outerCols.add(sub.c(label(w)));
        }
        Select s = Sql.select(outerCols).from(sub);
        for (Joined j : joined) {
            TableAlias alias = j.target.table().as(j.rel.name() + "_" + j.number);
            for (Property p : j.selection.props()) {
                s = s.addColumns(alias.col(p.column()));
            }
            s = joinAlias(s, j, alias, sub);
        }
        for (SortOrder o : q.orderBy()) {
            if (o.expression() instanceof Column && mapper.property((Column<?>) o.expression()) != null) {
                Column<?> c = sub.col((Column<?>) o.expression());
                s = s.orderBy(o.isDescending() ? c.desc() : c.asc());
            }
        }
        for (Joined j : joined) {
            TableAlias alias = j.target.table().as(j.rel.name() + "_" + j.number);
            s = s.orderBy(alias.col(j.target.identity().get(0).column()));
        }
        return s;
    }

    /**
     * {@code s} restricted to {@code mapper}'s rows: a single-table subclass's discriminator
     * criterion in WHERE (O8); {@code s} itself otherwise.
     */
    static Select discriminated(Select s, Mapper<?> mapper) {
        Expression<Boolean> c = PolymorphicLoading.criterion(mapper);
        return c == null ? s : s.where(c);
    }

    /** @param parent the FROM element the parent's columns are read from (a subquery), or null for their own tables */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Select joinAlias(Select s, Joined j, TableAlias alias, FromClause parent) {
        Relationship<?, ?> r = j.rel;
        Expression<Boolean> on;
        Column local = parent == null ? r.localColumns().get(0) : parent.col(r.localColumns().get(0));
        if (r.kind() == Relationship.Kind.MANY_TO_ONE) {
            on = local.eq((Expression) alias.col(r.remoteColumns().get(0)));
        } else if (r.kind() == Relationship.Kind.ONE_TO_MANY) {
            on = local.eq((Expression) alias.col(r.remoteColumns().get(0)));
        } else {
            throw new io.retort.error.ArgumentError("joinedLoad of a many-to-many (" + r + ") is not supported; use selectinLoad");
        }
        // A single-table subclass target matches its own rows only (O8, seed 1.2: also when joined to).
        return s.leftJoin(alias, PolymorphicLoading.and(on, j.target, alias));
    }

    private Select filters(Select s, EntitySelect<?> q) {
        for (Expression<Boolean> w : q.where()) {
            s = s.where(w);
        }
        if (!q.orderBy().isEmpty()) {
            s = s.orderBy(q.orderBy().toArray(new SortOrder[0]));
        }
        if (q.limit() != null) {
            s = s.limit(q.limit());
        }
        if (q.offset() != null) {
            s = s.offset(q.offset());
        }
        if (q.lock() != null) {
            s = s.lock(q.lock());
        }
        return s;
    }

    /**
     * How a row of {@code props} maps onto {@code mapper}'s entity, computed once per query shape
     * rather than per row: where the identity columns sit, each column's property index, which
     * properties the row loads, and the collections to mark unloaded.
     */
    private static final class RowPlan {
        final Mapper<?> mapper;
        final List<Property> props;
        final int[] identityAt;
        final int[] propertyIndex;
        final boolean[] loaded;
        final Relationship<?, ?>[] collections;
        /** O8: where the row's discriminator is (a query for a hierarchy's class), else -1. */
        final int discriminatorAt;
        /** O8: the plans of the concrete classes the rows turn out to be, by mapper (shared: a full plan lives on the mapper). */
        private final java.util.concurrent.ConcurrentHashMap<Mapper<?>, RowPlan> concrete;
        /** O8, a concrete plan: this class's columns the row lacks that raise (joined subclass tables not loaded); else null. */
        private final boolean[] unloadedRaise;
        /** The size of the requested class's property list (a concrete plan), whose raise flags carry over. */
        private final int requestedSize;
        /** The last raise flags in and out of {@link #raiseFor}: one query's rows all pass the same flags. */
        private volatile boolean[][] lastRaise;

        RowPlan(Mapper<?> mapper, List<Property> props) {
            this(mapper, props, null);
        }

        /** @param requested the queried class when this is the plan of one of its concrete classes, else null */
        RowPlan(Mapper<?> mapper, List<Property> props, Mapper<?> requested) {
            this.mapper = mapper;
            this.props = props;
            List<Property> all = mapper.properties();
            identityAt = new int[mapper.identity().size()];
            for (int k = 0; k < identityAt.length; k++) {
                identityAt[k] = props.indexOf(mapper.identity().get(k));
            }
            propertyIndex = new int[props.size()];
            for (int i = 0; i < propertyIndex.length; i++) {
                propertyIndex[i] = all.indexOf(props.get(i));
            }
            loaded = new boolean[all.size()];
            for (int i = 0; i < loaded.length; i++) {
                loaded[i] = props.contains(all.get(i));
            }
            collections = PolymorphicLoading.relationshipsBelow(mapper).stream().filter(r -> r.isCollection() && r.source().isAssignableFrom(mapper.type()))
                    .toArray(Relationship<?, ?>[]::new);
            Hierarchy h = mapper.hierarchy();
            discriminatorAt = h == null || requested != null ? -1 : props.indexOf(h.discriminator);
            concrete = discriminatorAt >= 0 ? new java.util.concurrent.ConcurrentHashMap<>() : null;
            requestedSize = requested == null ? all.size() : requested.properties().size();
            boolean[] ur = null;
            if (requested != null && h.isJoined()) {
                for (int i = requestedSize; i < all.size(); i++) {
                    if (!loaded[i]) {
                        if (ur == null) {
                            ur = new boolean[all.size()];
                        }
                        ur[i] = true;
                    }
                }
            }
            unloadedRaise = ur;
        }

        /** The plan of the same row for an object of {@code c}, a class of this plan's hierarchy. */
        RowPlan forConcrete(Mapper<?> c) {
            return concrete.computeIfAbsent(c, k -> new RowPlan(k, props, mapper));
        }

        /**
         * The raise flags of an object this concrete plan loads: the query's (given for the requested
         * class) cut or grown to this class's properties, plus its subclass columns the row lacks.
         */
        boolean[] raiseFor(boolean[] raise) {
            int n = loaded.length;
            if (unloadedRaise == null && (raise == null || raise.length == n)) {
                return raise;
            }
            boolean[][] last = lastRaise;
            if (last != null && last[0] == raise) {
                return last[1];
            }
            boolean[] out = unloadedRaise == null ? new boolean[n] : unloadedRaise.clone();
            if (raise != null) {
                for (int i = 0; i < Math.min(requestedSize, raise.length); i++) {
                    out[i] |= raise[i];
                }
            }
            lastRaise = new boolean[][] {raise, out};
            return out;
        }
    }

    /** Two plans of other shapes (loadOnly, defer) kept: a joined load alternates between two. */
    private RowPlan planA;
    private RowPlan planB;

    private RowPlan plan(Mapper<?> mapper, List<Property> props) {
        if (props == mapper.properties()) {
            // The common shape, shared by every session: kept on the mapper.
            RowPlan full = (RowPlan) mapper.fullRowPlan;
            if (full == null) {
                mapper.fullRowPlan = full = new RowPlan(mapper, props);
            }
            return full;
        }
        RowPlan a = planA;
        if (a != null && a.props == props && a.mapper == mapper) {
            return a;
        }
        RowPlan b = planB;
        if (b != null && b.props == props && b.mapper == mapper) {
            return b;
        }
        RowPlan p = new RowPlan(mapper, props);
        planB = a;
        planA = p;
        return p;
    }

    /** The entity for the row's columns starting at {@code offset}; identity-mapped; null for an all-NULL key. */
    Object materialize(Mapper<?> mapper, List<Property> props, Row row, int offset) {
        InstanceState st = materializeState(mapper, props, row, offset);
        return st == null ? null : st.entity;
    }

    /** {@link #materialize}, answering the instance's state (its entity is {@code state.entity}). */
    InstanceState materializeState(Mapper<?> mapper, List<Property> props, Row row, int offset) {
        return materializeState(mapper, props, row, offset, props == mapper.queryProperties() ? mapper.queryRaise() : null);
    }

    /**
     * {@link #materializeState}, with {@code raise} (per property, or null) marking the columns the
     * query left out with raiseload.
     */
    InstanceState materializeState(Mapper<?> mapper, List<Property> props, Row row, int offset, boolean[] raise) {
        RowPlan plan = plan(mapper, props);
        int[] identityAt = plan.identityAt;
        List<Object> key;
        if (identityAt.length == 1) {
            Object v = row.get(offset + identityAt[0]);
            if (v == null) {
                return null;
            }
            key = List.of(v);
        } else {
            Object[] vs = new Object[identityAt.length];
            for (int k = 0; k < vs.length; k++) {
                vs[k] = row.get(offset + identityAt[k]);
                if (vs[k] == null) {
                    return null;
                }
            }
            key = List.of(vs);
        }
        RowPlan base = plan;
        Mapper<?> target = mapper;
        if (plan.discriminatorAt >= 0) {
            // O8: the row's discriminator names the class to build; it must be the requested one or below.
            target = PolymorphicLoading.concreteOf(mapper, row.get(offset + plan.discriminatorAt), key);
            plan = base.forConcrete(target);
            raise = plan.raiseFor(raise);
        }
        IdentityKey ik = session.keyOf(mapper, key);
        InstanceState existing = session.stateOf(ik);
        if (existing != null && existing.mapper != target) {
            if (!mapper.type().isInstance(existing.entity)) {
                throw new PolymorphicIdentityError("Row with identity key " + ik + " can't be loaded as a "
                        + mapper.type().getSimpleName() + ": the session holds it as a " + existing.mapper.type().getSimpleName()
                        + ", which is not " + mapper.type().getSimpleName() + " or a subclass of it");
            }
            plan = base.forConcrete(existing.mapper); // the identity map's object keeps its class
            raise = plan.raiseFor(raise == null ? null : raise);
        }
        int[] index = plan.propertyIndex;
        if (existing != null) {
            if (existing.expired) {
                for (int i = 0; i < index.length; i++) {
                    if (index[i] >= 0) {
                        existing.setValue(index[i], row.get(offset + i));
                    }
                }
                existing.snapshot = existing.snapshotValues();
                for (int i = 0; i < index.length; i++) {
                    if (index[i] >= 0) {
                        existing.markLoaded(index[i]);
                    }
                }
                existing.expired = false;
            } else if (raise != null || !existing.allLoaded()) {
                fillUnloaded(existing, index, row, offset, raise);
            }
            return existing;
        }
        Object entity = target.newInstance();
        InstanceState st = new InstanceState(entity, target, InstanceState.Status.PERSISTENT);
        for (int i = 0; i < index.length; i++) {
            if (index[i] >= 0) { // -1: a column of a sibling class (single-table), not this object's
                st.setValue(index[i], row.get(offset + i));
            }
        }
        st.takeSnapshot();
        System.arraycopy(plan.loaded, 0, st.loaded, 0, plan.loaded.length);
        st.raise = raise;
        st.key = ik;
        for (Relationship<?, ?> r : plan.collections) {
            r.accessor.set(entity, new UnloadedList<>(r.unloadedHint()));
        }
        session.register(st);
        return st;
    }

    /**
     * An object already in the session met again: columns it had not loaded that this row carries
     * are taken (a later query undeferred them), and ones this query left out with raiseload are
     * marked so. Loaded columns are left alone: the identity map's object wins.
     */
    private static void fillUnloaded(InstanceState existing, int[] index, Row row, int offset, boolean[] raise) {
        boolean[] loaded = existing.loaded;
        for (int i = 0; i < index.length; i++) {
            if (index[i] >= 0 && !loaded[index[i]]) {
                existing.loadColumn(index[i], row.get(offset + i));
            }
        }
        if (raise != null) {
            for (int i = 0; i < Math.min(raise.length, loaded.length); i++) {
                if (raise[i] && !existing.isLoaded(i)) {
                    existing.markRaising(i);
                }
            }
        }
    }

    // ================================================================= post-load strategies

    Mono<Void> postLoad(Mapper<?> mapper, List<Object> loaded, Map<Relationship<?, ?>, Plan> plans, Connection c) {
        if (loaded.isEmpty()) {
            return Mono.empty();
        }
        Mono<Void> chain = Mono.empty();
        for (Relationship<?, ?> r : PolymorphicLoading.relationshipsBelow(mapper)) {
            // O8: a relationship a subclass declares applies to the loaded objects of that subclass.
            List<Object> parents = r.source().isAssignableFrom(mapper.type()) ? loaded : ofType(loaded, r.source());
            if (parents.isEmpty()) {
                continue;
            }
            Plan p = plans.get(r);
            if (p == null) {
                if (r.kind() == Relationship.Kind.MANY_TO_ONE) {
                    resolveFromIdentityMap(r, parents);
                }
                continue;
            }
            switch (p.strategy) {
                case SELECTIN:
                    chain = chain.then(Mono.defer(() -> selectin(r, parents, c, p)).flatMap(children ->
                            nested(r, children, p, c)));
                    break;
                case IMMEDIATE:
                    chain = chain.then(Flux.fromIterable(new ArrayList<>(parents))
                            .concatMap(parent -> selectin(r, List.of(parent), c, p))
                            .collectList()
                            .flatMap(lists -> {
                                List<Object> all = new ArrayList<>();
                                lists.forEach(all::addAll);
                                return nested(r, all, p, c);
                            }));
                    break;
                case JOINED:
                    chain = chain.then(Mono.defer(() -> nested(r, childrenOf(r, parents), p, c)));
                    break;
                case NOLOAD:
                    for (Object parent : parents) {
                        if (r.isCollection() && !collectionLoaded(parent, r)) {
                            assign(r, parent, List.of());
                        }
                    }
                    break;
                case RAISE:
                    for (Object parent : parents) {
                        if (r.isCollection() && !collectionLoaded(parent, r)) {
                            r.accessor.set(parent, new UnloadedList<>(r + " is raiseLoad: it is never loaded by this query"));
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return chain;
    }

    private static List<Object> ofType(List<Object> objects, Class<?> type) {
        List<Object> out = new ArrayList<>();
        for (Object o : objects) {
            if (type.isInstance(o)) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Whether an earlier load already gave {@code parent} this collection: noLoad and raiseLoad
     * describe what this query does not load, so they leave a loaded collection as it is (as a
     * query leaves the columns of an instance already in the session).
     */
    private boolean collectionLoaded(Object parent, Relationship<?, ?> r) {
        InstanceState st = session.stateOfEntity(parent);
        return st != null && st.collections.containsKey(r.name());
    }

    private Mono<Void> nested(Relationship<?, ?> r, List<Object> children, Plan p, Connection c) {
        if (p.nested.isEmpty() || children.isEmpty()) {
            return Mono.empty();
        }
        Mapper<?> target = session.registry().mapper(r.target());
        return postLoad(target, dedupe(children), plans(target, p.nested), c);
    }

    private static List<Object> dedupe(List<Object> l) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> out = new ArrayList<>();
        for (Object o : l) {
            if (seen.put(o, Boolean.TRUE) == null) {
                out.add(o);
            }
        }
        return out;
    }

    private List<Object> childrenOf(Relationship<?, ?> r, List<Object> parents) {
        List<Object> out = new ArrayList<>();
        for (Object p : parents) {
            Object v = r.accessor.get(p);
            if (v instanceof List) {
                out.addAll((List<?>) v);
            } else if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** Many-to-one targets already in the identity map are set without SQL. */
    private void resolveFromIdentityMap(Relationship<?, ?> r, List<Object> parents) {
        Mapper<?> target = session.registry().mapper(r.target());
        for (Object parent : parents) {
            if (r.accessor.get(parent) != null) {
                continue;
            }
            Object fk = fkValue(parent, r);
            if (fk != null) {
                InstanceState t = session.stateOf(session.keyOf(target, List.of(fk)));
                if (t != null && r.target().isInstance(t.entity)) {
                    r.accessor.set(parent, t.entity);
                }
            }
        }
    }

    Object fkValue(Object parent, Relationship<?, ?> r) {
        return fkValue(session.stateOfEntity(parent), r);
    }

    private static Object fkValue(InstanceState st, Relationship<?, ?> r) {
        int idx = st.mapper.properties().indexOf(st.mapper.property(r.localColumns().get(0)));
        return st.value(idx);
    }

    private Object pkValue(Object entity) {
        return pkValue(session.stateOfEntity(entity));
    }

    private static Object pkValue(InstanceState st) {
        return st.value(st.mapper.properties().indexOf(st.mapper.identity().get(0)));
    }

    /**
     * Loads {@code r} for {@code parents} with one IN query per chunk of 500 keys (one array on
     * PostgreSQL), assigns the results, and returns the loaded targets.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Mono<List<Object>> selectin(Relationship<?, ?> r, List<Object> parents, Connection c) {
        return selectin(r, parents, c, null);
    }

    /** {@link #selectin}, loading the target's columns {@code plan} selects (its mapping's defaults without one). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Mono<List<Object>> selectin(Relationship<?, ?> r, List<Object> parents, Connection c, Plan plan) {
        Mapper<Object> target = (Mapper<Object>) session.registry().mapper(r.target());
        Selection sel = plan == null ? Selection.defaults(target) : plan.selection(target);
        List<Property> props = sel.props();
        List<Object> keys = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (Object parent : parents) {
            Object k = r.kind() == Relationship.Kind.MANY_TO_ONE ? fkValue(parent, r) : pkValue(parent);
            if (k != null && seen.add(k)) {
                keys.add(k);
            }
        }
        Map<Object, List<InstanceState>> byKey = new HashMap<>();
        List<Object> loaded = new ArrayList<>();
        if (keys.isEmpty()) {
            assignAll(r, parents, byKey);
            return Mono.just(loaded);
        }
        return Flux.fromIterable(selectinChunks(c.dialect(), keys)).concatMap(part -> {
            List<Expression<?>> cols = new ArrayList<>();
            for (Property p : props) {
                cols.add(p.column());
            }
            Select s;
            Column keyCol;
            if (r.kind() == Relationship.Kind.MANY_TO_MANY) {
                keyCol = (Column) r.secondarySourceColumns().get(0);
                cols.add(keyCol);
                s = Sql.select(cols).from(target.from().join(r.secondary(),
                        ((Column) r.secondaryTargetColumns().get(0)).eq((Expression) r.remoteColumns().get(0))));
            } else {
                keyCol = (Column) r.remoteColumns().get(0);
                s = Sql.select(cols).from(target.from());
            }
            s = discriminated(s, target); // O8: a single-table subclass target's rows only
            s = s.where(keyCol.in((List) part)).orderBy(target.identity().get(0).column());
            int at = r.kind() == Relationship.Kind.MANY_TO_MANY ? props.size() : props.indexOf(target.property(keyCol));
            if (at < 0) {
                // The key column is deferred in the target's mapping: selected for grouping only.
                at = props.size();
                s = s.addColumns(keyCol);
            }
            int keyIndex = at;
            // The chunk's rows are collected first (the loaded entities are all kept anyway) so the
            // session can size its maps once for them.
            return c.execute(s).rows().collectList().doOnNext(rows -> {
                session.reserve(rows.size());
                for (Row row : rows) {
                    InstanceState child = materializeState(target, props, row, 0, sel.raise());
                    if (child == null) {
                        continue; // no key: not a row of the target
                    }
                    loaded.add(child.entity);
                    byKey.computeIfAbsent(row.get(keyIndex), k -> new ArrayList<>()).add(child);
                }
            });
        }).then(Mono.fromCallable(() -> {
            assignAll(r, parents, byKey);
            return loaded;
        }));
    }

    private void assignAll(Relationship<?, ?> r, List<Object> parents, Map<Object, List<InstanceState>> byKey) {
        for (Object parent : parents) {
            InstanceState pst = session.stateOfEntity(parent);
            if (r.kind() == Relationship.Kind.MANY_TO_ONE) {
                Object k = fkValue(pst, r);
                List<InstanceState> t = k == null ? null : byKey.get(k);
                Object target = t == null || t.isEmpty() ? null : t.get(0).entity;
                r.accessor.set(parent, target);
                pst.references.put(r.name(), target);
            } else {
                assignStates(r, pst, byKey.getOrDefault(pkValue(pst), List.of()));
            }
        }
    }

    /** Puts a loaded collection (or reference) on {@code parent} and remembers its members for flush. */
    void assign(Relationship<?, ?> r, Object parent, List<Object> members) {
        List<InstanceState> states = new ArrayList<>(members.size());
        for (Object m : members) {
            states.add(session.stateOfEntity(m));
        }
        assignStates(r, session.stateOfEntity(parent), states);
    }

    /** {@link #assign} with the parent's and the members' states in hand (no lookups per member). */
    private void assignStates(Relationship<?, ?> r, InstanceState st, List<InstanceState> members) {
        Object parent = st.entity;
        if (!r.isCollection()) {
            Object target = members.isEmpty() ? null : members.get(0).entity;
            r.accessor.set(parent, target);
            st.references.put(r.name(), target);
            return;
        }
        LoadedList list = new LoadedList();
        list.bind(session.collectionHook(), parent, r);
        List<Object> entities = new ArrayList<>(members.size());
        for (InstanceState m : members) {
            list.load(m.entity);
            entities.add(m.entity);
        }
        r.accessor.set(parent, list);
        st.collections.put(r.name(), entities);
        // In-memory back-reference sync (O5): the child's many-to-one points at its parent.
        Relationship<?, ?> back = r.backReference(session.registry());
        if (back != null) {
            for (InstanceState m : members) {
                if (back.accessor.get(m.entity) == null) {
                    back.accessor.set(m.entity, parent);
                    m.references.put(back.name(), parent);
                }
            }
        }
    }
}
