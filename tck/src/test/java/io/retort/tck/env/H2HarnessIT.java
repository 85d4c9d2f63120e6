package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The harness reaches H2 in memory through r2dbc-h2, in a fresh database per test. */
@RequiresDatabase(Backend.H2)
class H2HarnessIT {

    @Test
    void roundTripThroughR2dbcH2(TestDatabase db) throws Exception {
        RoundTrip.run(db, Driver.R2DBC_H2, "$");
    }

    @Test
    void versionAndNamespace(TestDatabase db) {
        assertThat(RoundTrip.scalar(db, Driver.R2DBC_H2, "SELECT H2VERSION()")).startsWith("2.");
        assertThat(RoundTrip.scalar(db, Driver.R2DBC_H2, "SELECT DATABASE()")).isEqualToIgnoringCase(db.namespace());
        assertThat(db.r2dbcUrl()).startsWith("r2dbc:h2:mem://sa@/retort_t_").endsWith(";DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE");
    }

    /** The URL alone reaches the namespace: it carries the credentials the database was made with. */
    @Test
    void theUrlAloneConnects(TestDatabase db) {
        Object name = reactor.core.publisher.Mono.from(io.r2dbc.spi.ConnectionFactories.get(db.r2dbcUrl()).create())
                .flatMap(c -> reactor.core.publisher.Mono.from(c.createStatement("SELECT DATABASE()").execute())
                        .flatMap(r -> reactor.core.publisher.Mono.from(r.map((row, m) -> row.get(0))))
                        .flatMap(v -> reactor.core.publisher.Mono.from(c.close()).thenReturn(v)))
                .block(java.time.Duration.ofSeconds(30));
        assertThat(String.valueOf(name)).isEqualToIgnoringCase(db.namespace());
    }
}
