package io.retort.sql;

import io.retort.error.ArgumentError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad-input row B19: SQL text is one statement. Most drivers run everything after a {@code ;}
 * (the TCK's {@code multiStatementTextNeverRunsTheSecondStatement} shows which), so the text is
 * refused before it reaches one, under both the PostgreSQL and the MySQL reading of literals.
 */
class OneStatementTest {
    private static final boolean PG = false;
    private static final boolean MYSQL = true;

    private static void refused(String sql, boolean mysql) {
        assertThatThrownBy(() -> TextClause.requireOneStatement(sql, mysql)).as("%s (mysql=%s)", sql, mysql)
                .isInstanceOf(ArgumentError.class)
                .hasMessageStartingWith("SQL text must be one statement, but a second one follows the ';' at offset ")
                .hasMessageContaining("send each statement on its own");
    }

    private static void accepted(String sql, boolean mysql) {
        assertThatCode(() -> TextClause.requireOneStatement(sql, mysql)).as("%s (mysql=%s)", sql, mysql)
                .doesNotThrowAnyException();
    }

    @Test // B19: a second statement after ';' is refused, with the offset of the ';'
    void aSecondStatementIsRefused() {
        List<String> refused = List.of(
                "SELECT 1; DROP TABLE t",
                "SELECT 1;DROP TABLE t;",
                "SELECT 1 ; ; DELETE FROM t",
                "SELECT 1; /* hidden */ DROP TABLE t",
                "SELECT 1; -- comment\nDROP TABLE t",
                "SELECT 'a'; 'b'",
                "SELECT 1; \"t\"",
                "SELECT :a; DROP TABLE t",
                // with backslash escapes 'x\'' is the literal x' and the ';' follows: the other reading would miss it
                "SELECT 'x\\''; DROP TABLE t",
                // without them 'x\' is a whole literal: the backslash reading would miss it
                "SELECT 'x\\'; DROP TABLE t; --'");
        for (String sql : refused) {
            refused(sql, PG);
            refused(sql, MYSQL);
        }
        assertThatThrownBy(() -> TextClause.requireOneStatement("SELECT 1; DROP TABLE t", PG)).hasMessageContaining("at offset 8:");
        // MySQL runs the body of /*! ... */; PostgreSQL skips it as a comment
        refused("SELECT 1 /*!; DROP TABLE t */", MYSQL);
        accepted("SELECT 1 /*!; DROP TABLE t */", PG);
        // # is an operator on PostgreSQL, a comment on MySQL
        refused("SELECT 1 # ; DROP TABLE t", PG);
        accepted("SELECT 1 # ; DROP TABLE t", MYSQL);
        // $$ quotes on PostgreSQL only; on MySQL it is a name, and the ';' separates
        accepted("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$", PG);
        refused("SELECT $$; DROP TABLE t; $$", MYSQL);
    }

    @Test // B19: one statement, with ';' in literals, names, comments and dollar quotes, or trailing, is fine
    void oneStatementPasses() {
        List<String> accepted = List.of(
                "SELECT 1",
                "SELECT 1;",
                "SELECT 1;  \n ;; ",
                "SELECT 1; -- trailing comment",
                "SELECT 1; /* trailing */",
                "SELECT ';' AS semi, 'a;b' AS x",
                "SELECT 1 AS \"a;b\"",
                "SELECT 1 AS `a;b`",
                "SELECT 1 -- a; b\n FROM t",
                "SELECT 1 /* a; b */ FROM t",
                "SELECT 'it''s; fine'",
                "SELECT :a AS a WHERE :b = ';'");
        for (String sql : accepted) {
            accepted(sql, PG);
            accepted(sql, MYSQL);
        }
        accepted("SELECT $tag$ a; b $tag$", PG);
        assertThat(Sql.text("SELECT 1; DROP TABLE t").text()).as("checked when compiled for a dialect, not before")
                .isEqualTo("SELECT 1; DROP TABLE t");
    }

    @Test // B19: a script splits at its top-level ';' only, for executeScript
    void scriptsSplitAtTopLevelSemicolons() {
        assertThat(TextClause.splitStatements("CREATE TABLE t (a INT);\n INSERT INTO t VALUES (1); ", PG))
                .containsExactly("CREATE TABLE t (a INT)", "INSERT INTO t VALUES (1)");
        assertThat(TextClause.splitStatements("INSERT INTO t VALUES ('a;b'); -- done; really\n;; /* ; */", PG))
                .containsExactly("INSERT INTO t VALUES ('a;b')");
        assertThat(TextClause.splitStatements("SELECT \"x;y\" FROM t; SELECT `p;q` FROM u", MYSQL))
                .containsExactly("SELECT \"x;y\" FROM t", "SELECT `p;q` FROM u");
        assertThat(TextClause.splitStatements("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$; SELECT 1", PG))
                .containsExactly("DO $$ BEGIN PERFORM 1; PERFORM 2; END $$", "SELECT 1");
        assertThat(TextClause.splitStatements("SELECT 1 # a; comment\n; SELECT 2", MYSQL))
                .containsExactly("SELECT 1 # a; comment", "SELECT 2");
        assertThat(TextClause.splitStatements("SELECT 1; -- next; one\n/* a; block */ SELECT 2 /* kept; */", PG))
                .containsExactly("SELECT 1", "SELECT 2 /* kept; */");
        assertThat(TextClause.splitStatements(" ;  -- nothing\n", PG)).isEmpty();
        assertThat(TextClause.splitStatements("SELECT 'it''s;'; SELECT 2", PG)).containsExactly("SELECT 'it''s;'", "SELECT 2");
        // Whether \' ends the literal depends on the server: the two readings split it differently.
        assertThatThrownBy(() -> TextClause.splitStatements("SELECT 'a\\'; DROP TABLE t; SELECT ';'", PG))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("cannot be told apart")
                .hasMessageContaining("'it''s'");
    }
}
