package io.retort.orm;

import io.retort.sql.Between;
import io.retort.sql.BinaryExpression;
import io.retort.sql.BindParam;
import io.retort.sql.Case;
import io.retort.sql.Cast;
import io.retort.sql.Collate;
import io.retort.sql.Column;
import io.retort.sql.CompoundSelect;
import io.retort.sql.Constant;
import io.retort.sql.Cte;
import io.retort.sql.Ddl;
import io.retort.sql.Delete;
import io.retort.sql.Exists;
import io.retort.sql.Expression;
import io.retort.sql.FunctionCall;
import io.retort.sql.InExpression;
import io.retort.sql.Insert;
import io.retort.sql.InsertedValue;
import io.retort.sql.Join;
import io.retort.sql.Junction;
import io.retort.sql.Label;
import io.retort.sql.Like;
import io.retort.sql.Literal;
import io.retort.sql.NextValue;
import io.retort.sql.Operator;
import io.retort.sql.Over;
import io.retort.sql.ScalarSubquery;
import io.retort.sql.Select;
import io.retort.sql.SqlVisitor;
import io.retort.sql.Subquery;
import io.retort.sql.Table;
import io.retort.sql.TableAlias;
import io.retort.sql.TextClause;
import io.retort.sql.Tuple;
import io.retort.sql.UnaryExpression;
import io.retort.sql.Update;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the Core expressions of a bulk statement into Java functions of a session object (O9,
 * SQLAlchemy's {@code evaluator.py}): WHERE criteria for {@link SynchronizeSession#EVALUATE}, SET
 * values for EVALUATE and FETCH. SQL's three-valued logic is kept: a comparison with NULL is
 * unknown (null), and only TRUE matches. What Java cannot reproduce faithfully is refused at
 * compile time with a reason ({@link Unevaluable}): columns of other tables, subqueries and
 * EXISTS (relationship predicates), functions, casts, collations, division (integer or decimal
 * depending on the database), custom operators. At run time an object that cannot be decided
 * (a needed column not loaded, values of unrelated types, an overflow, a decimal the database
 * would round) raises {@link Undecided}; the caller then expires that object. This class compiles
 * the expression tree; the value rules themselves (three-valued logic, comparisons, arithmetic,
 * LIKE, conversion to a column's type) are {@link SqlValues}'.
 */
final class BulkEvaluator implements SqlVisitor {
    /** A compiled expression: its value for one object. */
    @FunctionalInterface
    interface Ev {
        Object eval(InstanceState st);
    }

    /** The expression cannot be evaluated in Java; the message says which part and why. */
    static final class Unevaluable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unevaluable(String message) {
            super(message, null, false, false);
        }
    }

    /** This object's value cannot be decided in Java (thrown per object, without a stack trace). */
    static final class Undecided extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Undecided INSTANCE = new Undecided();

        private Undecided() {
            super("undecided", null, false, false);
        }
    }

    private final Mapper<?> mapper;
    private Ev result;

    private BulkEvaluator(Mapper<?> mapper) {
        this.mapper = mapper;
    }

    /** {@code e} as a function of an object of {@code mapper}'s entity; {@link Unevaluable} when it cannot be. */
    static Ev compile(Mapper<?> mapper, Expression<?> e) {
        return new BulkEvaluator(mapper).of(e);
    }

    /** Whether the outcome of {@code criteria} for {@code st} is TRUE ({@link Undecided} when unknown in Java). */
    static boolean matches(Ev criteria, InstanceState st) {
        return Boolean.TRUE.equals(criteria.eval(st));
    }

    private Ev of(Expression<?> e) {
        result = null;
        e.accept(this);
        Ev r = result;
        result = null;
        return r;
    }

    private static Unevaluable cannot(String what) {
        return new Unevaluable(what);
    }

    // ================================================================= values

    @Override
    public void visitColumn(Column<?> column) {
        Property p = mapper.property(column);
        if (p == null) {
            throw cannot("the criteria name " + column + ", a column of another table than "
                    + mapper.type().getSimpleName() + "'s");
        }
        int index = mapper.properties().indexOf(p);
        result = st -> {
            int i = st.mapper == mapper ? index : st.mapper.properties().indexOf(p);
            if (i < 0 || !st.isLoaded(i)) {
                throw Undecided.INSTANCE;
            }
            return st.value(i);
        };
    }

    @Override
    public void visitBindParam(BindParam<?> bind) {
        Object v = bind.value();
        result = st -> v;
    }

    @Override
    public void visitConstant(Constant<?> constant) {
        switch (constant.kind()) {
            case NULL:
                result = st -> null;
                break;
            case TRUE:
                result = st -> Boolean.TRUE;
                break;
            case FALSE:
                result = st -> Boolean.FALSE;
                break;
            default:
                throw cannot("'*' has no value");
        }
    }

    @Override
    public void visitLiteral(Literal<?> literal) {
        Object v = literal.value();
        result = st -> v;
    }

    // ================================================================= operators

    @Override
    public void visitBinary(BinaryExpression<?> b) {
        Operator op = b.operator();
        Ev l = of(b.left());
        Ev r = of(b.right());
        if (op.equals(Operator.EQ)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c == 0);
        } else if (op.equals(Operator.NE)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c != 0);
        } else if (op.equals(Operator.LT)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c < 0);
        } else if (op.equals(Operator.LE)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c <= 0);
        } else if (op.equals(Operator.GT)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c > 0);
        } else if (op.equals(Operator.GE)) {
            result = st -> SqlValues.cmp(l.eval(st), r.eval(st), c -> c >= 0);
        } else if (op.equals(Operator.IS) || op.equals(Operator.IS_NOT_DISTINCT_FROM)) {
            result = st -> SqlValues.notDistinct(l.eval(st), r.eval(st));
        } else if (op.equals(Operator.IS_NOT) || op.equals(Operator.IS_DISTINCT_FROM)) {
            result = st -> !SqlValues.notDistinct(l.eval(st), r.eval(st));
        } else if (op.equals(Operator.AND) || op.equals(Operator.OR)) {
            List<Ev> terms = List.of(l, r);
            result = junction(op.equals(Operator.AND), terms);
        } else if (op.equals(Operator.PLUS) || op.equals(Operator.MINUS) || op.equals(Operator.TIMES)) {
            char sign = op.sql().charAt(0);
            result = st -> SqlValues.arithmetic(sign, l.eval(st), r.eval(st));
        } else if (op.equals(Operator.CONCAT)) {
            result = st -> {
                Object a = l.eval(st);
                Object c = r.eval(st);
                if (a == null || c == null) {
                    return null;
                }
                if (!(a instanceof String) || !(c instanceof String)) {
                    throw Undecided.INSTANCE;
                }
                return (String) a + c;
            };
        } else {
            throw cannot("the operator '" + op.sql() + "' is not evaluated in Java"
                    + (op.equals(Operator.DIVIDE) || op.equals(Operator.MODULO)
                    ? " (integer or decimal division depends on the database)" : ""));
        }
    }

    @Override
    public void visitUnary(UnaryExpression<?> u) {
        Ev x = of(u.operand());
        String op = u.operator().trim();
        if (op.equals("NOT") && !u.isPostfix()) {
            result = st -> SqlValues.not(x.eval(st));
        } else if (op.equals("-") && !u.isPostfix()) {
            result = st -> SqlValues.arithmetic('-', 0, x.eval(st));
        } else {
            throw cannot("the operator '" + u.operator().trim() + "' is not evaluated in Java");
        }
    }

    @Override
    public void visitJunction(Junction j) {
        List<Ev> terms = new ArrayList<>();
        for (Expression<Boolean> t : j.terms()) {
            terms.add(of(t));
        }
        result = junction(j.operator().equals(Operator.AND), terms);
    }

    @Override
    public void visitIn(InExpression in) {
        if (!(in.right() instanceof BindParam) || !((BindParam<?>) in.right()).isExpanding()) {
            throw cannot("IN over a subquery or tuples is not evaluated in Java");
        }
        Ev left = of(in.left());
        List<?> values = (List<?>) ((BindParam<?>) in.right()).value();
        boolean negated = in.isNegated();
        result = st -> {
            Object v = left.eval(st);
            Boolean found = Boolean.FALSE;
            if (v == null) {
                found = values.isEmpty() ? Boolean.FALSE : null; // x IN () is false even for NULL (C4)
            } else {
                for (Object candidate : values) {
                    Boolean eq = SqlValues.cmp(v, candidate, c -> c == 0);
                    if (Boolean.TRUE.equals(eq)) {
                        found = Boolean.TRUE;
                        break;
                    }
                    if (eq == null) {
                        found = null;
                    }
                }
            }
            return negated ? SqlValues.not(found) : found;
        };
    }

    @Override
    public void visitLike(Like like) {
        Ev left = of(like.left());
        Ev pattern = of(like.pattern());
        Character escape = like.escape();
        boolean before = like.wildcardBefore();
        boolean after = like.wildcardAfter();
        boolean ci = like.isCaseInsensitive();
        boolean negated = like.isNegated();
        result = st -> {
            Object v = left.eval(st);
            Object p = pattern.eval(st);
            if (v == null || p == null) {
                return null;
            }
            if (!(v instanceof String) || !(p instanceof String)) {
                throw Undecided.INSTANCE;
            }
            String full = (before ? "%" : "") + p + (after ? "%" : "");
            Pattern re = Pattern.compile(SqlValues.likeRegex(full, escape),
                    ci ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL : Pattern.DOTALL);
            boolean m = re.matcher((String) v).matches();
            return negated != m;
        };
    }

    @Override
    public void visitBetween(Between between) {
        Ev x = of(between.operand());
        Ev low = of(between.low());
        Ev high = of(between.high());
        boolean negated = between.isNegated();
        result = st -> {
            Object v = x.eval(st);
            Boolean in = SqlValues.and3(SqlValues.cmp(v, low.eval(st), c -> c >= 0),
                    SqlValues.cmp(v, high.eval(st), c -> c <= 0));
            return negated ? SqlValues.not(in) : in;
        };
    }

    @Override
    public void visitLabel(Label<?> label) {
        result = of(label.element());
    }

    // ================================================================= not evaluable

    @Override
    public void visitFunction(FunctionCall<?> function) {
        throw cannot("the SQL function " + function.name() + "() is not evaluated in Java");
    }

    @Override
    public void visitOver(Over<?> over) {
        throw cannot("a window function is not evaluated in Java");
    }

    @Override
    public void visitCase(Case<?> c) {
        throw cannot("CASE is not evaluated in Java");
    }

    @Override
    public void visitCast(Cast<?> cast) {
        throw cannot("CAST is not evaluated in Java (conversions are the database's)");
    }

    @Override
    public void visitCollate(Collate<?> collate) {
        throw cannot("COLLATE is not evaluated in Java (collations are the database's)");
    }

    @Override
    public void visitScalarSubquery(ScalarSubquery<?> subquery) {
        throw cannot("a subquery is not evaluated in Java");
    }

    @Override
    public void visitExists(Exists exists) {
        throw cannot("EXISTS (a relationship predicate such as any()/has(), or a subquery) is not evaluated in Java");
    }

    @Override
    public void visitTuple(Tuple tuple) {
        throw cannot("a tuple is not evaluated in Java");
    }

    @Override
    public void visitInsertedValue(InsertedValue<?> value) {
        throw cannot("an upsert's inserted value has no meaning here");
    }

    @Override
    public void visitNextValue(NextValue nextValue) {
        throw cannot("a sequence's next value is the database's");
    }

    @Override
    public void visitTable(Table table) {
        throw cannot("a table is not a value");
    }

    @Override
    public void visitTableAlias(TableAlias alias) {
        throw cannot("a table is not a value");
    }

    @Override
    public void visitSubquery(Subquery subquery) {
        throw cannot("a subquery is not evaluated in Java");
    }

    @Override
    public void visitCteReference(Cte cte) {
        throw cannot("a CTE is not evaluated in Java");
    }

    @Override
    public void visitJoin(Join join) {
        throw cannot("a join is not a value");
    }

    @Override
    public void visitSelect(Select select) {
        throw cannot("a SELECT is not evaluated in Java");
    }

    @Override
    public void visitCompoundSelect(CompoundSelect compound) {
        throw cannot("a SELECT is not evaluated in Java");
    }

    @Override
    public void visitInsert(Insert insert) {
        throw cannot("an INSERT is not a value");
    }

    @Override
    public void visitUpdate(Update update) {
        throw cannot("an UPDATE is not a value");
    }

    @Override
    public void visitDelete(Delete delete) {
        throw cannot("a DELETE is not a value");
    }

    @Override
    public void visitText(TextClause text) {
        throw cannot("SQL text is not evaluated in Java");
    }

    @Override
    public void visitDdl(Ddl ddl) {
        throw cannot("DDL is not a value");
    }

    // ================================================================= semantics (value rules: SqlValues)

    private static Ev junction(boolean and, List<Ev> terms) {
        return st -> {
            Boolean acc = and ? Boolean.TRUE : Boolean.FALSE;
            for (Ev t : terms) {
                Object v = t.eval(st);
                if (v != null && !(v instanceof Boolean)) {
                    throw Undecided.INSTANCE;
                }
                acc = and ? SqlValues.and3(acc, (Boolean) v) : SqlValues.or3(acc, (Boolean) v);
            }
            return acc;
        };
    }

    /**
     * {@code v} as a value of {@code p}'s column, as the database would store it; {@link Undecided}
     * when Java cannot be sure of the conversion (see {@link SqlValues#coerce}).
     */
    static Object coerce(Object v, Property p) {
        return SqlValues.coerce(v, p);
    }
}
