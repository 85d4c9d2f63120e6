package io.retort.dialect.postgresql;

import io.retort.sql.Expression;
import io.retort.sql.NextValue;
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
