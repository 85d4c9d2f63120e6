package io.retort.sql.compile;

import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.sql.Assignment;
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
import io.retort.sql.FromClause;
import io.retort.sql.FunctionCall;
import io.retort.sql.GroupByElement;
import io.retort.sql.GroupingSet;
import io.retort.sql.InExpression;
import io.retort.sql.Insert;
import io.retort.sql.InsertedValue;
import io.retort.sql.Join;
import io.retort.sql.Junction;
import io.retort.sql.Label;
import io.retort.sql.Like;
import io.retort.sql.Literal;
import io.retort.sql.LockClause;
import io.retort.sql.NextValue;
import io.retort.sql.Node;
import io.retort.sql.Operator;
import io.retort.sql.Over;
import io.retort.sql.ScalarSubquery;
import io.retort.sql.Select;
import io.retort.sql.SelectBase;
import io.retort.sql.SortOrder;
import io.retort.sql.SqlType;
import io.retort.sql.SqlVisitor;
import io.retort.sql.Statement;
import io.retort.sql.Subquery;
import io.retort.sql.Table;
import io.retort.sql.TableAlias;
import io.retort.sql.TextClause;
import io.retort.sql.Tuple;
import io.retort.sql.UnaryExpression;
import io.retort.sql.Update;
import io.retort.sql.Window;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ANSI SQL compiler: one {@code visitX} per node, rendering into a buffer with slot markers.
 * Dialect compilers subclass it and override the small hooks ({@link #limitClause},
 * {@link #lockClause}, {@link #concat}, {@link #insertedValue}, {@link #nextValue},
 * {@link #returningClause}...), as SQLAlchemy's {@code PGCompiler} does; nodes never switch on
 * the dialect. A compiler instance compiles one statement and is then discarded.
 */
public class SqlCompiler implements SqlVisitor {
    protected final Dialect dialect;
    protected final boolean literalBinds;

    private SqlBuffer out = new SqlBuffer();
    private KeyBuilder key;
    private final Deque<CteScope> cteScopes = new ArrayDeque<>();
    private final Deque<List<FromClause>> enclosingFroms = new ArrayDeque<>();
    private final List<String> warnings = new ArrayList<>();
    private List<ResultColumn> resultColumns = List.of();
    private boolean returnsRows;
    private CompiledStatement.Kind kind = CompiledStatement.Kind.TEXT;
    private boolean qualify = true;
    /**
     * The sole table of the SELECT, UPDATE or DELETE being rendered when its columns are written
     * without the table name ({@link Dialect#qualifySingleTableColumns()} false and, for a SELECT,
     * {@link #bareTableOf} allows it); null otherwise. Each statement sets its own, so a nested
     * SELECT never inherits it.
     */
    private Table bareTable;
    private int depth;

    protected SqlCompiler(Dialect dialect, boolean literalBinds) {
        this.dialect = dialect;
        this.literalBinds = literalBinds;
    }

    /** Compiles {@code statement}; call once per compiler. */
    public final CompiledStatement compile(Statement statement) {
        long t0 = System.nanoTime();
        key = new KeyBuilder(true);
        statement.appendKey(key);
        cteScopes.push(new CteScope());
        SqlBuffer body = capture(() -> statement.accept(this));
        out = withCtes(cteScopes.pop(), body);
        return new CompiledStatement(dialect, kind, out, resultColumns, warnings, returnsRows, System.nanoTime() - t0);
    }

    // ================================================================= buffer plumbing

    /** Renders {@code r} into a fresh buffer and returns it, leaving the current one untouched. */
    protected final SqlBuffer capture(Runnable r) {
        SqlBuffer saved = out;
        out = new SqlBuffer();
        try {
            r.run();
            return out;
        } finally {
            out = saved;
        }
    }

    /** Appends SQL text (public so dialect compilers can chain calls). */
    public final SqlCompiler sql(String s) {
        out.append(s);
        return this;
    }

    /** Appends one character. */
    public final SqlCompiler sql(char c) {
        out.append(c);
        return this;
    }

    /** Appends an identifier, quoted when the dialect requires it. */
    public final SqlCompiler quoted(String identifier) {
        out.append(dialect.quote(identifier));
        return this;
    }

    protected final void render(Node node) {
        node.accept(this);
    }

    protected final void renderList(List<? extends Node> nodes) {
        for (int i = 0; i < nodes.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            render(nodes.get(i));
        }
    }

    private void slot(Slot.Kind k, BindParam<?> bind, SqlType<?> type, List<SqlType<?>> tuple, boolean negated) {
        int index = key.positionOf(bind);
        if (index < 0) {
            throw new IllegalStateException("Bind not found in the key traversal: a node's accept and appendKey disagree");
        }
        out.slot(new Slot(k, index, type, tuple, negated));
    }

    protected final CompileError unsupported(String feature) {
        return CompileError.unsupported(dialect.name(), feature);
    }

    // ================================================================= expressions

    @Override
    public void visitColumn(Column<?> column) {
        FromClause from = column.from();
        if (qualify && from != null && from.name() != null && (bareTable == null || !sameFrom(from, bareTable))) {
            if (from instanceof Table && ((Table) from).schema() != null) {
                quoted(((Table) from).schema()).sql('.');
            }
            quoted(from.name()).sql('.');
        }
        quoted(column.name());
    }

    @Override
    public void visitBindParam(BindParam<?> bind) {
        if (bind.isExpanding()) {
            throw new CompileError("An IN list parameter can only appear on the right of IN");
        }
        if (literalBinds) {
            sql(dialect.literals().render(bind.value(), bind.type()));
        } else if (bind.isLiteralExecute()) {
            slot(Slot.Kind.LITERAL, bind, bind.type(), List.of(), false);
        } else {
            slot(Slot.Kind.VALUE, bind, bind.type(), List.of(), false);
        }
    }

    @Override
    public void visitConstant(Constant<?> constant) {
        switch (constant.kind()) {
            case NULL: sql("NULL"); break;
            case TRUE: sql(trueLiteral()); break;
            case FALSE: sql(falseLiteral()); break;
            case STAR: sql('*'); break;
            default: throw new AssertionError(constant.kind());
        }
    }

    protected String trueLiteral() {
        return "TRUE";
    }

    protected String falseLiteral() {
        return "FALSE";
    }

    @Override
    public void visitLiteral(Literal<?> literal) {
        sql(dialect.literals().render(literal.value(), literal.type()));
    }

    @Override
    public void visitBinary(BinaryExpression<?> b) {
        Operator op = b.operator();
        if (op.equals(Operator.CONCAT)) {
            concat(b.left(), b.right());
            return;
        }
        if ((op.equals(Operator.IS_DISTINCT_FROM) || op.equals(Operator.IS_NOT_DISTINCT_FROM))
                && !dialect.supportsIsDistinctFrom()) {
            nullSafeComparison(b.left(), b.right(), op.equals(Operator.IS_DISTINCT_FROM));
            return;
        }
        operand(b.left(), op, false);
        sql(' ').sql(op.sql()).sql(' ');
        operand(b.right(), op, true);
    }

    /** Renders {@code e} as an operand of {@code op}, parenthesised when precedence requires (C7). */
    protected final void operand(Expression<?> e, Operator op, boolean right) {
        int p = precedenceOf(e);
        boolean parens = p < op.precedence()
                || (p == op.precedence() && (op.isComparison() || (right && !op.isAssociative())));
        if (parens) {
            sql('(');
            render(e);
            sql(')');
        } else {
            render(e);
        }
    }

    private static int precedenceOf(Expression<?> e) {
        if (e instanceof BinaryExpression) {
            return ((BinaryExpression<?>) e).operator().precedence();
        }
        if (e instanceof Junction) {
            return ((Junction) e).operator().precedence();
        }
        if (e instanceof InExpression || e instanceof Like || e instanceof Between) {
            return Operator.COMPARISON_LEVEL;
        }
        if (e instanceof UnaryExpression) {
            return ((UnaryExpression<?>) e).operator().startsWith("NOT") ? Operator.NOT_LEVEL : Operator.UNARY_LEVEL;
        }
        return Integer.MAX_VALUE;
    }

    /** String concatenation; ANSI {@code a || b}. */
    protected void concat(Expression<?> left, Expression<?> right) {
        operand(left, Operator.CONCAT, false);
        sql(" || ");
        operand(right, Operator.CONCAT, true);
    }

    /** {@code IS [NOT] DISTINCT FROM} where the dialect lacks it. */
    protected void nullSafeComparison(Expression<?> left, Expression<?> right, boolean distinct) {
        throw unsupported("IS DISTINCT FROM");
    }

    @Override
    public void visitUnary(UnaryExpression<?> u) {
        if (u.isPostfix()) {
            operand(u.operand(), Operator.custom("IS", Operator.COMPARISON_LEVEL, true), false);
            sql(u.operator());
            return;
        }
        sql(u.operator());
        boolean atom = precedenceOf(u.operand()) == Integer.MAX_VALUE;
        if (atom && !u.operator().startsWith("NOT")) {
            render(u.operand());
        } else {
            sql('(');
            render(u.operand());
            sql(')');
        }
    }

    @Override
    public void visitJunction(Junction j) {
        List<Expression<Boolean>> terms = j.terms();
        for (int i = 0; i < terms.size(); i++) {
            if (i > 0) {
                sql(' ').sql(j.operator().sql()).sql(' ');
            }
            operand(terms.get(i), j.operator(), i > 0);
        }
    }

    @Override
    public void visitIn(InExpression in) {
        Expression<?> right = in.right();
        if (right instanceof ScalarSubquery) {
            operand(in.left(), Operator.EQ, false);
            sql(in.isNegated() ? " NOT IN " : " IN ");
            render(right);
            return;
        }
        BindParam<?> list = (BindParam<?>) right;
        boolean tuple = in.left() instanceof Tuple;
        if (literalBinds) {
            renderLiteralIn(in, list, tuple);
            return;
        }
        SqlType<?> element = list.elementType();
        if (!tuple && dialect.supportsArrayInBinding() && arrayBindable(element)) {
            operand(in.left(), Operator.EQ, false);
            sql(in.isNegated() ? " <> ALL(" : " = ANY(");
            slot(Slot.Kind.ARRAY, list, element, List.of(), in.isNegated());
            sql(')');
            return;
        }
        List<SqlType<?>> tupleTypes = tuple ? tupleTypes((Tuple) in.left()) : List.of();
        slot(Slot.Kind.EMPTY_GUARD, list, element, tupleTypes, in.isNegated());
        out.slots.set(out.slots.size() - 1, open(out.slots.get(out.slots.size() - 1)));
        operand(in.left(), Operator.EQ, false);
        sql(in.isNegated() ? " NOT IN (" : " IN (");
        slot(Slot.Kind.EXPANDING, list, element, tupleTypes, in.isNegated());
        sql(')');
        slot(Slot.Kind.EMPTY_GUARD, list, element, tupleTypes, in.isNegated());
    }

    /**
     * The opening half of the empty-IN guard: it renders {@code (} when the list is empty. Encoded
     * as an EMPTY_GUARD with a null type so {@link CompiledStatement} can tell the halves apart.
     */
    private static Slot open(Slot s) {
        return new Slot(Slot.Kind.EMPTY_GUARD, s.valueIndex(), null, s.tupleTypes(), s.negated());
    }

    private static List<SqlType<?>> tupleTypes(Tuple t) {
        List<SqlType<?>> l = new ArrayList<>();
        for (Expression<?> e : t.elements()) {
            l.add(e.type());
        }
        return List.copyOf(l);
    }

    /** Whether a list of {@code element} values can be bound as one driver array. */
    protected boolean arrayBindable(SqlType<?> element) {
        SqlType<?> t = element.converter() == null ? element : element.converter().storage();
        switch (t.kind()) {
            case INTEGER: case DECIMAL: case FLOAT: case STRING: case BOOLEAN: case UUID:
            case DATE: case TIME: case TIMESTAMP: case TIMESTAMP_TZ:
                return true;
            default:
                return false;
        }
    }

    private void renderLiteralIn(InExpression in, BindParam<?> list, boolean tuple) {
        List<?> values = (List<?>) list.value();
        if (values.isEmpty()) {
            sql('(');
        }
        operand(in.left(), Operator.EQ, false);
        sql(in.isNegated() ? " NOT IN (" : " IN (");
        if (values.isEmpty()) {
            sql(dialect.emptySet(tuple ? tupleTypes((Tuple) in.left()) : List.of(list.elementType())));
        }
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            if (tuple) {
                Object[] row = (Object[]) values.get(i);
                List<SqlType<?>> types = tupleTypes((Tuple) in.left());
                sql('(');
                for (int k = 0; k < row.length; k++) {
                    if (k > 0) {
                        sql(", ");
                    }
                    sql(dialect.literals().render(row[k], types.get(k)));
                }
                sql(')');
            } else {
                sql(dialect.literals().render(values.get(i), list.elementType()));
            }
        }
        sql(')');
        if (values.isEmpty()) {
            sql(in.isNegated() ? " OR 1 = 1)" : " AND 1 <> 1)");
        }
    }

    @Override
    public void visitLike(Like like) {
        boolean emulateIlike = like.isCaseInsensitive() && !supportsIlike();
        if (emulateIlike) {
            sql("lower(");
            render(like.left());
            sql(')');
        } else {
            operand(like.left(), Operator.EQ, false);
        }
        sql(like.isNegated() ? " NOT" : "");
        sql(like.isCaseInsensitive() && !emulateIlike ? " ILIKE " : " LIKE ");
        if (emulateIlike) {
            sql("lower(");
        }
        likePattern(like);
        if (emulateIlike) {
            sql(')');
        }
        if (like.escape() != null) {
            sql(" ESCAPE ").sql(dialect.literals().string(String.valueOf(like.escape())));
        }
    }

    /** Whether {@code ILIKE} exists; else it is rendered as {@code lower(x) LIKE lower(p)}. */
    protected boolean supportsIlike() {
        return false;
    }

    /** The LIKE pattern with its {@code '%'} affixes concatenated in SQL. */
    protected void likePattern(Like like) {
        if (!like.wildcardBefore() && !like.wildcardAfter()) {
            render(like.pattern());
            return;
        }
        if (like.wildcardBefore()) {
            sql("'%' || ");
        }
        render(like.pattern());
        if (like.wildcardAfter()) {
            sql(" || '%'");
        }
    }

    @Override
    public void visitBetween(Between b) {
        Operator cmp = Operator.EQ;
        operand(b.operand(), cmp, false);
        sql(b.isNegated() ? " NOT BETWEEN " : " BETWEEN ");
        operand(b.low(), cmp, true);
        sql(" AND ");
        operand(b.high(), cmp, true);
    }

    @Override
    public void visitFunction(FunctionCall<?> f) {
        sql(f.name()).sql('(');
        if (f.isDistinct()) {
            sql("DISTINCT ");
        }
        renderList(f.arguments());
        sql(')');
        if (f.filter() != null) {
            if (!dialect.supportsAggregateFilter()) {
                throw unsupported("an aggregate FILTER (WHERE ...) clause; use CASE WHEN inside the aggregate");
            }
            sql(" FILTER (WHERE ");
            render(f.filter());
            sql(')');
        }
    }

    @Override
    public void visitOver(Over<?> over) {
        render(over.function());
        sql(" OVER (");
        Window w = over.window();
        boolean space = false;
        if (!w.partitionBy().isEmpty()) {
            sql("PARTITION BY ");
            renderList(w.partitionBy());
            space = true;
        }
        if (!w.orderBy().isEmpty()) {
            sql(space ? " " : "").sql("ORDER BY ");
            orderByList(w.orderBy());
            space = true;
        }
        if (w.frame() != null) {
            sql(space ? " " : "").sql(w.frame());
        }
        sql(')');
    }

    @Override
    public void visitCase(Case<?> c) {
        sql("CASE");
        for (int i = 0; i < c.conditions().size(); i++) {
            sql(" WHEN ");
            render(c.conditions().get(i));
            sql(" THEN ");
            render(c.results().get(i));
        }
        if (c.otherwise() != null) {
            sql(" ELSE ");
            render(c.otherwise());
        }
        sql(" END");
    }

    @Override
    public void visitCast(Cast<?> cast) {
        sql("CAST(");
        render(cast.operand());
        sql(" AS ").sql(dialect.castTypeName(cast.type())).sql(')');
    }

    @Override
    public void visitLabel(Label<?> label) {
        // A label renders only in a columns clause (see columnsClause); elsewhere the element does.
        render(label.element());
    }

    @Override
    public void visitCollate(Collate<?> c) {
        operand(c.operand(), Operator.custom("COLLATE", Operator.UNARY_LEVEL, false), false);
        sql(" COLLATE ").quoted(c.collation());
    }

    @Override
    public void visitScalarSubquery(ScalarSubquery<?> s) {
        sql('(');
        nested(s.select());
        sql(')');
    }

    @Override
    public void visitExists(Exists e) {
        sql("EXISTS (");
        nested(e.select());
        sql(')');
    }

    private void nested(SelectBase select) {
        depth++;
        try {
            render(select);
        } finally {
            depth--;
        }
    }

    @Override
    public void visitTuple(Tuple t) {
        sql('(');
        renderList(t.elements());
        sql(')');
    }

    @Override
    public void visitInsertedValue(InsertedValue<?> v) {
        insertedValue(v.column());
    }

    /** The value an upsert proposed for {@code column}: ANSI/PostgreSQL {@code excluded.col}. */
    protected void insertedValue(Column<?> column) {
        sql("excluded.").quoted(column.name());
    }

    @Override
    public void visitNextValue(NextValue n) {
        nextValue(n);
    }

    /** The next value of a sequence: ANSI {@code NEXT VALUE FOR s}. */
    protected void nextValue(NextValue n) {
        if (!dialect.supportsSequences()) {
            throw unsupported("sequences");
        }
        sql("NEXT VALUE FOR ");
        sequenceName(n.sequence());
    }

    protected final void sequenceName(io.retort.sql.Sequence s) {
        if (s.schema() != null) {
            quoted(s.schema()).sql('.');
        }
        quoted(s.name());
    }

    // ================================================================= FROM elements

    @Override
    public void visitTable(Table table) {
        tableName(table);
    }

    protected final void tableName(Table table) {
        if (table.schema() != null) {
            quoted(table.schema()).sql('.');
        }
        quoted(table.name());
    }

    @Override
    public void visitTableAlias(TableAlias alias) {
        tableName(alias.table());
        sql(" AS ").quoted(alias.name());
    }

    @Override
    public void visitSubquery(Subquery s) {
        if (s.isLateral()) {
            if (!dialect.supportsLateral()) {
                throw unsupported("LATERAL subqueries");
            }
            sql("LATERAL ");
        }
        sql('(');
        // A FROM subquery does not correlate to the enclosing SELECT, unless it is LATERAL.
        Deque<List<FromClause>> saved = new ArrayDeque<>(enclosingFroms);
        if (!s.isLateral()) {
            enclosingFroms.clear();
        }
        try {
            nested(s.select());
        } finally {
            enclosingFroms.clear();
            enclosingFroms.addAll(saved);
        }
        sql(") AS ").quoted(s.name());
    }

    @Override
    public void visitCteReference(Cte cte) {
        CteScope scope = cteScopes.peek();
        scope.register(cte, this);
        quoted(cte.name());
    }

    @Override
    public void visitJoin(Join j) {
        if (j.type() == Join.Type.FULL && !dialect.supportsFullJoin()) {
            throw unsupported("FULL OUTER JOIN");
        }
        render(j.left());
        sql(' ').sql(j.type().sql()).sql(' ');
        boolean nestedJoin = j.right() instanceof Join;
        if (nestedJoin) {
            sql('(');
        }
        render(j.right());
        if (nestedJoin) {
            sql(')');
        }
        if (j.on() != null) {
            sql(" ON ");
            render(j.on());
        }
    }

    // ================================================================= SELECT

    @Override
    public void visitSelect(Select s) {
        boolean top = depth == 0;
        if (top) {
            kind = CompiledStatement.Kind.SELECT;
            returnsRows = true;
            resultColumns = resultColumnsOf(s);
        }
        List<FromClause> froms = resolveFroms(s);
        sql("SELECT ");
        if (!s.distinctOn().isEmpty()) {
            if (!dialect.supportsDistinctOn()) {
                throw unsupported("DISTINCT ON");
            }
            sql("DISTINCT ON (");
            renderList(s.distinctOn());
            sql(") ");
        } else if (s.isDistinct()) {
            sql("DISTINCT ");
        }
        enclosingFroms.push(froms);
        Table outerBare = bareTable;
        bareTable = dialect.qualifySingleTableColumns() ? null : bareTableOf(s, froms);
        try {
            columnsClause(s);
            if (!froms.isEmpty()) {
                sql(" FROM ");
                renderList(froms);
            } else if (s.where() != null) {
                sql(emptyFromWithWhere());
            }
            if (s.where() != null) {
                sql(" WHERE ");
                render(s.where());
            }
            groupByClause(s.groupBy());
            if (s.having() != null) {
                sql(" HAVING ");
                render(s.having());
            }
            if (!s.orderBy().isEmpty()) {
                sql(" ORDER BY ");
                orderByList(s.orderBy());
            }
            limitClause(s.limit(), s.offset());
            if (s.lock() != null) {
                lockClause(s.lock());
            }
        } finally {
            bareTable = outerBare;
            enclosingFroms.pop();
        }
        lintFroms(s, froms);
    }

    /**
     * The table whose columns {@code s} may write without the table name, or null. A bare name
     * means the same as the qualified one when the SELECT has exactly one FROM element, a table:
     * SQL resolves an unqualified name in the innermost SELECT first, and a correlated reference
     * to an enclosing SELECT's table is still qualified (its FROM element is not this one). The
     * exception is ORDER BY, GROUP BY and HAVING, where a bare name may resolve to an output
     * label instead: so no output column may be labelled with one of the table's column names
     * unless it is that very column.
     */
    private static Table bareTableOf(Select s, List<FromClause> froms) {
        if (froms.size() != 1 || !(froms.get(0) instanceof Table)) {
            return null;
        }
        Table t = (Table) froms.get(0);
        List<Expression<?>> cols = s.selectedColumns();
        List<String> labels = s.columnLabels();
        for (int i = 0; i < cols.size(); i++) {
            Expression<?> e = cols.get(i);
            String label = labels.get(i);
            if (e instanceof Column && ((Column<?>) e).from() != null && sameFrom(((Column<?>) e).from(), t)
                    && ((Column<?>) e).name().equals(label)) {
                continue; // the column itself, under its own name
            }
            for (Column<?> c : t.columns()) {
                // Case-insensitive: MySQL, MariaDB and H2 match unquoted names without case.
                if (c.name().equalsIgnoreCase(label)) {
                    return null;
                }
            }
        }
        return t;
    }

    /** Text after a FROM-less SELECT that has a WHERE ({@code FROM DUAL} on MySQL); empty by default. */
    protected String emptyFromWithWhere() {
        return "";
    }

    private List<ResultColumn> resultColumnsOf(SelectBase s) {
        List<ResultColumn> cols = new ArrayList<>();
        List<String> labels = s.columnLabels();
        List<Expression<?>> exprs = s.selectedColumns();
        for (int i = 0; i < exprs.size(); i++) {
            Expression<?> e = exprs.get(i);
            cols.add(new ResultColumn(labels.get(i), e.type(), e instanceof Column ? (Column<?>) e : null));
        }
        return cols;
    }

    private void columnsClause(SelectBase s) {
        List<Expression<?>> cols = s.selectedColumns();
        List<String> labels = s.columnLabels();
        if (cols.isEmpty()) {
            throw new CompileError("A SELECT needs at least one column");
        }
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            Expression<?> e = cols.get(i);
            render(e);
            boolean plainColumn = e instanceof Column || (e instanceof Constant
                    && ((Constant<?>) e).kind() == Constant.Kind.STAR);
            if (!plainColumn) {
                sql(" AS ").quoted(labels.get(i));
            }
        }
    }

    /** The FROM list: explicit elements, then elements implied by the columns, minus correlated ones. */
    private List<FromClause> resolveFroms(Select s) {
        List<FromClause> froms = new ArrayList<>(s.froms());
        List<FromClause> covered = new ArrayList<>();
        for (FromClause f : froms) {
            covered.addAll(leaves(f));
        }
        List<FromClause> implied = new ArrayList<>();
        ExpressionWalker w = new ExpressionWalker() {
            @Override
            void onColumn(Column<?> c) {
                FromClause f = c.from();
                if (f != null && !containsFrom(covered, f) && !containsFrom(implied, f)) {
                    implied.add(f);
                }
            }
        };
        for (Expression<?> e : s.selectedColumns()) {
            w.walk(e);
        }
        w.walk(s.where());
        for (GroupByElement g : s.groupBy()) {
            if (g instanceof Expression) {
                w.walk((Expression<?>) g);
            }
        }
        w.walk(s.having());
        for (Expression<?> e : s.distinctOn()) {
            w.walk(e);
        }
        List<FromClause> uncorrelated = new ArrayList<>();
        for (FromClause f : implied) {
            if (!isEnclosing(f)) {
                uncorrelated.add(f);
            }
        }
        // When every FROM would be correlated away the query keeps them (SQLAlchemy does too).
        froms.addAll(uncorrelated.isEmpty() && froms.isEmpty() ? implied : uncorrelated);
        return froms;
    }

    private boolean isEnclosing(FromClause f) {
        for (List<FromClause> level : enclosingFroms) {
            for (FromClause outer : level) {
                if (containsFrom(leaves(outer), f)) {
                    return true;
                }
            }
        }
        return false;
    }

    static List<FromClause> leaves(FromClause f) {
        if (f instanceof Join) {
            List<FromClause> l = new ArrayList<>(leaves(((Join) f).left()));
            l.addAll(leaves(((Join) f).right()));
            return l;
        }
        return List.of(f);
    }

    static boolean sameFrom(FromClause a, FromClause b) {
        if (a == b) {
            return true;
        }
        if (a instanceof Table && b instanceof Table) {
            Table x = (Table) a;
            Table y = (Table) b;
            return x.name().equals(y.name()) && java.util.Objects.equals(x.schema(), y.schema());
        }
        return false;
    }

    static boolean containsFrom(List<FromClause> list, FromClause f) {
        for (FromClause x : list) {
            if (sameFrom(x, f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * FROM linting (C15): warns when the FROM elements are not all linked by joins or WHERE
     * comparisons, i.e. the query computes a cartesian product. Runs at compile time only.
     */
    private void lintFroms(Select s, List<FromClause> froms) {
        if (froms.size() < 2) {
            return;
        }
        List<List<FromClause>> groups = new ArrayList<>();
        for (FromClause f : froms) {
            groups.add(new ArrayList<>(leaves(f)));
        }
        if (s.where() != null) {
            linkByConditions(s.where(), groups);
        }
        if (groups.size() > 1) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i < groups.size(); i++) {
                for (FromClause f : groups.get(i)) {
                    names.add('"' + String.valueOf(f.name()) + '"');
                }
            }
            warnings.add("SELECT statement has a cartesian product between FROM element(s) "
                    + String.join(", ", names) + " and FROM element \"" + groups.get(0).get(0).name()
                    + "\". Apply join condition(s) between each element to resolve.");
        }
    }

    private static void linkByConditions(Expression<Boolean> where, List<List<FromClause>> groups) {
        List<Expression<?>> comparisons = new ArrayList<>();
        collectComparisons(where, comparisons);
        for (Expression<?> c : comparisons) {
            List<FromClause> seen = new ArrayList<>();
            new ExpressionWalker() {
                @Override
                void onColumn(Column<?> col) {
                    if (col.from() != null) {
                        seen.add(col.from());
                    }
                }
            }.walk(c);
            int first = -1;
            for (FromClause f : seen) {
                int g = groupOf(groups, f);
                if (g < 0) {
                    continue;
                }
                if (first < 0) {
                    first = g;
                } else if (g != first) {
                    int keep = Math.min(first, g);
                    int drop = Math.max(first, g);
                    groups.get(keep).addAll(groups.remove(drop));
                    first = keep;
                }
            }
        }
    }

    private static void collectComparisons(Expression<?> e, List<Expression<?>> out) {
        if (e instanceof Junction) {
            for (Expression<Boolean> t : ((Junction) e).terms()) {
                collectComparisons(t, out);
            }
        } else if (e != null) {
            out.add(e);
        }
    }

    private static int groupOf(List<List<FromClause>> groups, FromClause f) {
        for (int i = 0; i < groups.size(); i++) {
            if (containsFrom(groups.get(i), f)) {
                return i;
            }
        }
        return -1;
    }

    private void groupByClause(List<GroupByElement> groupBy) {
        if (groupBy.isEmpty()) {
            return;
        }
        boolean hasSets = false;
        for (GroupByElement g : groupBy) {
            hasSets |= g instanceof GroupingSet;
        }
        if (hasSets && dialect.rollupStyle() == Dialect.RollupStyle.WITH_ROLLUP) {
            withRollup(groupBy);
            return;
        }
        if (hasSets && !dialect.supportsGroupingSets()) {
            throw unsupported("ROLLUP, CUBE and GROUPING SETS");
        }
        sql(" GROUP BY ");
        for (int i = 0; i < groupBy.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            GroupByElement g = groupBy.get(i);
            if (g instanceof Expression) {
                render((Expression<?>) g);
            } else {
                groupingSet((GroupingSet) g);
            }
        }
    }

    private void withRollup(List<GroupByElement> groupBy) {
        GroupByElement last = groupBy.get(groupBy.size() - 1);
        if (!(last instanceof GroupingSet) || ((GroupingSet) last).kind() != GroupingSet.Kind.ROLLUP) {
            throw unsupported("CUBE and GROUPING SETS (only a trailing ROLLUP, as GROUP BY ... WITH ROLLUP)");
        }
        sql(" GROUP BY ");
        boolean first = true;
        for (GroupByElement g : groupBy) {
            if (g instanceof GroupingSet && g != last) {
                throw unsupported("more than one ROLLUP in GROUP BY");
            }
            List<Expression<?>> exprs = new ArrayList<>();
            if (g instanceof Expression) {
                exprs.add((Expression<?>) g);
            } else {
                for (List<Expression<?>> set : ((GroupingSet) g).sets()) {
                    exprs.addAll(set);
                }
            }
            for (Expression<?> e : exprs) {
                sql(first ? "" : ", ");
                render(e);
                first = false;
            }
        }
        sql(" WITH ROLLUP");
    }

    private void groupingSet(GroupingSet g) {
        switch (g.kind()) {
            case ROLLUP: sql("ROLLUP("); break;
            case CUBE: sql("CUBE("); break;
            default: sql("GROUPING SETS(");
        }
        for (int i = 0; i < g.sets().size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            List<Expression<?>> set = g.sets().get(i);
            if (g.kind() == GroupingSet.Kind.GROUPING_SETS) {
                sql('(');
                renderList(set);
                sql(')');
            } else {
                renderList(set);
            }
        }
        sql(')');
    }

    protected final void orderByList(List<SortOrder> orders) {
        for (int i = 0; i < orders.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            sortOrder(orders.get(i));
        }
    }

    /** One ORDER BY element; a label sorts by its name. */
    protected void sortOrder(SortOrder o) {
        Expression<?> e = o.expression();
        if (e instanceof Label) {
            quoted(((Label<?>) e).name());
        } else {
            render(e);
        }
        if (o.isDescending()) {
            sql(" DESC");
        }
        if (o.nulls() != SortOrder.Nulls.DEFAULT) {
            sql(o.nulls() == SortOrder.Nulls.FIRST ? " NULLS FIRST" : " NULLS LAST");
        }
    }

    /** LIMIT/OFFSET; ANSI {@code OFFSET n ROWS FETCH FIRST m ROWS ONLY}. */
    protected void limitClause(Expression<?> limit, Expression<?> offset) {
        if (offset != null) {
            sql(" OFFSET ");
            render(offset);
            sql(" ROWS");
        }
        if (limit != null) {
            sql(" FETCH FIRST ");
            render(limit);
            sql(" ROWS ONLY");
        }
    }

    /** Renders {@code LIMIT m OFFSET n}, the form most dialects share. */
    protected final void limitOffset(Expression<?> limit, Expression<?> offset, String noLimit) {
        if (limit != null) {
            sql(" LIMIT ");
            render(limit);
        } else if (offset != null && noLimit != null) {
            sql(" LIMIT ").sql(noLimit);
        }
        if (offset != null) {
            sql(" OFFSET ");
            render(offset);
        }
    }

    /** The row lock: ANSI/PostgreSQL spelling, checked against the dialect's flags. */
    protected void lockClause(LockClause lock) {
        switch (lock.mode()) {
            case UPDATE: sql(" FOR UPDATE"); break;
            case SHARE:
                if (!dialect.supportsSharedLocks()) {
                    throw unsupported("FOR SHARE");
                }
                sql(" FOR SHARE");
                break;
            case NO_KEY_UPDATE: sql(" FOR NO KEY UPDATE"); break;
            case KEY_SHARE: sql(" FOR KEY SHARE"); break;
            default: throw new AssertionError(lock.mode());
        }
        lockOptions(lock);
    }

    protected final void lockOptions(LockClause lock) {
        if (!lock.of().isEmpty()) {
            if (!dialect.supportsLockOf()) {
                throw unsupported("FOR UPDATE OF <tables>");
            }
            sql(" OF ");
            for (int i = 0; i < lock.of().size(); i++) {
                sql(i > 0 ? ", " : "").quoted(lock.of().get(i).name());
            }
        }
        if (lock.waitPolicy() != LockClause.Wait.WAIT) {
            String option = lock.waitPolicy() == LockClause.Wait.NOWAIT ? "NOWAIT" : "SKIP LOCKED";
            if (!dialect.supportsLockWaitOptions()) {
                throw unsupported(option);
            }
            sql(' ').sql(option);
        }
    }

    @Override
    public void visitCompoundSelect(CompoundSelect c) {
        boolean top = depth == 0;
        if (top) {
            kind = CompiledStatement.Kind.SELECT;
            returnsRows = true;
            resultColumns = resultColumnsOf(c);
        }
        if ((c.kind() == CompoundSelect.Kind.INTERSECT || c.kind() == CompoundSelect.Kind.EXCEPT
                || c.kind() == CompoundSelect.Kind.INTERSECT_ALL || c.kind() == CompoundSelect.Kind.EXCEPT_ALL)
                && !dialect.supportsIntersectExcept()) {
            throw unsupported(c.kind().sql());
        }
        if ((c.kind() == CompoundSelect.Kind.INTERSECT_ALL || c.kind() == CompoundSelect.Kind.EXCEPT_ALL)
                && !dialect.supportsSetOperationAll()) {
            throw unsupported(c.kind().sql());
        }
        int width = c.selects().get(0).selectedColumns().size();
        for (int i = 1; i < c.selects().size(); i++) {
            int w = c.selects().get(i).selectedColumns().size();
            if (w != width) {
                throw new CompileError("All SELECTs in a " + c.kind().sql() + " must have the same number of columns;"
                        + " SELECT #" + (i + 1) + " has " + w + ", the first has " + width);
            }
        }
        depth++;
        try {
            for (int i = 0; i < c.selects().size(); i++) {
                if (i > 0) {
                    sql(' ').sql(c.kind().sql()).sql(' ');
                }
                SelectBase member = c.selects().get(i);
                boolean parens = member instanceof CompoundSelect || !member.orderBy().isEmpty()
                        || member.limit() != null || member.offset() != null;
                if (parens) {
                    sql('(');
                }
                render(member);
                if (parens) {
                    sql(')');
                }
            }
        } finally {
            depth--;
        }
        if (!c.orderBy().isEmpty()) {
            sql(" ORDER BY ");
            // After a set operation only result column names are visible (PostgreSQL requires it).
            boolean saved = qualify;
            qualify = false;
            try {
                orderByList(c.orderBy());
            } finally {
                qualify = saved;
            }
        }
        limitClause(c.limit(), c.offset());
    }

    // ================================================================= DML

    @Override
    public void visitInsert(Insert insert) {
        kind = CompiledStatement.Kind.INSERT;
        if (!insert.returning().isEmpty() && !dialect.supportsInsertReturning()) {
            throw unsupported("INSERT ... RETURNING");
        }
        renderInsert(insert);
    }

    /** {@code INSERT INTO t (cols) VALUES (...), (...) | SELECT ... [upsert] [RETURNING ...]}. */
    protected void renderInsert(Insert insert) {
        sql("INSERT INTO ");
        tableName(insert.table());
        if (insert.columns().isEmpty()) {
            sql(' ').sql(defaultValues());
        } else {
            sql(" (");
            for (int i = 0; i < insert.columns().size(); i++) {
                sql(i > 0 ? ", " : "").quoted(insert.columns().get(i).name());
            }
            sql(')');
            if (insert.fromSelect() != null) {
                sql(' ');
                cteScopes.push(new CteScope());
                SqlBuffer body = capture(() -> nested(insert.fromSelect()));
                out.append(withCtes(cteScopes.pop(), body));
            } else {
                sql(" VALUES ");
                for (int r = 0; r < insert.rows().size(); r++) {
                    sql(r > 0 ? ", (" : "(");
                    renderList(insert.rows().get(r));
                    sql(')');
                }
            }
        }
        if (insert.onConflict() != null) {
            onConflict(insert);
        }
        if (!insert.onDuplicateKeyUpdate().isEmpty()) {
            onDuplicateKeyUpdate(insert);
        }
        returningClause(insert.returning());
    }

    /** The no-columns form; ANSI {@code DEFAULT VALUES}. */
    protected String defaultValues() {
        return "DEFAULT VALUES";
    }

    /** {@code ON CONFLICT ...}: refused unless the dialect supports it. */
    protected void onConflict(Insert insert) {
        if (!dialect.supportsOnConflict()) {
            throw unsupported("INSERT ... ON CONFLICT");
        }
        Insert.OnConflict oc = insert.onConflict();
        sql(" ON CONFLICT");
        if (!oc.target().isEmpty()) {
            sql(" (");
            for (int i = 0; i < oc.target().size(); i++) {
                sql(i > 0 ? ", " : "").quoted(oc.target().get(i).name());
            }
            sql(')');
        }
        if (oc.doNothing()) {
            sql(" DO NOTHING");
            return;
        }
        sql(" DO UPDATE SET ");
        assignments(oc.set(), false);
        if (oc.where() != null) {
            sql(" WHERE ");
            render(oc.where());
        }
    }

    /** {@code ON DUPLICATE KEY UPDATE ...}: refused unless the dialect supports it. */
    protected void onDuplicateKeyUpdate(Insert insert) {
        if (!dialect.supportsOnDuplicateKeyUpdate()) {
            throw unsupported("INSERT ... ON DUPLICATE KEY UPDATE");
        }
        sql(" ON DUPLICATE KEY UPDATE ");
        assignments(insert.onDuplicateKeyUpdate(), false);
    }

    protected final void assignments(List<Assignment> set, boolean qualifyTargets) {
        for (int i = 0; i < set.size(); i++) {
            if (i > 0) {
                sql(", ");
            }
            Assignment a = set.get(i);
            if (qualifyTargets) {
                tableName(a.column().table());
                sql('.');
            }
            quoted(a.column().name()).sql(" = ");
            render(a.value());
        }
    }

    /** {@code RETURNING a, b} with unqualified names (valid for every dialect that has RETURNING). */
    protected void returningClause(List<Expression<?>> returning) {
        if (returning.isEmpty()) {
            return;
        }
        sql(" RETURNING ");
        returningColumns(returning);
    }

    /** The RETURNING column list, unqualified and labelled; also sets the result columns. */
    protected final void returningColumns(List<Expression<?>> returning) {
        returnsRows = true;
        List<ResultColumn> cols = new ArrayList<>();
        boolean saved = qualify;
        qualify = false;
        try {
            int anon = 0;
            for (int i = 0; i < returning.size(); i++) {
                sql(i > 0 ? ", " : "");
                Expression<?> e = returning.get(i);
                render(e);
                String label = e.defaultLabel();
                if (!(e instanceof Column)) {
                    label = label != null ? label : "anon_" + (++anon);
                    sql(" AS ").quoted(label);
                }
                cols.add(new ResultColumn(label, e.type(), e instanceof Column ? (Column<?>) e : null));
            }
        } finally {
            qualify = saved;
        }
        resultColumns = cols;
    }

    /** Tables other than {@code target} referenced by {@code exprs}: the multi-table part of UPDATE/DELETE (C8). */
    protected final List<FromClause> extraFroms(Table target, List<FromClause> explicit, List<Expression<?>> exprs) {
        List<FromClause> out = new ArrayList<>(explicit);
        ExpressionWalker w = new ExpressionWalker() {
            @Override
            void onColumn(Column<?> c) {
                FromClause f = c.from();
                if (f != null && !sameFrom(f, target) && !containsFrom(out, f) && !isEnclosing(f)) {
                    out.add(f);
                }
            }
        };
        for (Expression<?> e : exprs) {
            w.walk(e);
        }
        return out;
    }

    @Override
    public void visitUpdate(Update u) {
        kind = CompiledStatement.Kind.UPDATE;
        if (!u.returning().isEmpty() && !dialect.supportsUpdateReturning()) {
            throw unsupported("UPDATE ... RETURNING");
        }
        if (u.set().isEmpty()) {
            throw new ArgumentError("An UPDATE needs at least one SET column");
        }
        List<Expression<?>> exprs = new ArrayList<>();
        for (Assignment a : u.set()) {
            exprs.add(a.value());
        }
        if (u.where() != null) {
            exprs.add(u.where());
        }
        List<FromClause> extra = extraFroms(u.table(), u.extraFroms(), exprs);
        if (!extra.isEmpty() && !dialect.supportsMultiTableUpdate()) {
            throw unsupported("multi-table UPDATE");
        }
        inTargetScope(u.table(), extra, () -> renderUpdate(u, extra));
    }

    /**
     * Renders an UPDATE or DELETE with {@code target} and {@code extra} as the FROM elements in
     * scope; a single-table statement's columns can only mean its own table's, so they may be
     * bare (see {@link #bareTableOf}).
     */
    private void inTargetScope(Table target, List<FromClause> extra, Runnable render) {
        List<FromClause> scope = new ArrayList<>();
        scope.add(target);
        scope.addAll(extra);
        enclosingFroms.push(scope);
        Table outerBare = bareTable;
        bareTable = extra.isEmpty() && !dialect.qualifySingleTableColumns() ? target : null;
        try {
            render.run();
        } finally {
            bareTable = outerBare;
            enclosingFroms.pop();
        }
    }

    /** ANSI/PostgreSQL {@code UPDATE t SET ... FROM others WHERE ... RETURNING ...}. */
    protected void renderUpdate(Update u, List<FromClause> extra) {
        sql("UPDATE ");
        tableName(u.table());
        sql(" SET ");
        assignments(u.set(), false);
        if (!extra.isEmpty()) {
            sql(" FROM ");
            renderList(extra);
        }
        if (u.where() != null) {
            sql(" WHERE ");
            render(u.where());
        }
        returningClause(u.returning());
    }

    @Override
    public void visitDelete(Delete d) {
        kind = CompiledStatement.Kind.DELETE;
        if (!d.returning().isEmpty() && !dialect.supportsDeleteReturning()) {
            throw unsupported("DELETE ... RETURNING");
        }
        List<Expression<?>> exprs = new ArrayList<>();
        if (d.where() != null) {
            exprs.add(d.where());
        }
        List<FromClause> extra = extraFroms(d.table(), d.using(), exprs);
        if (!extra.isEmpty() && !dialect.supportsMultiTableDelete()) {
            throw unsupported("multi-table DELETE");
        }
        inTargetScope(d.table(), extra, () -> renderDelete(d, extra));
    }

    /** ANSI/PostgreSQL {@code DELETE FROM t USING others WHERE ... RETURNING ...}. */
    protected void renderDelete(Delete d, List<FromClause> extra) {
        sql("DELETE FROM ");
        tableName(d.table());
        if (!extra.isEmpty()) {
            sql(" USING ");
            renderList(extra);
        }
        if (d.where() != null) {
            sql(" WHERE ");
            render(d.where());
        }
        returningClause(d.returning());
    }

    @Override
    public void visitText(TextClause t) {
        TextClause.requireOneStatement(t.text(), dialect.mysqlTextSyntax()); // B19: before it can reach a driver
        if (depth == 0 && kind == CompiledStatement.Kind.TEXT) {
            returnsRows = true;
        }
        boolean mysql = dialect.mysqlTextSyntax();
        List<String> chunks = t.chunks(mysql);
        List<String> names = t.bindNames(mysql);
        sql(chunks.get(0));
        for (int i = 0; i < names.size(); i++) {
            render(t.bindFor(names.get(i)));
            sql(chunks.get(i + 1));
        }
    }

    @Override
    public void visitDdl(Ddl ddl) {
        kind = CompiledStatement.Kind.DDL;
        DdlCompiler.render(this, ddl);
    }

    // ================================================================= DDL hooks

    /** The clause after a column's type for a database-generated key; ANSI identity. */
    protected String autoIncrementClause() {
        return " GENERATED BY DEFAULT AS IDENTITY";
    }

    /** Renders {@code COMMENT ON TABLE|COLUMN ... IS '...'}. */
    protected void commentStatement(Ddl ddl) {
        sql("COMMENT ON ");
        if (ddl.column() == null) {
            sql("TABLE ");
            tableName(ddl.table());
        } else {
            sql("COLUMN ");
            tableName(ddl.table());
            sql('.').quoted(ddl.column().name());
        }
        sql(" IS ").sql(ddl.comment() == null ? "NULL" : dialect.literals().string(ddl.comment()));
    }

    /** Renders {@code DROP INDEX name}. */
    protected void dropIndex(io.retort.sql.Index index) {
        sql("DROP INDEX ");
        if (index.table().schema() != null) {
            quoted(index.table().schema()).sql('.');
        }
        quoted(index.name());
    }

    /** Renders a column definition as in CREATE TABLE ({@code name TYPE [DEFAULT] [NOT NULL]...}). */
    protected final void columnDefinition(Column<?> column) {
        DdlCompiler.columnDefinition(this, column);
    }

    /**
     * A column definition without its UNIQUE constraint, for redefining an existing column whose
     * constraints already exist (MySQL {@code ALTER TABLE ... MODIFY COLUMN}).
     */
    protected final void columnRedefinition(Column<?> column) {
        DdlCompiler.columnDefinition(this, column, false);
    }

    /**
     * Whether a recursive CTE names its columns ({@code WITH RECURSIVE t (a, b) AS ...}); H2 requires
     * the list, the others infer the names from the anchor SELECT. Off by default.
     */
    protected boolean recursiveCteColumnList() {
        return false;
    }

    /** Trailing CREATE TABLE options (MySQL table COMMENT); none by default. */
    protected void tableOptions(Table table) {
    }

    /** An inline column COMMENT (MySQL); none by default. */
    protected void inlineColumnComment(Column<?> column) {
    }

    // ================================================================= CTEs

    private SqlBuffer withCtes(CteScope scope, SqlBuffer body) {
        if (scope.ctes.isEmpty()) {
            return body;
        }
        SqlBuffer b = new SqlBuffer();
        b.append("WITH ");
        if (scope.recursive) {
            b.append("RECURSIVE ");
        }
        boolean first = true;
        for (Map.Entry<String, SqlBuffer> e : scope.bodies.entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            b.append(dialect.quote(e.getKey()));
            Cte cte = scope.ctes.get(e.getKey());
            if (cte.isRecursive() && recursiveCteColumnList()) {
                // WITH RECURSIVE name (a, b) AS (...): the column names of the anchor SELECT.
                b.append(" (");
                for (int i = 0; i < cte.columns().size(); i++) {
                    b.append(i > 0 ? ", " : "").append(dialect.quote(cte.columns().get(i).name()));
                }
                b.append(')');
            }
            b.append(" AS (");
            b.append(e.getValue());
            b.append(')');
        }
        b.append(' ');
        b.append(body);
        return b;
    }

    /** The CTEs referenced inside one statement, rendered once each, dependencies first. */
    private static final class CteScope {
        final Map<String, Cte> ctes = new LinkedHashMap<>();
        final Map<String, SqlBuffer> bodies = new LinkedHashMap<>();
        boolean recursive;

        void register(Cte cte, SqlCompiler c) {
            Cte existing = ctes.get(cte.name());
            if (existing != null) {
                if (!existing.sameAs(cte)) {
                    throw new CompileError("Two different CTEs are named " + cte.name());
                }
                if (existing.anchor() != null || cte.anchor() == null) {
                    return;
                }
            }
            ctes.put(cte.name(), cte);
            recursive |= cte.isRecursive();
            bodies.putIfAbsent(cte.name(), new SqlBuffer());
            Deque<List<FromClause>> saved = new ArrayDeque<>(c.enclosingFroms);
            c.enclosingFroms.clear();
            c.depth++;
            SqlBuffer body;
            try {
                body = c.capture(() -> c.render(cte.select()));
            } finally {
                c.depth--;
                c.enclosingFroms.addAll(saved);
            }
            if (ctes.get(cte.name()) == cte) {
                bodies.remove(cte.name());
                bodies.put(cte.name(), body);
            }
        }
    }
}
