package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.TestAbortedException;

/**
 * Runs {@link RequiresDatabase} on sample test classes through the real JUnit engine and checks
 * what a developer and CI would see: a skip with the reason, a failure naming backend, host,
 * port and cause, an injected database that is dropped afterwards. The unreachable server is a
 * closed port (127.0.0.1:1), so no database is needed.
 */
class DatabaseExtensionTest {

    private static final String CLOSED_PORT_URL = "r2dbc:postgresql://retort:retort@127.0.0.1:1/retort_test";

    private static EngineExecutionResults run(Class<?> sample, Map<String, String> parameters) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(parameters)
                .selectors(selectClass(sample))
                .execute();
    }

    @Test
    void unreachableDatabaseSkipsWithTheReason() {
        EngineExecutionResults results = run(PostgresSample.class,
                Map.of("retort.pg.url", CLOSED_PORT_URL, "retort.it.required", "false"));
        results.testEvents().assertStatistics(s -> s.started(1).aborted(1).failed(0).succeeded(0));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("needsPostgres"),
                abortedWithReason(instanceOf(TestAbortedException.class),
                        message(m -> m.contains("PostgreSQL") && m.contains("127.0.0.1:1")
                                && m.contains("-Dretort.pg.url") && m.contains("Connection refused")))));
    }

    @Test
    void unreachableDatabaseFailsWhenRequired() {
        EngineExecutionResults results = run(PostgresSample.class,
                Map.of("retort.pg.url", CLOSED_PORT_URL, "retort.it.required", "true"));
        results.testEvents().assertStatistics(s -> s.started(1).failed(1).aborted(0));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("needsPostgres"),
                finishedWithFailure(instanceOf(DatabaseUnavailableException.class),
                        message(m -> m.contains("PostgreSQL") && m.contains("127.0.0.1:1")
                                && m.contains("Connection refused") && m.contains("retort.it.required=true")))));
    }

    @Test
    void misconfiguredDatabaseFailsEvenWhenNotRequired() {
        EngineExecutionResults results = run(PostgresSample.class,
                Map.of("retort.pg.url", "r2dbc:mysql://retort:retort@127.0.0.1:1/retort_test", "retort.it.required", "false"));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("needsPostgres"),
                finishedWithFailure(instanceOf(DatabaseUnavailableException.class),
                        message(m -> m.contains("misconfigured") && m.contains("-Dretort.pg.url")))));
    }

    @Test
    void turnedOffBackendSkips() {
        EngineExecutionResults results = run(PostgresSample.class, Map.of("retort.pg.url", "none"));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("needsPostgres"),
                abortedWithReason(message(m -> m.contains("turned off by -Dretort.pg.url=none")))));
    }

    @Test
    void injectsAFreshDatabasePerTestAndDropsIt() throws Exception {
        H2Sample.seen.clear();
        EngineExecutionResults results = run(H2Sample.class, Map.of());
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(H2Sample.seen).hasSize(2);
        assertThat(H2Sample.seen.get(0).namespace()).isNotEqualTo(H2Sample.seen.get(1).namespace());
        for (TestDatabase db : H2Sample.seen) {
            assertThat(db.isClosed()).isTrue();
            assertThat(H2Support.INSTANCE.scratchExists(db.server(), db.namespace())).isFalse();
        }
    }

    @Test
    void dropsTheDatabaseWhenTheTestFails() throws Exception {
        FailingH2Sample.seen.clear();
        EngineExecutionResults results = run(FailingH2Sample.class, Map.of());
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        TestDatabase db = FailingH2Sample.seen.get(0);
        assertThat(H2Support.INSTANCE.scratchExists(db.server(), db.namespace())).isFalse();
    }

    @Test
    void classScopeSharesOneDatabaseAcrossMethods() throws Exception {
        ClassScopedH2Sample.seen.clear();
        EngineExecutionResults results = run(ClassScopedH2Sample.class, Map.of());
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(ClassScopedH2Sample.seen).hasSize(3);
        assertThat(ClassScopedH2Sample.seen).allMatch(db -> db == ClassScopedH2Sample.seen.get(0));
        assertThat(H2Support.INSTANCE.scratchExists(ClassScopedH2Sample.seen.get(0).server(),
                ClassScopedH2Sample.seen.get(0).namespace())).isFalse();
    }

    // ---- samples: run only through EngineTestKit above (surefire skips nested classes) ----

    @RequiresDatabase(Backend.POSTGRES)
    static class PostgresSample {
        @Test
        void needsPostgres(TestDatabase db) {
            throw new AssertionError("must not run without a database: " + db);
        }
    }

    @RequiresDatabase(Backend.H2)
    static class H2Sample {
        static final List<TestDatabase> seen = new ArrayList<>();

        @Test
        void first(TestDatabase db) throws Exception {
            use(db);
        }

        @Test
        void second(TestDatabase db) throws Exception {
            use(db);
        }

        private static void use(TestDatabase db) throws Exception {
            seen.add(db);
            try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement s = c.createStatement()) {
                // The same table name in every test: only isolation makes this pass twice.
                s.execute("CREATE TABLE t (id INT)");
            }
        }
    }

    static class FailingH2Sample {
        static final List<TestDatabase> seen = new ArrayList<>();

        @Test
        @RequiresDatabase(Backend.H2)
        void fails(TestDatabase db) {
            seen.add(db);
            throw new AssertionError("boom");
        }
    }

    @RequiresDatabase(value = Backend.H2, scope = RequiresDatabase.Scope.CLASS)
    static class ClassScopedH2Sample {
        static final List<TestDatabase> seen = new ArrayList<>();

        @BeforeAll
        static void fixture(TestDatabase db) throws Exception {
            seen.add(db);
            try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE fixture (id INT)");
            }
        }

        @Test
        void one(TestDatabase db) throws Exception {
            seen.add(db);
            try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement s = c.createStatement()) {
                s.execute("SELECT COUNT(*) FROM fixture");
            }
        }

        @Test
        void two(TestDatabase db) {
            seen.add(db);
        }
    }
}
