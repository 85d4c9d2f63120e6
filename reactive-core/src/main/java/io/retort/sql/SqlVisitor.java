package io.retort.sql;

/**
 * One method per node class: the compiler implements it, nodes call back through
 * {@link Node#accept}. Adding a node means adding a method here, so every dialect compiler is
 * forced to handle it.
 */
public interface SqlVisitor {
    void visitColumn(Column<?> column);

    void visitBindParam(BindParam<?> bind);

    void visitConstant(Constant<?> constant);

    void visitLiteral(Literal<?> literal);

    void visitBinary(BinaryExpression<?> binary);

    void visitUnary(UnaryExpression<?> unary);

    void visitJunction(Junction junction);

    void visitIn(InExpression in);

    void visitLike(Like like);

    void visitBetween(Between between);

    void visitFunction(FunctionCall<?> function);

    void visitOver(Over<?> over);

    void visitCase(Case<?> caseExpression);

    void visitCast(Cast<?> cast);

    void visitLabel(Label<?> label);

    void visitCollate(Collate<?> collate);

    void visitScalarSubquery(ScalarSubquery<?> subquery);

    void visitExists(Exists exists);

    void visitTuple(Tuple tuple);

    void visitInsertedValue(InsertedValue<?> value);

    void visitNextValue(NextValue nextValue);

    void visitTable(Table table);

    void visitTableAlias(TableAlias alias);

    void visitSubquery(Subquery subquery);

    void visitCteReference(Cte cte);

    void visitJoin(Join join);

    void visitSelect(Select select);

    void visitCompoundSelect(CompoundSelect compound);

    void visitInsert(Insert insert);

    void visitUpdate(Update update);

    void visitDelete(Delete delete);

    void visitText(TextClause text);

    void visitDdl(Ddl ddl);
}
