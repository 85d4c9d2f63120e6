package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/** Shared cache-key helper for RETURNING lists. */
final class Returning {
    private Returning() {
    }

    static void appendKey(KeyBuilder key, List<Expression<?>> returning) {
        if (!returning.isEmpty()) {
            key.add("returning", returning.size());
            for (Expression<?> e : returning) {
                e.appendKey(key);
            }
        }
    }
}
