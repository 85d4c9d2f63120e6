package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.UUID;

/**
 * An engine made from an {@code r2dbc:pool:} URL runs on that pool and disposes it once. The TCK
 * checks the rest of the ownership rule on the JDBC bridge: an engine closes the factory it made
 * (the server's sessions end) and leaves open one it was handed.
 */
class EngineFactoryOwnershipTest {

    /** The core module has no dialects module: plain ANSI for H2's SELECT 1. */
    private static EngineOptions options(int poolSize) {
        return EngineOptions.builder().maxPoolSize(poolSize).echo(false).dialect(new io.retort.sql.compile.AnsiDialect() {
            @Override
            public String name() {
                return "h2";
            }
        }).build();
    }

    private static String h2(String prefix) {
        return prefix + "h2:mem:///own_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    void anEngineFromAPoolUrlUsesThatPoolAndClosesItOnce() {
        Engine engine = Engine.create(h2("r2dbc:pool:"), options(2));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()).count())
                .expectNext(1L).expectComplete().verify(Duration.ofSeconds(10));
        // The pool the URL made is the engine's pool: disposing the engine disposes it, and the
        // owned-factory close must not close it a second time (no error, completes).
        StepVerifier.create(engine.dispose()).expectComplete().verify(Duration.ofSeconds(10));
        StepVerifier.create(engine.connect(c -> c.executeRaw("SELECT 1").rows()))
                .expectError().verify(Duration.ofSeconds(10));
    }
}
