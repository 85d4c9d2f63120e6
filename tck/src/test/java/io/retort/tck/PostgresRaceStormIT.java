package io.retort.tck;

import io.retort.tck.env.Backend;
import io.retort.tck.env.Driver;
import io.retort.tck.env.RequiresDatabase;
import io.retort.tck.suite.RaceStormSuite;

/**
 * The F35 race storms on POSTGRES through R2DBC_POSTGRESQL: a class of their own, since the storms cancel
 * statements mid-result at random, and the buffers drivers strand on connections cut that way are
 * tolerated ({@code NettyLeakGuard}) only in such classes, as for the network faults.
 */
@RequiresDatabase(Backend.POSTGRES)
class PostgresRaceStormIT implements RaceStormSuite {
    @Override
    public Driver driver() {
        return Driver.R2DBC_POSTGRESQL;
    }
}
