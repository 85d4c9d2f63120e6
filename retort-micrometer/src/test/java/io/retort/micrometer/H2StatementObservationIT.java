package io.retort.micrometer;

import io.retort.tck.env.Backend;
import io.retort.tck.env.RequiresDatabase;

/** {@link StatementObservationContract} on in-memory H2 (r2dbc-h2). */
@RequiresDatabase(Backend.H2)
class H2StatementObservationIT extends StatementObservationContract {
    @Override
    String dbSystemName() {
        return "h2database";
    }
}
