package io.retort.spring;

import io.retort.tck.env.Backend;
import org.junit.jupiter.api.BeforeAll;

/** X3 on embedded H2 (r2dbc-h2), in the unit-test phase: no server needed. */
class SpringTransactionsH2Test extends SpringTransactionsContract {
    @BeforeAll
    static void openDatabase() {
        open(Backend.H2);
    }
}
