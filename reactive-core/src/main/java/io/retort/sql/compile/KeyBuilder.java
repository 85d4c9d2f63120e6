package io.retort.sql.compile;

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
    /**
     * Up to this many binds are remembered in two small arrays searched by identity; beyond, in an
     * IdentityHashMap (a multi-row INSERT can carry tens of thousands of binds). The arrays avoid
     * computing an identity hash for every fresh bind node on the cache-hit path.
     */
    private static final int LINEAR_BINDS = 16;

    /** Most statements need fewer than 64 tokens (a point select about a dozen); larger ones grow by doubling. */
    private Object[] tokens = new Object[64];
    private int size;
    /** {@link java.util.Arrays#hashCode(Object[])} of the tokens so far, kept as they are added. */
    private int hash = 1;
    /** The bound values in traversal order (a plain array: the hit path reads it once, by index). */
    private Object[] values = new Object[8];
    private int valueCount;
    private IdentityHashMap<Object, Integer> seen;
    private Object[] bindNodes;
    private int[] bindIndexes;
    private int bindCount;
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
        Object t = token == null ? NullToken.NULL : token;
        tokens[size++] = t;
        // Strings and precomputed tokens are most tokens: reading their hash directly keeps this
        // site from a megamorphic hashCode() call.
        int h = t instanceof String ? ((String) t).hashCode() : t instanceof Token ? ((Token) t).hash
                : t instanceof Integer ? (Integer) t : t.hashCode();
        hash = 31 * hash + h;
        return this;
    }

    /**
     * Base of the precomputed tokens nodes build once (a table column's identity, a table's,
     * an operator run...): the hash is computed at construction and read by {@link #add} without
     * a virtual call. Subclasses define {@code equals} by value, consistent with that hash.
     */
    public abstract static class Token {
        private final int hash;

        /** @param hash this token's hash code, consistent with the subclass's {@code equals} */
        protected Token(int hash) {
            this.hash = hash;
        }

        @Override
        public final int hashCode() {
            return hash;
        }
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
        int first = recordBind(bind, valueCount);
        if (first >= 0) {
            // The same bind node again (a reused expression or subquery): the compiler gives all its
            // placeholders the first value, so the key must say so, or a statement with two distinct
            // binds here would share this compiled form and bind the first value twice.
            add(Marker.SAME_BIND).add(first);
        }
        if (valueCount == values.length) {
            values = Arrays.copyOf(values, valueCount * 2);
        }
        values[valueCount++] = value;
    }

    /**
     * True the first time {@code node} is offered: a FROM element met again through one of its
     * columns only needs its name in the key, not its whole body again.
     */
    public boolean firstVisit(Object node) {
        return seen().putIfAbsent(node, seen.size()) == null;
    }

    private IdentityHashMap<Object, Integer> seen() {
        if (seen == null) {
            seen = new IdentityHashMap<>();
        }
        return seen;
    }

    /**
     * Remembers that {@code bind}'s value is at {@code index} unless it was met before; returns the
     * index of its first occurrence, or -1 when this is the first.
     */
    private int recordBind(Object bind, int index) {
        if (bindPositions != null) {
            return recordInMap(bind, index);
        }
        int n = bindCount;
        Object[] nodes = bindNodes;
        for (int i = 0; i < n; i++) {
            if (nodes[i] == bind) {
                return bindIndexes[i];
            }
        }
        if (n == LINEAR_BINDS) {
            return recordInMap(bind, index);
        }
        if (nodes == null || n == nodes.length) {
            int cap = nodes == null ? 8 : LINEAR_BINDS;
            bindNodes = nodes = nodes == null ? new Object[cap] : Arrays.copyOf(nodes, cap);
            bindIndexes = bindIndexes == null ? new int[cap] : Arrays.copyOf(bindIndexes, cap);
        }
        nodes[n] = bind;
        bindIndexes[n] = index;
        bindCount = n + 1;
        return -1;
    }

    private int recordInMap(Object bind, int index) {
        if (bindPositions == null) {
            bindPositions = new IdentityHashMap<>();
            for (int i = 0; i < bindCount; i++) {
                bindPositions.put(bindNodes[i], bindIndexes[i]);
            }
        }
        Integer first = bindPositions.putIfAbsent(bind, index);
        return first == null ? -1 : first;
    }

    /**
     * Appends which FROM element {@code node} is, by identity, as the compiler tells FROM elements
     * other than tables apart (two {@code t.as("a")} objects are two FROM entries): a marker the
     * first time it is offered (returns true: append its body), else the ordinal of that first
     * offer (returns false).
     */
    public boolean identify(Object node) {
        Integer prior = seen().putIfAbsent(node, seen.size());
        if (prior == null) {
            add(Marker.NEW_REF);
            return true;
        }
        add(prior);
        return false;
    }

    /**
     * The values collected so far, in traversal order: a read-only view of this builder's array
     * (no copy), valid as long as no value is added.
     */
    public List<Object> values() {
        return new ValueList(values, valueCount);
    }

    /** A fixed-size, read-only list over the first {@code size} elements of an array. */
    private static final class ValueList extends java.util.AbstractList<Object> implements java.util.RandomAccess {
        private final Object[] array;
        private final int size;

        ValueList(Object[] array, int size) {
            this.array = array;
            this.size = size;
        }

        @Override
        public Object get(int index) {
            java.util.Objects.checkIndex(index, size);
            return array[index];
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Object[] toArray() {
            return Arrays.copyOf(array, size);
        }
    }

    /** The value index recorded for {@code bind} (its first occurrence), or -1. */
    public int positionOf(Object bind) {
        if (bindPositions == null) {
            for (int i = 0; i < bindCount; i++) {
                if (bindNodes[i] == bind) {
                    return bindIndexes[i];
                }
            }
            return -1;
        }
        Integer i = bindPositions.get(bind);
        return i == null ? -1 : i;
    }

    /** Every bind node met, with the value index of its first occurrence. */
    Map<Object, Integer> bindPositions() {
        if (bindPositions != null) {
            return bindPositions;
        }
        IdentityHashMap<Object, Integer> m = new IdentityHashMap<>();
        for (int i = 0; i < bindCount; i++) {
            m.put(bindNodes[i], bindIndexes[i]);
        }
        return m;
    }

    /** The finished key. */
    public CacheKey toKey() {
        return new CacheKey(Arrays.copyOf(tokens, size), hash);
    }

    /**
     * The token buffer itself, valid up to {@link #tokenCount()} (no more tokens may follow):
     * the cache compares a probe against it without copying, and copies only on a miss.
     */
    Object[] tokenBuffer() {
        return tokens;
    }

    int tokenCount() {
        return size;
    }

    /** {@link java.util.Arrays#hashCode} of the tokens added so far. */
    int tokenHash() {
        return hash;
    }

    private enum NullToken { NULL }

    /** Structural tokens no node can produce otherwise. */
    private enum Marker { SAME_BIND, NEW_REF }
}
