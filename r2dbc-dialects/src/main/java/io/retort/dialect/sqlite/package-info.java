/** The SQLite dialect (D4), used through the JDBC bridge with sqlite-jdbc. */
package io.retort.dialect.sqlite;
