package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A window specification for {@code OVER (PARTITION BY ... ORDER BY ... ROWS ...)}; immutable,
 * each method returns a new window.
 */
public final class Window {
    private final List<Expression<?>> partitionBy;
    private final List<SortOrder> orderBy;
    private final String frame;

    private Window(List<Expression<?>> partitionBy, List<SortOrder> orderBy, String frame) {
        this.partitionBy = partitionBy;
        this.orderBy = orderBy;
        this.frame = frame;
    }

    /** An empty window: {@code OVER ()}. */
    public static Window empty() {
        return new Window(List.of(), List.of(), null);
    }

    public Window partitionBy(Expression<?>... expressions) {
        return new Window(List.copyOf(Arrays.asList(expressions)), orderBy, frame);
    }

    public Window orderBy(OrderByElement... elements) {
        List<SortOrder> l = new ArrayList<>();
        for (OrderByElement e : elements) {
            l.add(e.toSortOrder());
        }
        return new Window(partitionBy, List.copyOf(l), frame);
    }

    /** {@code ROWS BETWEEN <start> AND <end>}; offsets are numbers, so nothing is injected. */
    public Window rowsBetween(FrameBound start, FrameBound end) {
        return new Window(partitionBy, orderBy, "ROWS BETWEEN " + start.sql() + " AND " + end.sql());
    }

    /** {@code RANGE BETWEEN <start> AND <end>}. */
    public Window rangeBetween(FrameBound start, FrameBound end) {
        return new Window(partitionBy, orderBy, "RANGE BETWEEN " + start.sql() + " AND " + end.sql());
    }

    public List<Expression<?>> partitionBy() {
        return partitionBy;
    }

    public List<SortOrder> orderBy() {
        return orderBy;
    }

    /** The frame clause text, or null. */
    public String frame() {
        return frame;
    }

    void appendKey(KeyBuilder key) {
        key.add("window", partitionBy.size()).add(orderBy.size()).add(frame);
        for (Expression<?> e : partitionBy) {
            e.appendKey(key);
        }
        for (SortOrder s : orderBy) {
            s.appendKey(key);
        }
    }

    /** One end of a window frame. */
    public static final class FrameBound {
        private final String sql;

        private FrameBound(String sql) {
            this.sql = sql;
        }

        public static final FrameBound UNBOUNDED_PRECEDING = new FrameBound("UNBOUNDED PRECEDING");
        public static final FrameBound CURRENT_ROW = new FrameBound("CURRENT ROW");
        public static final FrameBound UNBOUNDED_FOLLOWING = new FrameBound("UNBOUNDED FOLLOWING");

        public static FrameBound preceding(int n) {
            return new FrameBound(Math.abs(n) + " PRECEDING");
        }

        public static FrameBound following(int n) {
            return new FrameBound(Math.abs(n) + " FOLLOWING");
        }

        String sql() {
            return sql;
        }
    }
}
