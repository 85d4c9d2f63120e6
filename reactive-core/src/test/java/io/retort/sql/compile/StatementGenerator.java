package io.retort.sql.compile;

import io.retort.sql.Column;
import io.retort.sql.CompoundSelect;
import io.retort.sql.Cte;
import io.retort.sql.Delete;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.FunctionCall;
import io.retort.sql.Insert;
import io.retort.sql.Join;
import io.retort.sql.LockClause;
import io.retort.sql.Operator;
import io.retort.sql.OrderByElement;
import io.retort.sql.Select;
import io.retort.sql.SelectBase;
import io.retort.sql.Sql;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.Statement;
import io.retort.sql.Table;
import io.retort.sql.TableAlias;
import io.retort.sql.TextClause;
import io.retort.sql.Update;
import io.retort.sql.Window;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.retort.sql.compile.KeyFixtures.ALBUM;
import static io.retort.sql.compile.KeyFixtures.ARTIST;
import static io.retort.sql.compile.KeyFixtures.OTHER_ARTIST;
import static io.retort.sql.compile.KeyFixtures.TABLES;
import static io.retort.sql.compile.KeyFixtures.TRACK;

/**
 * A random statement generator for the cache-key property test. Every structural choice is drawn
 * from the <em>shape</em> random, every bound value from the <em>value</em> random, and no shape
 * decision ever depends on a value: so one shape seed with two value seeds builds two statements
 * of the same structure with different values, and two shape seeds usually build different
 * structures (sometimes the same one, which is what makes the cross-seed comparison meaningful).
 *
 * <p>A third of the shapes are TINY (a few dozen possible structures, so keys collide across
 * seeds), a third SMALL (few tables and operators but nesting: subqueries, EXISTS, UNION, CTEs,
 * so near-identical nested structures meet), a third FULL (everything).
 */
final class StatementGenerator {
    enum Mode { TINY, SMALL, FULL }

    private static final SqlType<?>[] SCALAR_TYPES = {SqlTypes.INTEGER, SqlTypes.VARCHAR, SqlTypes.NUMERIC};
    private static final String[] LABELS = {"x", "y", "n", "name"};
    private static final String[] ALIASES = {"a", "b", "t"};
    private static final Operator MINUS_NON_ASSOC = Operator.custom("-", Operator.ADDITIVE_LEVEL, false);
    private static final Operator PLUS_CUSTOM = Operator.custom("+", Operator.ADDITIVE_LEVEL, false);
    private static final String STRING_CHARS = "abcXYZ%_/'\\:$1 #é";

    private final Random s;
    private final Random v;
    final Mode mode;
    private final int maxDepth;
    private int names;
    private final List<Expression<Boolean>> conditions = new ArrayList<>();
    private final List<Expression<Integer>> ints = new ArrayList<>();
    private final List<Select> intSelects = new ArrayList<>();
    /** Which constructs this statement uses (for the coverage report). */
    final java.util.Set<String> features = new java.util.TreeSet<>();

    StatementGenerator(long shapeSeed, long valueSeed) {
        this.s = new Random(shapeSeed);
        this.v = new Random(valueSeed);
        int m = s.nextInt(3);
        this.mode = m == 0 ? Mode.TINY : m == 1 ? Mode.SMALL : Mode.FULL;
        this.maxDepth = mode == Mode.FULL ? 3 : 2;
    }

    /** A random statement: SELECT, set operation, INSERT, UPDATE, DELETE or text(). */
    Statement statement() {
        if (mode == Mode.TINY) {
            return tinySelect();
        }
        int r = s.nextInt(100);
        if (r < 50) {
            return select(null, 0, null);
        }
        if (r < 64) {
            return compound(null, 0, null);
        }
        if (r < 76) {
            return insert();
        }
        if (r < 86) {
            return update();
        }
        if (r < 94) {
            return delete();
        }
        return text();
    }

    // ================================================================= helpers

    private int pick(int full, int small) {
        return s.nextInt(mode == Mode.FULL ? full : small);
    }

    /** One of {@code choices}: FULL mode's at full depth, the smaller vocabulary otherwise. */
    private int choose(int depth, int[] fullLeaf, int[] full, int[] smallLeaf, int[] small) {
        int[] c = mode == Mode.FULL ? (depth >= maxDepth ? fullLeaf : full) : (depth >= maxDepth ? smallLeaf : small);
        return c[s.nextInt(c.length)];
    }

    private static int[] range(int n, int... more) {
        int[] r = new int[n + more.length];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        System.arraycopy(more, 0, r, n, more.length);
        return r;
    }

    private boolean chance(int percent) {
        return s.nextInt(100) < percent;
    }

    private String name(String prefix) {
        // Mostly fresh names; now and then an earlier one again (two FROM objects, one name).
        if (names > 0 && s.nextInt(12) == 0) {
            return prefix + (names - 1);
        }
        return prefix + names++;
    }

    private void feature(String f) {
        features.add(f);
    }

    // ================================================================= values (value random only)

    @SuppressWarnings("unchecked")
    private <T> T value(SqlType<T> t) {
        Class<?> j = t.javaType();
        Object o;
        if (j == Integer.class) {
            o = v.nextInt(2_000_000) - 1_000_000;
        } else if (j == Long.class) {
            o = v.nextLong();
        } else if (j == BigDecimal.class) {
            o = BigDecimal.valueOf(v.nextInt(10_000_000), v.nextInt(3));
        } else if (j == String.class) {
            o = string();
        } else {
            throw new AssertionError(t);
        }
        return (T) o;
    }

