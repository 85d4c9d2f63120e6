package io.retort.bridge.jdbc;

import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The result of one JDBC statement execution (one binding set, or one statement of a compound
 * text): rows streamed from an open cursor or already read (generated keys), and/or an update
 * count. Segments come in order: rows, then the update count.
 *
 * <p>A result is consumed once, by {@link #map}, {@link #flatMap} or {@link #getRowsUpdated}
 * ({@link #filter} makes a view on the same single-use source). {@code getRowsUpdated} on a
 * result with an open cursor closes the cursor without reading it. Rows are emitted on the
 * bridge's worker thread, so mapping functions run there: they must not block on other work of
 * the same connection.
 */
final class JdbcResult implements Result {
    private final Source source;
    private final Predicate<Segment> filter;

    private JdbcResult(Source source, Predicate<Segment> filter) {
        this.source = source;
        this.filter = filter;
    }

    /** A result streaming {@code cursor}, then reporting {@code updateCount} (−1: none). */
    static JdbcResult of(Cursor cursor, long updateCount) {
        return new JdbcResult(new Source(cursor, null, updateCount), null);
    }

    /** A result of rows already read (generated keys) and an update count (−1: none). */
    static JdbcResult of(List<JdbcRow> rows, long updateCount) {
        return new JdbcResult(new Source(null, rows, updateCount), null);
    }

    /** An update count only. */
    static JdbcResult ofCount(long updateCount) {
        return new JdbcResult(new Source(null, null, updateCount), null);
    }

    /** Closes an unconsumed cursor; for results nobody will read. */
    void discard() {
        if (source.cursor != null) {
            source.cursor.discard();
        }
    }

    @Override
    public Mono<Long> getRowsUpdated() {
        return Mono.defer(() -> {
            source.claim();
            if (source.cursor != null) {
                // Only the count is wanted: close the cursor without reading it (on the lane,
                // before anything the caller runs next on this connection).
                source.cursor.discard();
            }
            long n = source.updateCount;
            if (n < 0 || (filter != null && !filter.test(new Count(n)))) {
                return Mono.empty();
            }
            return Mono.just(n);
        });
    }

    @Override
    public <T> Flux<T> map(BiFunction<Row, RowMetadata, ? extends T> mapping) {
        if (mapping == null) {
            throw new IllegalArgumentException("mapping function must not be null");
        }
        return Flux.defer(() -> {
            source.claim();
            Flux<JdbcRow> rows = source.rows();
            if (filter != null) {
                rows = rows.filter(r -> filter.test(new RowSeg(r)));
            }
            return rows.map(r -> {
                T value = mapping.apply(r, r.getMetadata());
                if (value == null) {
                    throw new NullPointerException("The mapping function returned null; R2DBC results cannot carry nulls");
                }
                return value;
            });
        });
    }

    @Override
    public <T> Flux<T> map(Function<? super Readable, ? extends T> mapping) {
        if (mapping == null) {
            throw new IllegalArgumentException("mapping function must not be null");
        }
        return map((row, meta) -> mapping.apply(row));
    }

    @Override
    public JdbcResult filter(Predicate<Segment> predicate) {
        if (predicate == null) {
            throw new IllegalArgumentException("filter predicate must not be null");
        }
        return new JdbcResult(source, filter == null ? predicate : filter.and(predicate));
    }

    @Override
    public <T> Flux<T> flatMap(Function<Segment, ? extends org.reactivestreams.Publisher<? extends T>> mapping) {
        if (mapping == null) {
            throw new IllegalArgumentException("mapping function must not be null");
        }
        return Flux.defer(() -> {
            source.claim();
            Flux<Segment> segments = source.rows().<Segment>map(RowSeg::new);
            if (source.updateCount >= 0) {
                segments = segments.concatWith(Mono.just(new Count(source.updateCount)));
            }
            if (filter != null) {
                segments = segments.filter(filter);
            }
            return segments.concatMap(mapping);
        });
    }

    @Override
    public String toString() {
        return "JdbcResult[" + (source.cursor != null ? "cursor" : source.rows != null ? source.rows.size() + " rows" : "")
                + (source.updateCount >= 0 ? " updateCount=" + source.updateCount : "") + "]";
    }

    /** The single-use content shared by a result and its filtered views. */
    private static final class Source {
        final Cursor cursor;
        final List<JdbcRow> rows;
        final long updateCount;
        final AtomicBoolean claimed = new AtomicBoolean();

        Source(Cursor cursor, List<JdbcRow> rows, long updateCount) {
            this.cursor = cursor;
            this.rows = rows;
            this.updateCount = updateCount;
        }

        void claim() {
            if (!claimed.compareAndSet(false, true)) {
                throw new IllegalStateException("This result was already consumed: a Result can be read only once");
            }
        }

        Flux<JdbcRow> rows() {
            if (cursor != null) {
                return cursor.rows();
            }
            return rows == null ? Flux.empty() : Flux.fromIterable(rows);
        }
    }

    /** A row segment. */
    private static final class RowSeg implements RowSegment {
        private final Row row;

        RowSeg(Row row) {
            this.row = row;
        }

        @Override
        public Row row() {
            return row;
        }

        @Override
        public String toString() {
            return "RowSegment[" + row + "]";
        }
    }

    /** An update count segment. */
    private static final class Count implements UpdateCount {
        private final long value;

        Count(long value) {
            this.value = value;
        }

        @Override
        public long value() {
            return value;
        }

        @Override
        public String toString() {
            return "UpdateCount[" + value + "]";
        }
    }
}
