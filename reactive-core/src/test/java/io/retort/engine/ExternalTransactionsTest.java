package io.retort.engine;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.error.RetortException;
import io.retort.sql.compile.AnsiDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The external-transaction hook on in-memory H2, with a plain R2DBC connection standing in for a
 * framework's transaction (retort-spring tests the real thing with Spring): inside it, Retort's
 * transaction scopes send no BEGIN/COMMIT/ROLLBACK (the owner's rollback undoes Retort's writes,
 * the owner's commit keeps writes made before a Retort scope failed), savepoints still work, the
 * connection goes back to its owner once and is never closed; without it, nothing changes.
 */
class ExternalTransactionsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String OWNER = "test.owner";

    /** The ANSI dialect under H2's name (reactive-core has no H2 dialect). */
    private static final class H2Ansi extends AnsiDialect {
        @Override
        public String name() {
            return "h2";
        }
    }

    private ConnectionFactory factory;
    private Engine engine;
    private io.r2dbc.spi.Connection owner;
    private final AtomicInteger releases = new AtomicInteger();

    /** Lends the connection found under {@link #OWNER} in the subscriber's context. */
    private final ExternalTransactions external = () -> Mono.deferContextual(ctx -> {
        if (!ctx.hasKey(OWNER)) {
            return Mono.empty();
        }
        io.r2dbc.spi.Connection c = ctx.get(OWNER);
        return Mono.just(new ExternalTransactions.Lease() {
            @Override
            public io.r2dbc.spi.Connection connection() {
                return c;
            }

            @Override
            public Mono<Void> release() {
                return Mono.fromRunnable(releases::incrementAndGet);
            }
        });
    });

    @BeforeEach
    void open() {
        String url = "r2dbc:h2:mem:///ext_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        factory = ConnectionFactories.get(url);
        engine = Engine.create(factory, EngineOptions.builder().dialect(new H2Ansi()).maxPoolSize(2).build(), external);
        StepVerifier.create(engine.connect(c -> c.executeRaw("CREATE TABLE ext_item (id INTEGER PRIMARY KEY)").rowsAffected()))
                .expectNextCount(1).verifyComplete();
        owner = Mono.from(factory.create()).block(WAIT);
        Mono.from(owner.beginTransaction()).block(WAIT);
    }

    @AfterEach
    void close() {
        Mono.from(owner.close()).block(WAIT);
        engine.close();
    }

    private <T> Flux<T> inOwner(Flux<T> work) {
        return work.contextWrite(ctx -> ctx.put(OWNER, owner));
    }

    private static Mono<Long> insert(Connection c, int id) {
        return c.executeRaw("INSERT INTO ext_item (id) VALUES (" + id + ")").rowsAffected();
    }

    private long count() {
        return engine.connect(c -> c.executeRaw("SELECT COUNT(*) FROM ext_item").scalars(Long.class)).blockFirst(WAIT);
    }

    @Test
    void aTransactionScopeInsideTheOwnersSendsNoCommit() {
        StepVerifier.create(inOwner(engine.inTransaction(c -> {
                    assertThat(c.isExternallyManaged()).isTrue();
                    return insert(c, 1);
                })))
                .expectNext(1L).verifyComplete();
        assertThat(releases).hasValue(1);
        assertThat(count()).as("uncommitted, so invisible to another connection").isZero();
        Mono.from(owner.rollbackTransaction()).block(WAIT);
        assertThat(count()).as("the owner's rollback undid Retort's write").isZero();
    }

    @Test
    void aFailedScopeSendsNoRollbackItsErrorIsTheOwners() {
        StepVerifier.create(inOwner(engine.inTransaction(c -> insert(c, 1).then(insert(c, 1)))))
                .expectError(RetortException.class).verify(WAIT);
        assertThat(releases).hasValue(1);
        // The owner decides: it commits here, and the first insert (not rolled back by Retort) is kept.
        Mono.from(owner.commitTransaction()).block(WAIT);
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void explicitBeginAndCommitJoinAndSavepointsStillRollBack() {
        Flux<Long> work = engine.connect(c -> c.begin(null)
                .then(insert(c, 1))
                // Deferred: inNested decides between SAVEPOINT and a new transaction when called.
                .then(Flux.defer(() -> c.inNested(n -> insert(n, 1))).then().onErrorResume(RetortException.class, e -> Mono.empty()))
                .then(insert(c, 2))
                .then(c.commit())
                .then(Mono.fromCallable(c::isInTransaction).map(in -> in ? 1L : 0L)));
        StepVerifier.create(inOwner(work)).expectNext(0L).verifyComplete();
        Mono.from(owner.commitTransaction()).block(WAIT);
        assertThat(count()).as("ids 1 and 2; the savepoint's duplicate was rolled back").isEqualTo(2);
    }

    @Test
    void aCancelMidStreamGivesTheConnectionBackUnclosed() {
        StepVerifier.create(inOwner(engine.connect(c -> c.executeRaw("SELECT X FROM SYSTEM_RANGE(1, 100000)").rows()))
                        .take(3))
                .expectNextCount(3).verifyComplete();
        Mono.delay(Duration.ofMillis(1)).then(Mono.fromCallable(releases::get))
                .repeat().takeUntil(n -> n > 0).blockLast(WAIT);
        assertThat(releases).hasValue(1);
        // The owner's connection is still open and in its transaction.
        StepVerifier.create(Flux.from(owner.createStatement("INSERT INTO ext_item (id) VALUES (7)").execute())
                .flatMap(r -> r.getRowsUpdated())).expectNext(1L).verifyComplete();
        Mono.from(owner.commitTransaction()).block(WAIT);
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void outsideTheOwnersTransactionNothingChanges() {
        StepVerifier.create(engine.inTransaction(c -> {
                    assertThat(c.isExternallyManaged()).isFalse();
                    return insert(c, 1);
                }))
                .expectNext(1L).verifyComplete();
        assertThat(releases).hasValue(0);
        assertThat(count()).isEqualTo(1);
        // The pool counts the return once its own release has run, which may end after the scope's signal.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (engine.poolStats().orElseThrow().acquired() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).isZero();
    }
}
