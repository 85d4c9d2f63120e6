package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on MARIADB through R2DBC_MARIADB. */
@RequiresDatabase(Backend.MARIADB)
class MariaDbMariadbDriverTckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.R2DBC_MARIADB;
    }
}
