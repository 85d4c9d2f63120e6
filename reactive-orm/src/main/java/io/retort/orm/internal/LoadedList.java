package io.retort.orm.internal;

import java.util.ArrayList;
import java.util.Collection;

/**
 * The collection Retort puts in a relationship field when it loads it (or when a transient
 * object's collection is first needed, O12): a plain ArrayList that remembers whether it was
 * modified, so an untouched empty collection is never a change.
 */
public final class LoadedList<E> extends ArrayList<E> {
    private boolean modified;

    public LoadedList() {
    }

    public LoadedList(Collection<? extends E> c) {
        super(c);
    }

    public boolean isModified() {
        return modified;
    }

    public void clearModified() {
        modified = false;
    }

    @Override
    public boolean add(E e) {
        modified = true;
        return super.add(e);
    }

    @Override
    public void add(int index, E e) {
        modified = true;
        super.add(index, e);
    }

    @Override
    public E set(int index, E e) {
        modified = true;
        return super.set(index, e);
    }

    @Override
    public E remove(int index) {
        modified = true;
        return super.remove(index);
    }

    @Override
    public boolean remove(Object o) {
        modified = true;
        return super.remove(o);
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        modified = true;
        return super.addAll(c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        modified = true;
        return super.removeAll(c);
    }

    @Override
    public void clear() {
        modified = true;
        super.clear();
    }

    /** Adds without marking a change: used by loaders. */
    public void load(E e) {
        super.add(e);
    }
}
