package io.retort.dialect.postgresql;

import io.retort.sql.BindParam;
import io.retort.sql.Expression;
import io.retort.sql.NextValue;
import io.retort.sql.SqlType;
import io.retort.sql.compile.SqlCompiler;

/** PostgreSQL rendering hooks: ILIKE, LIMIT/OFFSET, {@code nextval('seq')}. */
final class PostgresCompiler extends SqlCompiler {
    PostgresCompiler(PostgresDialect dialect, boolean literalBinds) {
        super(dialect, literalBinds);
    }

    @Override
    protected boolean supportsIlike() {
        return true;
    }

    @Override
    public void visitBindParam(BindParam<?> bind) {
        SqlType<?> storage = bind.type().converter() == null ? bind.type() : bind.type().converter().storage();
        if (literalBinds || storage.kind() != SqlType.Kind.JSON) {
            super.visitBindParam(bind);
            return;
        }
        // r2dbc-postgresql binds a String as VARCHAR, which PostgreSQL will not assign to a json/jsonb
        // column (42804): the placeholder is cast to the column's JSON type.
        sql("CAST(");
        super.visitBindParam(bind);
        sql(" AS ").sql(dialect.castTypeName(storage)).sql(')');
    }

    @Override
    protected void limitClause(Expression<?> limit, Expression<?> offset) {
        limitOffset(limit, offset, null);
    }

    @Override
    protected void nextValue(NextValue n) {
        // nextval takes the sequence name as text: quote the identifier, then the string.
        String name = (n.sequence().schema() == null ? "" : dialect.quote(n.sequence().schema()) + ".")
                + dialect.quote(n.sequence().name());
        sql("nextval(").sql(dialect.literals().string(name)).sql(')');
    }
}
