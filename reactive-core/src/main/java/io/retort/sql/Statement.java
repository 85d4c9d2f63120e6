package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * An executable SQL statement: a query, DML, DDL or a text statement. It compiles to one SQL
 * string per dialect and has a structural cache key.
 */
public interface Statement {
    /** Double dispatch to the compiler. */
    void accept(SqlVisitor visitor);

    /** Appends the statement's structure and values to {@code key}. */
    void appendKey(KeyBuilder key);
}
