package io.retort.spring;

import io.retort.tck.env.Backend;
import org.junit.jupiter.api.BeforeAll;

/** X3 on PostgreSQL (r2dbc-postgresql), found or provisioned by the TCK's harness. */
class SpringTransactionsPostgresIT extends SpringTransactionsContract {
    @BeforeAll
    static void openDatabase() {
        open(Backend.POSTGRES);
    }
}
