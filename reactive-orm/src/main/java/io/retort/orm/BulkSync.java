package io.retort.orm;

import io.retort.engine.Connection;
import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Column;
import io.retort.sql.Delete;
import io.retort.sql.Expression;
import io.retort.sql.Sql;
import io.retort.sql.Statement;
import io.retort.sql.Update;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs an ORM bulk UPDATE/DELETE ({@link BulkStatement}, O9) on the session's connection and
 * brings the session's objects in line with it. Split in two so that every error of wrong use is
 * raised before anything is sent: {@link #plan} (pure: validation, the Java evaluators) and
 * {@link #execute} (the statements, then the in-memory synchronization once they succeeded).
 *
 * <p>Changes to objects are recorded for a rollback ({@link AsyncSession#onRollback}): values an
 * UPDATE assigned are put back with the transaction's start state, and objects a DELETE removed
 * return to the session, as SQLAlchemy restores them when the transaction that deleted them
 * rolls back.
 */
final class BulkSync {
    private BulkSync() {
    }

    /**
     * A SET entry with its Java evaluator.
     *
     * @param property the column attribute
     * @param value    its new value per object, or null when it cannot be computed in Java (expire)
     */
    record SetEval(Property property, BulkEvaluator.Ev value) {
    }

    /**
     * What {@link #execute} runs.
     *
     * @param bulk     the statement
     * @param criteria the WHERE criteria in Java (EVALUATE only; null otherwise or when there is no WHERE)
     * @param sets     the SET values in Java (EVALUATE and FETCH UPDATEs)
     */
    record Plan(BulkStatement<?> bulk, BulkEvaluator.Ev criteria, List<SetEval> sets) {
        SynchronizeSession mode() {
            return bulk.synchronizeSession();
        }
    }

    /**
     * O8: a joined-table hierarchy's rows span several tables, and a multi-table UPDATE or DELETE
     * has no portable form (PostgreSQL, MySQL and SQLite each spell it differently, or not at all),
     * so Retort allows there only what one table's statement does completely: an UPDATE of the
     * root's own columns through the root class. Single-table statements get the discriminator
     * criterion (see {@link BulkStatement}).
     */
    private static void checkInheritance(BulkStatement<?> bulk, Mapper<?> m) {
        Hierarchy h = m.hierarchy();
        if (h == null || !h.isJoined()) {
            return;
        }
        String type = m.type().getSimpleName();
        if (m != h.root) {
            throw new io.retort.error.ArgumentError("A bulk " + bulk.kind() + " of " + type + " would touch its rows in "
                    + m.tables().size() + " tables (JOINED inheritance), which has no portable single statement; run it on the"
                    + " root " + h.root.type().getSimpleName() + " with criteria on its own columns, or load the objects and"
                    + " change them through the unit of work");
        }
        if (bulk.kind() == BulkStatement.Kind.DELETE && !m.subMappers().isEmpty()) {
            throw new io.retort.error.ArgumentError("A bulk DELETE of " + type + " would leave the rows of its subclass tables"
                    + " (JOINED inheritance) behind, or the foreign key would refuse it; delete the objects through the unit of"
                    + " work (session.delete), which removes subclass rows first");
        }
    }

    /** Validates {@code bulk} for its mode and compiles its Java evaluators; no I/O. */
    static Plan plan(BulkStatement<?> bulk) {
        bulk.checkComplete();
        Mapper<?> m = bulk.mapper();
        String type = m.type().getSimpleName();
        checkInheritance(bulk, m);
        SynchronizeSession mode = bulk.synchronizeSession();
        if (bulk.kind() == BulkStatement.Kind.DELETE && !bulk.isWithoutOrmCascade()) {
            for (Relationship<?, ?> r : m.relationships().values()) {
                if (r.kind() == Relationship.Kind.ONE_TO_MANY && (r.cascadesDelete() || r.deletesOrphans())) {
                    throw new InvalidRequestError("A bulk DELETE of " + type + " runs no ORM cascade, but " + type + "."
                            + r.name() + " cascades deletes to " + r.target().getSimpleName() + " (cascade REMOVE or"
                            + " orphanRemoval): its rows would be orphaned, or the foreign key would refuse the DELETE."
                            + " Delete them first (Orm.delete(" + r.target().getSimpleName() + ".class).where(...)) or let"
                            + " the schema's ON DELETE CASCADE do it, then add .withoutOrmCascade(); or delete the objects"
                            + " through the unit of work (session.delete)");
                }
            }
        }
        List<SetEval> sets = new ArrayList<>();
        for (BulkStatement.Assignment a : bulk.assignments()) {
            Property p = a.property();
            if (mode != SynchronizeSession.NONE && p.isId()) {
                throw new InvalidRequestError("A bulk UPDATE with synchronize(" + mode + ") cannot SET the primary key "
                        + type + "." + p.name() + ": the session's objects are identified by it and would no longer"
                        + " match their rows. Use synchronize(SynchronizeSession.NONE) and expunge the affected objects,"
                        + " or change the key on loaded objects through the unit of work");
            }
            if (mode != SynchronizeSession.NONE && p.isHidden()) {
                throw new InvalidRequestError("A bulk UPDATE with synchronize(" + mode + ") cannot SET the foreign-key column "
                        + p.column() + " of " + type + ": the relationship references loaded on the session's objects would"
                        + " go stale. Assign the relationship on loaded objects and flush, or use"
                        + " synchronize(SynchronizeSession.NONE) and expunge or refresh the affected objects");
            }
            BulkEvaluator.Ev ev = null;
            if (mode != SynchronizeSession.NONE) {
                try {
                    ev = BulkEvaluator.compile(m, a.value());
                } catch (BulkEvaluator.Unevaluable e) {
                    ev = null; // seed 1.4: a value Java cannot compute expires the matched objects instead
                }
            }
            sets.add(new SetEval(p, ev));
        }
        BulkEvaluator.Ev criteria = null;
        if (mode == SynchronizeSession.EVALUATE && !bulk.where().isEmpty()) {
            try {
                criteria = BulkEvaluator.compile(m, Sql.and(bulk.where()));
            } catch (BulkEvaluator.Unevaluable e) {
                throw new UnevaluableCriteriaError("Cannot evaluate the criteria of this bulk " + bulk.kind() + " of " + type
                        + " in Java to synchronize the session: " + e.getMessage() + ". Use .synchronize(SynchronizeSession.FETCH)"
                        + " to have the database report the affected rows (or NONE to leave the session's objects as they are)");
            }
        }
        return new Plan(bulk, criteria, List.copyOf(sets));
    }

    /**
     * Sends the statement(s) on {@code c} (inside the session's transaction) and then synchronizes
     * the session. Emits the number of rows matched: the driver's count, or the number of keys
     * RETURNING gave.
     */
    static Mono<Long> execute(AsyncSession session, Plan plan, Connection c) {
        BulkStatement<?> bulk = plan.bulk();
        Dialect d = c.dialect();
        Statement stmt = forDialect(bulk, d);
        switch (plan.mode()) {
            case NONE:
                return c.execute(stmt).rowsAffected();
            case EVALUATE:
                return c.execute(stmt).rowsAffected().doOnNext(n -> evaluate(session, plan));
            default:
                break;
        }
        Mapper<?> m = bulk.mapper();
        Column<?>[] keys = m.identity().stream().map(Property::column).toArray(Column<?>[]::new);
        Statement returning = stmt instanceof Update ? ((Update) stmt).returning(keys) : ((Delete) stmt).returning(keys);
        if (supports(returning, d)) {
            return c.execute(returning).rows().map(r -> keyOf(m, r)).collectList().map(found -> {
                synchronize(session, plan, new HashSet<>(found));
                return (long) found.size();
            });
        }
        // No RETURNING for this statement here: the keys first, in the same transaction (seed 1.4).
        Expression<Boolean> where = stmt instanceof Update ? ((Update) stmt).where() : ((Delete) stmt).where();
        io.retort.sql.Select keysFirst = Sql.select(keys).from(m.table());
        if (where != null) {
            keysFirst = keysFirst.where(where);
        }
        return c.execute(keysFirst).rows().map(r -> keyOf(m, r)).collect(HashSet<List<Object>>::new, Set::add)
                .flatMap(found -> c.execute(stmt).rowsAffected().doOnNext(n -> synchronize(session, plan, found)));
    }

    /**
     * The Core statement for {@code d}: the plain one, or, where the dialect has no multi-table form
     * of the statement and the criteria name other tables, the criteria moved into a correlated
     * {@code EXISTS (SELECT 1 FROM others WHERE ...)}, which every database takes.
     */
    static Statement forDialect(BulkStatement<?> bulk, Dialect d) {
        Statement plain = bulk.statement();
        boolean multiTableForm = bulk.kind() == BulkStatement.Kind.UPDATE ? d.supportsMultiTableUpdate()
                : d.supportsMultiTableDelete();
        if (multiTableForm || bulk.where().isEmpty() || supports(plain, d)) {
            return plain;
        }
        Expression<Boolean> exists = Sql.exists(Sql.select(Sql.literal(1)).where(Sql.and(bulk.where())));
        return plain instanceof Update ? bulk.update(exists) : bulk.delete(exists);
    }

    /**
     * Whether {@code d} compiles {@code s}. The dialect's flags say what it supports in general;
     * whether this statement is multi-table (its criteria name other tables) is the compiler's
     * finding, and some combinations have no flag (MariaDB: DELETE ... RETURNING, but not of a
     * multi-table DELETE), so the compiler is asked.
     */
    private static boolean supports(Statement s, Dialect d) {
        try {
            Compiler.compile(s, d);
            return true;
        } catch (CompileError e) {
            return false;
        }
    }

    private static List<Object> keyOf(Mapper<?> m, io.retort.engine.Row r) {
        List<Object> key = new ArrayList<>(m.identity().size());
        for (int i = 0; i < m.identity().size(); i++) {
            key.add(r.get(i));
        }
        return key;
    }

    // ================================================================= in memory

    /** The session's persistent objects of the statement's entity (or a subclass of it). */
    private static List<InstanceState> candidates(AsyncSession session, BulkStatement<?> bulk) {
        List<InstanceState> out = new ArrayList<>();
        for (InstanceState st : session.states()) {
            if (st.key != null && st.status == InstanceState.Status.PERSISTENT
                    && bulk.type().isAssignableFrom(st.mapper.type())) {
                out.add(st);
            }
        }
        return out;
    }

    /** EVALUATE: the criteria decide, object by object, on the values from before the statement. */
    private static void evaluate(AsyncSession session, Plan plan) {
        List<InstanceState> hits = new ArrayList<>();
        for (InstanceState st : candidates(session, plan.bulk())) {
            if (st.expired) {
                continue; // its values are stale anyway; the next query that returns it reloads it
            }
            try {
                if (plan.criteria() == null || BulkEvaluator.matches(plan.criteria(), st)) {
                    hits.add(st);
                }
            } catch (BulkEvaluator.Undecided e) {
                st.expired = true; // a criteria column is not loaded, or Java cannot compare its value
            }
        }
        apply(session, plan, hits);
    }

    /** FETCH: the objects whose keys the database reported. */
    private static void synchronize(AsyncSession session, Plan plan, Set<List<Object>> keys) {
        Mapper<?> m = plan.bulk().mapper();
        Set<List<Object>> normalized = new HashSet<>();
        for (List<Object> k : keys) {
            normalized.add(normalize(m, k));
        }
        List<InstanceState> hits = new ArrayList<>();
        for (InstanceState st : candidates(session, plan.bulk())) {
            if (normalized.contains(normalize(m, st.key.key()))) {
                hits.add(st);
            }
        }
        apply(session, plan, hits);
    }

    /** Key values as numbers by value, so a driver's Long and a field's Integer name the same row. */
    private static List<Object> normalize(Mapper<?> m, List<Object> key) {
        List<Object> out = new ArrayList<>(key.size());
        for (Object v : key) {
            out.add(v instanceof Number && !(v instanceof java.math.BigDecimal) && !(v instanceof Double)
                    && !(v instanceof Float) ? (Object) ((Number) v).longValue() : v);
        }
        return out;
    }

    private static void apply(AsyncSession session, Plan plan, List<InstanceState> hits) {
        if (plan.bulk().kind() == BulkStatement.Kind.UPDATE) {
            for (InstanceState st : hits) {
                assign(st, plan.sets());
            }
        } else {
            Set<Object> removed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (InstanceState st : hits) {
                st.rememberTxStart();
                session.forget(st);
                session.onRollback(() -> session.register(st));
                removed.add(st.entity);
            }
            if (!removed.isEmpty()) {
                unlink(session, removed);
            }
        }
    }

    /**
     * Gives {@code st} its new values, computed from the old ones first; a value Java cannot
     * compute (or be sure of) expires the object instead, so the next query reloads it.
     */
    private static void assign(InstanceState st, List<SetEval> sets) {
        Object[] values = new Object[sets.size()];
        boolean[] known = new boolean[sets.size()];
        boolean expire = false;
        for (int k = 0; k < sets.size(); k++) {
            SetEval s = sets.get(k);
            try {
                if (s.value() != null) {
                    values[k] = BulkEvaluator.coerce(s.value().eval(st), s.property());
                    known[k] = true;
                }
            } catch (BulkEvaluator.Undecided e) {
                known[k] = false; // not loaded, or a value the database would convert: reload it instead
            }
            expire |= !known[k];
        }
        st.rememberTxStart(); // a rollback puts the values from before the transaction back (F23)
        for (int k = 0; k < sets.size(); k++) {
            int i = st.mapper.properties().indexOf(sets.get(k).property());
            if (!known[k] || i < 0) {
                continue;
            }
            st.setValue(i, values[k]);
            if (st.snapshot != null) {
                st.snapshot(i, values[k]);
            }
            st.markLoaded(i);
        }
        if (expire) {
            st.expired = true;
        }
    }

    /**
     * Takes removed objects out of the other objects' loaded relationships, so the next flush's
     * save-update cascade does not insert them again: out of loaded collections (and their
     * snapshots, so no orphan or link change is computed), and off many-to-one references, whose
     * holder is expired (its foreign key may have been changed by an ON DELETE rule).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void unlink(AsyncSession session, Set<Object> removed) {
        Set<Class<?>> removedTypes = new HashSet<>();
        for (Object o : removed) {
            removedTypes.add(o.getClass());
        }
        for (InstanceState st : session.states()) {
            for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                if (!leadsTo(r, removedTypes)) {
                    continue;
                }
                Object v = r.accessor.get(st.entity);
                if (r.isCollection()) {
                    List<Object> before = st.collections.get(r.name());
                    if (!(v instanceof Collection) || before == null) {
                        continue;
                    }
                    Collection<Object> live = (Collection<Object>) v;
                    List<Object> liveBefore = new ArrayList<>(live);
                    boolean modified = live instanceof io.retort.orm.internal.LoadedList
                            && ((io.retort.orm.internal.LoadedList) live).isModified();
                    boolean[] any = new boolean[1];
                    quietly(live, () -> any[0] = live.removeIf(removed::contains));
                    if (any[0]) {
                        if (live instanceof io.retort.orm.internal.LoadedList && !modified) {
                            ((io.retort.orm.internal.LoadedList) live).clearModified();
                        }
                        List<Object> kept = new ArrayList<>(before);
                        kept.removeIf(removed::contains);
                        st.collections.put(r.name(), kept);
                        session.onRollback(() -> {
                            quietly(live, () -> {
                                live.clear();
                                live.addAll(liveBefore);
                            });
                            st.collections.put(r.name(), before);
                        });
                    }
                } else if (v != null && removed.contains(v)) {
                    Object previous = st.references.get(r.name());
                    r.accessor.set(st.entity, null);
                    st.references.put(r.name(), null);
                    st.expired = true;
                    session.onRollback(() -> {
                        r.accessor.set(st.entity, v);
                        st.references.put(r.name(), previous);
                    });
                }
            }
        }
    }

    private static boolean leadsTo(Relationship<?, ?> r, Set<Class<?>> types) {
        for (Class<?> t : types) {
            if (r.target().isAssignableFrom(t)) {
                return true;
            }
        }
        return false;
    }

    /** Runs a synchronization of {@code live} without collection events (O11): the session's doing, not the application's. */
    private static void quietly(Collection<?> live, Runnable change) {
        if (live instanceof io.retort.orm.internal.LoadedList) {
            ((io.retort.orm.internal.LoadedList<?>) live).quietly(change);
        } else {
            change.run();
        }
    }
}
