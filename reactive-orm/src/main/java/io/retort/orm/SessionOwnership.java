package io.retort.orm;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which open session holds an object (B14): Retort does not instrument entities, so the claim
 * lives here, keyed by the object's identity (entities may override {@code equals}). Keys and
 * owners are weak: an object nobody references, or a session dropped without {@code close},
 * leaves no trace and keeps nothing alive.
 */
final class SessionOwnership {
    private static final ReferenceQueue<Object> CLEARED = new ReferenceQueue<>();
    private static final ConcurrentHashMap<IdentityRef, WeakReference<AsyncSession>> OWNERS = new ConcurrentHashMap<>();

    private SessionOwnership() {
    }

    /** Records that {@code owner} (its weak self-reference) holds {@code entity}. */
    static void claim(Object entity, WeakReference<AsyncSession> owner) {
        purge();
        OWNERS.put(new IdentityRef(entity, CLEARED), owner);
    }

    /** Drops {@code owner}'s claim on {@code entity}, leaving any other session's alone. */
    static void release(Object entity, WeakReference<AsyncSession> owner) {
        OWNERS.remove(new IdentityRef(entity, null), owner);
    }

    /** The live session holding {@code entity}, or null. */
    static AsyncSession owner(Object entity) {
        WeakReference<AsyncSession> w = OWNERS.get(new IdentityRef(entity, null));
        return w == null ? null : w.get();
    }

    private static void purge() {
        Reference<?> r;
        while ((r = CLEARED.poll()) != null) {
            OWNERS.remove(r);
        }
    }

    /** A weak key equal to another only for the same referent (or, once cleared, only to itself). */
    private static final class IdentityRef extends WeakReference<Object> {
        private final int hash;

        IdentityRef(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof IdentityRef)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((IdentityRef) o).get();
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
