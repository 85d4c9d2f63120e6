package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing configured URLs and building scratch URLs, without a database. */
class UrlsTest {

    @Test
    void parsesPostgresR2dbcUrl() {
        Server s = Urls.parseR2dbc(Backend.POSTGRES,
                "r2dbc:postgresql://retort:retort@127.0.0.1:5432/retort_test?sslMode=disable",
                Server.Source.ENVIRONMENT, "RETORT_PG_URL");
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.database()).isEqualTo("retort_test");
        assertThat(s.user()).isEqualTo("retort");
        assertThat(s.password()).isEqualTo("retort");
        assertThat(s.r2dbcOptions()).containsExactly(Map.entry("sslMode", "disable"));
        assertThat(s.optionsDriver()).isEqualTo(Driver.R2DBC_POSTGRESQL);
        assertThat(s.source()).isEqualTo(Server.Source.ENVIRONMENT);
    }

    @Test
    void defaultsPortDatabaseAndUser() {
        Server s = Urls.parseR2dbc(Backend.MARIADB, "r2dbc:mysql://db.example", Server.Source.PROPERTY, "-Dretort.mariadb.url");
        assertThat(s.port()).isEqualTo(3306);
        assertThat(s.database()).isEqualTo("retort_test");
        assertThat(s.user()).isEqualTo("retort");
        assertThat(s.password()).isEqualTo("retort");
        assertThat(s.optionsDriver()).isEqualTo(Driver.R2DBC_MYSQL);
    }

    @Test
    void acceptsBothMariaDbSchemes() {
        assertThat(Urls.parseR2dbc(Backend.MARIADB, "r2dbc:mariadb://u:p@h:1/d", Server.Source.ENVIRONMENT, "x")
                .optionsDriver()).isEqualTo(Driver.R2DBC_MARIADB);
        assertThat(Urls.parseR2dbc(Backend.MARIADB, "r2dbc:mysql://u:p@h:1/d", Server.Source.ENVIRONMENT, "x")
                .optionsDriver()).isEqualTo(Driver.R2DBC_MYSQL);
    }

    @Test
    void rejectsAnotherBackendsUrlNamingTheSetting() {
        assertThatThrownBy(() -> Urls.parseR2dbc(Backend.POSTGRES, "r2dbc:mysql://u:secret@h:1/d",
                Server.Source.ENVIRONMENT, "RETORT_PG_URL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RETORT_PG_URL")
                .hasMessageContaining("r2dbc:postgresql://")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Urls.parseR2dbc(Backend.POSTGRES, "postgres://nope", Server.Source.ENVIRONMENT, "RETORT_PG_URL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RETORT_PG_URL");
    }

    @Test
    void parsesJdbcUrls() {
        Server pg = Urls.parseJdbc(Backend.POSTGRES,
                "jdbc:postgresql://10.0.0.5:55432/other?user=bob&password=pw&sslmode=disable&currentSchema=x",
                Server.Source.ENVIRONMENT, "RETORT_PG_JDBC_URL");
        assertThat(pg.host()).isEqualTo("10.0.0.5");
        assertThat(pg.port()).isEqualTo(55432);
        assertThat(pg.database()).isEqualTo("other");
        assertThat(pg.user()).isEqualTo("bob");
        assertThat(pg.password()).isEqualTo("pw");
        // currentSchema is the harness's to set (the scratch schema); other parameters are kept.
        assertThat(pg.jdbcParams()).containsExactly(Map.entry("sslmode", "disable"));

        Server maria = Urls.parseJdbc(Backend.MARIADB, "jdbc:mariadb://127.0.0.1/retort_test",
                Server.Source.ENVIRONMENT, "RETORT_MARIADB_JDBC_URL");
        assertThat(maria.port()).isEqualTo(3306);
        assertThat(maria.user()).isEqualTo("retort");
        assertThat(Urls.parseJdbc(Backend.MARIADB, "jdbc:mysql://h:3307/d", Server.Source.ENVIRONMENT, "x").port())
                .isEqualTo(3307);
        assertThatThrownBy(() -> Urls.parseJdbc(Backend.POSTGRES, "jdbc:mariadb://h/d", Server.Source.ENVIRONMENT,
                "RETORT_PG_JDBC_URL")).hasMessageContaining("RETORT_PG_JDBC_URL");
    }

    @Test
    void mergeKeepsR2dbcIdentityAndJdbcParameters() {
        Server r2dbc = Urls.parseR2dbc(Backend.POSTGRES, "r2dbc:postgresql://retort:retort@h:5432/retort_test",
                Server.Source.ENVIRONMENT, "RETORT_PG_URL");
        Server jdbc = Urls.parseJdbc(Backend.POSTGRES, "jdbc:postgresql://h:5432/retort_test?tcpKeepAlive=true",
                Server.Source.ENVIRONMENT, "RETORT_PG_JDBC_URL");
        Server merged = Urls.merge(r2dbc, jdbc);
        assertThat(merged.jdbcParams()).containsEntry("tcpKeepAlive", "true");
        assertThat(merged.origin()).isEqualTo("RETORT_PG_URL + RETORT_PG_JDBC_URL");

        Server elsewhere = Urls.parseJdbc(Backend.POSTGRES, "jdbc:postgresql://h:6543/retort_test",
                Server.Source.ENVIRONMENT, "RETORT_PG_JDBC_URL");
        assertThatThrownBy(() -> Urls.merge(r2dbc, elsewhere)).hasMessageContaining("different databases");
    }

    @Test
    void builtUrlsParseBackToTheSameOptions() {
        // A password with URL metacharacters must survive the trip through the URL.
        Server s = new Server(Backend.POSTGRES, Server.Source.ENVIRONMENT, "x", "127.0.0.1", 5432, "retort_test",
                "retort", "p@ss:w/rd %+&", Map.of(), Map.of(), Driver.R2DBC_POSTGRESQL);
        String url = PostgresSupport.INSTANCE.r2dbcUrl(s, Driver.R2DBC_POSTGRESQL, "t_abc");
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(url);
        ConnectionFactoryOptions built = PostgresSupport.INSTANCE.r2dbcOptions(s, Driver.R2DBC_POSTGRESQL, "t_abc");
        for (Option<?> o : new Option<?>[] {ConnectionFactoryOptions.DRIVER, ConnectionFactoryOptions.HOST,
            ConnectionFactoryOptions.USER, ConnectionFactoryOptions.DATABASE, Option.valueOf("schema")}) {
            assertThat(String.valueOf(parsed.getValue(o))).as(o.name()).isEqualTo(String.valueOf(built.getValue(o)));
        }
        assertThat(String.valueOf(parsed.getValue(ConnectionFactoryOptions.PASSWORD))).isEqualTo("p@ss:w/rd %+&");
        assertThat(String.valueOf(parsed.getValue(ConnectionFactoryOptions.PORT))).isEqualTo("5432");
    }

    @Test
    void extraOptionsGoOnlyToTheDriverTheUrlNamed() {
        Server s = Urls.parseR2dbc(Backend.MARIADB, "r2dbc:mysql://retort:retort@h:3306/retort_test?sslMode=DISABLED",
                Server.Source.ENVIRONMENT, "RETORT_MARIADB_URL");
        assertThat(MariaDbSupport.INSTANCE.r2dbcUrl(s, Driver.R2DBC_MYSQL, "retort_t_x"))
                .isEqualTo("r2dbc:mysql://retort:retort@h:3306/retort_t_x?sslMode=DISABLED");
        assertThat(MariaDbSupport.INSTANCE.r2dbcUrl(s, Driver.R2DBC_MARIADB, "retort_t_x"))
                .isEqualTo("r2dbc:mariadb://retort:retort@h:3306/retort_t_x");
        assertThat(MariaDbSupport.INSTANCE.r2dbcOptions(s, Driver.R2DBC_MYSQL, "retort_t_x")
                .getValue(Option.valueOf("sslMode"))).isEqualTo("DISABLED");
        assertThat(MariaDbSupport.INSTANCE.r2dbcOptions(s, Driver.R2DBC_MARIADB, "retort_t_x")
                .hasOption(Option.valueOf("sslMode"))).isFalse();
    }

    @Test
    void jdbcUrlsCarryTheScratchNamespace() {
        Server pg = new Server(Backend.POSTGRES, Server.Source.LOOPBACK, "x", "127.0.0.1", 5432, "retort_test",
                "retort", "retort", Map.of(), Map.of(), Driver.R2DBC_POSTGRESQL);
        assertThat(PostgresSupport.INSTANCE.jdbcUrl(pg, "t_abc"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/retort_test?currentSchema=t_abc&ApplicationName=retort-tck%20t_abc");
        Server maria = new Server(Backend.MARIADB, Server.Source.LOOPBACK, "x", "127.0.0.1", 3306, "retort_test",
                "retort", "retort", Map.of(), Map.of(), Driver.R2DBC_MARIADB);
        assertThat(MariaDbSupport.INSTANCE.jdbcUrl(maria, "retort_t_abc")).isEqualTo("jdbc:mariadb://127.0.0.1:3306/retort_t_abc");
        assertThat(H2Support.INSTANCE.jdbcUrl(H2Support.SERVER, "retort_t_abc"))
                .isEqualTo("jdbc:h2:mem:retort_t_abc;DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE");
        assertThat(H2Support.INSTANCE.r2dbcUrl(H2Support.SERVER, Driver.R2DBC_H2, "retort_t_abc"))
                .isEqualTo("r2dbc:h2:mem://sa@/retort_t_abc;DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE");
    }

    @Test
    void masksPasswords() {
        assertThat(Urls.mask("r2dbc:postgresql://retort:s3cret@h:5432/db")).isEqualTo("r2dbc:postgresql://retort:****@h:5432/db");
        assertThat(Urls.mask("jdbc:mariadb://h/db?user=a&password=s3cret&x=1")).isEqualTo("jdbc:mariadb://h/db?user=a&password=****&x=1");
        Server s = Urls.parseR2dbc(Backend.POSTGRES, "r2dbc:postgresql://retort:s3cret@h/db", Server.Source.ENVIRONMENT, "RETORT_PG_URL");
        assertThat(s.toString()).doesNotContain("s3cret").contains("retort:****@h:5432/db");
        TestDatabase db = new TestDatabase(s, "t_abc");
        assertThat(db.describe()).doesNotContain("s3cret").contains("schema t_abc");
    }
}
