package io.retort.micrometer;

import io.retort.tck.env.Backend;
import io.retort.tck.env.RequiresDatabase;

/** {@link StatementObservationContract} on MariaDB (r2dbc-mariadb). */
@RequiresDatabase(Backend.MARIADB)
class MariaDbStatementObservationIT extends StatementObservationContract {
    @Override
    String dbSystemName() {
        return "mariadb";
    }
}
