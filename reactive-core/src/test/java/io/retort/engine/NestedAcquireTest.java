package io.retort.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.retort.error.InvalidRequestError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkout from a chain that already holds a connection of the same engine (RELIABILITY F8),
 * on H2: each policy, the holder's own checkout exempt, and no false alarm for scopes that only
 * follow one another. The TCK runs the deadlock this guards against on every backend.
 */
class NestedAcquireTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private Engine engine;
    private ListAppender<ILoggingEvent> logged;

    private Engine engine(EngineOptions.NestedAcquire policy) {
        engine = Engine.create("r2dbc:h2:mem:///nested_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                EngineOptions.builder().maxPoolSize(4).echo(false).nestedAcquire(policy)
                        .dialect(new io.retort.sql.compile.AnsiDialect() {
                            @Override
                            public String name() {
                                return "h2";
                            }
                        }).build());
        return engine;
    }

    @BeforeEach
    void captureWarnings() {
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger("io.retort.sql")).addAppender(logged);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger("io.retort.sql")).detachAppender(logged);
        if (engine != null) {
            assertThat(engine.poolStats().orElseThrow().acquired()).as("connections left acquired").isZero();
            engine.close();
        }
    }

    private static Mono<Long> one(Connection c) {
        return c.executeRaw("SELECT 1").rows().count();
    }

    /** An outer scope that runs a statement, then opens an inner scope of the same engine. */
    private Flux<Long> nested(Engine e) {
        return e.connect(c -> one(c).then(e.connect(NestedAcquireTest::one).next()));
    }

    private long warnings() {
        return logged.list.stream().filter(ev -> ev.getLevel() == Level.WARN
                && ev.getFormattedMessage().contains("nested acquisition")).count();
    }

    @Test
    void warnLogsTheFirstNestedAcquisitionOnceAndLetsItRun() {
        Engine e = engine(EngineOptions.NestedAcquire.WARN);
        StepVerifier.create(nested(e)).expectNext(1L).expectComplete().verify(WAIT);
        StepVerifier.create(nested(e)).expectNext(1L).expectComplete().verify(WAIT);
        assertThat(warnings()).as("WARN lines about nested acquisitions after two").isEqualTo(1);
        assertThat(logged.list.get(0).getFormattedMessage()).contains("pool of 4", "nestedAcquire(ALLOW)");
    }

    @Test
    void warnIsTheDefault() {
        assertThat(EngineOptions.defaults().nestedAcquire()).isEqualTo(EngineOptions.NestedAcquire.WARN);
    }

    @Test
    void failRefusesTheInnerCheckoutBeforeThePoolAndTheOuterScopeEndsCleanly() {
        Engine e = engine(EngineOptions.NestedAcquire.FAIL);
        long before = e.statementCount();
        StepVerifier.create(nested(e))
                .expectErrorSatisfies(err -> assertThat(err).isInstanceOf(InvalidRequestError.class)
                        .hasMessageContaining("nested acquisition"))
                .verify(WAIT);
        assertThat(e.statementCount() - before).as("statements: the outer one only").isEqualTo(1);
        assertThat(e.poolStats().orElseThrow().allocated()).as("connections opened").isEqualTo(1);
    }

    @Test
    void scopesThatFollowOneAnotherAreNotNested() {
        Engine e = engine(EngineOptions.NestedAcquire.FAIL);
        StepVerifier.create(e.connect(NestedAcquireTest::one).concatWith(e.connect(NestedAcquireTest::one))
                        .concatWith(e.inTransaction(NestedAcquireTest::one)))
                .expectNext(1L, 1L, 1L).expectComplete().verify(WAIT);
        // The scope's mark stays inside its work: a checkout after it ends, in the same chain, is fine.
        StepVerifier.create(e.connect(NestedAcquireTest::one).then(e.connect(NestedAcquireTest::one).next()))
                .expectNext(1L).expectComplete().verify(WAIT);
        assertThat(warnings()).isZero();
    }

    @Test
    void aHolderOwnCheckoutIsExemptAndOnlyAHolderHoldingCounts() {
        Engine e = engine(EngineOptions.NestedAcquire.FAIL);
        AtomicBoolean holding = new AtomicBoolean(true);
        BooleanSupplier owner = holding::get;
        // The owner's own checkout inside its marked scope, while it holds one: not nested (a
        // session opening a second connection of its own is its business, not a deadlock).
        StepVerifier.create(e.open(owner).flatMap(c -> one(c).then(c.close()).thenReturn(1))
                        .contextWrite(ctx -> e.markHolding(ctx, owner)))
                .expectNext(1).expectComplete().verify(WAIT);
        // Someone else's checkout inside it: nested.
        StepVerifier.create(e.connect(NestedAcquireTest::one).contextWrite(ctx -> e.markHolding(ctx, owner)))
                .expectError(InvalidRequestError.class).verify(WAIT);
        // ... but not while the owner holds nothing (a session that has not needed one yet).
        holding.set(false);
        StepVerifier.create(e.connect(NestedAcquireTest::one).contextWrite(ctx -> e.markHolding(ctx, owner)))
                .expectNext(1L).expectComplete().verify(WAIT);
        // Another engine's mark is no concern of this one.
        Engine other = Engine.create("r2dbc:h2:mem:///other_" + UUID.randomUUID().toString().replace("-", ""),
                EngineOptions.builder().maxPoolSize(1).echo(false).build());
        try {
            StepVerifier.create(e.connect(NestedAcquireTest::one).contextWrite(ctx -> other.markHolding(ctx, () -> true)))
                    .expectNext(1L).expectComplete().verify(WAIT);
        } finally {
            other.close();
        }
    }

    @Test
    void allowDoesNotLook() {
        Engine e = engine(EngineOptions.NestedAcquire.ALLOW);
        StepVerifier.create(nested(e)).expectNext(1L).expectComplete().verify(WAIT);
        assertThat(warnings()).isZero();
    }
}
