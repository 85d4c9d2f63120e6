package io.retort.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.ObservationContextAssert;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.IntegrityError;
import io.retort.sql.Column;
import io.retort.sql.Insert;
import io.retort.sql.Select;
import io.retort.sql.Sql;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.retort.sql.ColumnOption.primaryKey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * X2 and X8 against a real database, written once: a backend runs it by a subclass annotated
 * with {@code @RequiresDatabase}. Every test gets a fresh scratch namespace and engine.
 */
// try-with-resources closes observer handles that the body never names.
@SuppressWarnings("try")
abstract class StatementObservationContract {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String STATEMENT = DefaultStatementObservationConvention.NAME;

    static final class Item extends Table {
        final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        final Column<String> name = column("name", SqlTypes.varchar(40));

        Item() {
            super("mm_item");
        }
    }

    static final Item ITEM = new Item();

    /** OpenTelemetry's {@code db.system.name} of this backend. */
    abstract String dbSystemName();

    /** An engine on {@code db} with the test table created (before anything observes it). */
    static Engine engine(TestDatabase db) {
        Engine engine = Engine.create(db.options(), EngineOptions.builder().maxPoolSize(2).build());
        StepVerifier.create(engine.connect(c -> c.execute(Sql.createTable(ITEM)).rowsAffected()))
                .expectNextCount(1).expectComplete().verify(WAIT);
        return engine;
    }

    static Insert insert(int id, String name) {
        return Sql.insert(ITEM).set(ITEM.id, id).set(ITEM.name, name);
    }

    static Select byName(String name) {
        return Sql.select(ITEM.id, ITEM.name).from(ITEM).where(ITEM.name.eq(name));
    }

