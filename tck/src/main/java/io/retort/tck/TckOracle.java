package io.retort.tck;

import io.retort.engine.Engine;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The always-on oracles of RELIABILITY.md applied after every TCK test: every engine's pool is
 * back to idle (nothing acquired, nobody waiting, O-POOL), no server session of the test user
 * is left idle in a transaction (O-SERVER, PostgreSQL), and no check waited forever (O-TIME:
 * bounded polling). Engines are disposed afterwards.
 *
 * <p>Runs right after the test method ({@code AfterTestExecutionCallback}), before any
 * {@code AfterEachCallback}: the database extension drops the scratch namespace in its
 * {@code afterEach} and ends the sessions still open there, which would otherwise run first
 * (JUnit runs after-each callbacks in reverse registration order) and empty the server views
 * these checks read.
 */
public final class TckOracle implements AfterTestExecutionCallback {
    private static final ThreadLocal<List<Tracked>> ENGINES = ThreadLocal.withInitial(ArrayList::new);

    private record Tracked(Engine engine, TestDatabase db) {
    }

    static void track(Engine e, TestDatabase db) {
        ENGINES.get().add(new Tracked(e, db));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws Exception {
        List<Tracked> engines = new ArrayList<>(ENGINES.get());
        ENGINES.get().clear();
        try {
            for (Tracked t : engines) {
                assertPoolIdle(t.engine());
            }
            if (!engines.isEmpty() && engines.get(0).db().backend() == Backend.POSTGRES) {
                assertNoIdleInTransaction(engines.get(0).db());
            }
        } finally {
            for (Tracked t : engines) {
                t.engine().dispose().block(Duration.ofSeconds(10));
            }
        }
    }

    /** Polls until nothing is acquired or pending (release is asynchronous), at most 5 s. */
    public static void assertPoolIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Engine.PoolStats s = engine.poolStats().orElseThrow();
        while ((s.acquired() > 0 || s.pending() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            s = engine.poolStats().orElseThrow();
        }
        assertThat(s.acquired()).as("connections still acquired after the test (leak): %s", s).isZero();
        assertThat(s.pending()).as("acquirers still waiting after the test: %s", s).isZero();
    }

    private static void assertNoIdleInTransaction(TestDatabase db) throws Exception {
        try (java.sql.Connection c = db.jdbcConnection(); java.sql.Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int n;
            do {
                // This test's sessions only (the harness names them after the scratch schema):
                // other JVMs may be running tests as the same user at the same time.
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = current_user"
                        + " AND application_name = current_setting('application_name')"
                        + " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")) {
                    rs.next();
                    n = rs.getInt(1);
                }
                if (n > 0) {
                    Thread.sleep(20);
                }
            } while (n > 0 && System.nanoTime() < deadline);
            assertThat(n).as("server sessions left idle in transaction").isZero();
        }
    }
}
