package io.retort.sql.compile;

import io.retort.sql.SqlType;

import java.util.List;

/**
 * One place in compiled SQL that takes a value at execution: a placeholder, an IN list expanded
 * after the cache, a PostgreSQL array bind, a literal rendered at execution, or the guard that
 * makes an empty IN NULL-safe.
 *
 * @param kind       what happens at this place
 * @param valueIndex the index of the value in the statement's key-traversal value list
 * @param type       the value's type; for IN lists and arrays, the element type
 * @param tupleTypes for a tuple IN list, the type of each tuple element; else empty
 * @param negated    for an IN list and its guard: NOT IN
 */
public record Slot(Kind kind, int valueIndex, SqlType<?> type, List<SqlType<?>> tupleTypes, boolean negated) {
    /** The slot kinds. */
    public enum Kind {
        /** One placeholder, one value. */
        VALUE,
        /** An IN list: one placeholder per element, or the dialect's empty set. */
        EXPANDING,
        /** The whole list bound as one array ({@code = ANY($1)}, C5). */
        ARRAY,
        /** The value rendered inline at execution (C16). */
        LITERAL,
        /** Renders {@code AND 1 <> 1} (IN) or {@code OR 1 = 1} (NOT IN) only when the list is empty. */
        EMPTY_GUARD
    }

    /** True when this slot changes the SQL text at execution. */
    public boolean altersText() {
        return kind == Kind.EXPANDING || kind == Kind.LITERAL || kind == Kind.EMPTY_GUARD;
    }
}
