package io.retort.micrometer;

import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of the observation that need no database. */
class StatementObservationContextTest {

    @Test // X8
    void theOperationIsTheFirstKeywordPastCommentsAndParentheses() {
        assertThat(StatementObservationContext.operationOf("SELECT a FROM t")).isEqualTo("SELECT");
        assertThat(StatementObservationContext.operationOf("  insert into t values ($1)")).isEqualTo("INSERT");
        assertThat(StatementObservationContext.operationOf("(SELECT 1) UNION (SELECT 2)")).isEqualTo("SELECT");
        assertThat(StatementObservationContext.operationOf("-- why\n/* who */ WITH x AS (SELECT 1) SELECT * FROM x")).isEqualTo("WITH");
        assertThat(StatementObservationContext.operationOf("DECLARE retort_cursor_1 NO SCROLL CURSOR FOR SELECT 1")).isEqualTo("DECLARE");
        assertThat(StatementObservationContext.operationOf("")).isEqualTo("UNKNOWN");
        assertThat(StatementObservationContext.operationOf("/* unterminated")).isEqualTo("UNKNOWN");
        assertThat(StatementObservationContext.operationOf("$1")).isEqualTo("UNKNOWN");
        // Bounded, so a tag made of it stays low-cardinality.
        assertThat(StatementObservationContext.operationOf("x".repeat(100) + " y")).hasSize(24);
    }

    @Test // X8
    void theParentIsLookedUpUnderTheKeyReactorAndSpringUse() {
        assertThat(ObservingStatementObserver.OBSERVATION_KEY).isEqualTo(ObservationThreadLocalAccessor.KEY);
    }

    @Test // X8
    void dbSystemNamesAreOpenTelemetrys() {
        DefaultStatementObservationConvention c = DefaultStatementObservationConvention.INSTANCE;
        assertThat(c.dbSystemName("postgresql")).isEqualTo("postgresql");
        assertThat(c.dbSystemName("mariadb")).isEqualTo("mariadb");
        assertThat(c.dbSystemName("mysql")).isEqualTo("mysql");
        assertThat(c.dbSystemName("h2")).isEqualTo("h2database");
        assertThat(c.dbSystemName("sqlite")).isEqualTo("sqlite");
        assertThat(c.dbSystemName("ansi")).isEqualTo("other_sql");
    }
}
