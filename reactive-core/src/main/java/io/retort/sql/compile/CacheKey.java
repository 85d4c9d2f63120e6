package io.retort.sql.compile;

import java.util.Arrays;
import java.util.List;

/**
 * The structural identity of a statement: equal for any two statements of the same shape,
 * whatever their bound values, and different for any difference that changes the SQL text or
 * the bind layout (table, schema, alias, operator, bind type, literal-execute flag, limit
 * presence...). Values never enter the key (C2); they are collected beside it, in traversal
 * order, by {@link KeyBuilder}.
 */
public final class CacheKey {
    private final Object[] tokens;
    private final int hash;

    CacheKey(Object[] tokens) {
        this(tokens, Arrays.hashCode(tokens));
    }

    /** {@code hash} must be {@code Arrays.hashCode(tokens)} (computed by {@link KeyBuilder} as it goes). */
    CacheKey(Object[] tokens, int hash) {
        this.tokens = tokens;
        this.hash = hash;
    }

    /** The token array itself (never modified), for the cache's entry keys. */
    Object[] array() {
        return tokens;
    }

    /** The number of tokens, a rough measure of the statement's size. */
    public int size() {
        return tokens.length;
    }

    /** The tokens, for diagnostics (see {@link #diff}). */
    public List<Object> tokens() {
        return List.of(tokens);
    }

    /**
     * Where two keys first differ, for a human chasing an unexpected cache miss; null when equal.
     */
    public static String diff(CacheKey a, CacheKey b) {
        int n = Math.min(a.tokens.length, b.tokens.length);
        for (int i = 0; i < n; i++) {
            if (!a.tokens[i].equals(b.tokens[i])) {
                return "token " + i + ": " + a.tokens[i] + " != " + b.tokens[i];
            }
        }
        return a.tokens.length == b.tokens.length ? null
                : "lengths differ: " + a.tokens.length + " != " + b.tokens.length;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof CacheKey && ((CacheKey) o).hash == hash
                && Arrays.equals(((CacheKey) o).tokens, tokens));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "CacheKey" + Arrays.toString(tokens);
    }
}
