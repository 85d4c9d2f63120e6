package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The harness reaches MariaDB through both R2DBC drivers — io.asyncer r2dbc-mysql and
 * org.mariadb r2dbc-mariadb — as user retort, in a fresh database per test.
 */
@RequiresDatabase(Backend.MARIADB)
class MariaDbHarnessIT {

    @Test
    void roundTripThroughR2dbcMysql(TestDatabase db) throws Exception {
        RoundTrip.run(db, Driver.R2DBC_MYSQL, "?");
    }

    @Test
    void roundTripThroughR2dbcMariadb(TestDatabase db) throws Exception {
        RoundTrip.run(db, Driver.R2DBC_MARIADB, "?");
    }

    @Test
    void serverVersionUserAndDatabase(TestDatabase db) {
        for (Driver driver : new Driver[] {Driver.R2DBC_MYSQL, Driver.R2DBC_MARIADB}) {
            assertThat(RoundTrip.scalar(db, driver, "SELECT version()")).contains("MariaDB");
            assertThat(RoundTrip.scalar(db, driver, "SELECT current_user()")).startsWith("retort@");
            assertThat(RoundTrip.scalar(db, driver, "SELECT DATABASE()")).isEqualTo(db.namespace());
        }
        assertThat(db.namespace()).startsWith("retort_t_");
        assertThat(db.r2dbcUrl(Driver.R2DBC_MYSQL)).startsWith("r2dbc:mysql://");
        assertThat(db.r2dbcUrl(Driver.R2DBC_MARIADB)).startsWith("r2dbc:mariadb://");
    }
}
