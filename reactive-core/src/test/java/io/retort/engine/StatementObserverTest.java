package io.retort.engine;

import io.retort.error.IntegrityError;
import io.retort.sql.Column;
import io.retort.sql.Insert;
import io.retort.sql.Select;
import io.retort.sql.Sql;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.AnsiDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static io.retort.sql.ColumnOption.primaryKey;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statement-observer SPI (X2, X8) on in-memory H2: one start and exactly one end per
 * statement sent, with the SQL as sent, the cache hit, row counts, the typed error, a cancel,
 * the subscriber's context; observers that throw never fail a query.
 */
// try-with-resources closes observer handles that the body never names.
@SuppressWarnings("try")
class StatementObserverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The ANSI dialect under H2's name: reactive-core has no H2 dialect (r2dbc-dialects does), and H2 takes '?' markers. */
    private static final class H2Ansi extends AnsiDialect {
        @Override
        public String name() {
            return "h2";
        }
    }

    private static final class Item extends Table {
        final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        final Column<String> name = column("name", SqlTypes.varchar(40));

        Item() {
            super("obs_item");
        }
    }

    private static final Item ITEM = new Item();

    private Engine engine;
    private final Recorder recorder = new Recorder();

    @BeforeEach
    void open() {
        engine = Engine.create("r2dbc:h2:mem:///obs_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                EngineOptions.builder().dialect(new H2Ansi()).build());
        StepVerifier.create(engine.connect(c -> c.executeRaw("CREATE TABLE obs_item (id INTEGER PRIMARY KEY, name VARCHAR(40))")
                .rowsAffected())).expectNextCount(1).expectComplete().verify(WAIT);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static Insert insert(int id, String name) {
        return Sql.insert(ITEM).set(ITEM.id, id).set(ITEM.name, name);
    }

    private Select byName(String name) {
        return Sql.select(ITEM.id, ITEM.name).from(ITEM).where(ITEM.name.eq(name));
    }

    private void fill(int rows) {
        StepVerifier.create(engine.connect(c -> Flux.range(1, rows)
                .concatMap(i -> c.execute(insert(i, "n" + i)).rowsAffected()))).expectNextCount(rows).expectComplete().verify(WAIT);
    }

    @Test // X8
    void aStatementReportsItsStartAndOneSuccessWithItsCounts() throws Exception {
        try (AutoCloseable off = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(c -> c.execute(insert(1, "secret-one")).rowsAffected()))
                    .expectNext(1L).expectComplete().verify(WAIT);
            StepVerifier.create(engine.connect(c -> c.execute(byName("secret-one")).rows()))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        }
        assertThat(recorder.events()).containsExactly(
                "start h2 miss INSERT INTO obs_item (id, name) VALUES (?, ?)", "success rows=-1 affected=1",
                "start h2 miss SELECT obs_item.id, obs_item.name FROM obs_item WHERE obs_item.name = ?", "success rows=1 affected=-1");
        assertThat(String.join("\n", recorder.events())).doesNotContain("secret");
    }

    @Test // X8
    void theSameShapeIsACacheMissThenAHit() throws Exception {
        fill(3);
        try (AutoCloseable off = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(c -> c.execute(byName("n1")).rows()
                    .concatWith(c.execute(byName("n2")).rows()))).expectNextCount(2).expectComplete().verify(WAIT);
        }
        assertThat(recorder.starts()).extracting(s -> s.cacheHit()).containsExactly(false, true);
    }

    @Test // X8
    void aFailingStatementReportsTheTypedErrorOnce() throws Exception {
        fill(1);
        try (AutoCloseable off = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(c -> c.execute(insert(1, "again")).rowsAffected()))
                    .expectError(IntegrityError.class).verify(WAIT);
        }
        assertThat(recorder.events()).hasSize(2);
        assertThat(recorder.events().get(1)).isEqualTo("error io.retort.error.IntegrityError");
        assertThat(recorder.errors.get()).isInstanceOf(IntegrityError.class);
    }

    @Test // X8
    void aCancelMidStreamIsReportedAsACancelWithTheRowsSoFar() throws Exception {
        fill(50);
        Select all = Sql.select(ITEM.id).from(ITEM);
        try (AutoCloseable off = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(c -> c.execute(all).rows()), 0)
                    .thenRequest(2).expectNextCount(2)
                    .thenCancel().verify(WAIT);
            // The cancelled scope releases its connection in the background: wait until the pool has it back.
            awaitIdlePool();
        }
        assertThat(recorder.events()).containsExactly("start h2 miss SELECT obs_item.id FROM obs_item", "cancel rows=2");
    }

    @Test // X8
    void theSubscribersContextReachesTheObserver() throws Exception {
        try (AutoCloseable off = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(c -> c.execute(byName("x")).rows()).contextWrite(Context.of("trace", "t-1")))
                    .expectComplete().verify(WAIT);
        }
        assertThat(recorder.starts()).singleElement()
                .satisfies(s -> assertThat(s.context().getOrDefault("trace", "")).isEqualTo("t-1"));
    }

    @Test // X8
    void observersThatThrowNeverFailAQueryAndSpareTheOthers() throws Exception {
        StatementObserver throwsAtStart = start -> {
            throw new IllegalStateException("observer broken at start");
        };
        StatementObserver throwsAtEnd = start -> new StatementObserver.Execution() {
            @Override
            public void succeeded(long returnedRows, long rowsAffected) {
                throw new IllegalStateException("observer broken at success");
            }

            @Override
            public void failed(Throwable error) {
                throw new IllegalStateException("observer broken at error");
            }

            @Override
            public void cancelled(long returnedRows) {
                throw new IllegalStateException("observer broken at cancel");
            }
        };
        fill(1);
        try (AutoCloseable a = engine.observeStatements(throwsAtStart);
             AutoCloseable b = engine.observeStatements(throwsAtEnd);
             AutoCloseable c = engine.observeStatements(recorder)) {
            StepVerifier.create(engine.connect(conn -> conn.execute(byName("n1")).rows()))
                    .expectNextCount(1).expectComplete().verify(WAIT);
            StepVerifier.create(engine.connect(conn -> conn.execute(insert(1, "dup")).rowsAffected()))
                    .expectError(IntegrityError.class).verify(WAIT);
        }
        // Alone, too: the single-observer path has no fan-out in between.
        try (AutoCloseable b = engine.observeStatements(throwsAtEnd)) {
            StepVerifier.create(engine.connect(conn -> conn.execute(byName("n1")).rows()))
                    .expectNextCount(1).expectComplete().verify(WAIT);
        }
        assertThat(recorder.events()).hasSize(4);
        assertThat(recorder.events().get(1)).isEqualTo("success rows=1 affected=-1");
        assertThat(recorder.events().get(3)).isEqualTo("error io.retort.error.IntegrityError");
    }

    @Test // X8
    void aClosedObserverHearsNothingMore() throws Exception {
        AutoCloseable off = engine.observeStatements(recorder);
        off.close();
        off.close(); // idempotent
        StepVerifier.create(engine.connect(c -> c.execute(byName("x")).rows())).expectComplete().verify(WAIT);
        assertThat(recorder.events()).isEmpty();
    }

    private void awaitIdlePool() throws InterruptedException {
        for (int i = 0; i < 500 && engine.poolStats().orElseThrow().acquired() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).isZero();
    }

    /**
     * Records what it hears as lines; a second end is recorded too (an assertion here would be
     * swallowed as an observer failure), so the tests' exact event lists catch it.
     */
    private static final class Recorder implements StatementObserver {
        private final List<String> events = new CopyOnWriteArrayList<>();
        private final List<Start> starts = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> errors = new AtomicReference<>();

        @Override
        public Execution started(Start start) {
            starts.add(start);
            events.add("start " + start.dialect() + " " + (start.cacheHit() ? "hit" : "miss") + " " + start.sql());
            return new Execution() {
                private void end(String what) {
                    events.add(what);
                }

                @Override
                public void succeeded(long returnedRows, long rowsAffected) {
                    end("success rows=" + returnedRows + " affected=" + rowsAffected);
                }

                @Override
                public void failed(Throwable error) {
                    errors.set(error);
                    end("error " + error.getClass().getName());
                }

                @Override
                public void cancelled(long returnedRows) {
                    end("cancel rows=" + returnedRows);
                }
            };
        }

        List<String> events() {
            return new ArrayList<>(events);
        }

        List<Start> starts() {
            return new ArrayList<>(starts);
        }
    }
}
