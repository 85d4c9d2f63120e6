package io.retort.sql.compile;

import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.FunctionCall;
import io.retort.sql.Operator;
import io.retort.sql.Select;
import io.retort.sql.SelectBase;
import io.retort.sql.Sql;
import io.retort.sql.SqlTypes;
import io.retort.sql.Statement;
import io.retort.sql.Subquery;
import io.retort.sql.TableAlias;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.retort.sql.compile.KeyFixtures.ARTIST;

/**
 * A generator for <em>neighbouring</em> statements: a small grammar (SELECT over artist, an alias
 * or a subquery; scalar/EXISTS/IN subqueries; UNION; INSERT ... SELECT) whose structural choices
 * are addressed by their place in the statement (a path such as {@code s/c1/sub/where}) and drawn
 * from a hash of (seed, path). Overriding one or two choices therefore changes only those places:
 * {@link #neighbours} lists every single-choice flip and every <em>swap</em> of one clause kind
 * between two places (WHERE moved from a subquery to its parent, ORDER BY/LIMIT from a UNION
 * member to the UNION, FILTER from an inner to an outer aggregate). A key that loses information
 * makes some neighbours share a key with different SQL, which random sampling alone almost never
 * produces. Contents (which condition, which direction) are drawn per kind, not per place, so a
 * swapped clause has the same tokens in its new place.
 */
final class NeighbourGenerator {
    /** One structural choice: where, its kind, its options, what was chosen, and for a flag its threshold. */
    record Decision(String path, String kind, int bound, int value, int threshold) {
        boolean isFlag() {
            return threshold >= 0;
        }

        boolean on() {
            return value < threshold;
        }
    }

    private static final Operator PLUS_CUSTOM = Operator.custom("+", Operator.ADDITIVE_LEVEL, false);
    private static final Operator ARROW = Operator.custom("->>", Operator.UNARY_LEVEL, false);

    private final long seed;
    private final Map<String, Integer> overrides;
    private final Random v;
    final Map<String, Decision> decisions = new LinkedHashMap<>();
    private Expression<Integer> shared;
    private TableAlias alias;
    private Subquery subquery;

    NeighbourGenerator(long seed, Map<String, Integer> overrides, long valueSeed) {
        this.seed = seed;
        this.overrides = overrides;
        this.v = new Random(valueSeed);
    }

    // ================================================================= choices

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int draw(String path, String kind, int bound, int threshold) {
        Integer o = overrides.get(path);
        int value = o != null ? Math.floorMod(o, bound)
                : (int) Math.floorMod(mix(seed + path.hashCode() * 0x9E3779B97F4A7C15L), (long) bound);
        decisions.putIfAbsent(path, new Decision(path, kind, bound, value, threshold));
        return value;
    }

    private int choose(String path, String kind, int bound) {
        return draw(path, kind, bound, -1);
    }

    private boolean flag(String path, String kind, int percent) {
        return draw(path, kind, 100, percent) < percent;
    }

    // ================================================================= grammar

    Statement statement() {
        int k = choose("k", "statement", 10);
        if (k < 6) {
            return select("s", 0, 0);
        }
        if (k < 9) {
            return compound("u", 0, 0);
        }
        SelectBase q = flag("i", "insert-source", 50) ? select("s", 0, 1) : compound("u", 0, 1);
        return Sql.insert(ARTIST).fromSelect(List.of(KeyFixtures.ARTIST_NAME), q);
    }

    private Select select(String p, int depth, int width) {
        FromClause src = source(p + "/src", depth);
        int w = width > 0 ? width : flag(p + "/w2", "width", 30) ? 2 : 1;
        List<Expression<?>> cols = new ArrayList<>();
        for (int i = 0; i < w; i++) {
            cols.add(column(p + "/c" + i, src, depth));
        }
        Select q = Sql.select(cols);
        if (flag(p + "/from", "from", 50)) {
            q = q.from(src);
        }
        if (flag(p + "/where", "where", 40)) {
            q = q.where(condition(p + "/wc", src, depth));
        }
        if (flag(p + "/order", "order", 30)) {
            Expression<?> n = name(src);
            q = q.orderBy(flag("K:desc", "desc", 50) ? n.desc() : n.asc());
        }
        if (flag(p + "/limit", "limit", 30)) {
            q = q.limit(v.nextInt(1_000_000));
        }
        return q;
    }

    private SelectBase compound(String p, int depth, int width) {
        int w = width > 0 ? width : 1;
        Select a = select(p + "/a", depth, w);
        Select b = select(p + "/b", depth, w);
        var c = flag(p + "/all", "union-all", 50) ? a.unionAll(b) : a.union(b);
        if (flag(p + "/order", "order", 30)) {
            Expression<?> first = a.selectedColumns().get(0);
            c = c.orderBy(flag("K:desc", "desc", 50) ? first.desc() : first.asc());
        }
        if (flag(p + "/limit", "limit", 30)) {
            c = c.limit(v.nextInt(1_000_000));
        }
        return c;
    }

    private FromClause source(String p, int depth) {
        int r = choose(p, "source", 10);
        if (r < 6) {
            return ARTIST;
        }
        if (r < 8 || depth > 0) {
            if (alias == null || !flag(p + "/reuse", "reuse", 50)) {
                alias = ARTIST.as("a");
            }
            return alias;
        }
        if (subquery == null || !flag(p + "/reuse", "reuse", 50)) {
            subquery = select(p + "/sq", depth + 1, 1).subquery("sq");
        }
        return subquery;
    }

