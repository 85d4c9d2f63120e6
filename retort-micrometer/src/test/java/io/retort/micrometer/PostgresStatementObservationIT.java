package io.retort.micrometer;

import io.retort.tck.env.Backend;
import io.retort.tck.env.RequiresDatabase;

/** {@link StatementObservationContract} on PostgreSQL (r2dbc-postgresql). */
@RequiresDatabase(Backend.POSTGRES)
class PostgresStatementObservationIT extends StatementObservationContract {
    @Override
    String dbSystemName() {
        return "postgresql";
    }
}
