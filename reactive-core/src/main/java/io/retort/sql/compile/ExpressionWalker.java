package io.retort.sql.compile;

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
import io.retort.sql.Over;
import io.retort.sql.ScalarSubquery;
import io.retort.sql.Select;
import io.retort.sql.SortOrder;
import io.retort.sql.SqlVisitor;
import io.retort.sql.Subquery;
import io.retort.sql.Table;
import io.retort.sql.TableAlias;
import io.retort.sql.TextClause;
import io.retort.sql.Tuple;
import io.retort.sql.Update;

/**
 * Walks an expression tree without entering nested SELECTs (scalar subqueries, EXISTS, IN
 * subqueries keep their own FROMs), calling {@link #onColumn} for every column met. Used to
 * derive implicit FROM elements and for FROM linting.
 */
abstract class ExpressionWalker implements SqlVisitor {

    abstract void onColumn(Column<?> column);

    /** Called for a nested SELECT instead of entering it. */
    void onNestedSelect() {
    }

    void walk(Expression<?> e) {
        if (e != null) {
            e.accept(this);
        }
    }

    @Override
    public void visitColumn(Column<?> column) {
        onColumn(column);
    }

    @Override
    public void visitBindParam(BindParam<?> bind) {
    }

    @Override
    public void visitConstant(Constant<?> constant) {
    }

    @Override
    public void visitLiteral(Literal<?> literal) {
    }

    @Override
    public void visitBinary(BinaryExpression<?> binary) {
        walk(binary.left());
        walk(binary.right());
    }

    @Override
    public void visitUnary(io.retort.sql.UnaryExpression<?> unary) {
        walk(unary.operand());
    }

    @Override
    public void visitJunction(Junction junction) {
        for (Expression<Boolean> t : junction.terms()) {
            walk(t);
        }
    }

    @Override
    public void visitIn(InExpression in) {
        walk(in.left());
        walk(in.right());
    }

    @Override
    public void visitLike(Like like) {
        walk(like.left());
        walk(like.pattern());
    }

    @Override
    public void visitBetween(Between between) {
        walk(between.operand());
        walk(between.low());
        walk(between.high());
    }

    @Override
    public void visitFunction(FunctionCall<?> function) {
        for (Expression<?> a : function.arguments()) {
            walk(a);
        }
        walk(function.filter());
    }

    @Override
    public void visitOver(Over<?> over) {
        walk(over.function());
        for (Expression<?> p : over.window().partitionBy()) {
            walk(p);
        }
        for (SortOrder s : over.window().orderBy()) {
            walk(s.expression());
        }
    }

    @Override
    public void visitCase(Case<?> c) {
        for (int i = 0; i < c.conditions().size(); i++) {
            walk(c.conditions().get(i));
            walk(c.results().get(i));
        }
        walk(c.otherwise());
    }

    @Override
    public void visitCast(Cast<?> cast) {
        walk(cast.operand());
    }

    @Override
    public void visitLabel(Label<?> label) {
        walk(label.element());
    }

    @Override
    public void visitCollate(Collate<?> collate) {
        walk(collate.operand());
    }

    @Override
    public void visitScalarSubquery(ScalarSubquery<?> subquery) {
        onNestedSelect();
    }

    @Override
    public void visitExists(Exists exists) {
        onNestedSelect();
    }

    @Override
    public void visitTuple(Tuple tuple) {
        for (Expression<?> e : tuple.elements()) {
            walk(e);
        }
    }

    @Override
    public void visitInsertedValue(InsertedValue<?> value) {
    }

    @Override
    public void visitNextValue(NextValue nextValue) {
    }

    @Override
    public void visitTable(Table table) {
    }

    @Override
    public void visitTableAlias(TableAlias alias) {
    }

    @Override
    public void visitSubquery(Subquery subquery) {
    }

    @Override
    public void visitCteReference(Cte cte) {
    }

    @Override
    public void visitJoin(Join join) {
    }

    @Override
    public void visitSelect(Select select) {
        onNestedSelect();
    }

    @Override
    public void visitCompoundSelect(CompoundSelect compound) {
        onNestedSelect();
    }

    @Override
    public void visitInsert(Insert insert) {
    }

    @Override
    public void visitUpdate(Update update) {
    }

    @Override
    public void visitDelete(Delete delete) {
    }

    @Override
    public void visitText(TextClause text) {
    }

    @Override
    public void visitDdl(Ddl ddl) {
    }
}
