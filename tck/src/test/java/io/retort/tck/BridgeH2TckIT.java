package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on H2 through the JDBC bridge over H2 (B4). */
@RequiresDatabase(Backend.H2)
class BridgeH2TckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.BRIDGE_H2;
    }
}
