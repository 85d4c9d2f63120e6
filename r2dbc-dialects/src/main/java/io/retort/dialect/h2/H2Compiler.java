package io.retort.dialect.h2;

import io.retort.sql.BindParam;
import io.retort.sql.Delete;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.Insert;
import io.retort.sql.SqlType;
import io.retort.sql.Update;
import io.retort.sql.compile.SqlCompiler;

import java.util.List;

/**
 * H2 rendering hooks. H2 has no RETURNING clause; a DML statement with one is wrapped in a data
 * change delta table: {@code SELECT cols FROM FINAL TABLE (INSERT ...)}, or
 * {@code OLD TABLE (DELETE ...)} for deletes.
 */
final class H2Compiler extends SqlCompiler {
    H2Compiler(H2Dialect dialect, boolean literalBinds) {
        super(dialect, literalBinds);
    }

    @Override
    protected boolean recursiveCteColumnList() {
        // H2 2.x rejects WITH RECURSIVE t AS (...) without a column list ("expected \"(\"").
        return true;
    }

    @Override
    public void visitBindParam(BindParam<?> bind) {
        super.visitBindParam(bind);
        // H2 converts a character string to JSON as a JSON *string* ('{"a":1}' becomes "{\"a\":1}");
        // FORMAT JSON makes it parse the bound text as a JSON document instead.
        SqlType<?> storage = bind.type().converter() == null ? bind.type() : bind.type().converter().storage();
        if (!literalBinds && storage.kind() == SqlType.Kind.JSON) {
            sql(" FORMAT JSON");
        }
    }

    @Override
    protected void renderInsert(Insert insert) {
        wrap(insert.returning(), "FINAL", () -> super.renderInsert(insert));
    }

    @Override
    protected void renderUpdate(Update u, List<FromClause> extra) {
        wrap(u.returning(), "FINAL", () -> super.renderUpdate(u, extra));
    }

    @Override
    protected void renderDelete(Delete d, List<FromClause> extra) {
        wrap(d.returning(), "OLD", () -> super.renderDelete(d, extra));
    }

    @Override
    protected void returningClause(List<Expression<?>> returning) {
        // rendered by wrap() around the statement instead
    }

    private void wrap(List<Expression<?>> returning, String which, Runnable dml) {
        if (returning.isEmpty()) {
            dml.run();
            return;
        }
        sql("SELECT ");
        returningColumns(returning);
        sql(" FROM ").sql(which).sql(" TABLE (");
        dml.run();
        sql(')');
    }
}
