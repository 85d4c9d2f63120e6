package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The discovery chain when nothing is there, walked against a closed port (127.0.0.1:1) so the
 * real servers can stay up: every step it tried is in the reason.
 */
class DiscoveryTest {

    @Test
    void collectsEveryReasonWhenNothingAnswers() {
        HarnessSettings settings = HarnessSettings.of(k -> Optional.empty(), Map.of(HarnessSettings.TESTCONTAINERS_ENV, "false"));
        Availability a = new Discovery(settings, "127.0.0.1", 1).discover(Backend.MARIADB);
        assertThat(a.status()).isEqualTo(Availability.Status.UNREACHABLE);
        assertThat(a.reason())
                .contains("RETORT_MARIADB_URL and -Dretort.mariadb.url not set")
                .contains("nothing answered on 127.0.0.1:1 (default port)")
                .contains("Connection refused")
                .contains("Testcontainers turned off");
        assertThat(a.cause()).isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void asksDockerWhenAllowed() {
        // Whatever this machine has: a Docker engine or not, the reason must say what happened.
        HarnessSettings settings = HarnessSettings.of(k -> Optional.empty(), Map.of());
        Availability a = new Discovery(settings, "127.0.0.1", 1).discover(Backend.POSTGRES);
        if (!a.isAvailable()) {
            assertThat(a.reason()).containsAnyOf("no Docker engine", "Testcontainers could not start");
        }
    }

    @Test
    void h2IsAlwaysAvailable() {
        HarnessSettings settings = HarnessSettings.of(k -> Optional.empty(), Map.of());
        assertThat(new Discovery(settings).discover(Backend.H2).isAvailable()).isTrue();
    }
}
