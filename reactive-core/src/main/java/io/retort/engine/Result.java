package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.error.MultipleResultsFoundError;
import io.retort.error.NoResultFoundError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The outcome of executing a statement (C12): a cold {@code Flux<Row>} plus the helpers of
 * SQLAlchemy's Result. Nothing runs until a method's publisher is subscribed; each
 * subscription executes the statement once, on the connection it was created on, so use one
 * view per execution. Cancelling a row stream while it runs stops reading and invalidates the
 * connection rather than returning it to the pool mid-result (see {@link Connection}); the
 * helpers here that need only some rows ({@link #first()}, {@link #one()}, {@link #oneOrNone()},
 * {@link #scalar(Class)}) read and discard the rest instead, so they keep the connection and its
 * transaction usable: give large queries a LIMIT.
 */
public final class Result {
    private final Flux<Row> rows;
    private final Mono<Long> rowsUpdated;
    private final String sql;

    Result(Flux<Row> rows, Mono<Long> rowsUpdated, String sql) {
        this.rows = rows;
        this.rowsUpdated = rowsUpdated;
        this.sql = sql;
    }

    /** Every row, streamed with backpressure. */
    public Flux<Row> rows() {
        return rows;
    }

    /** The number of rows inserted, updated or deleted. */
    public Mono<Long> rowsAffected() {
        return rowsUpdated;
    }

    /** All rows in a list. */
    public Mono<List<Row>> all() {
        return rows.collectList();
    }

    /**
     * The first row, or empty. The remaining rows are read and discarded (not cancelled), so the
     * connection stays usable; a result of many rows should have a LIMIT.
     */
    public Mono<Row> first() {
        return rows.reduce((kept, ignored) -> kept);
    }

    /** Exactly one row: a NoResultFoundError if none, a MultipleResultsFoundError if more. */
    public Mono<Row> one() {
        return oneOrNone().switchIfEmpty(Mono.error(() -> new NoResultFoundError("No row was found for one(): " + sql)));
    }

    /** At most one row: empty if none, a MultipleResultsFoundError if more (after reading the rest, see {@link #first()}). */
    public Mono<Row> oneOrNone() {
        return rows.reduceWith(() -> new Row[2], (seen, row) -> {
            if (seen[0] == null) {
                seen[0] = row;
            } else {
                seen[1] = row;
            }
            return seen;
        }).flatMap(seen -> {
            if (seen[1] != null) {
                return Mono.error(new MultipleResultsFoundError("Multiple rows were found when at most one was required: " + sql));
            }
            return Mono.justOrEmpty(seen[0]);
        });
    }

    /** The first column of each row, cast to {@code type}. */
    public <T> Flux<T> scalars(Class<T> type) {
        return rows.map(r -> r.get(0, type));
    }

    /** The first column of each row. */
    public Flux<Object> scalars() {
        return rows.map(r -> r.get(0));
    }

    /** The first column of the first row, or empty. */
    public <T> Mono<T> scalar(Class<T> type) {
        return first().flatMap(r -> Mono.justOrEmpty(r.get(0, type)));
    }

    /** Each row as a label → value map. */
    public Flux<Map<String, Object>> mappings() {
        return rows.map(Row::mapping);
    }

    /** Rows with duplicates (equal values) removed, first occurrence kept. */
    public Flux<Row> unique() {
        return rows.distinct(r -> List.of(r.toArray()));
    }

    /** Rows in lists of {@code size} (the last may be shorter). */
    public Flux<List<Row>> partitions(int size) {
        if (size < 1) {
            throw new ArgumentError("partition size must be positive, got " + size);
        }
        return rows.buffer(size);
    }

    /**
     * Each row as a record, matching components to labels by name (case-insensitive,
     * {@code snake_case} labels match {@code camelCase} components).
     */
    public <R extends Record> Flux<R> into(Class<R> recordType) {
        Function<Row, R> mapper = RecordMapper.forType(recordType);
        return rows.map(mapper);
    }

    /** Maps records by component name to a row's labels. */
    static final class RecordMapper {
        private RecordMapper() {
        }

        static <R extends Record> Function<Row, R> forType(Class<R> type) {
            RecordComponent[] comps = type.getRecordComponents();
            Class<?>[] types = new Class<?>[comps.length];
            String[] names = new String[comps.length];
            for (int i = 0; i < comps.length; i++) {
                types[i] = box(comps[i].getType());
                names[i] = comps[i].getName();
            }
            boolean[] primitive = new boolean[comps.length];
            MethodHandle ctor;
            try {
                Class<?>[] raw = new Class<?>[comps.length];
                for (int i = 0; i < comps.length; i++) {
                    raw[i] = comps[i].getType();
                    primitive[i] = raw[i].isPrimitive();
                }
                Constructor<R> c = type.getDeclaredConstructor(raw);
                c.setAccessible(true);
                // One handle taking the argument array (unboxing primitives), built once per
                // mapper: a reflective newInstance per row cost a fifth of a binary stream.
                ctor = MethodHandles.lookup().unreflectConstructor(c)
                        .asSpreader(Object[].class, comps.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ArgumentError("Cannot use the canonical constructor of " + type.getName() + ": " + e);
            }
            // Labels are matched once per result shape, not per row; rows of one result share it.
            java.util.concurrent.atomic.AtomicReference<Resolved> last = new java.util.concurrent.atomic.AtomicReference<>();
            return row -> {
                Resolved r = last.get();
                if (r == null || r.shape != row.shape()) {
                    int[] at = new int[comps.length];
                    for (int i = 0; i < comps.length; i++) {
                        at[i] = find(row, names[i]);
                    }
                    r = new Resolved(row.shape(), at);
                    last.set(r);
                }
                Object[] args = new Object[comps.length];
                for (int i = 0; i < comps.length; i++) {
                    Object v = row.get(r.index[i], types[i]);
                    if (v == null && primitive[i]) {
                        throw new ArgumentError("Column " + row.labels().get(r.index[i]) + " is NULL, but "
                                + type.getSimpleName() + "." + names[i] + " is a primitive "
                                + comps[i].getType().getName() + "; declare it as " + types[i].getSimpleName());
                    }
                    args[i] = v;
                }
                try {
                    @SuppressWarnings("unchecked")
                    R out = (R) (Object) ctor.invokeExact(args);
                    return out;
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new ArgumentError("Cannot build " + type.getSimpleName() + " from " + row + ": " + e);
                }
            };
        }

        /** A result shape and, per record component, the index of its column. */
        private record Resolved(RowShape shape, int[] index) {
        }

        private static int find(Row row, String component) {
            List<String> labels = row.labels();
            for (int i = 0; i < labels.size(); i++) {
                String l = labels.get(i);
                if (l.equalsIgnoreCase(component) || l.replace("_", "").equalsIgnoreCase(component)) {
                    return i;
                }
            }
            throw new ArgumentError("No column for record component '" + component + "' in " + labels);
        }

        private static Class<?> box(Class<?> c) {
            if (!c.isPrimitive()) {
                return c;
            }
            if (c == int.class) {
                return Integer.class;
            }
            if (c == long.class) {
                return Long.class;
            }
            if (c == boolean.class) {
                return Boolean.class;
            }
            if (c == double.class) {
                return Double.class;
            }
            if (c == float.class) {
                return Float.class;
            }
            if (c == short.class) {
                return Short.class;
            }
            return c;
        }
    }
}
