package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Provisioning is idempotent and safe when several JVMs do it at once: four threads with four
 * admin connections provision a brand-new database and user at the same moment, then the user
 * logs in. Uses throw-away names (dropped afterwards) so the race really creates objects
 * rather than finding them.
 */
class ProvisioningIT {

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"POSTGRES", "MARIADB"})
    void concurrentProvisioningOfNewObjects(Backend backend) throws Exception {
        HarnessSettings settings = HarnessSettings.fromSystem();
        Server real;
        try (TestDatabase probe = TestDatabases.scratch(backend, settings)) {
            real = probe.server();
        }
        BackendSupport support = BackendSupport.of(backend);
        String admin = settings.adminUser(backend);
        String adminPassword = settings.adminPassword(backend);
        try (Connection c = support.connect(support.adminJdbcUrl(real), admin, adminPassword, true)) {
            c.isValid(5);
        } catch (java.sql.SQLException e) {
            Assumptions.abort("no admin login on " + real.describe() + ": " + e.getMessage());
        }

        String suffix = ScratchNames.newName(Backend.POSTGRES, Instant.now()).substring(2);
        Server fresh = new Server(backend, real.source(), real.origin(), real.host(), real.port(),
                "retort_prov_" + suffix, "retort_prov_" + suffix, "pw-" + suffix, Map.of(), real.jdbcParams(),
                real.optionsDriver());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<Void> task = () -> {
                    try (Connection c = support.connect(support.adminJdbcUrl(fresh), admin, adminPassword, true)) {
                        support.provision(c, fresh);
                    }
                    return null;
                };
                results.add(pool.submit(task));
            }
            for (Future<Void> f : results) {
                f.get(); // rethrows whatever a racing provisioner hit
            }
            // And once more, sequentially: idempotent.
            try (Connection c = support.connect(support.adminJdbcUrl(fresh), admin, adminPassword, true)) {
                support.provision(c, fresh);
            }
            try (Connection c = support.connect(support.jdbcUrl(fresh, null), fresh.user(), fresh.password(), true)) {
                assertThat(c.isValid(5)).isTrue();
            }
            // The new user may create and drop its own scratch namespaces without the admin.
            String scratch = ScratchNames.newName(backend, Instant.now());
            support.createScratch(fresh, scratch);
            assertThat(support.scratchExists(fresh, scratch)).isTrue();
            support.dropScratch(fresh, scratch);
            assertThat(support.scratchExists(fresh, scratch)).isFalse();
        } finally {
            pool.shutdownNow();
            try (Connection c = support.connect(support.adminJdbcUrl(fresh), admin, adminPassword, true);
                    java.sql.Statement s = c.createStatement()) {
                if (backend == Backend.POSTGRES) {
                    s.execute("DROP DATABASE IF EXISTS " + PostgresSupport.ident(fresh.database()) + " WITH (FORCE)");
                    s.execute("DROP ROLE IF EXISTS " + PostgresSupport.ident(fresh.user()));
                } else {
                    s.execute("DROP DATABASE IF EXISTS " + MariaDbSupport.ident(fresh.database()));
                    s.execute("DROP USER IF EXISTS '" + fresh.user() + "'@'%', '" + fresh.user() + "'@'localhost'");
                }
            }
        }
    }
}
