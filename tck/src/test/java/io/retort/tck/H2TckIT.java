package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on H2 through R2DBC_H2. */
@RequiresDatabase(Backend.H2)
class H2TckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.R2DBC_H2;
    }
}
