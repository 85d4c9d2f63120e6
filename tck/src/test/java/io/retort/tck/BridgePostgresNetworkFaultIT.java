package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;
import io.retort.tck.suite.NetworkFaultSuite;

/**
 * The network faults (RELIABILITY F5, F15-F17, F32) on PostgreSQL through pgjdbc, behind the JDBC bridge and its
 * HikariCP pool: a class of its own like the R2DBC drivers' (the bridge uses no Netty, so
 * {@code NettyLeakGuard} finds nothing of its own here).
 */
@RequiresDatabase(Backend.POSTGRES)
class BridgePostgresNetworkFaultIT implements NetworkFaultSuite {
    @Override
    public Driver driver() {
        return Driver.BRIDGE_POSTGRES;
    }
}