    private Expression<?> column(String p, FromClause src, int depth) {
        int r = choose(p, "column", 10);
        switch (r) {
            case 0: case 1: case 2: return name(src);
            case 3:
                return depth < 1 ? select(p + "/sub", depth + 1, 1).scalar() : name(src);
            case 4:
                return depth < 1 ? compound(p + "/sub", depth + 1, 1).scalar() : name(src);
            case 5: return intExpr(p + "/i", src);
            case 6: return Sql.function("coalesce", flag(p + "/t", "type", 50) ? SqlTypes.VARCHAR : SqlTypes.TEXT, name(src));
            case 7: return flag(p + "/t", "type", 50) ? Sql.nullValue(SqlTypes.INTEGER) : Sql.nullValue(SqlTypes.VARCHAR);
            case 8: return filtered(p + "/ff", src);
            default:
                return flag(p + "/t", "type", 50) ? id(p, src).op(ARROW, param(p + "/p"), SqlTypes.INTEGER)
                        : id(p, src).op(ARROW, param(p + "/p"), SqlTypes.BIGINT);
        }
    }

    private Expression<Integer> intExpr(String p, FromClause src) {
        int r = choose(p, "int", 3);
        Expression<Integer> id = id(p, src);
        if (r == 0) {
            return id;
        }
        if (r == 1) {
            Expression<Integer> inner = flag(p + "/o2", "operator", 50) ? id.plus(id) : id.op(PLUS_CUSTOM, id, SqlTypes.INTEGER);
            return flag(p + "/o1", "operator", 50) ? id.plus(inner) : id.op(PLUS_CUSTOM, inner, SqlTypes.INTEGER);
        }
        return id.plus(param(p + "/p"));
    }

    /** {@code f(g(id) [FILTER (...)]) [FILTER (...)]}: one FILTER kind at two places. */
    private Expression<?> filtered(String p, FromClause src) {
        FunctionCall<Integer> g = Sql.function("g", SqlTypes.INTEGER, id(p, src));
        if (flag(p + "/g", "filter", 50)) {
            g = g.filter(id(p, src).eq(param(p + "/gp")));
        }
        FunctionCall<Integer> f = Sql.function("f", SqlTypes.INTEGER, g);
        if (flag(p + "/f", "filter", 50)) {
            f = f.filter(id(p, src).eq(param(p + "/fp")));
        }
        return f;
    }

    private Expression<Boolean> condition(String p, FromClause src, int depth) {
        int r = choose("K:where", "condition", 10);
        if (depth >= 1 || r < 5) {
            return id(p, src).eq(param(p + "/p"));
        }
        if (r < 7) {
            return select(p + "/sub", depth + 1, 0).exists();
        }
        if (r < 8) {
            return id(p, src).in(select(p + "/sub", depth + 1, 1));
        }
        return id(p, src).in(compound(p + "/sub", depth + 1, 1));
    }

    /** A bound value: the statement's one shared bind object, or a new one. */
    private Expression<Integer> param(String p) {
        if (flag(p + "/shared", "shared", 35)) {
            if (shared == null) {
                shared = Sql.param(v.nextInt(1_000_000));
            }
            return shared;
        }
        return Sql.param(v.nextInt(1_000_000));
    }

    /** The INTEGER column of {@code src}; for an alias, now and then the same column of a second alias object of the same name. */
    @SuppressWarnings("unchecked")
    private Expression<Integer> id(String p, FromClause src) {
        if (src instanceof TableAlias && flag(p + "/twin", "twin", 25)) {
            return ARTIST.as(src.name()).c("artist_id", SqlTypes.INTEGER);
        }
        for (Column<?> c : src.columns()) {
            if (c.type().javaType() == Integer.class) {
                return (Column<Integer>) c;
            }
        }
        return Sql.cast(src.columns().get(0), SqlTypes.INTEGER);
    }

    private static Expression<?> name(FromClause src) {
        for (Column<?> c : src.columns()) {
            if (c.type().javaType() == String.class) {
                return c;
            }
        }
        return src.columns().get(0);
    }

    // ================================================================= neighbours

    /**
     * The overrides giving every neighbour of a statement whose choices were {@code ds}: each flag
     * toggled, each other choice set to each other option (up to 3), and each pair of same-kind
     * flags in opposite states swapped. At most {@code cap}, picked with {@code r}.
     */
    static List<Map<String, Integer>> neighbours(Map<String, Decision> ds, Random r, int cap) {
        List<Map<String, Integer>> out = new ArrayList<>();
        List<Decision> flags = new ArrayList<>();
        for (Decision d : ds.values()) {
            if (d.isFlag()) {
                flags.add(d);
                out.add(Map.of(d.path(), d.on() ? 99 : 0));
            } else {
                List<Integer> alternatives = new ArrayList<>();
                for (int a = 0; a < d.bound(); a++) {
                    if (a != d.value()) {
                        alternatives.add(a);
                    }
                }
                Collections.shuffle(alternatives, r);
                for (int a : alternatives.subList(0, Math.min(3, alternatives.size()))) {
                    out.add(Map.of(d.path(), a));
                }
            }
        }
        List<Map<String, Integer>> swaps = new ArrayList<>();
        for (Decision on : flags) {
            for (Decision off : flags) {
                if (on.on() && !off.on() && on.kind().equals(off.kind())) {
                    swaps.add(Map.of(on.path(), 99, off.path(), 0));
                }
            }
        }
        Collections.shuffle(out, r);
        Collections.shuffle(swaps, r);
        List<Map<String, Integer>> all = new ArrayList<>(swaps.subList(0, Math.min(swaps.size(), cap / 2)));
        all.addAll(out.subList(0, Math.min(out.size(), cap - all.size())));
        return all;
    }
}
