package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * DDL statements (C10): CREATE/DROP TABLE, INDEX, SEQUENCE and COMMENT ON. Built with the
 * factories in {@link Sql}; each is an immutable record compiled per dialect.
 */
public abstract class Ddl extends Node implements Statement {
    Ddl() {
    }

    /** What the DDL statement does. */
    public enum Kind { CREATE_TABLE, DROP_TABLE, CREATE_INDEX, DROP_INDEX, CREATE_SEQUENCE, DROP_SEQUENCE, COMMENT }

    public abstract Kind kind();

    /** The table involved (CREATE/DROP TABLE, index owner, COMMENT ON target), or null. */
    public abstract Table table();

    /** The index involved, or null. */
    public Index index() {
        return null;
    }

    /** The sequence involved, or null. */
    public Sequence sequence() {
        return null;
    }

    /** For COMMENT: the column commented on, or null for the table comment. */
    public Column<?> column() {
        return null;
    }

    /** For COMMENT: the comment text, or null to remove it. */
    public String comment() {
        return null;
    }

    /** IF NOT EXISTS / IF EXISTS. */
    public abstract boolean conditional();

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitDdl(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        // DDL is compiled each time and never enters the statement cache (see StatementCache);
        // the key only names it for logs.
        key.add("ddl", kind()).add(conditional());
    }

    static Ddl of(Kind kind, Table table, Index index, Sequence sequence, Column<?> column, String comment,
                  boolean conditional) {
        return new Ddl() {
            @Override
            public Kind kind() {
                return kind;
            }

            @Override
            public Table table() {
                return table;
            }

            @Override
            public Index index() {
                return index;
            }

            @Override
            public Sequence sequence() {
                return sequence;
            }

            @Override
            public Column<?> column() {
                return column;
            }

            @Override
            public String comment() {
                return comment;
            }

            @Override
            public boolean conditional() {
                return conditional;
            }
        };
    }
}
