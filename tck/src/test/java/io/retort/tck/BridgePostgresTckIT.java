package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on POSTGRES through the JDBC bridge over pgjdbc (B4). */
@RequiresDatabase(Backend.POSTGRES)
class BridgePostgresTckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.BRIDGE_POSTGRES;
    }
}
