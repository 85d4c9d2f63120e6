package io.retort.orm.internal;

import io.retort.orm.UnloadedAttributeException;

import java.util.AbstractList;

/**
 * Sits in a relationship field that was not loaded: any access throws
 * {@link UnloadedAttributeException} with a hint, because Retort never loads lazily behind a getter.
 */
public final class UnloadedList<E> extends AbstractList<E> {
    private final String message;

    public UnloadedList(String message) {
        this.message = message;
    }

    @Override
    public E get(int index) {
        throw new UnloadedAttributeException(message);
    }

    @Override
    public int size() {
        throw new UnloadedAttributeException(message);
    }

    @Override
    public java.util.Iterator<E> iterator() {
        throw new UnloadedAttributeException(message);
    }

    @Override
    public String toString() {
        return "<unloaded: " + message + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
