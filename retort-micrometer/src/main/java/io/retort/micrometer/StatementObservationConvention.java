package io.retort.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names a statement observation and computes its key values from a
 * {@link StatementObservationContext}. Replace {@link DefaultStatementObservationConvention} by
 * passing your own to {@link RetortMicrometer#observe(io.retort.engine.Engine,
 * io.micrometer.observation.ObservationRegistry, StatementObservationConvention)}, or for every
 * engine at once by registering a {@link io.micrometer.observation.GlobalObservationConvention}
 * of this context type on the registry ({@code registry.observationConfig().observationConvention(...)}).
 * Extending the default and overriding one method keeps the other keys.
 */
public interface StatementObservationConvention extends ObservationConvention<StatementObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof StatementObservationContext;
    }
}
