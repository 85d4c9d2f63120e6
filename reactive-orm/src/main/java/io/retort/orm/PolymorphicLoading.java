package io.retort.orm;

import io.retort.engine.Connection;
import io.retort.engine.Row;
import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.Select;
import io.retort.sql.Sql;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a query for a class of an inheritance hierarchy loads (O8): the discriminator criterion
 * of a single-table subclass ({@code employee.type IN ('manager', 'senior_manager')}), and the
 * subclass columns of a joined hierarchy, either LEFT OUTER JOINed into the query
 * ({@link Load#withPolymorphic}) or loaded afterwards with one SELECT per subclass table
 * ({@link Load#selectinPolymorphic}). Each query gets its own plan; the criteria are static.
 */
final class PolymorphicLoading {
    /** A query that loads no subclass table beyond its own. */
    static final PolymorphicLoading NONE = new PolymorphicLoading(null, List.of());

    private final LoaderOption.Strategy strategy;
    /** Joined subclasses whose own tables load, parents before children. */
    private final List<Mapper<?>> classes;

    private PolymorphicLoading(LoaderOption.Strategy strategy, List<Mapper<?>> classes) {
        this.strategy = strategy;
        this.classes = classes;
    }

    /**
     * The criterion a query for {@code m} needs so that it matches the rows of {@code m} and its
     * subclasses only: {@code discriminator IN (values)} for a single-table subclass, null for a
     * root, a joined class (its INNER JOIN is the filter) or a class outside inheritance.
     */
    static Expression<Boolean> criterion(Mapper<?> m) {
        return criterion(m, null);
    }

    /** {@link #criterion(Mapper)} on {@code alias}'s column instead of the table's (a join to an aliased subclass). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Expression<Boolean> criterion(Mapper<?> m, FromClause alias) {
        Hierarchy h = m.hierarchy();
        if (h == null || h.isJoined() || m == h.root) {
            return null;
        }
        Column c = h.discriminator.column();
        if (alias != null) {
            c = alias.col(c);
        }
        return c.in((java.util.Collection) m.discriminatorValues());
    }

    /** Adds {@code criterion(m)} to {@code where} when there is one. */
    static Expression<Boolean> and(Expression<Boolean> on, Mapper<?> m, FromClause alias) {
        Expression<Boolean> c = criterion(m, alias);
        return c == null ? on : on.and(c);
    }

    /** The polymorphic loading {@code options} ask of a query for {@code q}; checks the classes they name. */
    static PolymorphicLoading of(OrmRegistry registry, Mapper<?> q, List<LoaderOption> options) {
        LoaderOption.Strategy strategy = null;
        Set<Mapper<?>> named = new LinkedHashSet<>();
        boolean all = false;
        for (LoaderOption o : options) {
            LoaderOption.Polymorphic p = o.polymorphic();
            if (p == null) {
                continue;
            }
            String name = (p.strategy() == LoaderOption.Strategy.SELECTIN ? "selectinPolymorphic" : "withPolymorphic");
            if (q.hierarchy() == null) {
                throw new ArgumentError(name + " does not apply to a query for " + q.type().getSimpleName()
                        + ", which is not mapped with inheritance");
            }
            if (strategy != null && strategy != p.strategy()) {
                throw new ArgumentError("selectinPolymorphic and withPolymorphic in one query for " + q.type().getSimpleName()
                        + ": choose one way to load the subclass tables");
            }
            strategy = p.strategy();
            all |= p.classes().isEmpty();
            for (Class<?> c : p.classes()) {
                Mapper<?> m = registry.mapper(c);
                if (m == q || !q.isa(m)) {
                    throw new ArgumentError(name + "(" + c.getSimpleName() + ") does not apply to a query for "
                            + q.type().getSimpleName() + ": " + c.getSimpleName() + " is not a mapped subclass of it");
                }
                named.add(m);
            }
        }
        if (strategy == null || !q.hierarchy().isJoined()) {
            return NONE; // single-table: every column is in the query already
        }
        List<Mapper<?>> below = q.selfAndDescendants().subList(1, q.selfAndDescendants().size());
        List<Mapper<?>> out = new ArrayList<>();
        for (Mapper<?> d : below) {
            boolean wanted = all;
            for (Mapper<?> n : named) {
                wanted |= d.isa(n); // n itself and the tables between q and n
            }
            if (wanted && !ownColumns(d).isEmpty()) {
                out.add(d);
            }
        }
        return out.isEmpty() ? NONE : new PolymorphicLoading(strategy, List.copyOf(out));
    }

    /** The columns {@code d} adds to its parent's (its own table's, for joined), minus those its mapping defers. */
    static List<Property> ownColumns(Mapper<?> d) {
        int inherited = d.superMapper() == null ? 0 : d.superMapper().properties().size();
        List<Property> own = new ArrayList<>();
        for (Property p : d.properties().subList(inherited, d.properties().size())) {
            if (!p.isDeferred()) {
                own.add(p);
            }
        }
        return own;
    }

    /** Whether this plan sends statements of its own (selectinPolymorphic): a stream then needs a cursor. */
    boolean sendsSql() {
        return strategy == LoaderOption.Strategy.SELECTIN;
    }

    /** The query's FROM with the subclass tables LEFT OUTER JOINed on the key (withPolymorphic). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    FromClause from(FromClause base, Mapper<?> q) {
        if (strategy != LoaderOption.Strategy.JOINED) {
            return base;
        }
        FromClause from = base;
        Column rootKey = q.identity().get(0).column();
        for (Mapper<?> d : classes) {
            Column key = d.table().primaryKeyColumns().get(0);
            from = from.leftJoin(d.table(), key.eq((Expression) rootKey));
        }
        return from;
    }

    /** The query's columns plus the joined subclass columns (withPolymorphic). */
    List<Property> extend(List<Property> props) {
        if (strategy != LoaderOption.Strategy.JOINED) {
            return props;
        }
        List<Property> out = new ArrayList<>(props);
        for (Mapper<?> d : classes) {
            out.addAll(ownColumns(d));
        }
        return out;
    }

    /**
     * selectinPolymorphic: for each subclass table, one SELECT of its columns for the loaded
     * objects of that class (and below) that lack them, by key, chunked as
     * {@link Loading#selectinChunks}.
     */
    Mono<Void> load(AsyncSession session, List<Object> parents, Connection c) {
        if (strategy != LoaderOption.Strategy.SELECTIN || parents.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(classes).concatMap(d -> Mono.defer(() -> loadTable(session, d, parents, c))).then();
    }

    private static Mono<Void> loadTable(AsyncSession session, Mapper<?> d, List<Object> parents, Connection c) {
        List<Property> own = ownColumns(d);
        Map<Object, InstanceState> byKey = new HashMap<>();
        List<Object> keys = new ArrayList<>();
        for (Object p : parents) {
            if (!d.type().isInstance(p)) {
                continue;
            }
            InstanceState st = session.stateOfEntity(p);
            if (st == null || st.key == null || st.isLoaded(st.mapper.properties().indexOf(own.get(0)))) {
                continue; // loaded before (the identity map's object had them): nothing to ask
            }
            Object k = st.key.key().get(0);
            if (byKey.put(k, st) == null) {
                keys.add(k);
            }
        }
        if (keys.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(Loading.selectinChunks(c.dialect(), keys))
                .concatMap(part -> c.execute(statement(d, part)).rows().doOnNext(row -> take(byKey, own, row)))
                .then();
    }

    /**
     * The SELECT of {@code d}'s own table for objects with these keys:
     * {@code SELECT manager.id, manager.budget FROM manager WHERE manager.id IN (...) ORDER BY manager.id}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Select statement(Mapper<?> d, List<Object> keys) {
        Column key = d.table().primaryKeyColumns().get(0);
        List<Expression<?>> cols = new ArrayList<>();
        cols.add(key);
        for (Property p : ownColumns(d)) {
            cols.add(p.column());
        }
        return Sql.select(cols).from(d.table()).where(key.in((List) keys)).orderBy(key);
    }

    private static void take(Map<Object, InstanceState> byKey, List<Property> own, Row row) {
        InstanceState st = byKey.get(row.get(0));
        if (st == null) {
            return;
        }
        for (int k = 0; k < own.size(); k++) {
            st.loadColumn(st.mapper.properties().indexOf(own.get(k)), row.get(k + 1));
        }
    }

    /**
     * Whether a relationship belongs to {@code mapper}'s objects: declared on its class, inherited
     * from a superclass, or declared on one of its mapped subclasses (O8: it then applies to the
     * loaded objects of that subclass).
     */
    static boolean appliesTo(Relationship<?, ?> r, Mapper<?> mapper) {
        return r.source() == mapper.type() || r.source().isAssignableFrom(mapper.type())
                || mapper.type().isAssignableFrom(r.source()) && mapper.hierarchy() != null;
    }

    /** The relationships of {@code mapper}'s objects: its own and inherited, then those its subclasses declare (O8). */
    static List<Relationship<?, ?>> relationshipsBelow(Mapper<?> mapper) {
        List<Relationship<?, ?>> out = new ArrayList<>(mapper.relationships().values());
        if (!mapper.subMappers().isEmpty()) {
            for (Mapper<?> d : mapper.selfAndDescendants()) {
                for (Relationship<?, ?> r : d.relationships().values()) {
                    if (r.source() == d.type() && d != mapper) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Refuses a joined eager load the query's FROM cannot hold (O8): to a joined-table subclass
     * (its rows span several tables), or of a joined subclass's relationship whose foreign key is
     * in a table the query does not join.
     */
    static void checkJoinable(Mapper<?> mapper, Relationship<?, ?> r, Mapper<?> target, List<Property> props) {
        if (target.tables().size() > 1) {
            throw new io.retort.error.ArgumentError("joinedLoad(" + r + ") leads to " + target.type().getSimpleName()
                    + ", a joined-table subclass whose rows span " + target.tables().size() + " tables; use selectinLoad("
                    + r + ")");
        }
        if (r.kind() == Relationship.Kind.MANY_TO_ONE && mapper.hierarchy() != null) {
            Column<?> fk = r.localColumns().get(0);
            boolean present = props.stream().anyMatch(p -> p.column() == fk);
            if (!present) {
                throw new io.retort.error.ArgumentError("joinedLoad(" + r + ") needs " + fk + ", which a query for "
                        + mapper.type().getSimpleName() + " does not select (it is in " + r.source().getSimpleName()
                        + "'s table); use selectinLoad(" + r + "), or withPolymorphic(" + r.source().getSimpleName() + ".class)");
            }
        }
    }

    /** The mapper a row's discriminator value names, checked to be {@code requested} or one of its subclasses (O8). */
    static Mapper<?> concreteOf(Mapper<?> requested, Object value, List<Object> key) {
        Hierarchy h = requested.hierarchy();
        Mapper<?> c = h.mapperFor(value);
        String row = "Row with identity key (" + h.root.type().getSimpleName() + ", " + key + ")";
        if (c == null) {
            throw new PolymorphicIdentityError(row + " has the discriminator value " + (value == null ? "NULL" : "'" + value + "'")
                    + " in " + h.discriminator.column() + ", which names no mapped class of the hierarchy (mapped: "
                    + h.values().keySet() + "); fix the row, or map the class it stands for");
        }
        if (!requested.isa(c)) {
            throw new PolymorphicIdentityError(row + " can't be loaded as a " + requested.type().getSimpleName()
                    + ": its discriminator " + h.discriminator.column() + " = '" + value + "' names "
                    + c.type().getSimpleName() + ", which is not " + requested.type().getSimpleName()
                    + " or a subclass of it (seed 1.4: the query's rows must match the class asked for)");
        }
        return c;
    }
}
