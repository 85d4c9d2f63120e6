package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.sql.Sql;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * B13 after a flush: an object whose UPDATE set its primary key is re-filed in the identity map
 * under the new key; objects whose UPDATE left the key alone are not touched there (the flush
 * counts the objects it re-files). On in-memory H2, and on PostgreSQL when {@code retort.pg.url}
 * is given (as for the TCK).
 */
class FlushRekeyTest {
    private static final Duration T = Duration.ofSeconds(20);

    @Entity
    @Table(name = "rekey_item")
    static class Item {
        @Id
        Integer id;
        @Column(length = 40)
        String name;

        Item() {
        }

        Item(int id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private static Engine engine(String backend) {
        if (backend.equals("h2")) {
            return Engine.create("r2dbc:h2:mem:///rekey_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                    EngineOptions.builder().maxPoolSize(2).echo(false).build());
        }
        String url = System.getProperty("retort.pg.url");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "PostgreSQL: set -Dretort.pg.url");
        return Engine.create(url, EngineOptions.builder().maxPoolSize(2).echo(false).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void onlyPrimaryKeyUpdatesReKey(String backend) throws Exception {
        OrmRegistry registry = OrmRegistry.of(Item.class);
        io.retort.sql.Table table = registry.mapper(Item.class).table();
        Engine engine = engine(backend);
        try {
            engine.connect(c -> c.executeRaw("DROP TABLE IF EXISTS rekey_item").rowsAffected()
                    .thenMany(c.execute(Sql.createTable(table)).rowsAffected())).blockLast(T);
            SessionFactory sessions = SessionFactory.of(engine, registry);
            AsyncSession setup = sessions.openSession();
            setup.addAll(List.of(new Item(1, "one"), new Item(2, "two")));
            setup.commit().then(setup.close()).block(T);

            List<String> sent = new CopyOnWriteArrayList<>();
            AsyncSession s = sessions.openSession();
            try (AutoCloseable listening = engine.onStatement(sent::add)) {
                Item one = s.get(Item.class, 1).block(T);
                Item two = s.get(Item.class, 2).block(T);

                // Non-key changes: UPDATEd, nothing re-filed, both still found by their keys without SQL.
                one.name = "uno";
                two.name = "dos";
                sent.clear();
                s.flush().block(T);
                assertThat(sent).filteredOn(q -> q.startsWith("UPDATE")).isNotEmpty();
                assertThat(s.flushRekeys).as("non-key updates are not re-keyed").isZero();
                sent.clear();
                assertThat(s.get(Item.class, 1).block(T)).isSameAs(one);
                assertThat(s.get(Item.class, 2).block(T)).isSameAs(two);
                assertThat(sent).as("both found in the identity map").isEmpty();

                // A key change among other changes: that object alone is re-filed, under its new key.
                one.id = 10;
                two.name = "deux";
                s.flush().block(T);
                assertThat(s.flushRekeys).as("only the object whose key changed").isEqualTo(1L);
                sent.clear();
                assertThat(s.get(Item.class, 10).block(T)).isSameAs(one);
                assertThat(s.get(Item.class, 2).block(T)).isSameAs(two);
                assertThat(sent).as("found under the new key in the identity map").isEmpty();
                StepVerifier.create(s.get(Item.class, 1)).as("the old key is no longer this object's")
                        .expectComplete().verify(T);
                s.commit().block(T);
            } finally {
                s.close().block(T);
            }
            assertThat(engine.connect(c -> c.executeRaw("SELECT id, name FROM rekey_item ORDER BY id").all())
                    .blockLast(T).stream().map(r -> r.get(0) + "=" + r.get(1)).toList())
                    .containsExactly("2=deux", "10=uno");
        } finally {
            engine.connect(c -> c.executeRaw("DROP TABLE IF EXISTS rekey_item").rowsAffected()).blockLast(T);
            engine.dispose().block(T);
        }
    }
}
