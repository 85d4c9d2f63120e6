package io.retort.dialect.mysql;

import io.retort.sql.Column;
import io.retort.sql.Ddl;
import io.retort.sql.Delete;
import io.retort.sql.Expression;
import io.retort.sql.FromClause;
import io.retort.sql.Index;
import io.retort.sql.Like;
import io.retort.sql.LockClause;
import io.retort.sql.SortOrder;
import io.retort.sql.Table;
import io.retort.sql.Update;
import io.retort.sql.compile.SqlCompiler;

import java.util.List;

/**
 * MySQL/MariaDB rendering hooks: {@code concat()}, {@code <=>}, {@code VALUES(col)},
 * {@code LIMIT}, {@code FROM DUAL}, multi-table UPDATE/DELETE, inline comments, NULLS
 * FIRST/LAST emulated with an {@code IS NULL} sort key.
 */
public class MySqlCompiler extends SqlCompiler {
    private final MySqlDialect mysql;
    private String commentOverride;
    private boolean overrideComment;

    protected MySqlCompiler(MySqlDialect dialect, boolean literalBinds) {
        super(dialect, literalBinds);
        this.mysql = dialect;
    }

    @Override
    protected void concat(Expression<?> left, Expression<?> right) {
        sql("concat(");
        render(left);
        sql(", ");
        render(right);
        sql(')');
    }

    @Override
    protected void likePattern(Like like) {
        if (!like.wildcardBefore() && !like.wildcardAfter()) {
            render(like.pattern());
            return;
        }
        sql("concat(");
        if (like.wildcardBefore()) {
            sql("'%', ");
        }
        render(like.pattern());
        if (like.wildcardAfter()) {
            sql(", '%'");
        }
        sql(')');
    }

    @Override
    protected void nullSafeComparison(Expression<?> left, Expression<?> right, boolean distinct) {
        sql(distinct ? "NOT (" : "");
        operand(left, io.retort.sql.Operator.EQ, false);
        sql(" <=> ");
        operand(right, io.retort.sql.Operator.EQ, true);
        sql(distinct ? ")" : "");
    }

    @Override
    protected void insertedValue(Column<?> column) {
        sql("VALUES(").quoted(column.name()).sql(')');
    }

    @Override
    protected void limitClause(Expression<?> limit, Expression<?> offset) {
        // MySQL has no OFFSET without LIMIT: the documented idiom is the largest BIGINT UNSIGNED.
        limitOffset(limit, offset, "18446744073709551615");
    }

    @Override
    protected String emptyFromWithWhere() {
        return " FROM DUAL";
    }

    @Override
    protected String defaultValues() {
        return "() VALUES ()";
    }

    @Override
    protected void lockClause(LockClause lock) {
        switch (lock.mode()) {
            case UPDATE: sql(" FOR UPDATE"); break;
            case SHARE: sql(mysql.sharedLockClause()); break;
            default: throw unsupported("FOR " + lock.mode().name().replace('_', ' '));
        }
        lockOptions(lock);
    }

    @Override
    protected void sortOrder(SortOrder o) {
        boolean asDefault = o.nulls() == (o.isDescending() ? SortOrder.Nulls.LAST : SortOrder.Nulls.FIRST);
        if (o.nulls() != SortOrder.Nulls.DEFAULT && !asDefault) {
            // MySQL sorts NULLs first ascending and last descending; an IS NULL key overrides that.
            // Asked for what it does anyway, it gets the plain term, which an index on it can serve.
            sql('(');
            render(o.expression());
            sql(o.nulls() == SortOrder.Nulls.FIRST ? " IS NULL) DESC, " : " IS NULL), ");
            render(o.expression());
            sql(o.isDescending() ? " DESC" : "");
            return;
        }
        super.sortOrder(asDefault ? (o.isDescending() ? o.expression().desc() : o.expression().asc()) : o);
    }

    @Override
    protected void renderUpdate(Update u, List<FromClause> extra) {
        if (extra.isEmpty()) {
            super.renderUpdate(u, extra);
            return;
        }
        // MySQL multi-table form: UPDATE a, b SET a.x = ... WHERE ... (C8).
        sql("UPDATE ");
        tableName(u.table());
        for (FromClause f : extra) {
            sql(", ");
            render(f);
        }
        sql(" SET ");
        assignments(u.set(), true);
        if (u.where() != null) {
            sql(" WHERE ");
            render(u.where());
        }
        returningClause(u.returning());
    }

    @Override
    protected void renderDelete(Delete d, List<FromClause> extra) {
        if (extra.isEmpty()) {
            super.renderDelete(d, extra);
            return;
        }
        if (!d.returning().isEmpty()) {
            throw unsupported("multi-table DELETE ... RETURNING");
        }
        // MySQL multi-table form: DELETE a FROM a, b WHERE ... (C8).
        sql("DELETE ");
        tableName(d.table());
        sql(" FROM ");
        tableName(d.table());
        for (FromClause f : extra) {
            sql(", ");
            render(f);
        }
        if (d.where() != null) {
            sql(" WHERE ");
            render(d.where());
        }
    }

    @Override
    protected String autoIncrementClause() {
        return " AUTO_INCREMENT";
    }

    @Override
    protected void inlineColumnComment(Column<?> column) {
        String comment = overrideComment ? commentOverride : column.spec().comment();
        if (comment != null) {
            sql(" COMMENT ").sql(dialect.literals().string(comment));
        }
    }

    @Override
    protected void tableOptions(Table table) {
        if (table.tableComment() != null) {
            sql(" COMMENT = ").sql(dialect.literals().string(table.tableComment()));
        }
    }

    @Override
    protected void commentStatement(Ddl ddl) {
        sql("ALTER TABLE ");
        tableName(ddl.table());
        if (ddl.column() == null) {
            sql(" COMMENT = ").sql(dialect.literals().string(ddl.comment() == null ? "" : ddl.comment()));
            return;
        }
        // MySQL has no COMMENT ON COLUMN: the column is redefined from its Table definition, without
        // UNIQUE, which would add a second unique index (the TCK saw code and code_2 on MariaDB).
        sql(" MODIFY COLUMN ");
        overrideComment = true;
        commentOverride = ddl.comment() == null ? "" : ddl.comment();
        try {
            columnRedefinition(ddl.column());
        } finally {
            overrideComment = false;
        }
    }

    @Override
    protected void dropIndex(Index index) {
        sql("DROP INDEX ").quoted(index.name()).sql(" ON ");
        tableName(index.table());
    }
}
