package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.Connection;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Clean-up really removes the scratch namespace — even with a connection the test leaked,
 * holding locks in an open transaction — checked afterwards from a separate connection.
 * Uses the programmatic API, which applies the same skip/fail decision as the annotation.
 */
class ScratchCleanupIT {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closeDropsTheNamespaceEvenWithALeakedConnection(Backend backend) throws Exception {
        TestDatabase db = TestDatabases.scratch(backend);
        BackendSupport support = BackendSupport.of(backend);
        Connection leaked;
        try {
            try (java.sql.Connection jdbc = db.jdbcConnection(); java.sql.Statement s = jdbc.createStatement()) {
                s.execute("CREATE TABLE leftover (id INT PRIMARY KEY)");
            }
            assertThat(support.scratchExists(db.server(), db.namespace())).isTrue();
            // A "test" that forgets its connection mid-transaction, holding a row lock.
            leaked = Mono.from(db.connectionFactory().create()).block(Duration.ofSeconds(30));
            Mono.from(leaked.beginTransaction())
                    .thenMany(Flux.from(leaked.createStatement("INSERT INTO leftover (id) VALUES (1)").execute())
                            .flatMap(r -> r.getRowsUpdated()))
                    .blockLast(Duration.ofSeconds(30));
        } finally {
            db.close();
        }
        assertThat(db.isClosed()).isTrue();
        assertThat(support.scratchExists(db.server(), db.namespace())).isFalse();
        assertThat(support.listScratch(db.server())).doesNotContain(db.namespace());
        // Closing again is harmless.
        db.close();
        Mono.from(leaked.close()).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void namespacesAreIsolated(Backend backend) throws Exception {
        try (TestDatabase a = TestDatabases.scratch(backend); TestDatabase b = TestDatabases.scratch(backend)) {
            assertThat(a.namespace()).isNotEqualTo(b.namespace());
            for (TestDatabase db : new TestDatabase[] {a, b}) {
                try (java.sql.Connection jdbc = db.jdbcConnection(); java.sql.Statement s = jdbc.createStatement()) {
                    // Same table name in both: each lands in its own namespace.
                    s.execute("CREATE TABLE same_name (v VARCHAR(64))");
                    s.execute("INSERT INTO same_name (v) VALUES ('" + db.namespace() + "')");
                }
            }
            try (java.sql.Connection jdbc = a.jdbcConnection();
                    java.sql.ResultSet rs = jdbc.createStatement().executeQuery("SELECT v FROM same_name")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(a.namespace());
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
