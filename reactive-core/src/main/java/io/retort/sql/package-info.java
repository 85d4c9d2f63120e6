/**
 * The SQL expression language: immutable, generative, typed nodes (tables, columns, expressions,
 * SELECT/INSERT/UPDATE/DELETE, DDL) built through {@link io.retort.sql.Sql}. Nodes know nothing
 * about dialects; {@link io.retort.sql.compile} turns them into SQL.
 */
package io.retort.sql;
