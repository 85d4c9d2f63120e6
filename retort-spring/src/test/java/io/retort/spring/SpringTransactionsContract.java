package io.retort.spring;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.error.RetortException;
import io.retort.orm.OrmRegistry;
import io.retort.orm.SessionFactory;
import io.retort.tck.env.Backend;
import io.retort.tck.env.ClassScratchDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * X3's contract, run per database by a subclass that opens it ({@link #open}): a Spring Boot
 * context (Boot's pooled ConnectionFactory from {@code spring.r2dbc.url}, its
 * R2dbcTransactionManager and TransactionalOperator, this module's auto-configuration) over a
 * scratch database. Retort's statements inside a Spring transaction run on its connection: a
 * Spring rollback undoes them, a Spring commit commits them with DatabaseClient's, each sees the
 * other's uncommitted rows, and the only BEGIN/COMMIT/ROLLBACK sent are Spring's (counted below
 * the pool by {@link TransactionCommands}). Outside Spring transactions Retort commits as before.
 * Every test ends with the pool idle.
 */
@ExtendWith(ClassScratchDatabase.class) // declared first, so its afterAll runs last
@SpringBootTest(classes = SpringTransactionsContract.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // one context per database, closed after its class
abstract class SpringTransactionsContract {
    private static final Duration T = Duration.ofSeconds(30);

    /** Called by each subclass's {@code @BeforeAll}. */
    static void open(Backend backend) {
        ClassScratchDatabase.open(backend);
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.r2dbc.url", () -> ClassScratchDatabase.current().r2dbcUrl());
        registry.add("spring.r2dbc.pool.max-size", () -> "4");
        registry.add("spring.r2dbc.pool.initial-size", () -> "0");
    }

    /** A Boot application with only what the tests add to the auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        TransactionCommands transactionCommands() {
            return new TransactionCommands();
        }

        @Bean
        OrmRegistry ormRegistry() {
            return OrmRegistry.of(Note.class);
        }

        @Bean
        DatabaseClient databaseClient(ConnectionFactory connectionFactory) {
            return DatabaseClient.create(connectionFactory);
        }

        @Bean
        NoteService noteService(Engine engine) {
            return new NoteService(engine);
        }
    }

    /** A bean with a declarative ({@code @Transactional}) reactive transaction. */
    static class NoteService {
        private final Engine engine;

        NoteService(Engine engine) {
            this.engine = engine;
        }

        @Transactional
        public Mono<Void> insertThenFail(int id) {
            return engine.inTransaction(c -> SpringTransactionsContract.insert(c, id)).single()
                    .then(Mono.error(new IllegalStateException("fails after Retort's insert")));
        }

        @Transactional
        public Mono<Long> insert(int id) {
            return engine.inTransaction(c -> SpringTransactionsContract.insert(c, id)).single();
        }
    }

    @Autowired
    Engine engine;
    @Autowired
    SessionFactory sessions;
    @Autowired
    TransactionalOperator operator;
    @Autowired
    DatabaseClient client;
    @Autowired
    ConnectionFactory connectionFactory;
    @Autowired
    TransactionCommands commands;
    @Autowired
    NoteService service;

    @BeforeEach
    void emptyTable() {
        StepVerifier.create(engine.connect(c -> c.executeRaw("CREATE TABLE IF NOT EXISTS spring_note"
                                + " (id INTEGER PRIMARY KEY, name VARCHAR(40))").rowsAffected()
                        .then(c.executeRaw("DELETE FROM spring_note").rowsAffected())))
                .expectNextCount(1).expectComplete().verify(T);
        commands.reset();
    }

    @AfterEach
    void poolIsIdle() {
        // A cancelled scope hands its connection back in the background: wait for it (bounded), then assert.
        Flux.defer(() -> Mono.just(engine.poolStats().orElseThrow().acquired()))
                .repeatWhen(r -> r.delayElements(Duration.ofMillis(10))).takeUntil(n -> n == 0).blockLast(T);
        assertThat(engine.poolStats().orElseThrow().acquired()).as("connections checked out").isZero();
        assertThat(((ConnectionPool) connectionFactory).getMetrics().orElseThrow().acquiredSize()).isZero();
    }

    static Mono<Long> insert(Connection c, int id) {
        return c.executeRaw("INSERT INTO spring_note (id, name) VALUES (" + id + ", 'retort')").rowsAffected();
    }

    private Mono<Long> retortCount(int id) {
        return engine.connect(c -> c.executeRaw("SELECT COUNT(*) FROM spring_note WHERE id = " + id).scalars(Number.class))
                .single().map(Number::longValue);
    }

    private Mono<Long> springCount(int id) {
        return client.sql("SELECT COUNT(*) FROM spring_note WHERE id = " + id)
                .map(row -> ((Number) row.get(0)).longValue()).one();
    }

    /** All rows' ids, read outside any transaction. */
    private List<Integer> ids() {
        List<Integer> ids = engine.connect(c -> c.executeRaw("SELECT id FROM spring_note ORDER BY id").scalars(Number.class))
                .map(Number::intValue).collectList().block(T);
        return ids == null ? List.of() : ids;
    }

    private void assertCommands(int begins, int commits, int rollbacks) {
        assertThat(List.of(commands.begins.get(), commands.commits.get(), commands.rollbacks.get()))
                .as("BEGIN, COMMIT, ROLLBACK sent").containsExactly(begins, commits, rollbacks);
    }

    @Test
    void aSpringRollbackUndoesRetortsWrites() {
        Mono<Long> work = engine.inTransaction(c -> insert(c, 1)).single()
                .then(engine.connect(c -> insert(c, 2)).single())
                .then(Mono.error(new IllegalStateException("boom")));
        StepVerifier.create(operator.transactional(work)).expectErrorMessage("boom").verify(T);
        assertThat(ids()).isEmpty();
        assertCommands(1, 0, 1);
    }

    @Test
    void aTransactionalMethodThatFailsUndoesRetortsWrites() {
        StepVerifier.create(service.insertThenFail(1)).expectError(IllegalStateException.class).verify(T);
        StepVerifier.create(service.insert(2)).expectNext(1L).expectComplete().verify(T);
        assertThat(ids()).containsExactly(2);
        assertCommands(2, 1, 1);
    }

    @Test
    void retortAndDatabaseClientCommitTogetherAndSeeEachOthersUncommittedRows() {
        List<Long> seen = new ArrayList<>();
        Mono<Void> work = client.sql("INSERT INTO spring_note (id, name) VALUES (1, 'spring')").then()
                .then(engine.inTransaction(c -> c.executeRaw("SELECT COUNT(*) FROM spring_note WHERE id = 1")
                        .scalars(Number.class)).single()).doOnNext(n -> seen.add(n.longValue()))
                .then(engine.inTransaction(c -> insert(c, 2)).single())
                .then(springCount(2)).doOnNext(seen::add)
                // The same engine outside the transaction (the context without it): neither row is visible.
                .then(retortCount(1).zipWith(retortCount(2), Long::sum).contextWrite(ctx -> Context.empty()))
                .doOnNext(seen::add)
                .then();
        StepVerifier.create(operator.transactional(work)).expectComplete().verify(T);
        assertThat(seen).as("Retort sees Spring's row, Spring sees Retort's, outside sees none").containsExactly(1L, 1L, 0L);
        assertThat(ids()).containsExactly(1, 2);
        assertCommands(1, 1, 0);
    }

    @Test
    void aRetortErrorInsideReachesSpringWhichRollsBack() {
        Mono<Long> work = client.sql("INSERT INTO spring_note (id, name) VALUES (1, 'spring')").then()
                .then(engine.inTransaction(c -> insert(c, 2).then(insert(c, 1))).single());
        StepVerifier.create(operator.transactional(work)).expectError(RetortException.class).verify(T);
        assertThat(ids()).isEmpty();
        assertCommands(1, 0, 1);
    }

    @Test
    void savepointsStillWorkInsideASpringTransaction() {
        Mono<Long> work = engine.inTransaction(c -> insert(c, 1)
                .then(c.inNested(n -> insert(n, 1)).then().onErrorResume(RetortException.class, e -> Mono.empty()))
                .then(insert(c, 2))).single();
        StepVerifier.create(operator.transactional(work)).expectNext(1L).expectComplete().verify(T);
        assertThat(ids()).containsExactly(1, 2);
        assertCommands(1, 1, 0);
    }

    @Test
    void aSessionInsideASpringTransactionFlushesButDoesNotCommit() {
        Mono<Long> work = sessions.withTransaction(s -> {
                    s.add(new Note(5, "session"));
                    return Mono.just(true);
                })
                .then(springCount(5))
                .flatMap(n -> n == 1 ? Mono.error(new IllegalStateException("flushed, now fail")) : Mono.just(n));
        StepVerifier.create(operator.transactional(work)).expectErrorMessage("flushed, now fail").verify(T);
        assertThat(ids()).as("Spring's rollback undid the session's flushed insert").isEmpty();
        assertCommands(1, 0, 1);

        commands.reset();
        Mono<Note> committed = sessions.withTransaction(s -> {
            s.add(new Note(6, "session"));
            return Mono.just(true);
        }).then(sessions.withSession(s -> s.get(Note.class, 6)));
        StepVerifier.create(operator.transactional(committed)).assertNext(n -> assertThat(n.name).isEqualTo("session"))
                .expectComplete().verify(T);
        assertThat(ids()).containsExactly(6);
        assertCommands(1, 1, 0);
    }

    @Test
    void outsideSpringTransactionsRetortCommitsAsBefore() {
        StepVerifier.create(engine.inTransaction(c -> insert(c, 1))).expectNext(1L).expectComplete().verify(T);
        StepVerifier.create(engine.inTransaction(c -> insert(c, 2).then(insert(c, 1)))).expectError(RetortException.class).verify(T);
        StepVerifier.create(sessions.withTransaction(s -> {
            s.add(new Note(3, "session"));
            return Mono.just(true);
        })).expectNext(true).expectComplete().verify(T);
        assertThat(ids()).containsExactly(1, 3);
        // Retort's own: three BEGINs, two COMMITs, one ROLLBACK (r2dbc-pool adds a ROLLBACK on the
        // return of a connection that the driver reports as not auto-commit, as on H2).
        assertThat(commands.begins).hasValue(3);
        assertThat(commands.commits).hasValue(2);
        assertThat(commands.rollbacks.get()).isPositive();
    }

    @Test
    void aCancelMidStreamInsideASpringTransactionLeaksNoConnection() {
        StepVerifier.create(engine.inTransaction(c -> Flux.range(100, 300).concatMap(i -> insert(c, i))).then())
                .expectComplete().verify(T);
        Flux<Integer> rows = engine.connect(c -> c.executeRaw("SELECT id FROM spring_note ORDER BY id").scalars(Number.class))
                .map(Number::intValue);
        // The subscriber cancels the whole transaction mid-stream: Spring rolls back and releases.
        StepVerifier.create(operator.transactional(rows).take(3)).expectNext(100, 101, 102).expectComplete().verify(T);
        // Retort's statement is cancelled inside a transaction that goes on and commits.
        Mono<Void> goesOn = rows.take(3).then(client.sql("INSERT INTO spring_note (id, name) VALUES (1, 'after')").then());
        StepVerifier.create(operator.transactional(goesOn)).expectComplete().verify(T);
        assertThat(ids()).hasSize(301).startsWith(1, 100);
    }
}
