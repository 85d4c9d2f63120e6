package io.retort.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.retort.engine.StatementObserver;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * The {@link StatementObserver} behind {@link RetortMicrometer#observe}: one {@link Observation}
 * per statement, started when the statement is sent, nested under the observation in the
 * subscriber's Reactor context, and stopped at its end. No scope is opened: the statement runs
 * on the driver's threads, and nothing there reads the current observation.
 */
final class ObservingStatementObserver implements StatementObserver {
    /**
     * Where Reactor and Spring keep the current observation in a Reactor context:
     * {@code ObservationThreadLocalAccessor.KEY}, written out because that class needs the
     * optional context-propagation library on the class path.
     */
    static final String OBSERVATION_KEY = "micrometer.observation";

    private final ObservationRegistry registry;
    private final @Nullable StatementObservationConvention convention;

    ObservingStatementObserver(ObservationRegistry registry, @Nullable StatementObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    @Override
    public @Nullable Execution started(Start start) {
        if (registry.isNoop()) {
            return null;
        }
        StatementObservationContext context = new StatementObservationContext(start);
        Observation observation = RetortObservationDocumentation.STATEMENT.observation(convention,
                DefaultStatementObservationConvention.INSTANCE, () -> context, registry);
        if (observation.isNoop()) {
            // An ObservationPredicate turned it off: nothing to stop later.
            return null;
        }
        Observation parent = parent(start.context());
        if (parent != null) {
            observation.parentObservation(parent);
        }
        observation.start();
        return new Execution() {
            @Override
            public void succeeded(long returnedRows, long rowsAffected) {
                context.succeeded(returnedRows, rowsAffected);
                observation.stop();
            }

            @Override
            public void failed(Throwable error) {
                context.failed(error);
                observation.error(error);
                observation.stop();
            }

            @Override
            public void cancelled(long returnedRows) {
                context.cancelled(returnedRows);
                observation.stop();
            }
        };
    }

    /**
     * The observation the subscriber runs under: the one in its Reactor context, where WebFlux
     * and Reactor's own Micrometer support put it. Not the thread's current observation: the
     * statement is subscribed on whatever thread delivered the connection, so that one would
     * belong to someone else as often as not.
     */
    private static @Nullable Observation parent(ContextView context) {
        Object inContext = context.getOrDefault(OBSERVATION_KEY, null);
        if (inContext instanceof Observation && !((Observation) inContext).isNoop()) {
            return (Observation) inContext;
        }
        return null;
    }
}
