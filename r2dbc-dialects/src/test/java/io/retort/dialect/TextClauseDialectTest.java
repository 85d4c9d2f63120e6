package io.retort.dialect;

import io.retort.error.ArgumentError;
import io.retort.sql.TextClause;
import org.junit.jupiter.api.Test;

import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.params;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.Sql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code text()} compiled per dialect: MariaDB and MySQL honour backslash escapes inside string
 * literals, PostgreSQL ({@code standard_conforming_strings}) and H2 do not, so where a literal
 * ends, and which {@code :name} is a bind, follows the dialect.
 */
class TextClauseDialectTest {
    @Test // 'it\'s :not_a_param' is one literal on MariaDB/MySQL: only :p is a bind
    void anEscapedQuoteKeepsTheLiteralOnMySqlDialects() {
        TextClause t = text("SELECT 'it\\'s :not_a_param' AS a, :p AS b").bind("p", 7);
        // Sent as 'it''s': MySQL reads it alike, and r2dbc-mysql's '?' scan, which knows no backslash escapes, too.
        assertThat(sql(t, MARIADB)).isEqualTo("SELECT 'it''s :not_a_param' AS a, ? AS b");
        assertThat(params(t, MARIADB)).containsExactly(7);
        assertThat(sql(t, MYSQL)).isEqualTo("SELECT 'it''s :not_a_param' AS a, ? AS b");
        // PostgreSQL and H2 end the literal at \' : :not_a_param is a bind there, and unbound.
        for (io.retort.sql.compile.Dialect d : java.util.List.of(PG, H2)) {
            assertThatThrownBy(() -> sql(t, d)).as(d.name()).isInstanceOf(ArgumentError.class)
                    .hasMessage("Text SQL has unbound parameters [not_a_param]: bind them with .bind(name, value)");
        }
    }

    @Test // 'C:\' is a whole literal on PostgreSQL and H2; on MariaDB/MySQL the quote is escaped and :p is text
    void aTrailingBackslashEndsTheLiteralOnStandardDialects() {
        TextClause t = text("SELECT 'C:\\' || :p").bind("p", "x");
        assertThat(sql(t, PG)).isEqualTo("SELECT 'C:\\' || $1");
        assertThat(params(t, PG)).containsExactly("x");
        assertThat(sql(t, H2)).isEqualTo("SELECT 'C:\\' || $1");
        assertThat(sql(t, MARIADB)).isEqualTo("SELECT 'C:'' || :p");
        assertThat(params(t, MARIADB)).isEmpty();
    }

    @Test // text without a backslash, # or $ reads the same everywhere
    void plainTextCompilesAlikeEverywhere() {
        TextClause t = text("SELECT a FROM t WHERE b = :b AND c = 'x :y' AND d = :b").bind("b", 1);
        assertThat(sql(t, PG)).isEqualTo("SELECT a FROM t WHERE b = $1 AND c = 'x :y' AND d = $2");
        assertThat(sql(t, MARIADB)).isEqualTo("SELECT a FROM t WHERE b = ? AND c = 'x :y' AND d = ?");
        assertThat(params(t, MARIADB)).containsExactly(1, 1);
    }
}
