package io.retort.dialect.sqlite;

import io.retort.sql.CompoundSelect;
import io.retort.sql.Ddl;
import io.retort.sql.Expression;
import io.retort.sql.Join;
import io.retort.sql.LockClause;
import io.retort.sql.Operator;
import io.retort.sql.SelectBase;
import io.retort.sql.compile.SqlCompiler;

/**
 * SQLite rendering hooks: {@code LIMIT -1 OFFSET n}, {@code IS} / {@code IS NOT} for null-safe
 * comparison, no identity clause (an INTEGER primary key is the rowid), and refusals for what
 * SQLite cannot express.
 */
final class SqliteCompiler extends SqlCompiler {
    private final SqliteDialect sqlite;

    SqliteCompiler(SqliteDialect dialect, boolean literalBinds) {
        super(dialect, literalBinds);
        this.sqlite = dialect;
    }

    @Override
    protected void limitClause(Expression<?> limit, Expression<?> offset) {
        // SQLite has no OFFSET without LIMIT; a negative limit means "no limit".
        limitOffset(limit, offset, "-1");
    }

    @Override
    protected void lockClause(LockClause lock) {
        throw unsupported("FOR " + lock.mode().name().replace('_', ' ')
                + " (SQLite has no row locks: a write transaction locks the whole database)");
    }

    @Override
    protected void nullSafeComparison(Expression<?> left, Expression<?> right, boolean distinct) {
        // SQLite's IS and IS NOT compare NULLs as values, in every version.
        operand(left, Operator.EQ, false);
        sql(distinct ? " IS NOT " : " IS ");
        operand(right, Operator.EQ, true);
    }

    @Override
    protected String autoIncrementClause() {
        return "";
    }

    @Override
    protected void commentStatement(Ddl ddl) {
        throw unsupported("COMMENT ON (SQLite keeps no table or column comments)");
    }

    @Override
    public void visitJoin(Join j) {
        if (j.type() == Join.Type.RIGHT && !sqlite.supportsRightJoin()) {
            throw unsupported("RIGHT OUTER JOIN before SQLite 3.39 (swap the tables and use a LEFT JOIN)");
        }
        super.visitJoin(j);
    }

    @Override
    public void visitCompoundSelect(CompoundSelect c) {
        for (SelectBase member : c.selects()) {
            if (member instanceof CompoundSelect || !member.orderBy().isEmpty() || member.limit() != null
                    || member.offset() != null) {
                throw unsupported("a " + c.kind().sql() + " member with its own ORDER BY, LIMIT or set operation"
                        + " (SQLite cannot parenthesise compound members: select from the member as a subquery)");
            }
        }
        super.visitCompoundSelect(c);
    }
}
