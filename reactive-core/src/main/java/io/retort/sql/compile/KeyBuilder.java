package io.retort.sql.compile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a statement's structural tokens and, separately, its bound values in traversal
 * order. Every node appends itself through {@code appendKey}; a bind appends a marker token
 * (its type and flags) to the key and its value to {@link #values()}.
 *
 * <p>Not thread-safe: one builder per traversal.
 */
public final class KeyBuilder {
    private Object[] tokens = new Object[64];
    private int size;
    private final List<Object> values = new ArrayList<>();
    private final IdentityHashMap<Object, Integer> seen = new IdentityHashMap<>();
    private IdentityHashMap<Object, Integer> bindPositions;

    /**
     * @param trackBinds kept for compatibility: bind positions are always recorded now, because a
     *                   bind node met twice must show in the key (see {@link #value})
     */
    public KeyBuilder(boolean trackBinds) {
    }

    /** Appends one structural token (a String, enum, Class, Integer, Boolean or SqlType). */
    public KeyBuilder add(Object token) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
        }
        tokens[size++] = token == null ? NullToken.NULL : token;
        return this;
    }

    /** Appends two tokens. */
    public KeyBuilder add(Object a, Object b) {
        return add(a).add(b);
    }

    /**
     * Records a bound value; {@code bind} is the node that owns it so the compiler can map its
     * placeholder to the value's position.
     */
    public void value(Object bind, Object value) {
        if (bindPositions == null) {
            bindPositions = new IdentityHashMap<>();
        }
        Integer first = bindPositions.putIfAbsent(bind, values.size());
        if (first != null) {
            // The same bind node again (a reused expression or subquery): the compiler gives all its
            // placeholders the first value, so the key must say so, or a statement with two distinct
            // binds here would share this compiled form and bind the first value twice.
            add(Marker.SAME_BIND).add(first);
        }
        values.add(value);
    }

    /**
     * True the first time {@code node} is offered: a FROM element met again through one of its
     * columns only needs its name in the key, not its whole body again.
     */
    public boolean firstVisit(Object node) {
        return seen.putIfAbsent(node, seen.size()) == null;
    }

    /**
     * Appends which FROM element {@code node} is, by identity, as the compiler tells FROM elements
     * other than tables apart (two {@code t.as("a")} objects are two FROM entries): a marker the
     * first time it is offered (returns true: append its body), else the ordinal of that first
     * offer (returns false).
     */
    public boolean identify(Object node) {
        Integer prior = seen.putIfAbsent(node, seen.size());
        if (prior == null) {
            add(Marker.NEW_REF);
            return true;
        }
        add(prior);
        return false;
    }

    /** The values collected so far, in traversal order. */
    public List<Object> values() {
        return values;
    }

    /** The value index recorded for {@code bind} (its first occurrence), or -1. */
    public int positionOf(Object bind) {
        Integer i = bindPositions == null ? null : bindPositions.get(bind);
        return i == null ? -1 : i;
    }

    Map<Object, Integer> bindPositions() {
        return bindPositions;
    }

    /** The finished key. */
    public CacheKey toKey() {
        return new CacheKey(Arrays.copyOf(tokens, size));
    }

    private enum NullToken { NULL }

    /** Structural tokens no node can produce otherwise. */
    private enum Marker { SAME_BIND, NEW_REF }
}
