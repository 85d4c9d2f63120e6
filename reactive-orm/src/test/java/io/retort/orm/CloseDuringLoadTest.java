package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Sql;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * F35 on H2, deterministically: {@code close()} runs while a query is taking its rows into the
 * session (as the session storm found on the JDBC bridge, where a cancelled get's worker thread
 * was still delivering rows after the close). The close is made to land mid-load by a JSON
 * column whose decoding, part of taking a row, calls it.
 */
class CloseDuringLoadTest {
    private static final Duration T = Duration.ofSeconds(10);
    /** Run while a row's JSON document is decoded, i.e. in the middle of loading. */
    static final AtomicReference<Runnable> DECODING = new AtomicReference<>();

    @Entity
    static class Note {
        @Id
        Integer id;
        @Json
        Body body;
    }

    /** A JSON document whose decoding calls {@link #DECODING}. */
    public static class Body {
        private int n;

        public int getN() {
            return n;
        }

        public void setN(int n) {
            this.n = n;
            Runnable r = DECODING.getAndSet(null);
            if (r != null) {
                r.run();
            }
        }
    }

    private static final OrmRegistry REGISTRY = OrmRegistry.of(Note.class);
    private Engine engine;

    @BeforeEach
    void open() {
        engine = Engine.create("r2dbc:h2:mem:///close_load_" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1", EngineOptions.builder().maxPoolSize(2).build());
        engine.connect(c -> Flux.fromIterable(REGISTRY.tables()).concatMap(t -> c.execute(Sql.createTable(t)).rowsAffected()))
                .blockLast(T);
        AsyncSession s = SessionFactory.of(engine, REGISTRY).openSession();
        for (int i = 1; i <= 3; i++) {
            Note n = new Note();
            n.id = i;
            n.body = new Body();
            n.body.n = i;
            s.add(n);
        }
        s.commit().then(s.close()).block(T);
    }

    @AfterEach
    void close() {
        DECODING.set(null);
        engine.dispose().block(T);
    }

    @Test // before: the rows after the close went into the closed session's cleared maps, and the query succeeded
    void closeWhileRowsLoadFailsTheQueryTypedAndLeavesTheSessionEmpty() {
        AsyncSession s = SessionFactory.of(engine, REGISTRY).openSession();
        DECODING.set(() -> s.close().subscribe());
        StepVerifier.create(s.execute(Orm.select(Note.class)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class)
                        .hasMessageContaining("session was closed while this query ran"))
                .verify(T);
        assertThat(s.states()).as("nothing of the interrupted load stays in the closed session").isEmpty();
        // The session is usable again, and loads every row.
        assertThat(s.execute(Orm.select(Note.class)).collectList().block(T)).hasSize(3);
        s.close().block(T);
    }
}
