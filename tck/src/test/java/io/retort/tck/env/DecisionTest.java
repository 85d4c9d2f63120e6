package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The skip-vs-fail rule, every case. */
class DecisionTest {

    @ParameterizedTest(name = "required={0}, {1} -> {2}")
    @CsvSource({
        "false, AVAILABLE,     RUN",
        "true,  AVAILABLE,     RUN",
        "false, UNREACHABLE,   SKIP",
        "true,  UNREACHABLE,   FAIL",
        // A wrong setting is a mistake to fix, never an environment to tolerate.
        "false, MISCONFIGURED, FAIL",
        "true,  MISCONFIGURED, FAIL",
    })
    void decides(boolean required, Availability.Status status, Decision expected) {
        assertThat(Decision.decide(required, status)).isEqualTo(expected);
    }
}
