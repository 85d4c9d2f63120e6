package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.Insert;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.StatementCache;
import io.retort.sql.compile.StatementTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * executemany (C14, seed 1.4 "insertmanyvalues"). INSERT parameter sets are sent as multi-row
 * VALUES pages sized by the dialect's parameter limit (at most 1,000 rows a page), so 10,000
 * rows cost about ten round trips instead of 10,000. With RETURNING, returned rows are
 * correlated to their parameter sets by a sentinel, never by assumed order: the primary key
 * values when the parameter sets carry them, else the database-generated key (a single
 * auto-increment column, generated in VALUES order within one statement and sorted back);
 * without either, rows go one statement each. UPDATE/DELETE sets run as one driver batch with a
 * row count per set.
 */
final class ExecuteMany {
    static final int MAX_ROWS_PER_PAGE = 1000;

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
        List<Expression<?>> returning = insert.returning();
        if (returning.isEmpty()) {
            Flux<Long> counts = Flux.fromIterable(pages(sets, perPage))
                    .concatMap(page -> conn.execute(insert.values(page)).rowsAffected());
            return new Result(Flux.empty(), counts.reduce(0L, Long::sum), "INSERT executemany");
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
        long[] total = new long[1];
        Flux<Row> rows = Flux.fromIterable(pages(sets, perPage)).concatMap(page ->
                conn.execute(withKeys.values(page)).all().flatMapIterable(returned -> {
                    total[0] += returned.size();
                    return correlate(s, page, returned, pk, keyIndexes, requested);
                }));
        return new Result(rows, rows.count(), "INSERT executemany RETURNING");
    }

    private enum Strategy { CLIENT_KEY, GENERATED_KEY, ONE_BY_ONE }

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
                List<Row> sorted = new ArrayList<>(returned);
                int ki = keyIndexes.get(0);
                sorted.sort(Comparator.comparing(r -> new java.math.BigDecimal(r.get(ki).toString())));
                ordered.addAll(sorted);
                break;
            }
            default:
                ordered.addAll(returned);
        }
        List<Row> out = new ArrayList<>(ordered.size());
        for (Row r : ordered) {
            out.add(trim(r, requested));
        }
        return out;
    }

    private static List<Object> key(Row r, List<Integer> idx) {
        List<Object> k = new ArrayList<>(idx.size());
        for (int i : idx) {
            Object v = r.get(i);
            k.add(v instanceof Number ? new java.math.BigDecimal(v.toString()).stripTrailingZeros() : v);
        }
        return k;
    }

    private static Row trim(Row r, int requested) {
        if (r.size() == requested) {
            return r;
        }
        Object[] v = Arrays.copyOf(r.toArray(), requested);
        return new Row(new RowShape(r.labels().subList(0, requested), null), v);
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
