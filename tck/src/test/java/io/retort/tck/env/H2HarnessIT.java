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
        assertThat(db.r2dbcUrl()).startsWith("r2dbc:h2:mem:///retort_t_").endsWith(";DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE");
    }
}
