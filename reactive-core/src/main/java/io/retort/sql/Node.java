package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * An immutable element of a SQL statement. Nodes are built by the generative API in
 * {@link Sql} (every builder call returns a new node), are safe to share between threads,
 * and report themselves to two traversals: {@link #accept} for compilation and
 * {@link #appendKey} for the structural cache key (C2).
 */
public abstract class Node {
    Node() {
    }

    /** Double dispatch to the compiler (Java 17 has no pattern switch). */
    public abstract void accept(SqlVisitor visitor);

    /**
     * Appends this node's structure to {@code key} and its bound values to the key's value list,
     * in the same order on every call.
     */
    public abstract void appendKey(KeyBuilder key);
}
