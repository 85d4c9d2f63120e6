package io.retort.orm;

import io.retort.engine.Connection;
import io.retort.orm.internal.LoadedList;
import io.retort.orm.internal.UnloadedList;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.Insert;
import io.retort.sql.Sql;
import io.retort.sql.SqlType;
import io.retort.sql.compile.StatementTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * The unit of work (O4): a flush is a pure plan — cascade, collection sync, dependency order of
 * mappers (parents before children; rows of a self-referential table parent-first), grouping of
 * rows by shape — then reactive execution: multi-row INSERT pages with RETURNING for generated
 * keys (the engine's executemany), batched UPDATEs and DELETEs whose row counts are checked
 * ({@link StaleDataError}), many-to-many link rows. Instances are marked clean only after the
 * whole flush succeeded.
 */
final class UnitOfWork {
    private static final Logger LOG = LoggerFactory.getLogger(UnitOfWork.class);
    private static final Object NO_PARENT = new Object();

    private final AsyncSession session;

    UnitOfWork(AsyncSession session) {
        this.session = session;
    }

    /** What a flush will do, computed without I/O (unit-testable). */
    static final class Plan {
        final List<Mapper<?>> order;
        final Map<Mapper<?>, List<InstanceState>> inserts;
        final List<InstanceState> updates;
        final Map<Mapper<?>, List<InstanceState>> deletes;
        final List<Link> linkInserts;
        final List<Link> linkDeletes;
        /** Association rows of deleted objects, removed by the deleted object's key. */
        final Map<Column<?>, List<Object>> linkPurges;
        /**
         * Persistent objects the flush counts as dirty (O11's FlushContext): changed columns,
         * changed collection membership, or flagged with flagDirty. A superset of the updates.
         */
        List<InstanceState> dirty = List.of();
        /**
         * The updated objects whose UPDATE sets a primary-key column (B13), known once the UPDATEs
         * are built (a key that is also a foreign key may take a parent's generated key only
         * then): only these are re-filed in the identity map after the flush.
         */
        final List<InstanceState> keyUpdates = new ArrayList<>();

        Plan(List<Mapper<?>> order, Map<Mapper<?>, List<InstanceState>> inserts, List<InstanceState> updates,
             Map<Mapper<?>, List<InstanceState>> deletes, List<Link> linkInserts, List<Link> linkDeletes,
             Map<Column<?>, List<Object>> linkPurges) {
            this.order = order;
            this.inserts = inserts;
            this.updates = updates;
            this.deletes = deletes;
            this.linkInserts = linkInserts;
            this.linkDeletes = linkDeletes;
            this.linkPurges = linkPurges;
        }

        boolean isEmpty() {
            return inserts.isEmpty() && updates.isEmpty() && deletes.isEmpty() && linkInserts.isEmpty() && linkDeletes.isEmpty();
        }

        /** Mapper names in insert order, for tests. */
        List<String> insertOrder() {
            List<String> l = new ArrayList<>();
            for (Mapper<?> m : order) {
                List<InstanceState> rows = inserts.get(m);
                if (rows != null) {
                    for (InstanceState s : rows) {
                        l.add(s.mapper.type().getSimpleName() + s.identityValues());
                    }
                }
            }
            return l;
        }
    }

    /** A many-to-many association row. */
    record Link(Relationship<?, ?> rel, Object source, Object target) {
    }

    // ================================================================= planning (no I/O)

    Plan plan() {
        cascadeSaves();
        List<Link> linkInserts = new ArrayList<>();
        List<Link> linkDeletes = new ArrayList<>();
        Set<InstanceState> membershipChanged = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        syncCollections(linkInserts, linkDeletes, membershipChanged);
        cascadeDeletes();
        List<Mapper<?>> order = dependencyOrder();
        Map<Mapper<?>, List<InstanceState>> inserts = new LinkedHashMap<>();
        Map<Mapper<?>, List<InstanceState>> deletes = new LinkedHashMap<>();
        List<InstanceState> updates = new ArrayList<>();
        List<InstanceState> dirty = new ArrayList<>();
        for (Mapper<?> m : order) {
            List<InstanceState> ins = new ArrayList<>();
            List<InstanceState> del = new ArrayList<>();
            for (InstanceState st : session.states()) {
                if (st.mapper.rootMapper() != m) { // O8: a hierarchy's classes flush as one unit, ordered by its root
                    continue;
                }
                if (st.status == InstanceState.Status.PENDING) {
                    ins.add(st);
                } else if (st.status == InstanceState.Status.DELETED) {
                    del.add(st);
                } else {
                    applyKnownForeignKeys(st);
                    boolean changed = !st.changedProperties().isEmpty();
                    if (changed) {
                        updates.add(st);
                    }
                    if (changed || st.flaggedDirty || membershipChanged.contains(st)) {
                        dirty.add(st);
                    }
                }
            }
            if (!ins.isEmpty()) {
                inserts.put(m, parentsFirst(m, ins));
            }
            if (!del.isEmpty()) {
                List<InstanceState> d = parentsFirst(m, del);
                java.util.Collections.reverse(d);
                deletes.put(m, d);
            }
        }
        checkNewIdentities(inserts);
        Plan plan = new Plan(order, inserts, updates, deletes, linkInserts, linkDeletes, linkPurges(deletes));
        plan.dirty = dirty;
        return plan;
    }

    /**
     * B13: a new object's key must be complete or come from the database or from a related
     * object's key, and two new objects must not share one. Checked here, before any SQL, since
     * the database's own answer would cost a rollback (a NOT NULL or duplicate-key error after
     * earlier statements of the flush) or, for a nullable key column, none at all.
     */
    private void checkNewIdentities(Map<Mapper<?>, List<InstanceState>> inserts) {
        Map<IdentityKey, InstanceState> seen = new HashMap<>();
        for (List<InstanceState> rows : inserts.values()) {
            for (InstanceState st : rows) {
                List<Object> key = st.identityValues();
                List<String> missing = null; // made only for an error: this runs for every new object
                boolean complete = true;
                for (int k = 0; k < key.size(); k++) {
                    Property p = st.mapper.identity().get(k);
                    if (key.get(k) == null) {
                        complete = false;
                        if (!p.isGenerated() && !filledAtFlush(st, p.column())) {
                            missing = missing == null ? new ArrayList<>() : missing;
                            missing.add(p.name() + " (column " + p.column().name() + ")");
                        }
                    }
                }
                if (missing != null) {
                    throw new FlushError("Instance " + st + " has a NULL identity key: " + String.join(", ", missing)
                            + (missing.size() == 1 ? " is" : " are") + " null and not generated by the database."
                            + " Set the key before flushing, or map it with @GeneratedValue(strategy = IDENTITY)");
                }
                if (complete) {
                    InstanceState other = seen.put(session.keyOf(st.mapper, key), st);
                    if (other != null) {
                        throw new FlushError("New instances " + other + " and " + st + " have the same identity key "
                                + key + ": one row cannot be inserted twice. Expunge one of them, or give it its own key");
                    }
                }
            }
        }
    }

    /** Whether the flush sets {@code column} from a related object's key (a many-to-one, or a parent's collection). */
    private static boolean filledAtFlush(InstanceState st, Column<?> column) {
        for (Relationship<?, ?> r : st.mapper.relationships().values()) {
            if (r.kind() == Relationship.Kind.MANY_TO_ONE && r.localColumns().get(0) == column
                    && r.source().isInstance(st.entity) && r.accessor.get(st.entity) != null) {
                return true;
            }
        }
        for (Map.Entry<Relationship<?, ?>, Object> e : st.parentLinks.entrySet()) {
            if (e.getKey().remoteColumns().get(0) == column && e.getValue() != NO_PARENT) {
                return true;
            }
        }
        return false;
    }

    /**
     * The association rows a deleted object leaves behind, by the association table's column that
     * refers to it: every many-to-many of its mapper, the owning side's or (for a {@code mappedBy}
     * side) the owner's table. They go by key whether the collection was loaded or not: the
     * rows must go before the object can, and reading them first would be I/O for nothing.
     */
    private Map<Column<?>, List<Object>> linkPurges(Map<Mapper<?>, List<InstanceState>> deletes) {
        Map<Column<?>, List<Object>> purges = new LinkedHashMap<>();
        for (Map.Entry<Mapper<?>, List<InstanceState>> e : deletes.entrySet()) {
            // Per object: a hierarchy's unit holds objects of several classes, each with its own relationships (O8).
            for (InstanceState st : e.getValue()) {
                for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                    if (r.kind() != Relationship.Kind.MANY_TO_MANY) {
                        continue;
                    }
                    Column<?> refers;
                    if (r.mappedBy() == null) {
                        refers = r.secondarySourceColumns().get(0);
                    } else {
                        Relationship<?, ?> owner = session.registry().mapper(r.target()).relationships().get(r.mappedBy());
                        refers = owner.secondaryTargetColumns().get(0);
                    }
                    purges.computeIfAbsent(refers, k -> new ArrayList<>()).add(keyOf(st.entity));
                }
            }
        }
        return purges;
    }

    /** save-update cascade: transient objects reachable from session objects join the session. */
    private void cascadeSaves() {
        List<InstanceState> work = new ArrayList<>(session.states());
        while (!work.isEmpty()) {
            InstanceState st = work.remove(work.size() - 1);
            if (st.status == InstanceState.Status.DELETED) {
                continue;
            }
            for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                if (!r.cascadesSave()) {
                    continue;
                }
                for (Object o : members(st.entity, r)) {
                    if (session.stateOfEntity(o) == null) {
                        work.add(session.addPending(o));
                    }
                }
            }
        }
    }

    static List<Object> members(Object entity, Relationship<?, ?> r) {
        Object v = r.accessor.get(entity);
        if (v == null || v instanceof UnloadedList) {
            return List.of();
        }
        if (v instanceof java.util.Collection) {
            return new ArrayList<>((java.util.Collection<?>) v);
        }
        return List.of(v);
    }

    /** Collection membership → child foreign keys, orphans, association rows; back-references synced in memory. */
    private void syncCollections(List<Link> linkInserts, List<Link> linkDeletes, Set<InstanceState> membershipChanged) {
        for (InstanceState st : new ArrayList<>(session.states())) {
            if (st.status == InstanceState.Status.DELETED) {
                continue;
            }
            for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                if (!r.isCollection()) {
                    continue;
                }
                Object v = r.accessor.get(st.entity);
                if (v instanceof UnloadedList) {
                    continue;
                }
                if (v == null) {
                    // O12: an unset collection on a transient object is a stable empty one, not a change.
                    LoadedList<Object> empty = new LoadedList<>();
                    empty.bind(session.collectionHook(), st.entity, r);
                    r.accessor.set(st.entity, empty);
                    v = empty;
                }
                List<Object> now = members(st.entity, r);
                List<Object> before = st.collections.getOrDefault(r.name(), List.of());
                Set<Object> beforeSet = identitySet(before);
                Set<Object> nowSet = identitySet(now);
                if (st.status == InstanceState.Status.PERSISTENT && !(beforeSet.equals(nowSet))) {
                    membershipChanged.add(st);
                }
                if (r.kind() == Relationship.Kind.MANY_TO_MANY) {
                    if (r.mappedBy() != null) {
                        continue; // the owning side writes the association rows
                    }
                    for (Object o : now) {
                        if (!beforeSet.contains(o)) {
                            linkInserts.add(new Link(r, st.entity, o));
                        }
                    }
                    for (Object o : before) {
                        if (!nowSet.contains(o)) {
                            linkDeletes.add(new Link(r, st.entity, o));
                        }
                    }
                    continue;
                }
                Relationship<?, ?> back = r.mappedBy() == null ? null
                        : session.registry().mapper(r.target()).relationships().get(r.mappedBy());
                for (Object child : now) {
                    InstanceState cs = session.stateOfEntity(child);
                    if (cs == null) {
                        cs = session.addPending(child);
                    }
                    if (back != null) {
                        back.accessor.set(child, st.entity);
                    } else {
                        cs.parentLinks.put(r, st.entity);
                    }
                }
                for (Object gone : before) {
                    if (nowSet.contains(gone)) {
                        continue;
                    }
                    InstanceState cs = session.stateOfEntity(gone);
                    if (cs == null) {
                        continue;
                    }
                    if (r.deletesOrphans()) {
                        if (cs.status == InstanceState.Status.PENDING) {
                            session.forget(cs);
                        } else {
                            cs.status = InstanceState.Status.DELETED;
                        }
                    } else if (back != null && back.accessor.get(gone) == st.entity) {
                        back.accessor.set(gone, null);
                    } else if (back == null) {
                        cs.parentLinks.put(r, NO_PARENT);
                    }
                }
            }
        }
    }

    private static Set<Object> identitySet(List<Object> l) {
        Set<Object> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(l);
        return s;
    }

    /** delete cascade over loaded collections. */
    private void cascadeDeletes() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (InstanceState st : new ArrayList<>(session.states())) {
                if (st.status != InstanceState.Status.DELETED) {
                    continue;
                }
                for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                    if (!r.cascadesDelete()) {
                        continue;
                    }
                    for (Object o : members(st.entity, r)) {
                        InstanceState cs = session.stateOfEntity(o);
                        if (cs != null && cs.status == InstanceState.Status.PERSISTENT) {
                            cs.status = InstanceState.Status.DELETED;
                            changed = true;
                        }
                    }
                }
            }
        }
    }

    /** Mappers ordered so that every foreign key's target table comes first. */
    private List<Mapper<?>> dependencyOrder() {
        List<Mapper<?>> all = new ArrayList<>();
        for (Mapper<?> m : session.registry().mappers()) {
            if (!all.contains(m.rootMapper())) {
                all.add(m.rootMapper()); // O8: one unit per hierarchy, named by its root
            }
        }
        List<Mapper<?>> out = new ArrayList<>();
        Set<Mapper<?>> done = new HashSet<>();
        Set<Mapper<?>> visiting = new HashSet<>();
        for (Mapper<?> m : all) {
            visit(m, done, visiting, out);
        }
        return out;
    }

    private void visit(Mapper<?> m, Set<Mapper<?>> done, Set<Mapper<?>> visiting, List<Mapper<?>> out) {
        if (done.contains(m) || !visiting.add(m)) {
            return; // a cycle between tables falls back to registration order
        }
        for (Relationship<?, ?> r : unitRelationships(m)) {
            Mapper<?> target = session.registry().mapper(r.target()).rootMapper();
            if (r.kind() == Relationship.Kind.MANY_TO_ONE && target != m) {
                visit(target, done, visiting, out);
            }
        }
        visiting.remove(m);
        done.add(m);
        out.add(m);
    }

    /** The relationships of a unit's classes: its own, or every class's of a hierarchy (O8). */
    private static List<Relationship<?, ?>> unitRelationships(Mapper<?> unit) {
        List<Relationship<?, ?>> out = new ArrayList<>();
        for (Mapper<?> m : unit.selfAndDescendants()) {
            for (Relationship<?, ?> r : m.relationships().values()) {
                if (!out.contains(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The relationships among a unit's rows: from one of its classes to one of them (self-referential). */
    private List<Relationship<?, ?>> selfReferences(Mapper<?> unit) {
        List<Relationship<?, ?>> selfRefs = new ArrayList<>();
        for (Relationship<?, ?> r : unitRelationships(unit)) {
            if (session.registry().mapper(r.target()).rootMapper() == unit) {
                selfRefs.add(r);
            }
        }
        return selfRefs;
    }

    /** Rows of one mapper ordered parent-first along self-referential links. */
    private List<InstanceState> parentsFirst(Mapper<?> m, List<InstanceState> rows) {
        List<Relationship<?, ?>> selfRefs = selfReferences(m);
        if (selfRefs.isEmpty() || rows.size() < 2) {
            return rows;
        }
        Set<Object> remaining = identitySet(new ArrayList<>(rows.stream().map(s -> s.entity).toList()));
        List<InstanceState> out = new ArrayList<>();
        List<InstanceState> left = new ArrayList<>(rows);
        while (!left.isEmpty()) {
            List<InstanceState> ready = new ArrayList<>();
            for (InstanceState s : left) {
                boolean blocked = false;
                for (Relationship<?, ?> r : selfRefs) {
                    Object parent = parentOf(s, r);
                    if (parent != null && parent != s.entity && remaining.contains(parent)) {
                        blocked = true;
                    }
                }
                if (!blocked) {
                    ready.add(s);
                }
            }
            if (ready.isEmpty()) {
                ready.add(left.get(0)); // a cycle of rows: needs post-update; insert in given order
            }
            for (InstanceState s : ready) {
                left.remove(s);
                remaining.remove(s.entity);
                out.add(s);
            }
        }
        return out;
    }

    private Object parentOf(InstanceState s, Relationship<?, ?> r) {
        if (r.kind() == Relationship.Kind.MANY_TO_ONE) {
            // A subclass's relationship (O8) is no link of an object of another class.
            return r.source().isInstance(s.entity) ? r.accessor.get(s.entity) : null;
        }
        for (Map.Entry<Relationship<?, ?>, Object> e : s.parentLinks.entrySet()) {
            if (e.getKey().target().isInstance(s.entity) && e.getValue() != NO_PARENT) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Sets foreign-key properties from many-to-one references and parent links whose keys are known. */
    private boolean applyKnownForeignKeys(InstanceState st) {
        boolean complete = true;
        for (Relationship<?, ?> r : st.mapper.relationships().values()) {
            if (r.kind() == Relationship.Kind.MANY_TO_ONE) {
                Object target = r.accessor.get(st.entity);
                Object previous = st.references.get(r.name());
                if (target == null && previous == null) {
                    continue;
                }
                if (target == null) {
                    setFk(st, r.localColumns().get(0), null);
                    continue;
                }
                Object pk = keyOf(target);
                if (pk == null) {
                    complete = false;
                } else {
                    setFk(st, r.localColumns().get(0), pk);
                }
            }
        }
        for (Map.Entry<Relationship<?, ?>, Object> e : st.parentLinks.entrySet()) {
            Column<?> fk = e.getKey().remoteColumns().get(0);
            if (e.getValue() == NO_PARENT) {
                setFk(st, fk, null);
                continue;
            }
            Object pk = keyOf(e.getValue());
            if (pk == null) {
                complete = false;
            } else {
                setFk(st, fk, pk);
            }
        }
        return complete;
    }

    private Object keyOf(Object entity) {
        InstanceState ts = session.stateOfEntity(entity);
        if (ts == null) {
            return null;
        }
        return ts.value(ts.mapper.properties().indexOf(ts.mapper.identity().get(0)));
    }

    private static void setFk(InstanceState st, Column<?> fk, Object value) {
        Property p = st.mapper.property(fk);
        if (p != null) {
            st.setValue(st.mapper.properties().indexOf(p), value);
        }
    }

    // ================================================================= execution

    Mono<Void> execute(Plan plan, Connection c) {
        if (plan.isEmpty()) {
            return Mono.empty();
        }
        Mono<Void> chain = Mono.empty();
        for (Mapper<?> m : plan.order) {
            List<InstanceState> rows = plan.inserts.get(m);
            if (rows != null) {
                chain = chain.then(Mono.defer(() -> insertRows(m, rows, c)));
            }
        }
        chain = chain.then(Mono.defer(() -> updateRows(plan, c)));
        chain = chain.then(Mono.defer(() -> links(plan.linkDeletes, false, c)));
        chain = chain.then(Mono.defer(() -> links(plan.linkInserts, true, c)));
        for (Map.Entry<Column<?>, List<Object>> purge : plan.linkPurges.entrySet()) {
            chain = chain.then(Mono.defer(() -> purgeLinks(purge.getKey(), purge.getValue(), c)));
        }
        List<Mapper<?>> reverse = new ArrayList<>(plan.order);
        java.util.Collections.reverse(reverse);
        for (Mapper<?> m : reverse) {
            List<InstanceState> rows = plan.deletes.get(m);
            if (rows != null) {
                chain = chain.then(Mono.defer(() -> deleteRows(m, rows, c)));
            }
        }
        return chain;
    }

    /**
     * Inserts one mapper's new rows, grouped by the columns they set: multi-row pages with
     * RETURNING of the generated key (the engine's executemany), parent rows of a self-referential
     * table in earlier statements than their children.
     */
    private Mono<Void> insertRows(Mapper<?> m, List<InstanceState> rows, Connection c) {
        List<List<InstanceState>> levels = new ArrayList<>();
        List<InstanceState> current = new ArrayList<>();
        Set<Object> inLevel = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Relationship<?, ?>> selfRefs = selfReferences(m);
        for (InstanceState s : rows) {
            boolean dependsOnLevel = false;
            for (Relationship<?, ?> r : selfRefs) {
                Object parent = parentOf(s, r);
                dependsOnLevel |= parent != null && inLevel.contains(parent);
            }
            if (dependsOnLevel) {
                levels.add(current);
                current = new ArrayList<>();
                inLevel.clear();
            }
            current.add(s);
            inLevel.add(s.entity);
        }
        levels.add(current);
        return Flux.fromIterable(levels).concatMap(level -> insertLevel(m, level, c)).then();
    }

    private Mono<Void> insertLevel(Mapper<?> unit, List<InstanceState> rows, Connection c) {
        Map<InsertShape, List<InstanceState>> shapes = new LinkedHashMap<>();
        for (InstanceState s : rows) {
            applyKnownForeignKeys(s);
            Mapper<?> m = s.mapper; // O8: the object's class (its unit may be a hierarchy's root)
            List<Property> cols = new ArrayList<>();
            for (int i = 0; i < m.properties().size(); i++) {
                Property p = m.properties().get(i);
                if (p.isGenerated() && s.value(i) == null) {
                    continue;
                }
                if (p.isVersion() && s.value(i) == null) {
                    s.setValue(i, initialVersion(p));
                }
                cols.add(p);
            }
            shapes.computeIfAbsent(new InsertShape(m, cols), k -> new ArrayList<>()).add(s);
        }
        return Flux.fromIterable(shapes.entrySet())
                .concatMap(e -> insertClass(e.getKey().mapper(), e.getKey().columns(), e.getValue(), c)).then();
    }

    /** Rows that go in one multi-row INSERT: one class (O8: a hierarchy's unit mixes classes), the same columns set. */
    private record InsertShape(Mapper<?> mapper, List<Property> columns) {
    }

    /**
     * Inserts rows of one class and shape into each of its tables, root first (O8: a joined
     * subclass's own table takes the key the root's INSERT generated); one table outside inheritance.
     */
    private Mono<Void> insertClass(Mapper<?> m, List<Property> cols, List<InstanceState> rows, Connection c) {
        List<io.retort.sql.Table> tables = m.tables();
        if (tables.size() == 1) {
            return insertShape(m, tables.get(0), cols, rows, c);
        }
        Mono<Void> chain = insertShape(m, tables.get(0), columnsIn(cols, tables.get(0)), rows, c);
        for (io.retort.sql.Table t : tables.subList(1, tables.size())) {
            chain = chain.then(Mono.defer(() -> insertSubclassRows(m, t, columnsIn(cols, t), rows, c)));
        }
        return chain;
    }

    private static List<Property> columnsIn(List<Property> cols, io.retort.sql.Table t) {
        List<Property> out = new ArrayList<>();
        for (Property p : cols) {
            if (p.column().table() == t) {
                out.add(p);
            }
        }
        return out;
    }

    /** One multi-row INSERT into a joined subclass table: its key (the root row's) and its own columns. */
    private static Mono<Void> insertSubclassRows(Mapper<?> m, io.retort.sql.Table t, List<Property> cols,
                                                 List<InstanceState> rows, Connection c) {
        Column<?> key = t.primaryKeyColumns().get(0);
        int idIndex = m.properties().indexOf(m.identity().get(0));
        List<Map<Column<?>, Object>> sets = new ArrayList<>(rows.size());
        for (InstanceState s : rows) {
            Map<Column<?>, Object> set = new LinkedHashMap<>();
            set.put(key, s.value(idIndex));
            for (Property p : cols) {
                set.put(p.column(), s.value(m.properties().indexOf(p)));
            }
            sets.add(set);
        }
        return c.executeMany(Sql.insert(t), sets).rowsAffected().then();
    }

    private static Object initialVersion(Property p) {
        Class<?> t = p.column().type().javaType();
        return t == Long.class ? (Object) 1L : t == Short.class ? (Object) (short) 1 : (Object) 1;
    }

    private Mono<Void> insertShape(Mapper<?> m, io.retort.sql.Table table, List<Property> cols, List<InstanceState> rows,
                                   Connection c) {
        List<Map<Column<?>, Object>> sets = new ArrayList<>(rows.size());
        for (InstanceState s : rows) {
            Map<Column<?>, Object> set = new LinkedHashMap<>();
            for (Property p : cols) {
                set.put(p.column(), s.value(m.properties().indexOf(p)));
            }
            sets.add(set);
        }
        List<Property> generated = new ArrayList<>();
        for (Property p : m.identity()) {
            if (!cols.contains(p)) {
                generated.add(p);
            }
        }
        Insert base = Sql.insert(table);
        if (generated.isEmpty()) {
            return c.executeMany(base, sets).rowsAffected().then();
        }
        Property gen = generated.get(0);
        int genIndex = m.properties().indexOf(gen);
        if (c.dialect().supportsInsertReturning()) {
            return c.executeMany(base.returning(gen.column()), sets).rows().index()
                    .doOnNext(t -> rows.get(t.getT1().intValue()).setValue(genIndex, t.getT2().get(0, gen.column().type().javaType())))
                    .then();
        }
        // No RETURNING (MySQL): one INSERT per row, then the connection's LAST_INSERT_ID().
        return Flux.fromIterable(rows).index().concatMap(t -> c.execute(base.values(sets.get(t.getT1().intValue())))
                .rowsAffected()
                .then(c.execute(Sql.text("SELECT LAST_INSERT_ID()")).scalar(gen.column().type().javaType()))
                .doOnNext(id -> t.getT2().setValue(genIndex, id))).then();
    }

    /** UPDATEs grouped by the columns they change, one driver batch per group; each must match one row. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Mono<Void> updateRows(Plan plan, Connection c) {
        Map<List<Object>, List<InstanceState>> groups = new LinkedHashMap<>();
        for (InstanceState s : plan.updates) {
            applyKnownForeignKeys(s);
            List<Integer> changed = s.changedProperties();
            if (changed.isEmpty()) {
                continue;
            }
            if (setsIdentity(s.mapper, changed)) {
                plan.keyUpdates.add(s);
            }
            List<Object> key = new ArrayList<>();
            key.add(s.mapper);
            key.addAll(changed);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }
        return Flux.fromIterable(groups.values()).concatMap(states -> {
            Mapper<Object> m = states.get(0).mapper;
            List<Integer> changed = states.get(0).changedProperties();
            Property version = m.properties().stream().filter(Property::isVersion).findFirst().orElse(null);
            // O8: one UPDATE per table with changed columns, the root's first (it holds the version
            // counter, bumped by any change of the object); outside inheritance, the one table.
            List<io.retort.sql.Table> tables = m.tables();
            return Flux.fromIterable(tables).concatMap(t -> {
                List<Integer> here = new ArrayList<>();
                for (int i : changed) {
                    if (m.properties().get(i).column().table() == t && m.properties().get(i) != version) {
                        here.add(i);
                    }
                }
                boolean root = t == tables.get(0);
                if (here.isEmpty() && !(root && version != null)) {
                    return Mono.empty();
                }
                return updateTable(m, t, here, root ? version : null, states, c);
            }).then();
        }).then();
    }

    /** Whether the changed properties (indexes into the mapper's properties) include a primary-key one. */
    private static boolean setsIdentity(Mapper<?> m, List<Integer> changed) {
        List<Property> identity = m.identity();
        for (int i : changed) {
            if (identity.contains(m.properties().get(i))) {
                return true;
            }
        }
        return false;
    }

    /** One driver batch of UPDATEs of table {@code t} for {@code states}; each must match one row. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Mono<Void> updateTable(Mapper<Object> m, io.retort.sql.Table t, List<Integer> changed, Property version,
                                          List<InstanceState> states, Connection c) {
        io.retort.sql.Update u = Sql.update(t);
        for (int i : changed) {
            u = setParam(u, m.properties().get(i).column(), "v" + i);
        }
        if (version != null) {
            u = setParam(u, version.column(), "newversion");
        }
        for (Expression<Boolean> e : rowCriteria(keyColumns(m, t), version)) {
            u = u.where(e);
        }
        StatementTemplate tpl = StatementTemplate.of(u);
        List<Map<String, Object>> sets = new ArrayList<>();
        for (InstanceState s : states) {
            Map<String, Object> set = new HashMap<>();
            for (int i : changed) {
                set.put("v" + i, s.value(i));
            }
            putKeys(m, s, set);
            if (version != null) {
                int vi = m.properties().indexOf(version);
                Object old = s.snapshot[vi];
                set.put("oldversion", old);
                set.put("newversion", next(old));
            }
            sets.add(set);
        }
        return c.executeMany(tpl, sets).index().doOnNext(r -> {
            if (r.getT2() != 1L) {
                throw new StaleDataError("UPDATE statement on table '" + t.name() + "' expected to update 1 row;"
                        + " " + r.getT2() + " were matched (the row was deleted or changed by another transaction)");
            }
            InstanceState s = states.get(r.getT1().intValue());
            if (version != null) {
                s.setValue(m.properties().indexOf(version), sets.get(r.getT1().intValue()).get("newversion"));
            }
        }).then();
    }

    /** The key columns of {@code t} for {@code m}'s rows: the identity's, or a joined subclass table's own key column (O8). */
    private static List<Column<?>> keyColumns(Mapper<?> m, io.retort.sql.Table t) {
        List<Column<?>> out = new ArrayList<>();
        if (t == m.rootMapper().table() || m.tables().size() == 1) {
            for (Property id : m.identity()) {
                out.add(id.column());
            }
        } else {
            out.add(t.primaryKeyColumns().get(0));
        }
        return out;
    }

    /** Binds {@code k0..kn}: the key values the row had when loaded (the snapshot's). */
    private static void putKeys(Mapper<?> m, InstanceState s, Map<String, Object> set) {
        for (int k = 0; k < m.identity().size(); k++) {
            int i = m.properties().indexOf(m.identity().get(k));
            set.put("k" + k, s.snapshot == null ? s.value(i) : s.snapshot[i]);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> io.retort.sql.Update setParam(io.retort.sql.Update u, Column<T> column, String name) {
        Expression<T> value = Sql.param(name, null, column.type());
        return u.set(column, value);
    }

    private static Object next(Object version) {
        if (version instanceof Long) {
            return (Long) version + 1;
        }
        if (version instanceof Short) {
            return (short) ((Short) version + 1);
        }
        return version == null ? 1 : (Integer) version + 1;
    }

    /**
     * Deletes one unit's rows: outside inheritance one batch; for a joined hierarchy (O8) the
     * subclass tables' rows first, deepest table first, then the root table's in the unit's
     * order (children before parents), where the version is checked.
     */
    private Mono<Void> deleteRows(Mapper<?> unit, List<InstanceState> rows, Connection c) {
        List<io.retort.sql.Table> subTables = new ArrayList<>();
        for (InstanceState s : rows) {
            List<io.retort.sql.Table> ts = s.mapper.tables();
            for (io.retort.sql.Table t : ts.subList(1, ts.size())) {
                if (!subTables.contains(t)) {
                    subTables.add(t);
                }
            }
        }
        subTables.sort(java.util.Comparator.comparingInt((io.retort.sql.Table t) -> depthOf(rows, t)).reversed());
        Mono<Void> chain = Mono.empty();
        for (io.retort.sql.Table t : subTables) {
            List<InstanceState> here = new ArrayList<>();
            for (InstanceState s : rows) {
                if (s.mapper.tables().contains(t)) {
                    here.add(s);
                }
            }
            chain = chain.then(Mono.defer(() -> deleteFrom(unit, t, here, false, c)));
        }
        return chain.then(Mono.defer(() -> deleteFrom(unit, unit.table(), rows, true, c)));
    }

    private static int depthOf(List<InstanceState> rows, io.retort.sql.Table t) {
        for (InstanceState s : rows) {
            int i = s.mapper.tables().indexOf(t);
            if (i >= 0) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The WHERE of an UPDATE or DELETE of one row: each key column equal to its parameter
     * ({@code k0}, {@code k1}...), and the version, when given, to {@code oldversion}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Expression<Boolean>> rowCriteria(List<Column<?>> keyColumns, Property version) {
        List<Expression<Boolean>> criteria = new ArrayList<>();
        for (int k = 0; k < keyColumns.size(); k++) {
            Column kc = keyColumns.get(k);
            criteria.add(kc.eq((Expression) Sql.param("k" + k, null, (SqlType) kc.type())));
        }
        if (version != null) {
            criteria.add(((Column) version.column()).eq((Expression) Sql.param("oldversion", null, (SqlType) version.column().type())));
        }
        return criteria;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Mono<Void> deleteFrom(Mapper<?> m, io.retort.sql.Table t, List<InstanceState> rows, boolean root, Connection c) {
        io.retort.sql.Delete d = Sql.delete(t);
        Property version = root ? m.properties().stream().filter(Property::isVersion).findFirst().orElse(null) : null;
        List<Column<?>> keyColumns = root ? keyColumns(m, m.table()) : List.of(t.primaryKeyColumns().get(0));
        for (Expression<Boolean> e : rowCriteria(keyColumns, version)) {
            d = d.where(e);
        }
        StatementTemplate tpl = StatementTemplate.of(d);
        List<Map<String, Object>> sets = new ArrayList<>();
        for (InstanceState s : rows) {
            Map<String, Object> set = new HashMap<>();
            putKeys(s.mapper, s, set);
            if (version != null) {
                set.put("oldversion", s.snapshot[m.properties().indexOf(version)]);
            }
            sets.add(set);
        }
        return c.executeMany(tpl, sets).doOnNext(n -> {
            if (n != 1L) {
                throw new StaleDataError("DELETE statement on table '" + t.name() + "' expected to delete 1 row;"
                        + " " + n + " were matched");
            }
        }).then();
    }

    private Mono<Void> links(List<Link> links, boolean insert, Connection c) {
        if (links.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(links).concatMap(l -> {
            Object src = keyOf(l.source());
            Object tgt = keyOf(l.target());
            Column<?> a = l.rel().secondarySourceColumns().get(0);
            Column<?> b = l.rel().secondaryTargetColumns().get(0);
            if (insert) {
                Map<Column<?>, Object> row = new LinkedHashMap<>();
                row.put(a, src);
                row.put(b, tgt);
                return c.execute(Sql.insert(l.rel().secondary()).values(row)).rowsAffected();
            }
            return c.execute(Sql.delete(l.rel().secondary()).where(eq(a, src), eq(b, tgt))).rowsAffected();
        }).then();
    }

    /** One DELETE per association column for all the deleted objects it refers to. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Mono<Void> purgeLinks(Column refers, List<Object> keys, Connection c) {
        return c.execute(Sql.delete(refers.table()).where(refers.in((java.util.Collection) keys))).rowsAffected().then();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Expression<Boolean> eq(Column c, Object v) {
        return c.eq((Expression) Sql.param(v, (SqlType) c.type()));
    }

    /** After a successful flush: new rows become persistent and identity-mapped, snapshots refresh. */
    void markClean(Plan plan) {
        for (List<InstanceState> rows : plan.inserts.values()) {
            for (InstanceState s : rows) {
                s.status = InstanceState.Status.PERSISTENT;
                s.insertedInTx = true;
                s.key = session.keyOf(s.mapper, s.identityValues());
                session.identify(s);
            }
        }
        for (List<InstanceState> rows : plan.deletes.values()) {
            for (InstanceState s : rows) {
                session.forget(s);
            }
        }
        for (InstanceState s : plan.keyUpdates) {
            session.rekey(s); // B13: an UPDATE of the primary key moves the object's identity with it
            session.flushRekeys++;
        }
        for (InstanceState s : session.states()) {
            s.rememberTxStart();
            s.takeSnapshot();
            for (Relationship<?, ?> r : s.mapper.relationships().values()) {
                Object v = r.accessor.get(s.entity);
                if (v instanceof UnloadedList) {
                    continue;
                }
                if (r.isCollection()) {
                    s.collections.put(r.name(), members(s.entity, r));
                    if (v instanceof LoadedList) {
                        ((LoadedList<?>) v).clearModified();
                    }
                } else {
                    s.references.put(r.name(), v);
                }
            }
            s.parentLinks.clear();
        }
        LOG.debug("flush complete: {} inserts groups, {} updates, {} delete groups", plan.inserts.size(), plan.updates.size(),
                plan.deletes.size());
    }
}
