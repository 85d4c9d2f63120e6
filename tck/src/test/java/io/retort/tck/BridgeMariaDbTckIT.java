package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on MARIADB through the JDBC bridge over MariaDB Connector/J (B4). */
@RequiresDatabase(Backend.MARIADB)
class BridgeMariaDbTckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.BRIDGE_MARIADB;
    }
}
