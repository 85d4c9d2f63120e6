package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.sql.ResultSet;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The round trip every harness IT does through one R2DBC driver: a table in the scratch
 * namespace, three rows inserted with bound parameters, read back with {@link StepVerifier},
 * then checked over the harness's JDBC connection (so both URLs land in the same namespace).
 */
final class RoundTrip {

    private static final Logger LOG = LoggerFactory.getLogger(RoundTrip.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A row of the test table. */
    record Item(int id, String name, int qty) {
    }

    private RoundTrip() {
    }

    /**
     * @param placeholder the driver's first two bind markers' pattern: {@code "$"} for $1,$2…,
     *     {@code "?"} for ?,?…
     */
    static void run(TestDatabase db, Driver driver, String placeholder) throws Exception {
        ConnectionFactory cf = db.connectionFactory(driver);
        String insert = "INSERT INTO item (id, name, qty) VALUES (" + marker(placeholder, 1) + ", "
                + marker(placeholder, 2) + ", " + marker(placeholder, 3) + ")";

        Flux<Item> items = Flux.usingWhen(cf.create(),
                c -> execute(c, "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)")
                        .then(insertThree(c, insert))
                        .thenMany(Flux.from(c.createStatement("SELECT id, name, qty FROM item ORDER BY id").execute())
                                .flatMap(r -> r.map((row, md) -> new Item(row.get("id", Integer.class),
                                        row.get("name", String.class), row.get("qty", Integer.class))))),
                Connection::close);

        StepVerifier.create(items)
                .expectNext(new Item(1, "alpha", 10), new Item(2, "beta", 20), new Item(3, "gamma ünïcode", 30))
                .expectComplete()
                .verify(TIMEOUT);

        try (java.sql.Connection jdbc = db.jdbcConnection();
                ResultSet rs = jdbc.createStatement().executeQuery("SELECT COUNT(*), SUM(qty) FROM item")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(3);
            assertThat(rs.getInt(2)).isEqualTo(60);
        }
    }

    private static Mono<Long> insertThree(Connection c, String sql) {
        // One statement, three bindings: the driver sends it as a batch of bound executions.
        Statement s = c.createStatement(sql)
                .bind(0, 1).bind(1, "alpha").bind(2, 10).add()
                .bind(0, 2).bind(1, "beta").bind(2, 20).add()
                .bind(0, 3).bind(1, "gamma ünïcode").bind(2, 30);
        return Flux.from(s.execute()).flatMap(r -> r.getRowsUpdated()).reduce(0L, Long::sum)
                .doOnNext(n -> assertThat(n).isEqualTo(3L));
    }

    /** The first column of the first row of {@code sql}, as a string. */
    static String scalar(TestDatabase db, Driver driver, String sql) {
        Mono<String> value = Mono.usingWhen(db.connectionFactory(driver).create(),
                c -> Mono.from(c.createStatement(sql).execute())
                        .flatMap(r -> Mono.from(r.map((row, md) -> String.valueOf(row.get(0))))),
                Connection::close);
        String v = value.block(TIMEOUT);
        assertThat(v).as(sql).isNotNull();
        LOG.info("{} via {}: {} = {}", db.describe(), driver, sql, v);
        return v;
    }

    private static Mono<Void> execute(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then();
    }

    private static String marker(String style, int index) {
        return "$".equals(style) ? "$" + index : "?";
    }
}
