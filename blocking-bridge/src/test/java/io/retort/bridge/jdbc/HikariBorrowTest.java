package io.retort.bridge.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.r2dbc.spi.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Regression for the intermittent acquisition hang first seen over MariaDB: HikariCP can leave
 * one of several concurrent borrowers waiting out its whole connection timeout while the pool
 * opens connections (a borrower takes a connection opened for another one and, judging by a
 * stale waiter count, asks for no replacement). The bridge therefore never has two workers
 * inside a HikariCP pool's {@code getConnection()} at once; this checks that, on a new pool
 * that must open every connection, with all of them wanted at the same time.
 */
class HikariBorrowTest {
    private static final AtomicInteger DB = new AtomicInteger();

    /** A HikariCP pool that records how many threads are inside getConnection() at once. */
    static final class CountingHikari extends HikariDataSource {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger mostInside = new AtomicInteger();

        @Override
        public java.sql.Connection getConnection() throws SQLException {
            int now = inside.incrementAndGet();
            mostInside.accumulateAndGet(now, Math::max);
            try {
                return super.getConnection();
            } finally {
                inside.decrementAndGet();
            }
        }
    }

    @Test
    void concurrentAcquisitionsFromANewPoolBorrowOneAtATimeAndAllSucceed() {
        for (int round = 0; round < 20; round++) {
            try (CountingHikari hikari = new CountingHikari()) {
                hikari.setJdbcUrl("jdbc:h2:mem:borrow" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
                hikari.setUsername("sa");
                hikari.setMaximumPoolSize(6);
                hikari.setMinimumIdle(0);
                JdbcConnectionFactory cf = JdbcConnectionFactory.builder().dataSource(hikari).poolSize(6).build();
                try {
                    // All six held until all six arrived: each needs its own new connection.
                    List<Connection> held = Flux.range(0, 6).flatMap(i -> cf.create(), 6)
                            .collectList().block(Duration.ofSeconds(30));
                    assertThat(held).hasSize(6);
                    Flux.fromIterable(held).flatMap(Connection::close).then().block(Duration.ofSeconds(30));
                    assertThat(hikari.mostInside.get()).as("workers inside HikariCP's getConnection() at once").isEqualTo(1);
                    assertThat(cf.acquiredConnections()).isZero();
                    // And the pool still serves: a warm pool is borrowed from the same way.
                    assertThat(Flux.range(0, 12).flatMap(i -> Mono.usingWhen(cf.create(),
                                    c -> Mono.from(c.createStatement("SELECT 1").execute())
                                            .flatMap(r -> Mono.from(r.map((row, m) -> row.get(0, Integer.class)))),
                                    Connection::close), 6)
                            .collectList().block(Duration.ofSeconds(30))).hasSize(12).containsOnly(1);
                } finally {
                    cf.close();
                }
            }
        }
    }
}
