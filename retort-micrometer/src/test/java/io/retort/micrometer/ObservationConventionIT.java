package io.retort.micrometer;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.GlobalObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.ObservationContextAssert;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.retort.engine.Engine;
import io.retort.tck.env.Backend;
import io.retort.tck.env.RequiresDatabase;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.util.List;

import static io.retort.micrometer.StatementObservationContract.WAIT;
import static io.retort.micrometer.StatementObservationContract.byName;
import static io.retort.micrometer.StatementObservationContract.engine;
import static io.retort.micrometer.StatementObservationContract.fill;
import static io.retort.micrometer.StatementObservationContract.statements;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What does not depend on the backend, on in-memory H2: replacing the convention (custom and
 * global), closing the handle, and observation handlers that throw (X8).
 */
// try-with-resources closes observer handles that the body never names.
@SuppressWarnings("try")
@RequiresDatabase(Backend.H2)
class ObservationConventionIT {

    /** Renames the observation and adds a key, keeping the default's other keys. */
    static class Renamed extends DefaultStatementObservationConvention {
        private final String name;

        Renamed(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(StatementObservationContext context) {
            return super.getLowCardinalityKeyValues(context).and("team", "billing");
        }
    }

    /** The same as a global convention: registered on the registry, it applies to every engine. */
    static final class GlobalRenamed extends Renamed implements GlobalObservationConvention<StatementObservationContext> {
        GlobalRenamed() {
            super("db.statement.global");
        }
    }

    @Test // X8
    void aGlobalConventionReplacesTheDefaultAndACustomOneWinsOverIt(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        registry.observationConfig().observationConvention(new GlobalRenamed());
        Engine engine = engine(db);
        try {
            try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
                StepVerifier.create(engine.connect(c -> c.execute(byName("a")).rows())).expectComplete().verify(WAIT);
            }
            try (AutoCloseable off = RetortMicrometer.observe(engine, registry, new Renamed("db.statement.custom"))) {
                StepVerifier.create(engine.connect(c -> c.execute(byName("b")).rows())).expectComplete().verify(WAIT);
            }
        } finally {
            engine.close();
        }
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).hasSize(2);
        ObservationContextAssert.assertThat(obs.get(0)).hasNameEqualTo("db.statement.global")
                .hasLowCardinalityKeyValue("team", "billing").hasLowCardinalityKeyValue("db.operation.name", "SELECT");
        ObservationContextAssert.assertThat(obs.get(1)).hasNameEqualTo("db.statement.custom")
                .hasLowCardinalityKeyValue("team", "billing").hasLowCardinalityKeyValue("retort.cache.hit", "true");
    }

    @Test // X8
    void closingTheHandleStopsObserving(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Engine engine = engine(db);
        try {
            AutoCloseable off = RetortMicrometer.observe(engine, registry);
            StepVerifier.create(engine.connect(c -> c.execute(byName("a")).rows())).expectComplete().verify(WAIT);
            off.close();
            StepVerifier.create(engine.connect(c -> c.execute(byName("b")).rows())).expectComplete().verify(WAIT);
        } finally {
            engine.close();
        }
        TestObservationRegistryAssert.assertThat(registry).hasNumberOfObservationsWithNameEqualTo(DefaultStatementObservationConvention.NAME, 1);
    }

    @Test // X8
    void handlersThatThrowNeverFailAStatement(TestDatabase db) throws Exception {
        for (String when : List.of("start", "stop", "error")) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new ObservationHandler<>() {
                @Override
                public void onStart(Observation.Context context) {
                    fail("start");
                }

                @Override
                public void onError(Observation.Context context) {
                    fail("error");
                }

                @Override
                public void onStop(Observation.Context context) {
                    fail("stop");
                }

                private void fail(String at) {
                    if (at.equals(when)) {
                        throw new IllegalStateException("handler broken at " + at);
                    }
                }

                @Override
                public boolean supportsContext(Observation.Context context) {
                    return true;
                }
            });
            Engine engine = engine(db);
            try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
                fill(engine, 2);
                StepVerifier.create(engine.connect(c -> c.execute(byName("n1")).rows())).expectNextCount(1)
                        .expectComplete().verify(WAIT);
                StepVerifier.create(engine.connect(c -> c.execute(StatementObservationContract.insert(1, "dup")).rowsAffected()))
                        .expectError(io.retort.error.IntegrityError.class).verify(WAIT);
                StepVerifier.create(engine.connect(c -> c.executeRaw("DROP TABLE mm_item").rowsAffected()))
                        .expectNextCount(1).expectComplete().verify(WAIT);
            } finally {
                engine.close();
            }
        }
    }
}