    private String string() {
        int n = 4 + v.nextInt(8);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(STRING_CHARS.charAt(v.nextInt(STRING_CHARS.length())));
        }
        return sb.toString();
    }

    /** A list of random length 0..5, now and then with a null element. */
    private <T> List<T> list(SqlType<T> t) {
        int n = v.nextInt(6);
        List<T> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(v.nextInt(15) == 0 ? null : value(t));
        }
        return l;
    }

    private List<Object[]> rows(List<SqlType<?>> types) {
        int n = v.nextInt(4);
        List<Object[]> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object[] row = new Object[types.size()];
            for (int k = 0; k < row.length; k++) {
                row[k] = value(types.get(k));
            }
            l.add(row);
        }
        return l;
    }

    // ================================================================= scopes and FROM elements

    /** The FROM elements visible to the expressions of one SELECT, and the enclosing ones. */
    static final class Scope {
        final List<FromClause> sources = new ArrayList<>();
        final Scope outer;

        Scope(Scope outer) {
            this.outer = outer;
        }
    }

    private Table table() {
        return mode == Mode.FULL ? TABLES.get(s.nextInt(TABLES.size()))
                : s.nextInt(4) == 0 ? OTHER_ARTIST : ARTIST;
    }

    private FromClause source(Scope sc, int depth) {
        int r = depth >= maxDepth ? pick(8, 7) : pick(12, 10);
        FromClause f;
        if (r < 5) {
            f = table();
        } else if (r < 7) {
            feature("alias");
            f = table().as(ALIASES[s.nextInt(ALIASES.length)]);
        } else if (r < 8) {
            // the same alias object again, or a second object with the same alias name
            TableAlias again = null;
            for (FromClause x : sc.sources) {
                if (x instanceof TableAlias) {
                    again = (TableAlias) x;
                }
            }
            feature("alias-reuse");
            f = again != null && s.nextBoolean() ? again : table().as(ALIASES[0]);
        } else if (r < 10) {
            feature("subquery");
            Select q = select(sc.outer, depth + 1, null);
            boolean lateral = mode == Mode.FULL && s.nextInt(6) == 0;
            if (lateral) {
                feature("lateral");
                q = select(sc, depth + 1, null);
            }
            f = lateral ? q.lateral(name("lat")) : q.subquery(name("sq"));
        } else {
            feature("cte");
            f = cte(sc, depth);
        }
        sc.sources.add(f);
        return f;
    }

    private Cte cte(Scope sc, int depth) {
        if (mode == Mode.FULL && s.nextInt(4) == 0) {
            feature("recursive-cte");
            Cte anchor = Sql.select(Sql.literal(1).as("n")).cteRecursive(name("r"));
            Column<Integer> n = anchor.c("n", SqlTypes.INTEGER);
            return anchor.unionAll(Sql.select(n.plus(1)).from(anchor).where(n.lt(value(SqlTypes.INTEGER))));
        }
        return select(sc.outer, depth + 1, null).cte(name("c"));
    }

    /** A FROM tree: one element, maybe joined to others (FK-inferred or explicit ON). */
    private FromClause fromTree(Scope sc, int depth) {
        FromClause left = source(sc, depth);
        int joins = mode == Mode.FULL ? s.nextInt(3) : s.nextInt(2);
        for (int i = 0; i < joins; i++) {
            FromClause right = mode == Mode.FULL ? source(sc, depth) : sourceJoinable(sc);
            left = join(sc, left, right);
        }
        return left;
    }

    private FromClause sourceJoinable(Scope sc) {
        FromClause f = s.nextBoolean() ? ALBUM : TRACK;
        sc.sources.add(f);
        return f;
    }

    private Join join(Scope sc, FromClause left, FromClause right) {
        feature("join");
        int type = pick(5, 2);
        boolean inferred = type < 2 && s.nextBoolean();
        if (inferred) {
            try {
                Join j = type == 0 ? left.join(right) : left.leftJoin(right);
                feature("join-fk-inferred");
                return j;
            } catch (io.retort.error.ArgumentError noSingleForeignKey) {
                // fall through to an explicit ON (the same for every value seed: no value was drawn)
            }
        }
        Expression<Boolean> on = s.nextInt(3) == 0 ? condition(sc, maxDepth) : onEq(sc, left, right);
        switch (type) {
            case 0: return left.join(right, on);
            case 1: return left.leftJoin(right, on);
            case 2: return left.rightJoin(right, on);
            case 3: return left.fullJoin(right, on);
            default: return left.crossJoin(right);
        }
    }

    private Expression<Boolean> onEq(Scope sc, FromClause left, FromClause right) {
        Expression<Integer> a = columnOf(left, SqlTypes.INTEGER);
        Expression<Integer> b = columnOf(right, SqlTypes.INTEGER);
        if (a == null || b == null) {
            return condition(sc, maxDepth);
        }
        return a.eq(b);
    }

    private <T> Column<T> columnOf(FromClause f, SqlType<T> type) {
        List<Column<?>> cs = new ArrayList<>();
        for (Column<?> c : f.columns()) {
            if (c.type().javaType() == type.javaType()) {
                cs.add(c);
            }
        }
        if (cs.isEmpty()) {
            return null;
        }
        return typed(cs.get(s.nextInt(cs.size())));
    }

    /** The column itself, typed (its Java type was checked): a derived column name may repeat. */
    @SuppressWarnings("unchecked")
    private static <T> Column<T> typed(Column<?> c) {
        return (Column<T>) c;
    }

    /** A column of {@code type} from the scope (now and then the enclosing one: correlation), or null. */
    private <T> Column<T> column(Scope sc, SqlType<T> type) {
        Scope from = sc;
        if (sc != null && sc.outer != null && s.nextInt(5) == 0) {
            feature("correlation");
            from = sc.outer;
        }
        if (from == null || from.sources.isEmpty()) {
            return null;
        }
        List<Column<?>> cs = new ArrayList<>();
        for (FromClause f : from.sources) {
            for (Column<?> c : f.columns()) {
                if (c.type().javaType() == type.javaType()) {
                    cs.add(c);
                }
            }
        }
        if (cs.isEmpty()) {
            return null;
        }
        return typed(cs.get(s.nextInt(cs.size())));
    }

    /** A column of {@code type}, else a bound value of it. */
    private <T> Expression<T> ref(Scope sc, SqlType<T> type) {
        Column<T> c = column(sc, type);
        return c != null ? c : Sql.param(value(type), type);
    }

    // ================================================================= typed expressions

    @SuppressWarnings("unchecked")
    private <T> Expression<T> expr(Scope sc, SqlType<T> type, int depth) {
        Class<?> j = type.javaType();
        if (j == Integer.class) {
            return (Expression<T>) intExpr(sc, depth);
        }
        if (j == String.class) {
            return (Expression<T>) stringExpr(sc, depth);
        }
        if (j == BigDecimal.class) {
            return (Expression<T>) numericExpr(sc, depth);
        }
        return ref(sc, type);
    }

    private static final int[] INT_FULL_LEAF = range(9);
    private static final int[] INT_FULL = range(17);
    private static final int[] INT_SMALL_LEAF = range(4);
    private static final int[] INT_SMALL = range(6, 14, 14);

    private Expression<Integer> intExpr(Scope sc, int depth) {
        int r = choose(depth, INT_FULL_LEAF, INT_FULL, INT_SMALL_LEAF, INT_SMALL);
        Expression<Integer> e;
        switch (r) {
            case 0: case 1: e = ref(sc, SqlTypes.INTEGER); break;
            case 2: e = Sql.param(value(SqlTypes.INTEGER)); break;
            case 3:
                if (!ints.isEmpty() && s.nextInt(4) > 0) {
                    feature("shared-expression");
                    return ints.get(s.nextInt(ints.size()));
                }
                e = ref(sc, SqlTypes.INTEGER);
                break;
            case 4: feature("literal"); e = Sql.literal(s.nextInt(3)); break;
            case 5: {
                Expression<Integer> a = ref(sc, SqlTypes.INTEGER);
                int op = s.nextInt(5);
                Integer x = value(SqlTypes.INTEGER);
                e = op == 0 ? a.plus(x) : op == 1 ? a.minus(x) : op == 2 ? a.times(x) : op == 3 ? a.div(x) : a.mod(x);
                feature("arithmetic");
                break;
            }
            case 6: feature("negate"); e = ref(sc, SqlTypes.INTEGER).negate(); break;
            case 7: feature("literal-execute");
                e = Sql.param("p" + s.nextInt(2), value(SqlTypes.INTEGER), SqlTypes.INTEGER).literalExecute();
                break;
            case 8: feature("named-bind"); e = Sql.param("p" + s.nextInt(2), value(SqlTypes.INTEGER), SqlTypes.INTEGER); break;
            case 9: {
                feature("arithmetic-nested");
                Expression<Integer> a = intExpr(sc, depth + 1);
                Expression<Integer> b = intExpr(sc, depth + 1);
                int op = s.nextInt(4);
                e = op == 0 ? a.plus(b) : op == 1 ? a.minus(b) : op == 2 ? a.times(b)
                        : a.op(s.nextBoolean() ? MINUS_NON_ASSOC : PLUS_CUSTOM, b, SqlTypes.INTEGER);
                break;
            }
            case 10: {
                feature("case");
                var c = Sql.caseWhen(condition(sc, depth + 1), value(SqlTypes.INTEGER), SqlTypes.INTEGER);
                if (s.nextBoolean()) {
                    c = c.when(condition(sc, depth + 1), intExpr(sc, depth + 1));
                }
                e = s.nextBoolean() ? c.otherwise(value(SqlTypes.INTEGER)) : c;
                break;
            }
            case 11: feature("cast"); e = Sql.cast(stringExpr(sc, depth + 1), SqlTypes.INTEGER); break;
            case 12: feature("function");
                e = s.nextBoolean() ? Sql.function("abs", SqlTypes.INTEGER, intExpr(sc, depth + 1))
                        : Sql.coalesce(intExpr(sc, depth + 1), Sql.param(value(SqlTypes.INTEGER)));
                break;
            case 13: feature("aggregate");
                e = s.nextBoolean() ? Sql.max(ref(sc, SqlTypes.INTEGER)) : Sql.min(ref(sc, SqlTypes.INTEGER));
                break;
            case 14: e = scalarInt(sc, depth); break;
            case 15: feature("aggregate-filter");
                e = Sql.max(ref(sc, SqlTypes.INTEGER)).filter(condition(sc, depth + 1));
                break;
            default: {
                feature("text-expr");
                e = Sql.textExpr(s.nextBoolean() ? "1" : "EXTRACT(YEAR FROM CURRENT_DATE)", SqlTypes.INTEGER);
            }
        }
        if (s.nextInt(3) == 0) {
            ints.add(e);
        }
        return e;
    }

    private Expression<Integer> scalarInt(Scope sc, int depth) {
        feature("scalar-subquery");
        return intSelect(sc, depth).scalar();
    }

    /** A one-column INTEGER SELECT, sometimes the same object as before (a reused subquery). */
    private Select intSelect(Scope sc, int depth) {
        if (!intSelects.isEmpty() && s.nextBoolean()) {
            feature("shared-subquery");
            return intSelects.get(s.nextInt(intSelects.size()));
        }
        Select q = select(sc, depth + 1, List.of(SqlTypes.INTEGER));
        intSelects.add(q);
        return q;
    }

    private Expression<String> stringExpr(Scope sc, int depth) {
        int r = depth >= maxDepth ? pick(8, 3) : pick(14, 4);
        switch (r) {
            case 0: case 1: return ref(sc, SqlTypes.VARCHAR);
            case 2: return Sql.param(value(SqlTypes.VARCHAR));
            case 3: feature("function"); return s.nextBoolean() ? Sql.lower(ref(sc, SqlTypes.VARCHAR)) : Sql.upper(ref(sc, SqlTypes.VARCHAR));
            case 4: feature("literal"); return Sql.literal(s.nextBoolean() ? "it's" : "x");
            case 5: feature("concat"); return ref(sc, SqlTypes.VARCHAR).concat(value(SqlTypes.VARCHAR));
            case 6: feature("collate"); return ref(sc, SqlTypes.VARCHAR).collate(s.nextBoolean() ? "C" : "en_US");
            case 7: feature("null"); return Sql.nullValue(SqlTypes.VARCHAR);
            case 8: feature("cast"); return Sql.cast(intExpr(sc, depth + 1), s.nextBoolean() ? SqlTypes.VARCHAR : SqlTypes.varchar(20));
            case 9: feature("concat"); return stringExpr(sc, depth + 1).concat(stringExpr(sc, depth + 1));
            case 10: feature("function"); return Sql.coalesce(stringExpr(sc, depth + 1), Sql.param(value(SqlTypes.VARCHAR)));
            case 11: {
                feature("case");
                var c = Sql.caseWhen(condition(sc, depth + 1), value(SqlTypes.VARCHAR), SqlTypes.VARCHAR);
                return s.nextBoolean() ? c.otherwise(stringExpr(sc, depth + 1)) : c;
            }
            case 12: feature("scalar-subquery");
                return select(sc, depth + 1, List.of(SqlTypes.VARCHAR)).scalar();
            default: feature("function-type");
                return Sql.function("coalesce", s.nextBoolean() ? SqlTypes.VARCHAR : SqlTypes.TEXT, ref(sc, SqlTypes.VARCHAR));
        }
    }

    private Expression<BigDecimal> numericExpr(Scope sc, int depth) {
        int r = depth >= maxDepth ? pick(5, 2) : pick(7, 2);
        switch (r) {
            case 0: return ref(sc, SqlTypes.NUMERIC);
            case 1: return Sql.param(value(SqlTypes.NUMERIC));
            case 2: feature("arithmetic"); return ref(sc, SqlTypes.NUMERIC).times(value(SqlTypes.NUMERIC));
            case 3: feature("aggregate"); return Sql.sum(ref(sc, SqlTypes.NUMERIC));
            case 4: feature("literal"); return Sql.literal(new BigDecimal(s.nextBoolean() ? "0.99" : "-1.5"));
            case 5: feature("cast"); return Sql.cast(intExpr(sc, depth + 1), SqlTypes.numeric(10, 2));
            default: feature("window");
                return Sql.sum(ref(sc, SqlTypes.NUMERIC)).over(window(sc, depth + 1));
        }
    }

    private Window window(Scope sc, int depth) {
        Window w = Sql.window();
        if (s.nextBoolean()) {
            w = w.partitionBy(ref(sc, SqlTypes.INTEGER));
        }
        if (s.nextBoolean()) {
            w = w.orderBy(s.nextBoolean() ? ref(sc, SqlTypes.VARCHAR).desc() : ref(sc, SqlTypes.INTEGER));
        }
        if (s.nextInt(3) == 0) {
            w = w.rowsBetween(s.nextBoolean() ? Window.FrameBound.UNBOUNDED_PRECEDING : Window.FrameBound.preceding(s.nextInt(3)),
                    Window.FrameBound.CURRENT_ROW);
        }
        return w;
    }

    // ================================================================= conditions

    // Leaf conditions are cases 0-9; 10-18 nest (AND/OR, NOT, EXISTS, IN/scalar subqueries, IN set operation).
    private static final int[] COND_FULL_LEAF = range(10);
    private static final int[] COND_FULL = range(19, 0, 2);
    private static final int[] COND_SMALL_LEAF = range(5);
    private static final int[] COND_SMALL = range(5, 10, 13, 14, 15, 16, 17);

    Expression<Boolean> condition(Scope sc, int depth) {
        if (!conditions.isEmpty() && s.nextInt(12) == 0) {
            feature("shared-condition");
            return conditions.get(s.nextInt(conditions.size()));
        }
        int r = choose(depth, COND_FULL_LEAF, COND_FULL, COND_SMALL_LEAF, COND_SMALL);
        Expression<Boolean> c;
        switch (r) {
            case 0: case 1: c = compare(sc, SCALAR_TYPES[pick(3, 2)], depth); break;
            case 2: feature("in"); c = in(sc, SCALAR_TYPES[pick(3, 2)]); break;
            case 3: feature("like"); c = like(sc); break;
            case 4: feature("is-null");
                c = s.nextBoolean() ? ref(sc, SqlTypes.INTEGER).isNull() : ref(sc, SqlTypes.VARCHAR).isNotNull();
                break;
            case 5: feature("between"); c = between(sc); break;
            case 6: feature("is-distinct-from");
                c = s.nextBoolean() ? ref(sc, SqlTypes.INTEGER).isDistinctFrom(value(SqlTypes.INTEGER))
                        : ref(sc, SqlTypes.INTEGER).isNotDistinctFrom(ref(sc, SqlTypes.INTEGER));
                break;
            case 7: feature("tuple-in"); c = tupleIn(sc); break;
            case 8: feature("text-expr"); c = Sql.textExpr(s.nextBoolean() ? "1 = 1" : "CURRENT_DATE > DATE '2000-01-01'", SqlTypes.BOOLEAN); break;
            case 9: feature("constant"); c = s.nextBoolean() ? Sql.trueValue() : Sql.falseValue(); break;
            case 10: case 11: case 12: {
                feature("and-or");
                int n = 2 + s.nextInt(2);
                List<Expression<Boolean>> terms = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    terms.add(condition(sc, depth + 1));
                }
                c = s.nextBoolean() ? Sql.and(terms) : terms.get(0).or(terms.get(1));
                break;
            }
            case 13: feature("not"); c = Sql.not(condition(sc, depth + 1)); break;
            case 14: case 15: feature("exists"); c = exists(sc, depth); break;
            case 16: feature("in-subquery");
                c = s.nextBoolean() ? ref(sc, SqlTypes.INTEGER).in(intSelect(sc, depth))
                        : ref(sc, SqlTypes.INTEGER).notIn(intSelect(sc, depth));
                if (s.nextInt(3) == 0) {
                    // a second IN subquery: the same SELECT object again half the time
                    c = c.or(ref(sc, SqlTypes.INTEGER).notIn(intSelect(sc, depth)));
                }
                break;
            case 17: feature("scalar-compare"); c = ref(sc, SqlTypes.INTEGER).gt(scalarInt(sc, depth)); break;
            case 18: feature("in-compound");
                c = ref(sc, SqlTypes.INTEGER).in(compound(sc, depth + 1, List.of(SqlTypes.INTEGER)));
                break;
            default: c = compare(sc, SCALAR_TYPES[s.nextInt(3)], depth); break;
        }
        conditions.add(c);
        return c;
    }

    private <T> Expression<Boolean> compare(Scope sc, SqlType<T> type, int depth) {
        feature("compare");
        Expression<T> left = mode == Mode.FULL && s.nextInt(3) == 0 ? expr(sc, type, depth + 1) : ref(sc, type);
        int op = pick(6, 3);
        boolean withExpression = s.nextInt(4) == 0;
        Expression<T> right = withExpression ? expr(sc, type, depth + 1) : null;
        switch (op) {
            case 0: return right != null ? left.eq(right) : left.eq(value(type));
            case 1: return right != null ? left.ne(right) : left.ne(value(type));
            case 2: return right != null ? left.lt(right) : left.lt(value(type));
            case 3: return right != null ? left.gt(right) : left.gt(value(type));
            case 4: return right != null ? left.le(right) : left.le(value(type));
            default: return right != null ? left.ge(right) : left.ge(value(type));
        }
    }

    private <T> Expression<Boolean> in(Scope sc, SqlType<T> type) {
        Expression<T> left = ref(sc, type);
        return s.nextInt(3) == 0 ? left.notIn(list(type)) : left.in(list(type));
    }

    private Expression<Boolean> like(Scope sc) {
        Expression<String> x = ref(sc, SqlTypes.VARCHAR);
        int r = pick(10, 4);
        switch (r) {
            case 0: feature("startsWith-autoescape"); return x.startsWith(value(SqlTypes.VARCHAR), true);
            case 1: return x.like(value(SqlTypes.VARCHAR));
            case 2: return x.startsWith(value(SqlTypes.VARCHAR));
            case 3: return x.contains(value(SqlTypes.VARCHAR), true);
            case 4: return x.like(value(SqlTypes.VARCHAR), '#');
            case 5: return x.notLike(value(SqlTypes.VARCHAR));
            case 6: return x.ilike(value(SqlTypes.VARCHAR));
            case 7: return x.endsWith(value(SqlTypes.VARCHAR), true, '#');
            case 8: return x.startsWith(value(SqlTypes.VARCHAR), true).not();
            default: return x.contains(value(SqlTypes.VARCHAR));
        }
    }

    private Expression<Boolean> between(Scope sc) {
        if (s.nextBoolean()) {
            Expression<Integer> x = ref(sc, SqlTypes.INTEGER);
            return s.nextBoolean() ? x.between(value(SqlTypes.INTEGER), value(SqlTypes.INTEGER))
                    : x.notBetween(value(SqlTypes.INTEGER), value(SqlTypes.INTEGER));
        }
        return ref(sc, SqlTypes.NUMERIC).between(ref(sc, SqlTypes.NUMERIC), Sql.param(value(SqlTypes.NUMERIC)));
    }

    private Expression<Boolean> tupleIn(Scope sc) {
        Expression<Integer> a = ref(sc, SqlTypes.INTEGER);
        Expression<String> b = ref(sc, SqlTypes.VARCHAR);
        List<Object[]> rows = rows(List.of(SqlTypes.INTEGER, SqlTypes.VARCHAR));
        return s.nextBoolean() ? Sql.tuple(a, b).in(rows) : Sql.tuple(a, b).notIn(rows);
    }

    private Expression<Boolean> exists(Scope sc, int depth) {
        Select q = select(sc, depth + 1, null);
        return s.nextInt(4) == 0 ? Sql.not(q.exists()) : q.exists();
    }

    // ================================================================= SELECT

    private Statement tinySelect() {
        Table t = s.nextBoolean() ? ARTIST : OTHER_ARTIST;
        Column<?> col = t.columns().get(s.nextInt(2));
        // Always an explicit FROM: TINY shapes are canonical (select(c) and select(c).from(t) render
        // alike but key differently, a harmless missed sharing the other modes do generate).
        Select q = Sql.select(col).from(t);
        Column<Integer> id = t.c("artist_id", SqlTypes.INTEGER);
        Column<String> name = t.c("name", SqlTypes.VARCHAR);
        switch (s.nextInt(5)) {
            case 0: q = q.where(id.eq(value(SqlTypes.INTEGER))); break;
            case 1: q = q.where(id.in(list(SqlTypes.INTEGER))); break;
            case 2: q = q.where(name.startsWith(value(SqlTypes.VARCHAR), true)); break;
            case 3: q = q.where(id.gt(value(SqlTypes.INTEGER)), name.ne(value(SqlTypes.VARCHAR))); break;
            default: break;
        }
        if (s.nextBoolean()) {
            q = q.limit(v.nextInt(1_000_000));
        }
        return q;
    }

    /**
     * A SELECT in the scope {@code outer} (null at top level). With {@code types}, it selects exactly
     * those column types (for scalar subqueries, IN subqueries and set-operation members).
     */
    Select select(Scope outer, int depth, List<SqlType<?>> types) {
        Scope sc = new Scope(outer);
        FromClause from = depth >= maxDepth && s.nextBoolean() ? simpleSource(sc) : fromTree(sc, depth);
        boolean explicitFrom = !(from instanceof Table) || s.nextInt(3) > 0;

        List<Expression<?>> cols = new ArrayList<>();
        List<Expression<?>> labelled = new ArrayList<>();
        if (types != null) {
            for (SqlType<?> t : types) {
                Expression<?> e = s.nextInt(3) == 0 ? expr(sc, t, depth + 1) : ref(sc, t);
                cols.add(maybeLabel(e, labelled));
            }
        } else {
            int n = 1 + pick(4, 2);
            for (int i = 0; i < n; i++) {
                cols.add(maybeLabel(selectedColumn(sc, depth), labelled));
            }
        }
        Select q;
        if (explicitFrom && s.nextInt(5) == 0 && from instanceof Join) {
            // the Select.join API: from(left).join(right[, on])
            Join j = (Join) from;
            q = Sql.select(cols).from(j.left());
            try {
                q = s.nextBoolean() ? q.join(j.right(), j.on() == null ? Sql.trueValue() : j.on()) : q.join(j.right());
                feature("select-join");
            } catch (io.retort.error.ArgumentError noSingleForeignKey) {
                q = Sql.select(cols).from(from);
            }
        } else {
            q = Sql.select(cols);
            if (explicitFrom) {
                q = q.from(from);
            }
        }
        if (chance(mode == Mode.FULL ? 60 : 50)) {
            q = q.where(condition(sc, depth + 1));
            if (s.nextInt(6) == 0) {
                q = q.where(condition(sc, depth + 1)); // ANDed with the first
            }
        }
        if (mode == Mode.FULL && chance(20)) {
            q = groupBy(q, sc);
        }
        if (chance(mode == Mode.FULL ? 30 : 35)) {
            q = q.orderBy(orderBy(sc, labelled));
        }
        if (chance(30)) {
            q = q.limit(v.nextInt(1_000_000));
            if (s.nextBoolean()) {
                q = q.offset(v.nextInt(1_000_000));
            }
        } else if (mode == Mode.FULL && chance(5)) {
            q = q.offset(v.nextInt(1_000_000));
        }
        if (chance(10)) {
            feature("distinct");
            q = q.distinct();
        }
        if (mode == Mode.FULL && chance(3)) {
            feature("distinct-on");
            q = q.distinctOn(ref(sc, SqlTypes.INTEGER));
        }
        if (mode == Mode.FULL && depth == 0 && chance(6)) {
            feature("lock");
            LockClause l = s.nextBoolean() ? LockClause.forUpdate() : LockClause.forShare();
            if (s.nextBoolean()) {
                l = l.of(sc.sources.get(s.nextInt(sc.sources.size())));
            }
            if (s.nextBoolean()) {
                l = s.nextBoolean() ? l.nowait() : l.skipLocked();
            }
            q = q.lock(l);
        }
        return q;
    }

    private FromClause simpleSource(Scope sc) {
        FromClause f = table();
        sc.sources.add(f);
        return f;
    }

    private Expression<?> maybeLabel(Expression<?> e, List<Expression<?>> labelled) {
        if (s.nextInt(4) == 0) {
            Expression<?> l = e.as(LABELS[s.nextInt(LABELS.length)]);
            labelled.add(l);
            feature("label");
            return l;
        }
        return e;
    }

    private Expression<?> selectedColumn(Scope sc, int depth) {
        int r = pick(14, 6);
        switch (r) {
            case 0: case 1: return ref(sc, SqlTypes.INTEGER);
            case 2: case 3: return ref(sc, SqlTypes.VARCHAR);
            case 4: return intExpr(sc, depth + 1);
            case 5: feature("scalar-subquery"); return select(sc, depth + 1, List.of(SCALAR_TYPES[s.nextInt(2)])).scalar();
            case 6: return stringExpr(sc, depth + 1);
            case 7: return numericExpr(sc, depth + 1);
            case 8: feature("aggregate"); return s.nextBoolean() ? Sql.count() : Sql.count(ref(sc, SqlTypes.INTEGER)).distinct();
            case 9: feature("window");
                FunctionCall<Long> f = s.nextInt(3) == 0 ? Sql.rowNumber() : s.nextBoolean() ? Sql.rank() : Sql.denseRank();
                return f.over(window(sc, depth + 1));
            case 10: feature("null"); return s.nextBoolean() ? Sql.nullValue(SqlTypes.INTEGER) : Sql.nullValue(SqlTypes.VARCHAR);
            case 11: feature("star"); return Sql.star();
            case 12: feature("avg"); return Sql.avg(ref(sc, SqlTypes.INTEGER));
            default: feature("function-type");
                return s.nextBoolean() ? Sql.function("coalesce", SqlTypes.INTEGER, ref(sc, SqlTypes.INTEGER))
                        : Sql.function("coalesce", SqlTypes.BIGINT, ref(sc, SqlTypes.INTEGER));
        }
    }

    private Select groupBy(Select q, Scope sc) {
        feature("group-by");
        int r = s.nextInt(5);
        Expression<Integer> a = ref(sc, SqlTypes.INTEGER);
        Expression<String> b = ref(sc, SqlTypes.VARCHAR);
        switch (r) {
            case 0: q = q.groupBy(a); break;
            case 1: q = q.groupBy(a, b); break;
            case 2: feature("rollup"); q = q.groupBy(s.nextBoolean() ? Sql.rollup(a, b) : Sql.cube(a)); break;
            case 3: feature("grouping-sets"); q = q.groupBy(b, Sql.groupingSets(List.of(a), List.of())); break;
            default: q = q.groupBy(b); break;
        }
        if (s.nextBoolean()) {
            feature("having");
            q = q.having(Sql.count().gt(v.nextLong()));
        }
        return q;
    }

    private OrderByElement[] orderBy(Scope sc, List<Expression<?>> labelled) {
        feature("order-by");
        int n = 1 + s.nextInt(2);
        OrderByElement[] out = new OrderByElement[n];
        for (int i = 0; i < n; i++) {
            Expression<?> e = !labelled.isEmpty() && s.nextInt(3) == 0 ? labelled.get(s.nextInt(labelled.size()))
                    : s.nextBoolean() ? ref(sc, SqlTypes.VARCHAR) : ref(sc, SqlTypes.INTEGER);
            int dir = pick(5, 2);
            switch (dir) {
                case 0: out[i] = e.asc(); break;
                case 1: out[i] = e.desc(); break;
                case 2: out[i] = e; break;
                case 3: out[i] = e.desc().nullsLast(); break;
                default: out[i] = e.asc().nullsFirst(); break;
            }
        }
        return out;
    }

    /** A set operation of 2-3 SELECTs of the same column types, with its own ORDER BY/LIMIT now and then. */
    SelectBase compound(Scope outer, int depth, List<SqlType<?>> givenTypes) {
        feature("set-operation");
        List<SqlType<?>> types = givenTypes;
        if (types == null) {
            types = new ArrayList<>();
            int k = 1 + s.nextInt(2);
            for (int i = 0; i < k; i++) {
                types.add(SCALAR_TYPES[s.nextInt(2)]);
            }
        }
        SelectBase c = select(outer, depth + 1, types);
        int members = 2 + pick(2, 1);
        for (int i = 1; i < members; i++) {
            Select m = select(outer, depth + 1, types);
            int kind = pick(6, 2);
            switch (kind) {
                case 0: c = c.union(m); break;
                case 1: c = c.unionAll(m); break;
                case 2: c = c.intersect(m); break;
                case 3: c = c.except(m); break;
                case 4: c = c.intersectAll(m); break;
                default: c = c.exceptAll(m); break;
            }
        }
        CompoundSelect cs = (CompoundSelect) c;
        if (chance(40)) {
            Expression<?> first = cs.selectedColumns().get(0);
            cs = cs.orderBy(s.nextBoolean() ? first.desc() : first);
        }
        if (chance(35)) {
            cs = cs.limit(v.nextInt(1_000_000));
            if (s.nextBoolean()) {
                cs = cs.offset(v.nextInt(1_000_000));
            }
        }
        return cs;
    }

    // ================================================================= DML and text

    private Insert insert() {
        Table t = table();
        Insert ins = Sql.insert(t);
        int form = s.nextInt(10);
        List<Column<?>> cols = someColumns(t);
        if (form < 5) {
            feature("insert");
            for (Column<?> c : cols) {
                ins = setInsert(ins, c, s.nextInt(5) == 0);
            }
        } else if (form < 7) {
            feature("insert-multirow");
            int n = 2 + s.nextInt(3);
            List<Map<Column<?>, Object>> rows = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                Map<Column<?>, Object> row = new LinkedHashMap<>();
                for (Column<?> c : cols) {
                    row.put(c, v.nextInt(20) == 0 ? null : value(c.type()));
                }
                rows.add(row);
            }
            ins = ins.values(rows);
        } else if (form < 9) {
            feature("insert-from-select");
            List<SqlType<?>> types = new ArrayList<>();
            for (Column<?> c : cols) {
                types.add(c.type());
            }
            SelectBase q = s.nextInt(4) == 0 ? compound(null, 1, types) : select(null, 1, types);
            ins = ins.fromSelect(cols, q);
        } else {
            feature("insert-default-values");
        }
        if (mode == Mode.FULL && chance(15)) {
            feature("on-conflict");
            Column<?> pk = t.columns().get(0);
            if (s.nextBoolean()) {
                ins = ins.onConflictDoNothing(pk);
            } else {
                Column<?> c = t.columns().get(1);
                Map<Column<?>, Object> set = new LinkedHashMap<>();
                set.put(c, s.nextBoolean() ? c.inserted() : value(c.type()));
                ins = ins.onConflictDoUpdate(List.of(pk), set,
                        s.nextBoolean() ? null : t.c(pk.name(), SqlTypes.INTEGER).gt(value(SqlTypes.INTEGER)));
            }
        }
        if (chance(40)) {
            ins = ins.returning(returning(t));
        }
        return ins;
    }

    private <T> Insert setInsert(Insert ins, Column<T> c, boolean expression) {
        if (expression) {
            Scope sc = new Scope(null);
            return ins.set(c, expr(sc, c.type(), maxDepth));
        }
        return ins.set(c, v.nextInt(20) == 0 ? null : value(c.type()));
    }

    private List<Column<?>> someColumns(Table t) {
        List<Column<?>> cols = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            if (s.nextInt(3) > 0) {
                cols.add(c);
            }
        }
        if (cols.isEmpty()) {
            cols.add(t.columns().get(s.nextInt(t.columns().size())));
        }
        return cols;
    }

    private Expression<?>[] returning(Table t) {
        feature("returning");
        int n = 1 + s.nextInt(2);
        Expression<?>[] out = new Expression<?>[n];
        for (int i = 0; i < n; i++) {
            Column<?> c = t.columns().get(s.nextInt(t.columns().size()));
            int r = s.nextInt(4);
            out[i] = r == 0 ? c.as("r" + i) : r == 1 ? Sql.count(c) : c;
        }
        return out;
    }

    private Update update() {
        feature("update");
        Table t = table();
        Scope sc = new Scope(null);
        sc.sources.add(t);
        Update u = Sql.update(t);
        for (Column<?> c : someColumns(t)) {
            u = setUpdate(u, c, sc);
        }
        if (mode == Mode.FULL && chance(15)) {
            feature("multi-table-update");
            FromClause other = s.nextBoolean() ? ALBUM : t == ALBUM ? TRACK : ALBUM;
            sc.sources.add(other);
            if (s.nextBoolean()) {
                u = u.from(other);
            }
        }
        if (chance(80)) {
            u = u.where(condition(sc, 1));
        }
        if (chance(40)) {
            u = u.returning(returning(t));
        }
        return u;
    }

    @SuppressWarnings("unchecked")
    private <T> Update setUpdate(Update u, Column<T> c, Scope sc) {
        int r = s.nextInt(6);
        if (r == 0) {
            return u.set(c, expr(sc, c.type(), 1));
        }
        if (r == 1 && c.type().javaType() == Integer.class) {
            feature("update-expression");
            return u.set(c, (Expression<T>) ((Expression<Integer>) c).plus(value(SqlTypes.INTEGER)));
        }
        return u.set(c, v.nextInt(20) == 0 ? null : value(c.type()));
    }

    private Delete delete() {
        feature("delete");
        Table t = table();
        Scope sc = new Scope(null);
        sc.sources.add(t);
        Delete d = Sql.delete(t);
        if (mode == Mode.FULL && chance(15)) {
            feature("multi-table-delete");
            FromClause other = t == TRACK ? ALBUM : TRACK;
            sc.sources.add(other);
            if (s.nextBoolean()) {
                d = d.using(other);
            }
        }
        if (chance(85)) {
            d = d.where(condition(sc, 1));
        }
        if (chance(40)) {
            d = d.returning(returning(t));
        }
        return d;
    }

    private static final String[] TEXTS = {
        "SELECT name FROM artist WHERE artist_id = :id",
        "SELECT * FROM artist WHERE artist_id = :id OR name = :n OR artist_id = :id",
        "SELECT ':id' AS s, name::text, $$ :n $$ FROM artist /* :c */ WHERE name = :n -- :x\n AND artist_id > :id",
        "UPDATE artist SET name = :n WHERE artist_id = :id",
        "SELECT 1",
    };

    private TextClause text() {
        feature("text");
        TextClause t = Sql.text(TEXTS[s.nextInt(TEXTS.length)]);
        int idType = s.nextInt(3);
        for (String n : new java.util.LinkedHashSet<>(t.bindNames())) {
            Object value;
            if (n.equals("id")) {
                value = idType == 0 ? (Object) value(SqlTypes.INTEGER) : idType == 1 ? (Object) v.nextLong()
                        : (Object) value(SqlTypes.VARCHAR);
            } else {
                value = value(SqlTypes.VARCHAR);
            }
            t = t.bind(n, value);
        }
        return t;
    }
}
