package io.retort.bridge.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Bind-marker translation and statement splitting: markers in SQL text only, never in quotes or comments. */
class ParsedSqlTest {

    private static ParsedSql pg(String sql) {
        return ParsedSql.parse(sql, Product.POSTGRESQL);
    }

    @Test
    void dollarMarkersBecomeQuestionMarksInOccurrenceOrder() {
        ParsedSql p = pg("SELECT * FROM t WHERE a = $2 AND b = $1 OR c = $2");
        assertThat(p.jdbcSql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b = ? OR c = ?");
        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.jdbcToParameter()).containsExactly(1, 0, 1);
        assertThat(p.indexOf("$1")).isZero();
        assertThat(p.indexOf("$2")).isEqualTo(1);
        assertThat(p.indexOf("$3")).isEqualTo(-1);
    }

    @Test
    void markersInsideQuotesAndCommentsAreText() {
        ParsedSql p = pg("SELECT '$1 ?', \"$2\", $$ $3 $$, $tag$ :x $tag$, E'\\' $4', a::int -- $5 ?\n"
                + " /* $6 /* nested $7 */ $8 */ FROM t WHERE id = $1");
        assertThat(p.parameterCount()).isEqualTo(1);
        assertThat(p.jdbcToParameter()).containsExactly(0);
        assertThat(p.jdbcSql()).endsWith("WHERE id = ?").contains("'$1 ?'").contains("a::int");
    }

    @Test
    void aBareQuestionMarkNextToDollarMarkersIsAJsonbOperatorOnPostgres() {
        ParsedSql p = pg("SELECT doc ? 'k', doc ?| array['a'] FROM t WHERE id = $1");
        assertThat(p.jdbcSql()).isEqualTo("SELECT doc ?? 'k', doc ??| array['a'] FROM t WHERE id = ?");
        assertThat(p.jdbcToParameter()).containsExactly(0);
        assertThatThrownBy(() -> ParsedSql.parse("SELECT ? + $1", Product.H2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namedMarkers() {
        ParsedSql p = ParsedSql.parse("UPDATE t SET a = :a, b = :b WHERE a = :a AND x[1:n] = 1 AND y = 'x:z'",
                Product.H2);
        assertThat(p.jdbcSql()).isEqualTo("UPDATE t SET a = ?, b = ? WHERE a = ? AND x[1:n] = 1 AND y = 'x:z'");
        assertThat(p.jdbcToParameter()).containsExactly(0, 1, 0);
        assertThat(p.indexOf("b")).isEqualTo(1);
        assertThat(p.indexOf(":b")).isEqualTo(1);
    }

    @Test
    void questionMarksStayPositional() {
        ParsedSql p = ParsedSql.parse("SELECT ? , '?' , `?` FROM t WHERE a = ?", Product.MARIADB);
        assertThat(p.style()).isEqualTo(ParsedSql.Style.QUESTION);
        assertThat(p.parameterCount()).isEqualTo(2);
        assertThat(p.jdbcSql()).isEqualTo("SELECT ? , '?' , `?` FROM t WHERE a = ?");
    }

    @Test
    void backslashEscapesDependOnTheProduct() {
        // MySQL: '\'' is one quote inside the string; PostgreSQL: the backslash is a character.
        assertThat(ParsedSql.parse("SELECT 'a\\' $1' , ?", Product.MARIADB).parameterCount()).isEqualTo(1);
        assertThat(pg("SELECT 'a\\', $1").parameterCount()).isEqualTo(1);
    }

    @Test
    void compoundTextsAreSplitExceptOnPostgres() {
        ParsedSql p = ParsedSql.parse("SELECT 1; SELECT ';' ; INSERT INTO t VALUES ($1);  -- done", Product.H2);
        assertThat(p.pieces()).hasSize(3);
        assertThat(p.pieces().stream().map(ParsedSql::jdbcSql).map(String::trim).collect(Collectors.toList()))
                .containsExactly("SELECT 1", "SELECT ';'", "INSERT INTO t VALUES (?)");
        assertThat(p.pieces().get(2).jdbcToParameter()).containsExactly(0);
        assertThat(pg("SELECT 1; SELECT 2").pieces()).hasSize(1);
        assertThat(pg("SELECT 1; SELECT 2").compound()).isTrue();
        assertThat(ParsedSql.parse("SELECT 1;", Product.H2).pieces()).hasSize(1);
        assertThat(ParsedSql.parse("SELECT ?; SELECT ?", Product.SQLITE).pieces().get(1).jdbcToParameter()).containsExactly(1);
    }

    @Test
    void triggerBodiesAreNotSplit() {
        ParsedSql p = ParsedSql.parse("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = n + 1;"
                + " INSERT INTO log VALUES (CASE WHEN 1 THEN 2 END); END; SELECT 1", Product.SQLITE);
        assertThat(p.pieces()).hasSize(2);
        assertThat(p.pieces().get(0).jdbcSql()).endsWith("END");
    }

    @Test
    void rowReturningStatements() {
        assertThat(pg("select 1").returnsRows()).isTrue();
        assertThat(pg("WITH x AS (SELECT 1) SELECT * FROM x").returnsRows()).isTrue();
        assertThat(pg("INSERT INTO t (a) VALUES ($1) RETURNING id").returnsRows()).isTrue();
        assertThat(pg("UPDATE t SET a = $1").returnsRows()).isFalse();
        assertThat(pg("  /* c */ DELETE FROM t").returnsRows()).isFalse();
    }
}
