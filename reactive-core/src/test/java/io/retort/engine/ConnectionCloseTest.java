package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Connection#close()} of a connection from {@link Engine#open()} cancelled by its
 * subscriber (RELIABILITY F35, found by the TCK's session race storm): the connection is marked
 * released as the close starts, so a close cut off during its rollback lost the connection for
 * good. It must run to its end: the connection back in the pool, the transaction rolled back.
 */
class ConnectionCloseTest {

    /** The ANSI dialect under H2's name (reactive-core has no H2 dialect). */
    private static final class H2Ansi extends io.retort.sql.compile.AnsiDialect {
        @Override
        public String name() {
            return "h2";
        }
    }

    private static Engine engine() {
        return Engine.create("r2dbc:h2:mem:///close_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
                EngineOptions.builder().dialect(new H2Ansi()).maxPoolSize(2).echo(false).build());
    }

    private static void awaitNothingAcquired(Engine engine, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (engine.poolStats().orElseThrow().acquired() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).as(what).isZero();
    }

    @Test
    void aCloseCancelledDuringItsRollbackStillReturnsTheConnection() {
        Engine engine = engine();
        try {
            engine.connect(c -> c.executeRaw("CREATE TABLE t (id INT PRIMARY KEY)").rowsAffected()).blockLast(Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                Connection c = engine.open().block(Duration.ofSeconds(10));
                int id = i;
                c.begin(null).then(c.executeRaw("INSERT INTO t VALUES (" + id + ")").rowsAffected()).block(Duration.ofSeconds(10));
                // Cancelled right after subscription: H2's ROLLBACK runs on another thread, so it is under way.
                StepVerifier.create(c.close()).thenCancel().verify(Duration.ofSeconds(5));
                awaitNothingAcquired(engine, "checked out after a close cancelled mid-rollback (try " + i + ")");
                StepVerifier.create(c.close()).expectComplete().verify(Duration.ofSeconds(5)); // idempotent
            }
            StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT COUNT(*) FROM t").scalar(Long.class)))
                    .expectNext(0L).as("every insert rolled back").expectComplete().verify(Duration.ofSeconds(5));
            awaitNothingAcquired(engine, "checked out at the end");
        } finally {
            engine.close();
        }
    }

    @Test
    void aStatementAfterCloseIsATypedErrorAndTheConnectionStaysUsableForOthers() {
        Engine engine = engine();
        try {
            Connection c = engine.open().block(Duration.ofSeconds(10));
            c.close().block(Duration.ofSeconds(5));
            // Before: r2dbc-pool's untyped IllegalStateException "The connection is closed".
            StepVerifier.create(c.executeRaw("SELECT 1").rows())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.retort.error.InvalidRequestError.class)
                            .hasMessageContaining("closed (returned to the pool)"))
                    .verify(Duration.ofSeconds(5));
            StepVerifier.create(c.begin(null)).expectError(io.retort.error.InvalidRequestError.class).verify(Duration.ofSeconds(5));
            StepVerifier.create(engine.connect(x -> x.executeRaw("SELECT 1").scalar(Integer.class)))
                    .expectNext(1).expectComplete().verify(Duration.ofSeconds(5));
            awaitNothingAcquired(engine, "checked out at the end");
        } finally {
            engine.close();
        }
    }
}
