package io.retort.bridge.jdbc;

import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.env.TestDatabases;

/**
 * The PostgreSQL and MariaDB servers the bridge's server tests use, found and provisioned by the
 * TCK harness ({@link TestDatabases}): each test class gets a scratch namespace (a schema on
 * PostgreSQL, a database on MariaDB) as the harness's test user, dropped again on close. An
 * unreachable server skips the tests, or fails them under {@code -Dretort.it.required=true}.
 */
final class Servers {
    private Servers() {
    }

    /** A new scratch namespace on {@code backend}; the caller closes it. */
    static TestDatabase scratch(Backend backend) {
        return TestDatabases.scratch(backend);
    }
}
