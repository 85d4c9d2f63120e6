package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.List;

/**
 * {@code ROLLUP(...)}, {@code CUBE(...)} or {@code GROUPING SETS(...)} in GROUP BY (C9). MySQL
 * and MariaDB render ROLLUP as {@code GROUP BY a, b WITH ROLLUP} and cannot render the others.
 */
public final class GroupingSet implements GroupByElement {
    /** Which grouping construct. */
    public enum Kind { ROLLUP, CUBE, GROUPING_SETS }

    private final Kind kind;
    private final List<List<Expression<?>>> sets;

    GroupingSet(Kind kind, List<List<Expression<?>>> sets) {
        this.kind = kind;
        this.sets = sets;
    }

    public Kind kind() {
        return kind;
    }

    /** For ROLLUP and CUBE, one-element sets of each column; for GROUPING SETS, the sets. */
    public List<List<Expression<?>>> sets() {
        return sets;
    }

    void appendKey(KeyBuilder key) {
        key.add(kind, sets.size());
        for (List<Expression<?>> set : sets) {
            key.add(set.size());
            for (Expression<?> e : set) {
                e.appendKey(key);
            }
        }
    }
}