    static void fill(Engine engine, int rows) {
        List<Map<Column<?>, Object>> sets = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
            Map<Column<?>, Object> row = new LinkedHashMap<>();
            row.put(ITEM.id, i);
            row.put(ITEM.name, "n" + i);
            sets.add(row);
        }
        StepVerifier.create(engine.connect(c -> c.execute(Sql.insert(ITEM).values(sets)).rowsAffected()))
                .expectNext((long) rows).expectComplete().verify(WAIT);
    }

    /** Waits (bounded) until the pool has every connection back: a cancelled scope returns its own in the background. */
    static void awaitIdle(Engine engine) throws InterruptedException {
        for (int i = 0; i < 1000 && engine.poolStats().orElseThrow().acquired() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).as("connections still checked out").isZero();
    }

    /** The statement observations handled, in start order. */
    static List<StatementObservationContext> statements(TestObservationRegistry registry) {
        List<StatementObservationContext> out = new ArrayList<>();
        TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy(all -> all.stream()
                .filter(StatementObservationContext.class::isInstance).map(StatementObservationContext.class::cast)
                .forEach(out::add));
        return out;
    }

    /** A real handler that records starts and stops, so a test can see each observation stopped exactly once. */
    static final class Lifecycle implements ObservationHandler<Observation.Context> {
        final List<Observation.Context> started = new CopyOnWriteArrayList<>();
        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(Observation.Context context) {
            started.add(context);
        }

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        void assertEachStoppedOnce(List<? extends Observation.Context> contexts) {
            for (Observation.Context c : contexts) {
                assertThat(started).as("starts of %s", c.getName()).containsOnlyOnce(c);
                assertThat(stopped).as("stops of %s", c.getName()).containsOnlyOnce(c);
            }
        }
    }

    @Test // X8
    void eachStatementIsOneObservationWithTheSqlAsSentAndNoValues(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Lifecycle lifecycle = new Lifecycle();
        registry.observationConfig().observationHandler(lifecycle);
        List<String> sent = new CopyOnWriteArrayList<>();
        Engine engine = engine(db);
        try (AutoCloseable log = engine.onStatement(sent::add); AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> c.execute(insert(1, "secret-value-1")).rowsAffected()))
                    .expectNext(1L).expectComplete().verify(WAIT);
            StepVerifier.create(engine.connect(c -> c.execute(byName("secret-value-1")).rows()))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        } finally {
            engine.close();
        }
        TestObservationRegistryAssert.assertThat(registry).hasNumberOfObservationsWithNameEqualTo(STATEMENT, 2);
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).hasSize(2);
        lifecycle.assertEachStoppedOnce(obs);
        ObservationContextAssert.assertThat(obs.get(0))
                .hasNameEqualTo(STATEMENT)
                .hasContextualNameEqualTo("INSERT")
                .hasLowCardinalityKeyValue("db.system.name", dbSystemName())
                .hasLowCardinalityKeyValue("db.operation.name", "INSERT")
                .hasLowCardinalityKeyValue("retort.cache.hit", "false")
                .hasLowCardinalityKeyValue("outcome", "SUCCESS")
                .hasLowCardinalityKeyValue("error.type", "none")
                .hasHighCardinalityKeyValue("db.query.text", sent.get(0))
                .hasHighCardinalityKeyValue("retort.rows_affected", "1")
                .doesNotHaveHighCardinalityKeyValueWithKey("db.response.returned_rows")
                .doesNotHaveError();
        ObservationContextAssert.assertThat(obs.get(1))
                .hasContextualNameEqualTo("SELECT")
                .hasLowCardinalityKeyValue("db.system.name", dbSystemName())
                .hasLowCardinalityKeyValue("db.operation.name", "SELECT")
                .hasLowCardinalityKeyValue("retort.cache.hit", "false")
                .hasLowCardinalityKeyValue("outcome", "SUCCESS")
                .hasHighCardinalityKeyValue("db.query.text", sent.get(1))
                .hasHighCardinalityKeyValue("db.response.returned_rows", "1")
                .doesNotHaveHighCardinalityKeyValueWithKey("retort.rows_affected");
        assertThat(sent).hasSize(2);
        for (StatementObservationContext c : obs) {
            assertThat(c.getSql()).startsWith(c.getOperation()).doesNotContain("secret");
            assertThat(c.getLowCardinalityKeyValues().stream().map(kv -> kv.getValue())).noneMatch(v -> v.contains("secret"));
            assertThat(c.getHighCardinalityKeyValues().stream().map(kv -> kv.getValue())).noneMatch(v -> v.contains("secret"));
        }
    }

    @Test // X8
    void theSameShapeIsACacheMissThenAHit(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Engine engine = engine(db);
        fill(engine, 3);
        try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> c.execute(byName("n1")).rows().concatWith(c.execute(byName("n2")).rows())))
                    .expectNextCount(2).expectComplete().verify(WAIT);
        } finally {
            engine.close();
        }
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).extracting(StatementObservationContext::getSql).containsOnly(obs.get(0).getSql());
        ObservationContextAssert.assertThat(obs.get(0)).hasLowCardinalityKeyValue("retort.cache.hit", "false");
        ObservationContextAssert.assertThat(obs.get(1)).hasLowCardinalityKeyValue("retort.cache.hit", "true");
        assertThat(obs).hasSize(2);
    }

    @Test // X8
    void aUniqueViolationEndsItsObservationWithTheErrorType(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Lifecycle lifecycle = new Lifecycle();
        registry.observationConfig().observationHandler(lifecycle);
        Engine engine = engine(db);
        fill(engine, 1);
        try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> c.execute(insert(1, "secret-dup")).rowsAffected()))
                    .expectError(IntegrityError.class).verify(WAIT);
        } finally {
            engine.close();
        }
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).hasSize(1);
        lifecycle.assertEachStoppedOnce(obs);
        ObservationContextAssert.assertThat(obs.get(0))
                .hasLowCardinalityKeyValue("db.operation.name", "INSERT")
                .hasLowCardinalityKeyValue("outcome", "ERROR")
                .hasLowCardinalityKeyValue("error.type", IntegrityError.class.getName())
                .hasHighCardinalityKeyValueWithKey("db.response.status_code")
                .hasError();
        assertThat(obs.get(0).getError()).isInstanceOf(IntegrityError.class);
        // SQLSTATE class 23: integrity constraint violation (23505 on PostgreSQL and H2, 23000 on MariaDB).
        assertThat(obs.get(0).getHighCardinalityKeyValue("db.response.status_code").getValue()).startsWith("23");
        assertThat(obs.get(0).getHighCardinalityKeyValue("db.query.text").getValue()).doesNotContain("secret");
    }

    @Test // X8, T2
    void aStreamCancelledMidWayEndsItsObservationAsCancelled(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Lifecycle lifecycle = new Lifecycle();
        registry.observationConfig().observationHandler(lifecycle);
        Engine engine = engine(db);
        fill(engine, 200);
        Select all = Sql.select(ITEM.id).from(ITEM).orderBy(ITEM.id.asc());
        try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> c.execute(all).rows()), 0)
                    .thenRequest(2).expectNextCount(2)
                    .thenCancel().verify(WAIT);
            awaitIdle(engine);
        } finally {
            engine.close();
        }
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).hasSize(1);
        lifecycle.assertEachStoppedOnce(obs);
        ObservationContextAssert.assertThat(obs.get(0))
                .hasLowCardinalityKeyValue("outcome", "CANCELLED")
                .hasLowCardinalityKeyValue("error.type", "none")
                .hasHighCardinalityKeyValue("db.response.returned_rows", "2")
                .doesNotHaveError();
    }

    @Test // X8
    void aStatementNestsUnderTheObservationInTheReactorContext(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Engine engine = engine(db);
        Observation request = Observation.start("http.server.requests", registry);
        try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> c.execute(byName("x")).rows())
                            .contextWrite(Context.of(ObservationThreadLocalAccessor.KEY, request)))
                    .expectComplete().verify(WAIT);
            // Without one in the context, a statement is a root observation.
            StepVerifier.create(engine.connect(c -> c.execute(byName("y")).rows())).expectComplete().verify(WAIT);
        } finally {
            request.stop();
            engine.close();
        }
        List<StatementObservationContext> obs = statements(registry);
        assertThat(obs).hasSize(2);
        ObservationContextAssert.assertThat(obs.get(0)).hasParentObservationEqualTo(request);
        ObservationContextAssert.assertThat(obs.get(1)).doesNotHaveParentObservation();
    }

    @Test // X8
    void aMeterHandlerTurnsStatementsIntoATaggedTimer(TestDatabase db) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        MeterRegistry meters = new SimpleMeterRegistry();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        Engine engine = engine(db);
        fill(engine, 2);
        try (AutoCloseable off = RetortMicrometer.observe(engine, registry)) {
            StepVerifier.create(engine.connect(c -> Flux.concat(c.execute(byName("n1")).rows(), c.execute(byName("n2")).rows(),
                            c.execute(insert(1, "dup")).rows())))
                    .expectNextCount(2).expectError(IntegrityError.class).verify(WAIT);
        } finally {
            engine.close();
        }
        assertThat(meters.get(STATEMENT).tags("db.operation.name", "SELECT", "outcome", "SUCCESS", "db.system.name", dbSystemName())
                .timers()).extracting(t -> t.getId().getTag("retort.cache.hit") + "=" + t.count())
                .containsExactlyInAnyOrder("false=1", "true=1");
        assertThat(meters.get(STATEMENT).tags("db.operation.name", "INSERT", "outcome", "ERROR",
                "error.type", IntegrityError.class.getName()).timer().count()).isEqualTo(1);
        // Values never become tags: the timer's tags are the low-cardinality keys (plus the
        // handler's own "error", the exception's simple name or "none").
        meters.get(STATEMENT).timers().forEach(t -> assertThat(t.getId().getTags()).extracting(tag -> tag.getKey())
                .containsExactlyInAnyOrder("db.system.name", "db.operation.name", "retort.cache.hit", "outcome", "error.type", "error"));
    }

    @Test // X2
    void poolGaugesSeeACheckedOutConnection(TestDatabase db) throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        Engine engine = engine(db);
        try {
            awaitIdle(engine);
            new RetortMetrics(engine, "main").bindTo(meters);
            StepVerifier.create(engine.connect(c -> Mono.fromCallable(() -> List.of(
                            meters.get("r2dbc.pool.acquired").tag("name", "main").gauge().value(),
                            meters.get("r2dbc.pool.idle").tag("name", "main").gauge().value()))))
                    .assertNext(inside -> assertThat(inside).containsExactly(1.0, 0.0))
                    .expectComplete().verify(WAIT);
            awaitIdle(engine);
            assertThat(meters.get("r2dbc.pool.acquired").tag("name", "main").gauge().value()).isZero();
            assertThat(meters.get("r2dbc.pool.allocated").tag("name", "main").gauge().value()).isEqualTo(1.0);
            assertThat(meters.get("r2dbc.pool.idle").tag("name", "main").gauge().value()).isEqualTo(1.0);
            assertThat(meters.get("r2dbc.pool.pending").tag("name", "main").gauge().value()).isZero();
            assertThat(meters.get("r2dbc.pool.max.allocated").tag("name", "main").gauge().value()).isEqualTo(2.0);
        } finally {
            engine.close();
        }
    }

    @Test // X2
    void cacheMetersCountMissesHitsAndEntries(TestDatabase db) throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        Engine engine = engine(db);
        try {
            new RetortMetrics(engine, "main").bindTo(meters);
            long sentBefore = engine.statementCount();
            StepVerifier.create(engine.connect(c -> c.execute(byName("a")).rows()
                            .concatWith(c.execute(byName("b")).rows()).concatWith(c.execute(byName("c")).rows())))
                    .expectComplete().verify(WAIT);
            String cache = "retort.statements.main";
            assertThat(meters.get("cache.gets").tags("cache", cache, "result", "miss").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("cache.gets").tags("cache", cache, "result", "hit").functionCounter().count()).isEqualTo(2);
            assertThat(meters.get("cache.puts").tag("cache", cache).functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("cache.size").tag("cache", cache).gauge().value()).isEqualTo(1);
            assertThat(meters.get("cache.evictions").tag("cache", cache).functionCounter().count()).isZero();
            assertThat(meters.get("cache.load").tags("cache", cache, "result", "success").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("retort.statements").tag("name", "main").functionCounter().count())
                    .isEqualTo(sentBefore + 3);
        } finally {
            engine.close();
        }
    }
}
