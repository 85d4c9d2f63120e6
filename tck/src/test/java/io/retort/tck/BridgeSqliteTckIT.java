package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;

/** The TCK on SQLITE through the JDBC bridge over sqlite-jdbc (B4). */
@RequiresDatabase(Backend.SQLITE)
class BridgeSqliteTckIT implements Tck {
    @Override
    public Driver driver() {
        return Driver.BRIDGE_SQLITE;
    }
}
