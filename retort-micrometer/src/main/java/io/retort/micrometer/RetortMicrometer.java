package io.retort.micrometer;

import io.micrometer.observation.ObservationRegistry;
import io.retort.engine.Engine;
import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * Micrometer Observations for a Retort {@link Engine} (X8): one {@code retort.statement}
 * observation per statement sent, with the SQL text, the dialect, whether the compiled SQL came
 * from the statement cache, rows returned or affected, the outcome and the typed error, under
 * OpenTelemetry's database key names ({@link RetortObservationDocumentation}). Each nests under
 * the observation found in the subscriber's Reactor context, so a statement run for a WebFlux
 * request is a child of the request's observation (and, with micrometer-tracing, its span).
 *
 * <pre>{@code
 * ObservationRegistry observations = ...;          // Spring Boot's bean, or ObservationRegistry.create()
 * AutoCloseable off = RetortMicrometer.observe(engine, observations);
 * new RetortMetrics(engine, "primary").bindTo(meterRegistry);   // pool and statement-cache meters (X2)
 * }</pre>
 *
 * With a {@code DefaultMeterObservationHandler} on the registry the observations also make the
 * timer {@code retort.statement}, tagged {@code db.system.name}, {@code db.operation.name},
 * {@code retort.cache.hit}, {@code outcome} and {@code error.type}.
 */
public final class RetortMicrometer {

    private RetortMicrometer() {
    }

    /**
     * Observes every statement of {@code engine} in {@code registry} with the default convention
     * (or a {@link io.micrometer.observation.GlobalObservationConvention} registered for
     * {@link StatementObservationContext}). Closing the returned handle stops observing new
     * statements. An observation failure never fails a statement.
     */
    public static AutoCloseable observe(Engine engine, ObservationRegistry registry) {
        return observe(engine, registry, null);
    }

    /**
     * As {@link #observe(Engine, ObservationRegistry)}, named and keyed by {@code convention}
     * (null for the default); a custom convention wins over a global one, as in Micrometer.
     */
    public static AutoCloseable observe(Engine engine, ObservationRegistry registry,
                                        @Nullable StatementObservationConvention convention) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(registry, "registry");
        return engine.observeStatements(new ObservingStatementObserver(registry, convention));
    }
}
