package io.retort.spring;

import io.retort.tck.env.Backend;
import org.junit.jupiter.api.BeforeAll;

/** X3 on MariaDB (r2dbc-mariadb), found or provisioned by the TCK's harness. */
class SpringTransactionsMariaDbIT extends SpringTransactionsContract {
    @BeforeAll
    static void openDatabase() {
        open(Backend.MARIADB);
    }
}
