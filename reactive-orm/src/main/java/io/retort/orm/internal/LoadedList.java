package io.retort.orm.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * The collection Retort puts in a relationship field when it loads it (or when a transient
 * object's collection is first needed, O12): a plain ArrayList that remembers whether it was
 * modified, so an untouched empty collection is never a change. Once bound to its owner by the
 * session ({@link #bind}), it reports members joining and leaving to the session's attribute
 * events (O11) before each change, so a listener's exception vetoes the change.
 */
public final class LoadedList<E> extends ArrayList<E> {
    private boolean modified;
    private CollectionHook hook;
    private Object owner;
    private Object relationship;
    private boolean muted;

    public LoadedList() {
    }

    public LoadedList(Collection<? extends E> c) {
        super(c);
    }

    /** Reports this list's changes as {@code owner}'s collection {@code relationship} to {@code hook}. */
    public void bind(CollectionHook hook, Object owner, Object relationship) {
        this.hook = hook;
        this.owner = owner;
        this.relationship = relationship;
    }

    /**
     * Runs {@code change} without attribute events: for the session's own synchronization of the
     * list (a bulk DELETE removing deleted rows, its undo at rollback), which is not the
     * application changing membership.
     */
    public void quietly(Runnable change) {
        boolean was = muted;
        muted = true;
        try {
            change.run();
        } finally {
            muted = was;
        }
    }

    public boolean isModified() {
        return modified;
    }

    public void clearModified() {
        modified = false;
    }

    private void appending(E e) {
        if (hook != null && !muted) {
            hook.appending(owner, relationship, e, false);
        }
    }

    private void removing(Object e) {
        if (hook != null && !muted) {
            hook.removing(owner, relationship, e, false);
        }
    }

    @Override
    public boolean add(E e) {
        appending(e);
        modified = true;
        return super.add(e);
    }

    @Override
    public void add(int index, E e) {
        appending(e);
        modified = true;
        super.add(index, e);
    }

    @Override
    public E set(int index, E e) {
        E old = get(index);
        if (old != e) {
            removing(old);
            appending(e);
        }
        modified = true;
        return super.set(index, e);
    }

    @Override
    public E remove(int index) {
        removing(get(index));
        modified = true;
        return super.remove(index);
    }

    @Override
    public boolean remove(Object o) {
        int i = indexOf(o);
        if (i >= 0) {
            removing(get(i));
        }
        modified = true;
        return super.remove(o);
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        for (E e : c) {
            appending(e);
        }
        modified = true;
        return super.addAll(c);
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> c) {
        for (E e : c) {
            appending(e);
        }
        modified = true;
        return super.addAll(index, c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return removeIf(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return removeIf(e -> !c.contains(e));
    }

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        if (hook != null && !muted) {
            for (E e : this) {
                if (filter.test(e)) {
                    removing(e);
                }
            }
        }
        modified = true;
        return super.removeIf(filter);
    }

    @Override
    public void clear() {
        if (hook != null && !muted) {
            for (E e : this) {
                removing(e);
            }
        }
        modified = true;
        super.clear();
    }

    /** Adds without marking a change: used by loaders. */
    public void load(E e) {
        super.add(e);
    }

    /**
     * A bulk replace (O11): the members become {@code values}, firing remove for each member left
     * out and append for each new one (flagged as the second part of a bulk replace), before the
     * list changes. Membership is by identity, like the flush's.
     */
    public void replaceWith(List<? extends E> values) {
        if (hook != null && !muted) {
            java.util.Set<Object> next = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            next.addAll(values);
            java.util.Set<Object> now = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            now.addAll(this);
            for (E e : this) {
                if (!next.contains(e)) {
                    hook.removing(owner, relationship, e, true);
                }
            }
            for (E e : values) {
                if (!now.contains(e)) {
                    hook.appending(owner, relationship, e, true);
                }
            }
        }
        modified = true;
        super.clear();
        super.addAll(values);
    }
}
