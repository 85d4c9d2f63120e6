package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;
import io.retort.tck.suite.NetworkFaultSuite;

/**
 * The network faults (RELIABILITY F5, F15-F17, F32) on MariaDB through r2dbc-mysql: a class of their own, so the
 * buffers the drivers strand when a connection is cut mid-frame are tolerated here
 * ({@code NettyLeakGuard}) and nowhere else.
 */
@RequiresDatabase(Backend.MARIADB)
class MariaDbMysqlDriverNetworkFaultIT implements NetworkFaultSuite {
    @Override
    public Driver driver() {
        return Driver.R2DBC_MYSQL;
    }
}
