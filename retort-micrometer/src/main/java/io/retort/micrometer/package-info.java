/**
 * Micrometer support for Retort (X2, X8): {@link io.retort.micrometer.RetortMicrometer} makes one
 * Observation per statement (OpenTelemetry database key names, nested under the caller's
 * observation from the Reactor context), and {@link io.retort.micrometer.RetortMetrics} binds an
 * engine's pool and statement-cache meters. Built on reactive-core's
 * {@link io.retort.engine.StatementObserver} SPI. Nothing here blocks or fails a statement.
 */
@NullMarked
package io.retort.micrometer;

import org.jspecify.annotations.NullMarked;
