package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading settings from system properties and environment variables, without a database. */
class HarnessSettingsTest {

    private static HarnessSettings settings(Map<String, String> properties, Map<String, String> env) {
        return HarnessSettings.of(k -> Optional.ofNullable(properties.get(k)), env);
    }

    @Test
    void namesFollowOneRule() {
        assertThat(Backend.POSTGRES.envVar("URL")).isEqualTo("RETORT_PG_URL");
        assertThat(Backend.POSTGRES.property("URL")).isEqualTo("retort.pg.url");
        assertThat(Backend.POSTGRES.envVar("JDBC_URL")).isEqualTo("RETORT_PG_JDBC_URL");
        assertThat(Backend.POSTGRES.property("JDBC_URL")).isEqualTo("retort.pg.jdbc.url");
        assertThat(Backend.MARIADB.envVar("URL")).isEqualTo("RETORT_MARIADB_URL");
        assertThat(Backend.MARIADB.property("ADMIN_PASSWORD")).isEqualTo("retort.mariadb.admin.password");
    }

    @Test
    void nothingConfiguredMeansDiscovery() {
        HarnessSettings s = settings(Map.of(), Map.of());
        assertThat(s.configuredServer(Backend.POSTGRES)).isEmpty();
        assertThat(s.configuredServer(Backend.MARIADB)).isEmpty();
        assertThat(s.required()).isFalse();
        assertThat(s.testcontainersAllowed()).isTrue();
        assertThat(s.adminUser(Backend.POSTGRES)).isEqualTo("postgres");
        assertThat(s.adminUser(Backend.MARIADB)).isEqualTo("root");
        assertThat(s.adminPassword(Backend.MARIADB)).isEmpty();
    }

    @Test
    void environmentVariablesConfigureServers() {
        HarnessSettings s = settings(Map.of(), Map.of(
                "RETORT_PG_URL", "r2dbc:postgresql://retort:retort@127.0.0.1:55432/retort_test",
                "RETORT_MARIADB_URL", "r2dbc:mariadb://retort:retort@127.0.0.1:53306/retort_test",
                "RETORT_IT_REQUIRED", "true"));
        Server pg = s.configuredServer(Backend.POSTGRES).orElseThrow();
        assertThat(pg.port()).isEqualTo(55432);
        assertThat(pg.origin()).isEqualTo("RETORT_PG_URL");
        assertThat(pg.source()).isEqualTo(Server.Source.ENVIRONMENT);
        assertThat(s.configuredServer(Backend.MARIADB).orElseThrow().port()).isEqualTo(53306);
        assertThat(s.required()).isTrue();
    }

    @Test
    void systemPropertyWinsOverEnvironment() {
        HarnessSettings s = settings(
                Map.of("retort.pg.url", "r2dbc:postgresql://retort:retort@127.0.0.1:6000/retort_test",
                        "retort.it.required", "false"),
                Map.of("RETORT_PG_URL", "r2dbc:postgresql://retort:retort@127.0.0.1:7000/retort_test",
                        "RETORT_IT_REQUIRED", "true"));
        Server pg = s.configuredServer(Backend.POSTGRES).orElseThrow();
        assertThat(pg.port()).isEqualTo(6000);
        assertThat(pg.origin()).isEqualTo("-Dretort.pg.url");
        assertThat(pg.source()).isEqualTo(Server.Source.PROPERTY);
        assertThat(s.required()).isFalse();
    }

    @Test
    void blankValuesAreUnset() {
        HarnessSettings s = settings(Map.of("retort.pg.url", " "), Map.of("RETORT_PG_URL", ""));
        assertThat(s.configuredServer(Backend.POSTGRES)).isEmpty();
    }

    @Test
    void jdbcUrlAloneSaysWhere() {
        HarnessSettings s = settings(Map.of(), Map.of("RETORT_MARIADB_JDBC_URL",
                "jdbc:mariadb://127.0.0.1:3306/retort_test?user=retort&password=retort"));
        Server m = s.configuredServer(Backend.MARIADB).orElseThrow();
        assertThat(m.port()).isEqualTo(3306);
        assertThat(m.origin()).isEqualTo("RETORT_MARIADB_JDBC_URL");
    }

    @Test
    void noneTurnsABackendOff() {
        HarnessSettings s = settings(Map.of(), Map.of("RETORT_PG_URL", "none", "RETORT_TESTCONTAINERS", "false"));
        assertThat(s.disabledBy(Backend.POSTGRES)).contains("RETORT_PG_URL=none");
        assertThat(s.configuredServer(Backend.POSTGRES)).isEmpty();
        assertThat(s.disabledBy(Backend.MARIADB)).isEmpty();
        assertThat(s.testcontainersAllowed()).isFalse();
    }

    @Test
    void malformedUrlNamesTheSetting() {
        HarnessSettings s = settings(Map.of(), Map.of("RETORT_PG_URL", "r2dbc:mariadb://x/y"));
        assertThatThrownBy(() -> s.configuredServer(Backend.POSTGRES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RETORT_PG_URL");
    }

    @Test
    void discoveryKeyFollowsTheConfiguration() {
        HarnessSettings a = settings(Map.of(), Map.of("RETORT_PG_URL", "r2dbc:postgresql://h:1/d"));
        HarnessSettings b = settings(Map.of("retort.pg.url", "r2dbc:postgresql://h:1/d"), Map.of());
        HarnessSettings c = settings(Map.of(), Map.of("RETORT_PG_URL", "r2dbc:postgresql://h:2/d"));
        assertThat(a.discoveryKey(Backend.POSTGRES)).isEqualTo(b.discoveryKey(Backend.POSTGRES));
        assertThat(a.discoveryKey(Backend.POSTGRES)).isNotEqualTo(c.discoveryKey(Backend.POSTGRES));
        assertThat(a.discoveryKey(Backend.MARIADB)).isEqualTo(c.discoveryKey(Backend.MARIADB));
    }
}
