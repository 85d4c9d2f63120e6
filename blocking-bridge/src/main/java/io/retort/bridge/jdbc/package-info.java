/**
 * The JDBC bridge: an R2DBC SPI 1.0 implementation over any JDBC driver (B1–B4).
 *
 * <p>Entry points: {@link io.retort.bridge.jdbc.JdbcConnectionFactory} (built from a JDBC URL or
 * a DataSource) and {@link io.retort.bridge.jdbc.JdbcConnectionFactoryProvider} (the R2DBC
 * driver {@code jdbc}, for {@code ConnectionFactories.get("r2dbc:jdbc:…")}); options in
 * {@link io.retort.bridge.jdbc.JdbcBridgeOptions}.
 *
 * <p>Design in one paragraph: every JDBC call runs on the factory's worker pool (one thread per
 * connection permit), through a per-connection serial lane, never on the subscriber's thread;
 * waiting for a connection is an asynchronous queue, not a blocked thread, so the pool cannot
 * deadlock; rows are read only as far as the subscriber has requested; a cancelled subscriber's
 * running statement gets {@code Statement.cancel()}; SQL exceptions become R2DBC exceptions by
 * SQLSTATE class; {@code $n} and {@code :name} bind markers are translated to JDBC's {@code ?}.
 */
package io.retort.bridge.jdbc;
