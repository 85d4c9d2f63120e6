package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.orm.internal.CollectionHook;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Attribute events (O11), registered on a factory's or a session's {@link SessionEvents}. Retort's
 * entities are plain objects with public fields and no bytecode enhancement, so these events fire
 * only where Retort can honestly see the change:
 *
 * <ul>
 *   <li><b>append / remove</b> fire when Retort's own collection is the one in the field: the list
 *   a load puts there (a loader option, {@link AsyncSession#fetch}), the empty list a flush gives an
 *   unset collection, or the list {@link AsyncSession#replaceCollection} puts there. They fire before
 *   the list changes ({@code add}, {@code addAll}, {@code set}, {@code remove}, {@code removeAll},
 *   {@code removeIf}, {@code retainAll}, {@code clear}, and the iterator's {@code remove}), so a
 *   listener that throws vetoes the change. A plain {@code ArrayList} the application put in the
 *   field fires nothing (the flush still sees its membership).</li>
 *   <li><b>bulk replace</b> fires for {@link AsyncSession#replaceCollection} (assigning a new list
 *   to the field is a plain write Retort cannot see): the listener gets the new values as a mutable
 *   list before they are compared with the current members; then append fires for each new member
 *   and remove for each one left out, with {@code bulkReplace} true.</li>
 *   <li><b>modified</b> fires at flush time, after {@code beforeFlush}, for each column attribute
 *   of a persistent object whose value differs from its snapshot or that was flagged with
 *   {@link AsyncSession#flagModified}: a field write is not intercepted, so it is detected, not
 *   announced, and a value set and set back before the flush fires nothing.</li>
 * </ul>
 *
 * Attribute listeners are synchronous and must not do I/O: they run inside a list operation or
 * inside the flush's planning.
 */
public final class AttributeEvents {
    /** Listener of a collection's append or remove. */
    @FunctionalInterface
    public interface CollectionListener<S, T> {
        /**
         * @param owner       the object whose collection changes
         * @param item        the member joining or leaving
         * @param bulkReplace whether this is the second part of a {@code replaceCollection}
         */
        void on(S owner, T item, boolean bulkReplace);
    }

    /** Listener of a collection's bulk replace: may rewrite {@code values} before they are applied. */
    @FunctionalInterface
    public interface BulkReplaceListener<S, T> {
        void on(S owner, List<T> values);
    }

    /** Listener of a column attribute found modified at flush (or flagged with flagModified). */
    @FunctionalInterface
    public interface ModifiedListener<E> {
        void on(E entity, String attribute);
    }

    private record Key(Class<?> source, String name) {
        static Key of(Relationship<?, ?> r) {
            return new Key(r.source(), r.name());
        }
    }

    private record Modified(Class<?> type, String attribute, ModifiedListener<Object> listener) {
    }

    private final AttributeEvents parent;
    private final OrmRegistry registry;
    private final Map<Key, List<CollectionListener<Object, Object>>> appends = new ConcurrentHashMap<>();
    private final Map<Key, List<CollectionListener<Object, Object>>> removes = new ConcurrentHashMap<>();
    private final Map<Key, List<BulkReplaceListener<Object, Object>>> bulkReplaces = new ConcurrentHashMap<>();
    private final List<Modified> modified = new CopyOnWriteArrayList<>();
    private volatile boolean anyCollection;

    /** What {@link io.retort.orm.internal.LoadedList} calls; private so the hook is not API of this class. */
    final CollectionHook hook = new CollectionHook() {
        @Override
        public void appending(Object owner, Object relationship, Object item, boolean bulkReplace) {
            fireCollection(true, owner, (Relationship<?, ?>) relationship, item, bulkReplace);
        }

        @Override
        public void removing(Object owner, Object relationship, Object item, boolean bulkReplace) {
            fireCollection(false, owner, (Relationship<?, ?>) relationship, item, bulkReplace);
        }
    };

    AttributeEvents(AttributeEvents parent, OrmRegistry registry) {
        this.parent = parent;
        this.registry = registry;
    }

    /** Listens to members joining {@code collection} through Retort's collection (see the class comment). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, T> AttributeEvents onAppend(Relationship<S, T> collection, CollectionListener<? super S, ? super T> listener) {
        add(appends, collection, (CollectionListener) listener);
        return this;
    }

    /** Listens to members leaving {@code collection} through Retort's collection (see the class comment). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, T> AttributeEvents onRemove(Relationship<S, T> collection, CollectionListener<? super S, ? super T> listener) {
        add(removes, collection, (CollectionListener) listener);
        return this;
    }

    /** Listens to {@link AsyncSession#replaceCollection} on {@code collection}; runs before its append and remove events. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, T> AttributeEvents onBulkReplace(Relationship<S, T> collection, BulkReplaceListener<? super S, T> listener) {
        requireCollection(collection);
        java.util.Objects.requireNonNull(listener, "listener");
        bulkReplaces.computeIfAbsent(Key.of(collection), k -> new CopyOnWriteArrayList<>()).add((BulkReplaceListener) listener);
        return this;
    }

    /**
     * Listens to column attribute {@code attribute} (the Java field's name; null for every column)
     * of {@code type} (and its subclasses) being found modified at flush; see the class comment.
     */
    @SuppressWarnings("unchecked")
    public <E> AttributeEvents onModified(Class<E> type, String attribute, ModifiedListener<? super E> listener) {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(listener, "listener");
        if (attribute != null && registry != null
                && registry.mapper(type).properties().stream().noneMatch(p -> p.name().equals(attribute))) {
            // A typo would otherwise be a listener that silently never fires.
            throw new ArgumentError(type.getSimpleName() + " has no column attribute '" + attribute + "'");
        }
        modified.add(new Modified(type, attribute, (ModifiedListener<Object>) listener));
        return this;
    }

    private void add(Map<Key, List<CollectionListener<Object, Object>>> map, Relationship<?, ?> r,
                     CollectionListener<Object, Object> listener) {
        requireCollection(r);
        java.util.Objects.requireNonNull(listener, "listener");
        map.computeIfAbsent(Key.of(r), k -> new CopyOnWriteArrayList<>()).add(listener);
        anyCollection = true;
    }

    private static void requireCollection(Relationship<?, ?> r) {
        java.util.Objects.requireNonNull(r, "relationship");
        if (!r.isCollection()) {
            throw new ArgumentError(r.source().getSimpleName() + "." + r.name() + " is not a collection");
        }
    }

    // ================================================================= dispatch (package-private)

    private void fireCollection(boolean append, Object owner, Relationship<?, ?> r, Object item, boolean bulk) {
        if (parent != null) {
            parent.fireCollection(append, owner, r, item, bulk);
        }
        if (!anyCollection) {
            return;
        }
        List<CollectionListener<Object, Object>> ls = (append ? appends : removes).get(Key.of(r));
        if (ls != null) {
            for (CollectionListener<Object, Object> l : ls) {
                l.on(owner, item, bulk);
            }
        }
    }

    void fireBulkReplace(Object owner, Relationship<?, ?> r, List<Object> values) {
        if (parent != null) {
            parent.fireBulkReplace(owner, r, values);
        }
        List<BulkReplaceListener<Object, Object>> ls = bulkReplaces.get(Key.of(r));
        if (ls != null) {
            for (BulkReplaceListener<Object, Object> l : ls) {
                l.on(owner, values);
            }
        }
    }

    /** Whether any modified listener is registered here or on the factory. */
    boolean hasModifiedListeners() {
        return !modified.isEmpty() || parent != null && parent.hasModifiedListeners();
    }

    /** Fires modified events for {@code st}'s changed column attributes {@code changed} (property indexes). */
    void fireModified(InstanceState st, List<Integer> changed) {
        if (parent != null) {
            parent.fireModified(st, changed);
        }
        if (modified.isEmpty()) {
            return;
        }
        List<Property> props = st.mapper.properties();
        for (int i : changed) {
            Property p = props.get(i);
            if (p.isHidden()) {
                continue; // a foreign key column with no field: not an attribute of the object
            }
            for (Modified m : new ArrayList<>(modified)) {
                if (m.type().isInstance(st.entity) && (m.attribute() == null || m.attribute().equals(p.name()))) {
                    m.listener().on(st.entity, p.name());
                }
            }
        }
    }
}
