package io.retort.sql;

import java.util.Collections;
import java.util.List;

/** Null-tolerant immutable list helper (List.copyOf rejects nulls, and SQL lists may hold NULL). */
final class Collections0 {
    private Collections0() {
    }

    static <T> List<T> unmodifiable(List<T> list) {
        return Collections.unmodifiableList(list);
    }
}
