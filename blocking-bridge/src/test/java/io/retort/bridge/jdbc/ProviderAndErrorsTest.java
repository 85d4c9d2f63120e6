package io.retort.bridge.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import org.junit.jupiter.api.Test;

/** The r2dbc:jdbc URL form, and SQLException → R2DBC exception mapping by SQLSTATE class. */
class ProviderAndErrorsTest {

    private static String jdbc(String r2dbcUrl) {
        return JdbcConnectionFactoryProvider.jdbcUrl(ConnectionFactoryOptions.parse(r2dbcUrl));
    }

    @Test
    void urlForms() {
        assertThat(jdbc("r2dbc:jdbc:postgresql://app:pw@db:5432/shop?currentSchema=s1&poolSize=16"))
                .isEqualTo("jdbc:postgresql://db:5432/shop");
        assertThat(jdbc("r2dbc:jdbc:mariadb://db/shop")).isEqualTo("jdbc:mariadb://db/shop");
        assertThat(jdbc("r2dbc:jdbc:h2:mem:///test;DB_CLOSE_DELAY=-1")).isEqualTo("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1");
        assertThat(jdbc("r2dbc:jdbc:h2:file:///./data/app")).isEqualTo("jdbc:h2:file:./data/app");
        assertThat(jdbc("r2dbc:jdbc:sqlite:////var/data/app.db")).isEqualTo("jdbc:sqlite:/var/data/app.db");
        assertThat(jdbc("r2dbc:jdbc://?jdbcUrl=jdbc:sqlite::memory:")).isEqualTo("jdbc:sqlite::memory:");
        assertThat(new JdbcConnectionFactoryProvider().supports(ConnectionFactoryOptions.parse("r2dbc:jdbc:h2:mem:///x"))).isTrue();
        assertThat(new JdbcConnectionFactoryProvider().supports(ConnectionFactoryOptions.parse("r2dbc:h2:mem:///x"))).isFalse();
    }

    @Test
    void driverPropertiesAndBridgeOptionsAreSeparated() {
        JdbcConnectionFactory f = new JdbcConnectionFactoryProvider().create(ConnectionFactoryOptions.parse(
                "r2dbc:jdbc:h2:mem:///props;DB_CLOSE_DELAY=-1?poolSize=3&fetchSize=50&MODE=PostgreSQL"));
        try {
            assertThat(f.poolSize()).isEqualTo(3);
            assertThat(f.defaultFetchSize()).isEqualTo(50);
            com.zaxxer.hikari.HikariDataSource h = (com.zaxxer.hikari.HikariDataSource) f.dataSource();
            assertThat(h.getDataSourceProperties()).containsEntry("MODE", "PostgreSQL").doesNotContainKey("poolSize");
        } finally {
            f.close();
        }
    }

    private static R2dbcException map(String state, int code, String message) {
        return JdbcExceptions.translate(new SQLException(message, state, code), "SELECT 1", false);
    }

    @Test
    void sqlStateClasses() {
        assertThat(map("08006", 0, "gone")).isInstanceOf(R2dbcNonTransientResourceException.class);
        assertThat(map("23505", 0, "dup")).isInstanceOf(R2dbcDataIntegrityViolationException.class)
                .satisfies(e -> assertThat(e.getSqlState()).isEqualTo("23505"))
                .satisfies(e -> assertThat(e.getSql()).isEqualTo("SELECT 1"));
        assertThat(map("42P01", 0, "no table")).isInstanceOf(R2dbcBadGrammarException.class);
        assertThat(map("42501", 0, "denied")).isInstanceOf(R2dbcPermissionDeniedException.class);
        assertThat(map("28P01", 0, "password")).isInstanceOf(R2dbcPermissionDeniedException.class);
        assertThat(map("40P01", 0, "deadlock")).isInstanceOf(R2dbcRollbackException.class);
        assertThat(map("40001", 1213, "Deadlock")).isInstanceOf(R2dbcRollbackException.class);
        assertThat(map("57014", 0, "canceling statement due to statement timeout")).isInstanceOf(R2dbcTimeoutException.class);
        assertThat(map("57014", 0, "canceling statement due to user request")).isInstanceOf(R2dbcTransientResourceException.class);
        assertThat(JdbcExceptions.translate(new SQLException("canceling statement due to user request", "57014"), null, true))
                .isInstanceOf(R2dbcTimeoutException.class).hasMessageContaining("timeout");
        assertThat(map("55P03", 0, "lock timeout")).isInstanceOf(R2dbcTimeoutException.class);
        assertThat(map("HY000", 1205, "Lock wait timeout exceeded")).isInstanceOf(R2dbcTimeoutException.class);
        assertThat(map("70100", 1969, "max_statement_time exceeded")).isInstanceOf(R2dbcTimeoutException.class);
        assertThat(map("57P01", 0, "terminating")).isInstanceOf(R2dbcNonTransientResourceException.class);
        assertThat(JdbcExceptions.translate(new SQLTimeoutException("t"), null, false)).isInstanceOf(R2dbcTimeoutException.class);
        assertThat(map("HY000", 1062, "Duplicate entry").getErrorCode()).isEqualTo(1062);
    }
}
