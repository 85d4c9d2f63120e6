package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on POSTGRES through R2DBC_POSTGRESQL. */
@RequiresDatabase(Backend.POSTGRES)
class PostgresTckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.R2DBC_POSTGRESQL;
    }
}
