package io.retort.orm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a flush is about to write ({@code beforeFlush}) or has written ({@code afterFlush}), with
 * the session (O11). The lists are snapshots taken when the event fires: new objects (INSERT),
 * dirty objects (changed columns, changed collection membership, or flagged with
 * {@link AsyncSession#flagDirty}; an object flagged dirty with nothing changed is listed though
 * the flush sends no UPDATE for it) and deleted objects (DELETE).
 */
public final class FlushContext {
    private final AsyncSession session;
    private final List<Object> newObjects;
    private final List<Object> dirtyObjects;
    private final List<Object> deletedObjects;

    private FlushContext(AsyncSession session, List<Object> newObjects, List<Object> dirtyObjects, List<Object> deletedObjects) {
        this.session = session;
        this.newObjects = newObjects;
        this.dirtyObjects = dirtyObjects;
        this.deletedObjects = deletedObjects;
    }

    static FlushContext of(AsyncSession session, UnitOfWork.Plan plan) {
        return new FlushContext(session, entities(plan.inserts), entitiesOf(plan.dirty), entities(plan.deletes));
    }

    private static List<Object> entities(Map<Mapper<?>, List<InstanceState>> byMapper) {
        List<Object> l = new ArrayList<>();
        for (List<InstanceState> states : byMapper.values()) {
            l.addAll(entitiesOf(states));
        }
        return List.copyOf(l);
    }

    private static List<Object> entitiesOf(Collection<InstanceState> states) {
        List<Object> l = new ArrayList<>(states.size());
        for (InstanceState s : states) {
            l.add(s.entity);
        }
        return List.copyOf(l);
    }

    /**
     * The session being flushed. In {@code beforeFlush}, objects added, changed or deleted through
     * it join this flush; a query run through it from a reactive listener sees the database as the
     * flush found it (there is no autoflush inside a flush).
     */
    public AsyncSession session() {
        return session;
    }

    /** Objects this flush inserts (inserted, in {@code afterFlush}). */
    public List<Object> newObjects() {
        return newObjects;
    }

    /** Objects this flush treats as dirty (see the class comment). */
    public List<Object> dirtyObjects() {
        return dirtyObjects;
    }

    /** Objects this flush deletes (deleted, in {@code afterFlush}). */
    public List<Object> deletedObjects() {
        return deletedObjects;
    }

    @Override
    public String toString() {
        return "FlushContext[new=" + newObjects.size() + ", dirty=" + dirtyObjects.size() + ", deleted=" + deletedObjects.size() + "]";
    }
}
