/**
 * Schema reflection (C10): {@link io.retort.schema.Inspector} reads what the database says about
 * its tables (names, columns with types, nullability, defaults and comments, primary keys,
 * foreign keys, indexes and table comments) into immutable records such as
 * {@link io.retort.schema.ReflectedTable}. Queries are per dialect (PostgreSQL {@code pg_catalog},
 * MySQL/MariaDB and H2 {@code information_schema}, SQLite {@code sqlite_master} and its pragma
 * functions), bound like any other statement, and scoped to the connection's current schema or
 * database.
 */
package io.retort.schema;
