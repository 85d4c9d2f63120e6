package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The harness reaches PostgreSQL through r2dbc-postgresql, as user retort, in a fresh schema per test. */
@RequiresDatabase(Backend.POSTGRES)
class PostgresHarnessIT {

    @Test
    void roundTripThroughR2dbcPostgresql(TestDatabase db) throws Exception {
        RoundTrip.run(db, Driver.R2DBC_POSTGRESQL, "$");
    }

    @Test
    void serverVersionUserAndSchema(TestDatabase db) {
        String version = RoundTrip.scalar(db, Driver.R2DBC_POSTGRESQL, "SELECT version()");
        assertThat(version).startsWith("PostgreSQL ");
        // 15 is the lowest supported version (DESIGN.md, ECOSYSTEM.md).
        assertThat(Integer.parseInt(version.replaceAll("^PostgreSQL (\\d+).*$", "$1"))).isGreaterThanOrEqualTo(15);
        assertThat(RoundTrip.scalar(db, Driver.R2DBC_POSTGRESQL, "SELECT current_user")).isEqualTo("retort");
        assertThat(RoundTrip.scalar(db, Driver.R2DBC_POSTGRESQL, "SELECT current_database()")).as("the configured database").isEqualTo(db.database());
        // The r2dbc "schema" option really sets search_path to the scratch schema.
        assertThat(RoundTrip.scalar(db, Driver.R2DBC_POSTGRESQL, "SELECT current_schema()")).isEqualTo(db.namespace());
        assertThat(db.namespace()).startsWith("t_");
    }
}
