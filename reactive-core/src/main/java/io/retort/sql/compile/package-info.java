/**
 * Compilation of the expression language to SQL: the {@link io.retort.sql.compile.Dialect} SPI
 * and ANSI base dialect, the visitor compiler, structural cache keys and the compiled-statement
 * cache.
 */
package io.retort.sql.compile;
