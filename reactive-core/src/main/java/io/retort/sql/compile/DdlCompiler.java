package io.retort.sql.compile;

import io.retort.error.CompileError;
import io.retort.sql.Column;
import io.retort.sql.ColumnSpec;
import io.retort.sql.Constraint;
import io.retort.sql.Ddl;
import io.retort.sql.Index;
import io.retort.sql.Sequence;
import io.retort.sql.Table;

import java.util.List;

/**
 * Renders DDL (C10) through a {@link SqlCompiler}, whose dialect hooks decide type names,
 * identity columns, comments and index/sequence spellings.
 */
final class DdlCompiler {
    private DdlCompiler() {
    }

    static void render(SqlCompiler c, Ddl ddl) {
        switch (ddl.kind()) {
            case CREATE_TABLE: createTable(c, ddl.table(), ddl.conditional()); break;
            case DROP_TABLE:
                c.sql("DROP TABLE ").sql(ddl.conditional() ? "IF EXISTS " : "");
                c.tableName(ddl.table());
                break;
            case CREATE_INDEX: createIndex(c, ddl.index()); break;
            case DROP_INDEX: c.dropIndex(ddl.index()); break;
            case CREATE_SEQUENCE: createSequence(c, ddl.sequence()); break;
            case DROP_SEQUENCE:
                requireSequences(c);
                c.sql("DROP SEQUENCE ").sql(ddl.conditional() ? "IF EXISTS " : "");
                c.sequenceName(ddl.sequence());
                break;
            case COMMENT: c.commentStatement(ddl); break;
            default: throw new AssertionError(ddl.kind());
        }
    }

    private static void createTable(SqlCompiler c, Table t, boolean ifNotExists) {
        c.sql("CREATE TABLE ").sql(ifNotExists ? "IF NOT EXISTS " : "");
        c.tableName(t);
        c.sql(" (");
        List<Column<?>> cols = t.columns();
        for (int i = 0; i < cols.size(); i++) {
            c.sql(i > 0 ? ", " : "");
            columnDefinition(c, cols.get(i));
        }
        List<Column<?>> pk = t.primaryKeyColumns();
        if (!pk.isEmpty()) {
            c.sql(", PRIMARY KEY (");
            names(c, pk);
            c.sql(')');
        }
        for (Column<?> col : cols) {
            ColumnSpec.ForeignKeyRef ref = col.spec().references();
            if (ref != null) {
                c.sql(", FOREIGN KEY (").quoted(col.name()).sql(") REFERENCES ");
                if (ref.schema() != null) {
                    c.quoted(ref.schema()).sql('.');
                }
                c.quoted(ref.table()).sql(" (").quoted(ref.column()).sql(')');
                action(c, "DELETE", ref.onDelete());
                action(c, "UPDATE", ref.onUpdate());
            }
        }
        for (Constraint k : t.constraints()) {
            constraint(c, k);
        }
        c.sql(')');
        c.tableOptions(t);
    }

    /** {@code name TYPE [identity] [DEFAULT x] [NOT NULL] [UNIQUE] [COMMENT]}; a primary key column is NOT NULL. */
    static void columnDefinition(SqlCompiler c, Column<?> col) {
        columnDefinition(c, col, true);
    }

    /**
     * A column definition; without {@code constraints} the column's UNIQUE is left out, for
     * redefining an existing column (MySQL {@code MODIFY COLUMN} would add a second unique index).
     */
    static void columnDefinition(SqlCompiler c, Column<?> col, boolean constraints) {
        ColumnSpec s = col.spec();
        c.quoted(col.name()).sql(' ').sql(c.dialect.ddlTypeName(col.type()));
        if (s.autoIncrement()) {
            c.sql(c.autoIncrementClause());
        }
        if (s.serverDefault() != null) {
            c.sql(" DEFAULT ").sql(s.serverDefault());
        }
        if (!s.nullable() || inPrimaryKey(col)) {
            // A key column of a table-level PRIMARY KEY is NOT NULL too (as SQLAlchemy renders it):
            // SQLite would otherwise accept NULL in it, where the other databases imply NOT NULL.
            c.sql(" NOT NULL");
        }
        if (constraints && s.unique() && !s.primaryKey()) {
            c.sql(" UNIQUE");
        }
        c.inlineColumnComment(col);
    }

    private static boolean inPrimaryKey(Column<?> col) {
        Table t = col.table();
        if (t == null) {
            return false;
        }
        for (Constraint k : t.constraints()) {
            if (k.kind() == Constraint.Kind.PRIMARY_KEY && k.columns().contains(col)) {
                return true;
            }
        }
        return false;
    }

    private static void action(SqlCompiler c, String event, String action) {
        if (action != null) {
            c.sql(" ON ").sql(event).sql(' ').sql(action);
        }
    }

    private static void constraint(SqlCompiler c, Constraint k) {
        if (k.kind() == Constraint.Kind.PRIMARY_KEY) {
            return; // rendered with the column-level primary key
        }
        c.sql(", ");
        if (k.name() != null) {
            c.sql("CONSTRAINT ").quoted(k.name()).sql(' ');
        }
        switch (k.kind()) {
            case UNIQUE:
                c.sql("UNIQUE (");
                names(c, k.columns());
                c.sql(')');
                break;
            case CHECK:
                c.sql("CHECK (").sql(k.check()).sql(')');
                break;
            case FOREIGN_KEY:
                c.sql("FOREIGN KEY (");
                names(c, k.columns());
                c.sql(") REFERENCES ");
                c.tableName(k.targetTable());
                c.sql(" (");
                for (int i = 0; i < k.targetColumns().size(); i++) {
                    c.sql(i > 0 ? ", " : "").quoted(k.targetColumns().get(i));
                }
                c.sql(')');
                action(c, "DELETE", k.onDelete());
                break;
            default:
                throw new AssertionError(k.kind());
        }
    }

    private static void names(SqlCompiler c, List<Column<?>> cols) {
        for (int i = 0; i < cols.size(); i++) {
            c.sql(i > 0 ? ", " : "").quoted(cols.get(i).name());
        }
    }

    private static void createIndex(SqlCompiler c, Index idx) {
        c.sql(idx.unique() ? "CREATE UNIQUE INDEX " : "CREATE INDEX ").quoted(idx.name()).sql(" ON ");
        c.tableName(idx.table());
        c.sql(" (");
        names(c, idx.columns());
        c.sql(')');
    }

    private static void createSequence(SqlCompiler c, Sequence s) {
        requireSequences(c);
        c.sql("CREATE SEQUENCE ");
        c.sequenceName(s);
        c.sql(" START WITH ").sql(Long.toString(s.start())).sql(" INCREMENT BY ").sql(Long.toString(s.increment()));
    }

    private static void requireSequences(SqlCompiler c) {
        if (!c.dialect.supportsSequences()) {
            throw CompileError.unsupported(c.dialect.name(), "sequences");
        }
    }
}
