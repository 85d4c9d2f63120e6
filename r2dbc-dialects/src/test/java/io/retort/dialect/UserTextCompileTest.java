package io.retort.dialect;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Select;
import io.retort.sql.SortOrder.Direction;
import io.retort.sql.SqlTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.Sql.column;
import static io.retort.sql.Sql.commentOn;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.text;
import static io.retort.sql.Sql.textExpr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Text a user typed, reaching the places where SQL takes a name rather than a value (bad-input
 * rows B7 and B9): it is looked up against the mapped columns or rendered as exactly one quoted
 * identifier or one string literal, never as SQL.
 */
class UserTextCompileTest {
    /** Sort and column payloads from SQL-injection reports against ORDER BY / GROUP BY builders (B7). */
    static final List<String> PAYLOADS = List.of(
            "create_time RLIKE (SELECT 1 FROM dual)",
            "id;delete/**/from/**/track;",
            "if(1=1,name,track_id)",
            "1 desc, (select 1)");

    @Test // B7: a column name from user input is looked up among the table's columns; an unknown one is a typed error
    void columnNamesFromUserInputAreLookedUp() {
        assertThat(TRACK.c("name")).isSameAs(TRACK.name);
        for (String payload : PAYLOADS) {
            assertThatThrownBy(() -> TRACK.c(payload)).isInstanceOf(ArgumentError.class)
                    .hasMessage("No column '" + payload + "' in TrackTable track; columns are "
                            + "[track_id, name, album_id, milliseconds, unit_price, rating]");
        }
    }

    @Test // B7: the sort direction comes from an enum; text only through Direction.parse, which knows two words
    void sortDirectionFromUserInputIsAnEnum() {
        assertThat(Direction.parse("desc")).isEqualTo(Direction.DESC);
        assertThat(Direction.parse(" ASC ")).isEqualTo(Direction.ASC);
        for (String bad : List.of("desc, (select 1)", "DESC;", "", "descending")) {
            assertThatThrownBy(() -> Direction.parse(bad)).isInstanceOf(ArgumentError.class)
                    .hasMessage("A sort direction is 'asc' or 'desc', not '" + bad + "'");
        }
        assertThatThrownBy(() -> Direction.parse(null)).isInstanceOf(ArgumentError.class);
        Select q = select(TRACK.name).from(TRACK).orderBy(TRACK.c("milliseconds").sort(Direction.parse("Desc")),
                TRACK.c("name").sort(Direction.ASC));
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name FROM track ORDER BY track.milliseconds DESC, track.name");
        assertThat(sql(q, MARIADB)).isEqualTo("SELECT name FROM track ORDER BY milliseconds DESC, name");
    }

    @Test // B7: a free-standing name (column, label) is one quoted identifier in ORDER BY, GROUP BY and the columns clause
    void freeNamesFromUserInputAreOneIdentifier() {
        for (String payload : PAYLOADS) {
            Column<String> c = column(payload, SqlTypes.TEXT);
            Select q = select(c, count().as(payload)).from(TRACK).groupBy(c).orderBy(c.sort(Direction.DESC));
            String pg = "\"" + payload + "\"";
            assertThat(sql(q, PG)).isEqualTo("SELECT " + pg + ", count(*) AS " + pg + " FROM track GROUP BY " + pg
                    + " ORDER BY " + pg + " DESC");
            String my = "`" + payload + "`";
            assertThat(sql(q, MARIADB)).isEqualTo("SELECT " + my + ", count(*) AS " + my + " FROM track GROUP BY " + my
                    + " ORDER BY " + my + " DESC");
        }
        // The quote character itself is doubled, so it cannot end the identifier early.
        assertThat(sql(select(column("a\" desc, (select 1) --", SqlTypes.TEXT)).from(TRACK), PG))
                .isEqualTo("SELECT \"a\"\" desc, (select 1) --\" FROM track");
        assertThat(sql(select(column("a` desc, (select 1) #", SqlTypes.TEXT)).from(TRACK), MARIADB))
                .isEqualTo("SELECT `a`` desc, (select 1) #` FROM track");
    }

    @Test // B9: Retort has no query comment or hint API; DDL comments are string literals, so */ and newlines stay text
    void commentTextIsOneStringLiteral() {
        String text = "x */ DROP TABLE t /*\nnext line -- and 'quoted' \\";
        assertThat(sql(commentOn(TRACK, text), PG))
                .isEqualTo("COMMENT ON TABLE track IS 'x */ DROP TABLE t /*\nnext line -- and ''quoted'' \\'");
        assertThat(sql(commentOn(TRACK.name, text), PG))
                .isEqualTo("COMMENT ON COLUMN track.name IS 'x */ DROP TABLE t /*\nnext line -- and ''quoted'' \\'");
        assertThat(sql(commentOn(TRACK, text), MARIADB)).isEqualTo("ALTER TABLE track COMMENT = 'x */ DROP TABLE t /*\nnext line -- and ''quoted'' \\\\'");
    }

    @Test // B19: text SQL with a second statement fails to compile, before any driver sees it; each dialect reads it its way
    void textIsOneStatementPerDialect() {
        for (var d : List.of(PG, MARIADB, Sqls.MYSQL, Sqls.H2)) {
            assertThatThrownBy(() -> sql(text("SELECT 1; DROP TABLE track"), d)).as(d.name()).isInstanceOf(ArgumentError.class)
                    .hasMessageContaining("one statement");
            assertThatThrownBy(() -> sql(select(textExpr("1; DROP TABLE track; --", SqlTypes.INTEGER)), d)).as(d.name())
                    .isInstanceOf(ArgumentError.class);
            assertThat(sql(text("SELECT ';' AS semi;"), d)).isEqualTo("SELECT ';' AS semi;");
        }
        assertThat(sql(text("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$"), PG)).startsWith("DO $$");
        assertThatThrownBy(() -> sql(text("SELECT $$; DROP TABLE track; $$"), MARIADB)).isInstanceOf(ArgumentError.class);
    }
}
