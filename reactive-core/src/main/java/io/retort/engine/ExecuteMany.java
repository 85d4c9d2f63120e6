package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.Insert;
import io.retort.sql.Sql;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.StatementCache;
import io.retort.sql.compile.StatementTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * executemany (C14, seed 1.4 "insertmanyvalues"). INSERT parameter sets are sent as multi-row
 * VALUES pages sized by the dialect's parameter limit (at most 1,000 rows a page), so 10,000
 * rows cost about ten round trips instead of 10,000.
 *
 * <p>On PostgreSQL (with array binding on, the default) the pages are instead array-bound: one
 * array per column, {@code INSERT INTO t (a, b) SELECT unnest(CAST($1 AS INTEGER[])),
 * unnest(CAST($2 AS VARCHAR(64)[]))}, up to {@value #MAX_ROWS_PER_ARRAY_PAGE} rows a statement.
 * The SQL text does not depend on the number of rows, so every page (and every executemany of
 * that INSERT) shares one cache entry and one server-side prepared statement, and the server
 * parses one small statement instead of thousands of placeholders. The multi-row VALUES form is
 * kept when a column's type has no array form (JSON, binary, interval, arrays, custom types)
 * or a parameter set holds a SQL expression rather than a value.
 *
 * <p>Without RETURNING or an upsert clause, PostgreSQL goes further where the driver offers it
 * (r2dbc-postgresql): each page of {@value #MAX_ROWS_PER_ARRAY_PAGE} rows is one
 * {@code COPY t (a, b) FROM STDIN} in text format ({@link CopyIn}), which the server inserts in
 * batches: in the benchmarks it is the fastest way in, ahead of {@code unnest}. A page holding a
 * value COPY's text cannot carry exactly (a SQL expression, a NUL character, a date outside the
 * years 1-9999) goes as INSERT statements instead. {@code PostgresDialect.withCopyIn(false)}
 * turns COPY off (COPY refuses views and ignores rules; triggers and defaults work as for
 * INSERT).
 *
 * <p>With RETURNING, returned rows are correlated to their parameter sets by a sentinel, never
 * by assumed order: the primary key values when the parameter sets carry them, else the
 * database-generated key (a single auto-increment column, generated in row order within one
 * statement and sorted back: both the VALUES rows and the {@code unnest} rows reach the INSERT
 * in the order given, so the sequence numbers them in that order); without either, rows go one
 * statement each. UPDATE/DELETE sets run as one driver batch with a row count per set.
 */
final class ExecuteMany {
    static final int MAX_ROWS_PER_PAGE = 1000;

    /**
     * Rows per array-bound statement: one statement's arrays stay a few MB on the client and the
     * server, and the round trips are few (ten for 100,000 rows).
     */
    static final int MAX_ROWS_PER_ARRAY_PAGE = 10_000;

    private ExecuteMany() {
    }

    static Result insert(Connection conn, Insert insert, List<? extends Map<? extends Column<?>, ?>> sets) {
        if (!insert.rows().isEmpty() || insert.fromSelect() != null) {
            throw new ArgumentError("executeMany takes an INSERT without values: the parameter sets are the values");
        }
        if (sets.isEmpty()) {
            return new Result(Flux.empty(), Mono.just(0L), "INSERT (no parameter sets)");
        }
        List<Column<?>> columns = new ArrayList<>(sets.get(0).keySet());
        Set<Column<?>> colSet = new HashSet<>(columns);
        for (int i = 1; i < sets.size(); i++) {
            if (!sets.get(i).keySet().equals(colSet)) {
                throw new ArgumentError("Parameter set " + i + " has columns " + names(sets.get(i).keySet())
                        + " but set 0 has " + names(columns) + "; every set must give the same columns");
            }
        }
        Dialect dialect = conn.dialect();
        int perPage = Math.max(1, Math.min(MAX_ROWS_PER_PAGE, dialect.maxBindParameters() / Math.max(1, columns.size())));
        boolean arrays = arrayBindable(dialect, insert, columns);
        List<Expression<?>> returning = insert.returning();
        if (returning.isEmpty()) {
            int rowsPerPage = perPage;
            String copySql = copyable(conn, insert, columns) ? copySql(dialect, insert, columns) : null;
            int pageRows = copySql != null || arrays ? MAX_ROWS_PER_ARRAY_PAGE : rowsPerPage;
            Flux<Long> counts = Flux.defer(() -> Flux.fromIterable(pages(sets, pageRows)).concatMap(page -> {
                byte[] data = copySql == null ? null : copyText(columns, page);
                if (data != null) {
                    return conn.copyIn(copySql, data);
                }
                // No COPY, or a value its text cannot carry exactly: INSERT statements, array-bound
                // where possible (null when a value is a SQL expression), else VALUES pages.
                Insert unnested = arrays ? unnestPage(insert, columns, page) : null;
                return unnested != null ? conn.execute(unnested).rowsAffected()
                        : Flux.fromIterable(pages(page, rowsPerPage))
                                .concatMap(sub -> conn.execute(insert.values(sub)).rowsAffected())
                                .reduce(0L, Long::sum);
            }));
            return new Result(Flux.empty(), counts.reduce(0L, Long::sum),
                    copySql != null ? "INSERT executemany (COPY)" : "INSERT executemany");
        }
        List<Column<?>> pk = insert.table().primaryKeyColumns();
        Strategy strategy;
        if (!pk.isEmpty() && colSet.containsAll(pk)) {
            strategy = Strategy.CLIENT_KEY;
        } else if (pk.size() == 1 && pk.get(0).spec().autoIncrement() && !colSet.contains(pk.get(0))) {
            strategy = Strategy.GENERATED_KEY;
        } else {
            strategy = Strategy.ONE_BY_ONE;
            perPage = 1;
        }
        List<Expression<?>> augmented = new ArrayList<>(returning);
        List<Integer> keyIndexes = new ArrayList<>();
        if (strategy != Strategy.ONE_BY_ONE) {
            for (Column<?> k : pk) {
                int at = indexOfColumn(augmented, k);
                if (at < 0) {
                    augmented.add(k);
                    at = augmented.size() - 1;
                }
                keyIndexes.add(at);
            }
        }
        Insert withKeys = insert.returning(augmented.toArray(new Expression<?>[0]));
        int requested = returning.size();
        Strategy s = strategy;
        int valuesPerPage = perPage;
        Flux<Row> rows = Flux.defer(() -> {
            // One statement per row (no sentinel) stays one VALUES row per statement; a page
            // holding a SQL expression falls back to VALUES pages (unnestPage gives null).
            boolean unnest = arrays && s != Strategy.ONE_BY_ONE;
            return Flux.fromIterable(pages(sets, unnest ? MAX_ROWS_PER_ARRAY_PAGE : valuesPerPage)).concatMap(page -> {
                Insert unnested = unnest ? unnestPage(withKeys, columns, page) : null;
                return unnested != null
                        ? conn.execute(unnested).all()
                                .flatMapIterable(returned -> correlate(s, page, returned, pk, keyIndexes, requested))
                        : Flux.fromIterable(pages(page, valuesPerPage)).concatMap(sub -> conn.execute(withKeys.values(sub))
                                .all().flatMapIterable(returned -> correlate(s, sub, returned, pk, keyIndexes, requested)));
            });
        });
        return new Result(rows, rows.count(), "INSERT executemany RETURNING");
    }

    private enum Strategy { CLIENT_KEY, GENERATED_KEY, ONE_BY_ONE }

    // ================================================================= PostgreSQL COPY

    /**
     * Whether this INSERT's parameter sets can go as {@code COPY FROM STDIN}: the dialect allows
     * it, the driver offers it, the INSERT is plain (no RETURNING, checked by the caller, no
     * upsert clause) and every column's storage class has an exact text form in {@link CopyIn}.
     */
    private static boolean copyable(Connection conn, Insert insert, List<Column<?>> columns) {
        if (!conn.dialect().supportsCopyIn() || insert.onConflict() != null || !insert.onDuplicateKeyUpdate().isEmpty()
                || columns.isEmpty() || !conn.supportsCopyIn()) {
            return false;
        }
        for (Column<?> c : columns) {
            if (!plainStorage(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code COPY schema.table (a, b) FROM STDIN}, names quoted as the dialect quotes them. */
    private static String copySql(Dialect dialect, Insert insert, List<Column<?>> columns) {
        StringBuilder sql = new StringBuilder("COPY ");
        if (insert.table().schema() != null) {
            sql.append(dialect.quote(insert.table().schema())).append('.');
        }
        sql.append(dialect.quote(insert.table().name())).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(dialect.quote(columns.get(i).name()));
        }
        return sql.append(") FROM STDIN").toString();
    }

    /**
     * One page as COPY text (tab-separated, {@code \N} for NULL, one line per parameter set), each
     * value checked and converted as the VALUES form would bind it; null when a value is a SQL
     * expression or has no exact text form.
     */
    private static byte[] copyText(List<Column<?>> columns, List<? extends Map<? extends Column<?>, ?>> page) {
        int n = columns.size();
        Column<?>[] cols = columns.toArray(new Column<?>[0]);
        SqlType<?>[] storage = new SqlType<?>[n];
        for (int c = 0; c < n; c++) {
            storage[c] = storageOf(cols[c].type());
        }
        StringBuilder out = new StringBuilder(page.size() * 16 * n);
        for (Map<? extends Column<?>, ?> set : page) {
            for (int c = 0; c < n; c++) {
                Object v = set.get(cols[c]);
                if (v instanceof Expression) {
                    return null;
                }
                if (c > 0) {
                    out.append('\t');
                }
                if (!CopyIn.append(out, toStorage(cols[c], storage[c], v))) {
                    return null;
                }
            }
            out.append('\n');
        }
        return CopyIn.bytes(out);
    }

    // ================================================================= PostgreSQL array binding

    /** Java classes r2dbc-postgresql binds as arrays (checked for each: see BENCHMARKS.md, issue #4). */
    private static final Set<Class<?>> ARRAY_ELEMENT_CLASSES = Set.of(Short.class, Integer.class, Long.class,
            java.math.BigDecimal.class, Float.class, Double.class, String.class, Boolean.class, java.util.UUID.class,
            java.time.LocalDate.class, java.time.LocalTime.class, java.time.LocalDateTime.class,
            java.time.OffsetDateTime.class);

    /**
     * Whether this INSERT's parameter sets can be bound as one array per column: PostgreSQL with
     * array binding on, a plain {@code INSERT INTO t (cols)} (no upsert clause of another dialect),
     * and every column's storage type one with an array form.
     */
    private static boolean arrayBindable(Dialect dialect, Insert insert, List<Column<?>> columns) {
        if (!"postgresql".equals(dialect.name()) || !dialect.supportsArrayInBinding()
                || !insert.onDuplicateKeyUpdate().isEmpty() || columns.isEmpty()) {
            return false;
        }
        for (Column<?> c : columns) {
            if (!plainStorage(c)) {
                return false;
            }
        }
        return true;
    }

    /** A column whose storage is a plain scalar of one of {@link #ARRAY_ELEMENT_CLASSES}. */
    private static boolean plainStorage(Column<?> c) {
        SqlType<?> storage = storageOf(c.type());
        switch (storage.kind()) {
            case INTEGER: case DECIMAL: case FLOAT: case STRING: case BOOLEAN: case UUID:
            case DATE: case TIME: case TIMESTAMP: case TIMESTAMP_TZ:
                return ARRAY_ELEMENT_CLASSES.contains(storage.javaType());
            default:
                return false;
        }
    }

    /**
     * {@code INSERT INTO t (cols) SELECT unnest(CAST($1 AS T1[])), ...} for one page: the same
     * INSERT (RETURNING and ON CONFLICT included) fed by one array per column, each value checked
     * and converted as the VALUES form would bind it; null when a value is a SQL expression.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Insert unnestPage(Insert insert, List<Column<?>> columns, List<? extends Map<? extends Column<?>, ?>> page) {
        Expression<?>[] unnested = new Expression<?>[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            Column<?> column = columns.get(c);
            SqlType<?> storage = storageOf(column.type());
            Object[] array = (Object[]) java.lang.reflect.Array.newInstance(storage.javaType(), page.size());
            for (int r = 0; r < page.size(); r++) {
                Object v = page.get(r).get(column);
                if (v instanceof Expression) {
                    return null; // only the VALUES form can render a SQL expression
                }
                array[r] = toStorage(column, storage, v);
            }
            SqlType arrayType = SqlTypes.arrayOf(storage);
            unnested[c] = Sql.function("unnest", storage, Sql.cast(Sql.param(array, arrayType), arrayType));
        }
        return insert.fromSelect(columns, Sql.select(unnested));
    }

    private static SqlType<?> storageOf(SqlType<?> type) {
        return type.converter() == null ? type : type.converter().storage();
    }

    /**
     * A parameter-set value as the VALUES form binds it: the same type check (and message) as
     * {@code Insert.values}, the same boolean normalisation, the column type's converter applied.
     */
    private static Object toStorage(Column<?> column, SqlType<?> storage, Object value) {
        if (value == null) {
            return null;
        }
        SqlType<?> type = column.type();
        Object v = type.toStorage(type.checkBindValue(column.requireValue(value)));
        if (v != null && !storage.javaType().isInstance(v)) {
            throw new ArgumentError("Column " + column + " stores " + storage.javaType().getSimpleName()
                    + " values; its converter returned a " + v.getClass().getSimpleName());
        }
        return v;
    }

    private static List<Row> correlate(Strategy s, List<? extends Map<? extends Column<?>, ?>> page, List<Row> returned,
                                       List<Column<?>> pk, List<Integer> keyIndexes, int requested) {
        if (returned.size() != page.size()) {
            throw new ArgumentError("INSERT returned " + returned.size() + " rows for " + page.size()
                    + " parameter sets (an ON CONFLICT DO NOTHING skips rows; correlate such inserts yourself)");
        }
        List<Row> ordered = new ArrayList<>(returned.size());
        switch (s) {
            case CLIENT_KEY: {
                Map<List<Object>, Row> byKey = new HashMap<>();
                for (Row r : returned) {
                    byKey.put(key(r, keyIndexes), r);
                }
                for (Map<? extends Column<?>, ?> set : page) {
                    List<Object> k = new ArrayList<>();
                    for (int i = 0; i < pk.size(); i++) {
                        Object v = set.get(pk.get(i));
                        k.add(v instanceof Number ? new java.math.BigDecimal(v.toString()).stripTrailingZeros() : v);
                    }
                    Row r = byKey.get(k);
                    if (r == null) {
                        throw new ArgumentError("No returned row carries the key " + k + " of a parameter set");
                    }
                    ordered.add(r);
                }
                break;
            }
            case GENERATED_KEY: {
                // Each row's key is converted once, not once per comparison.
                int ki = keyIndexes.get(0);
                Object[][] keyed = new Object[returned.size()][];
                for (int i = 0; i < keyed.length; i++) {
                    Row r = returned.get(i);
                    Object k = r.get(ki);
                    keyed[i] = new Object[] {k instanceof Integer || k instanceof Long || k instanceof Short
                            ? (Comparable<?>) ((Number) k).longValue() : new java.math.BigDecimal(k.toString()), r};
                }
                Arrays.sort(keyed, (x, y) -> compareKeys(x[0], y[0]));
                for (Object[] k : keyed) {
                    ordered.add((Row) k[1]);
                }
                break;
            }
            default:
                ordered.addAll(returned);
        }
        List<Row> out = new ArrayList<>(ordered.size());
        RowShape[] trimmed = new RowShape[1];
        for (Row r : ordered) {
            out.add(trim(r, requested, trimmed));
        }
        return out;
    }

    private static int compareKeys(Object a, Object b) {
        if (a instanceof Long && b instanceof Long) {
            return Long.compare((Long) a, (Long) b);
        }
        return toDecimal(a).compareTo(toDecimal(b));
    }

    private static java.math.BigDecimal toDecimal(Object k) {
        return k instanceof java.math.BigDecimal ? (java.math.BigDecimal) k : java.math.BigDecimal.valueOf((Long) k);
    }

    private static List<Object> key(Row r, List<Integer> idx) {
        List<Object> k = new ArrayList<>(idx.size());
        for (int i : idx) {
            Object v = r.get(i);
            k.add(v instanceof Number ? new java.math.BigDecimal(v.toString()).stripTrailingZeros() : v);
        }
        return k;
    }

    /** The row without the key columns added for correlation; one shape for the whole page. */
    private static Row trim(Row r, int requested, RowShape[] shape) {
        if (r.size() == requested) {
            return r;
        }
        if (shape[0] == null) {
            shape[0] = new RowShape(r.labels().subList(0, requested), null);
        }
        return new Row(shape[0], Arrays.copyOf(r.toArray(), requested));
    }

    private static int indexOfColumn(List<Expression<?>> list, Column<?> c) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static <T> List<List<T>> pages(List<T> all, int size) {
        List<List<T>> pages = new ArrayList<>((all.size() + size - 1) / size);
        for (int i = 0; i < all.size(); i += size) {
            pages.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return pages;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<Map<Column<?>, Object>> cast(List<T> l) {
        return (List<Map<Column<?>, Object>>) l;
    }

    private static List<String> names(java.util.Collection<? extends Column<?>> cols) {
        return cols.stream().map(Column::name).toList();
    }

    static Flux<Long> batch(Connection conn, StatementTemplate template, List<? extends Map<String, ?>> sets) {
        if (sets.isEmpty()) {
            return Flux.empty();
        }
        return Flux.defer(() -> {
            StatementCache cache = conn.engine().cache();
            List<BoundStatement> bounds = new ArrayList<>(sets.size());
            StatementCache.Lookup first = null;
            for (Map<String, ?> set : sets) {
                StatementCache.Lookup l = cache.lookup(conn.dialect(), template.bind(new LinkedHashMap<>(set)));
                if (first == null) {
                    first = l;
                }
                BoundStatement b = l.bind();
                if (!bounds.isEmpty() && !b.sql().equals(bounds.get(0).sql())) {
                    return Flux.error(new ArgumentError("executeMany needs one SQL text for every parameter set; IN lists"
                            + " of different lengths change it: use separate statements"));
                }
                bounds.add(b);
            }
            return conn.runBatch(bounds, first);
        });
    }
}
