package io.retort.bridge.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.ValidationDepth;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The bridge's R2DBC behaviour on H2 in memory: statements, binds, results, transactions, errors. */
class H2BridgeTest {
    private static final AtomicInteger DB = new AtomicInteger();
    private JdbcConnectionFactory cf;
    private String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:h2:mem:bridge" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        cf = JdbcConnectionFactory.builder().url(url).user("sa").poolSize(4).build();
        run("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(50) UNIQUE, price NUMERIC(10,2), d DATE, ts TIMESTAMP,"
                + " u UUID, b VARBINARY(16))");
    }

    @AfterEach
    void tearDown() throws Exception {
        cf.close();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("SHUTDOWN");
        }
    }

    private void run(String sql) {
        Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement(sql).execute()).flatMap(Result::getRowsUpdated),
                Connection::close).blockLast(Duration.ofSeconds(10));
    }

    private <T> List<T> query(String sql, Class<T> type) {
        return Flux.usingWhen(cf.create(),
                c -> Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.map((row, m) -> row.get(0, type))),
                Connection::close).collectList().block(Duration.ofSeconds(10));
    }

    @Test
    void dollarMarkersBindByIndexAndNameInAnyOrder() {
        Long n = Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                                "INSERT INTO t (name, id, price, d, ts, u, b) VALUES ($2, $1, $3, $4, $5, $6, $7)")
                        .bind(0, 1).bind("$2", "a").bind(2, new BigDecimal("1.50")).bind(3, LocalDate.of(2020, 1, 2))
                        .bind(4, LocalDateTime.of(2020, 1, 2, 3, 4, 5)).bind(5, UUID.fromString("00000000-0000-0000-0000-000000000001"))
                        .bind(6, ByteBuffer.wrap(new byte[] {1, 2}))
                        .execute()).flatMap(Result::getRowsUpdated), Connection::close)
                .blockLast(Duration.ofSeconds(10));
        assertThat(n).isEqualTo(1L);
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                        "SELECT id, name, price, d, ts, u, b FROM t WHERE id = $1 AND name = $2 OR id = $1").bind(0, 1).bind(1, "zz")
                        .execute()).concatMap(r -> r.map((row, m) -> List.of(row.get("ID", Integer.class), row.get("name"),
                        row.get(2, BigDecimal.class), row.get(3, LocalDate.class), row.get(4, LocalDateTime.class),
                        row.get(5, UUID.class), row.get(6, byte[].class).length))), Connection::close))
                .assertNext(l -> assertThat(l).containsExactly(1, "a", new BigDecimal("1.50"), LocalDate.of(2020, 1, 2),
                        LocalDateTime.of(2020, 1, 2, 3, 4, 5), UUID.fromString("00000000-0000-0000-0000-000000000001"), 2))
                .verifyComplete();
    }

    @Test
    void bindNullAndAddRunAsBatch() {
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("INSERT INTO t (id, name) VALUES ($1, $2)")
                        .bind(0, 1).bindNull(1, String.class).add()
                        .bind(0, 2).bind(1, "b").add()
                        .bind(0, 3).bind(1, "c")
                        .execute()).flatMap(Result::getRowsUpdated), Connection::close))
                .expectNext(1L, 1L, 1L).verifyComplete();
        assertThat(query("SELECT count(*) FROM t WHERE name IS NULL", Long.class)).containsExactly(1L);
    }

    @Test
    void queryWithSeveralBindingSetsRunsOncePerSet() {
        run("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')");
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("SELECT name FROM t WHERE id = ?")
                        .bind(0, 2).add().bind(0, 1).execute()).concatMap(r -> r.map((row, m) -> row.get(0, String.class))),
                        Connection::close))
                .expectNext("b", "a").verifyComplete();
    }

    @Test
    void generatedValuesAndReturning() {
        run("CREATE TABLE g (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v INT)");
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("INSERT INTO g (v) VALUES ($1)")
                        .bind(0, 7).returnGeneratedValues("id").execute())
                        .concatMap(r -> r.map((row, m) -> row.get(0, Long.class))), Connection::close))
                .expectNext(1L).verifyComplete();
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                        "SELECT id, v FROM FINAL TABLE (INSERT INTO g (v) VALUES ($1), ($2))").bind(0, 8).bind(1, 9).execute())
                        .concatMap(r -> r.map((row, m) -> row.get("v", Integer.class))), Connection::close))
                .expectNext(8, 9).verifyComplete();
    }

    @Test
    void errorsMapBySqlState() {
        run("INSERT INTO t (id, name) VALUES (1, 'a')");
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("INSERT INTO t (id, name) VALUES (1, 'a')")
                        .execute()).flatMap(Result::getRowsUpdated), Connection::close))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(R2dbcDataIntegrityViolationException.class)
                        .satisfies(x -> assertThat(((R2dbcDataIntegrityViolationException) x).getSqlState()).startsWith("23")))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement("SELEC 1").execute())
                        .flatMap(Result::getRowsUpdated), Connection::close))
                .expectError(R2dbcBadGrammarException.class).verify(Duration.ofSeconds(10));
    }

    @Test
    void transactionsSavepointsAndIsolation() {
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Mono.from(c.beginTransaction(IsolationLevel.SERIALIZABLE))
                        .then(Mono.fromSupplier(() -> List.of(c.isAutoCommit(), c.getTransactionIsolationLevel())))
                        .flatMap(state -> Flux.from(c.createStatement("INSERT INTO t (id) VALUES (1)").execute())
                                .flatMap(Result::getRowsUpdated).then(Mono.from(c.createSavepoint("s1")))
                                .thenMany(Flux.from(c.createStatement("INSERT INTO t (id) VALUES (2)").execute()).flatMap(Result::getRowsUpdated))
                                .then(Mono.from(c.rollbackTransactionToSavepoint("s1")))
                                .then(Mono.from(c.commitTransaction()))
                                .then(Mono.fromSupplier(() -> List.of(state, c.isAutoCommit(), c.getTransactionIsolationLevel())))),
                Connection::close))
                .assertNext(l -> assertThat(l).containsExactly(List.of(false, IsolationLevel.SERIALIZABLE), true,
                        IsolationLevel.READ_COMMITTED))
                .verifyComplete();
        assertThat(query("SELECT id FROM t", Integer.class)).containsExactly(1);
    }

    @Test
    void compoundStatementGivesOneResultPerStatement() {
        run("INSERT INTO t (id, name) VALUES (1, 'a')");
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createStatement(
                        "SELECT name FROM t; UPDATE t SET name = 'b'; SELECT name FROM t").execute())
                        .concatMap(r -> r.flatMap(seg -> Mono.just(seg instanceof Result.RowSegment
                                ? ((Result.RowSegment) seg).row().get(0, String.class) : "count:" + ((Result.UpdateCount) seg).value()))),
                        Connection::close))
                .expectNext("a", "count:1", "b").verifyComplete();
    }

    @Test
    void batchRunsTextsInOrder() {
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Flux.from(c.createBatch().add("INSERT INTO t (id) VALUES (1)")
                        .add("INSERT INTO t (id) VALUES (2)").add("SELECT count(*) FROM t").execute())
                        .concatMap(r -> r.flatMap(seg -> Mono.just(seg instanceof Result.RowSegment
                                ? "rows:" + ((Result.RowSegment) seg).row().get(0, Long.class) : "count:" + ((Result.UpdateCount) seg).value()))),
                        Connection::close))
                .expectNext("count:1", "count:1", "rows:2").verifyComplete();
    }

    @Test
    void validateAndMetadata() {
        Connection c = Mono.from(cf.create()).block();
        assertThat(c.getMetadata().getDatabaseProductName()).isEqualTo("H2");
        assertThat(cf.getMetadata().getName()).isEqualTo("H2");
        assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block()).isTrue();
        Mono.from(c.close()).block();
        assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block()).isFalse();
        assertThat(cf.acquiredConnections()).isZero();
        assertThatThrownBy(() -> c.createStatement("SELECT 1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void statementTimeoutIsAnR2dbcTimeout() {
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Mono.from(c.setStatementTimeout(Duration.ofSeconds(1)))
                        .thenMany(c.createStatement("SELECT count(*) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b").execute())
                        .concatMap(r -> r.map((row, m) -> row.get(0))), Connection::close))
                .expectError(R2dbcTimeoutException.class).verify(Duration.ofSeconds(20));
        assertThat(cf.acquiredConnections()).isZero();
    }

    @Test
    void lockWaitTimeout() {
        StepVerifier.create(Flux.usingWhen(cf.create(), c -> Mono.from(c.setLockWaitTimeout(Duration.ofMillis(500))),
                Connection::close)).verifyComplete();
    }

    @Test
    void foundThroughConnectionFactories() {
        ConnectionFactory f = ConnectionFactories.get("r2dbc:jdbc:h2:mem:///viaurl;DB_CLOSE_DELAY=-1?poolSize=2");
        assertThat(f).isInstanceOf(JdbcConnectionFactory.class);
        try {
            StepVerifier.create(Flux.usingWhen(f.create(), c -> Flux.from(c.createStatement("SELECT 1 + $1").bind(0, 1).execute())
                            .concatMap(r -> r.map((row, m) -> row.get(0, Integer.class))), Connection::close))
                    .expectNext(2).verifyComplete();
            assertThat(((JdbcConnectionFactory) f).poolSize()).isEqualTo(2);
        } finally {
            ((JdbcConnectionFactory) f).close();
        }
    }

    @Test
    void hikariIsThePool() {
        assertThat(cf.dataSource()).isInstanceOf(HikariDataSource.class);
    }
}
