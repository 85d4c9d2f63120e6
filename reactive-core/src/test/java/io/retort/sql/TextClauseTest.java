package io.retort.sql;

import io.retort.error.ArgumentError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How {@code text()} finds its {@code :name} binds and how a script splits, per dialect family:
 * MariaDB/MySQL honour backslash escapes inside literals (without {@code NO_BACKSLASH_ESCAPES}),
 * PostgreSQL ({@code standard_conforming_strings}), H2 and SQLite do not.
 */
class TextClauseTest {
    private static final boolean STANDARD = false;
    private static final boolean MYSQL = true;

    @Test // MySQL: \' does not end the literal, so :not_a_param inside it is text; standard SQL ends the literal there
    void aBackslashEscapedQuoteKeepsTheLiteralOpenOnlyOnMySql() {
        TextClause t = Sql.text("SELECT 'it\\'s :not_a_param' AS a, :p AS b");
        assertThat(t.bindNames(MYSQL)).containsExactly("p");
        // Sent with the quote doubled: MySQL reads it alike, and r2dbc-mysql's '?' scan (no backslash escapes) too.
        assertThat(t.chunks(MYSQL)).containsExactly("SELECT 'it''s :not_a_param' AS a, ", " AS b");
        // Standard SQL: 'it\' is the whole literal; :not_a_param is a bind, and the last quote opens a literal to the end.
        assertThat(t.bindNames(STANDARD)).containsExactly("not_a_param");
        assertThat(t.chunks(STANDARD)).containsExactly("SELECT 'it\\'s ", "' AS a, :p AS b");
        assertThat(t.bindNames()).isEqualTo(t.bindNames(STANDARD));
        assertThat(t.chunks()).isEqualTo(t.chunks(STANDARD));
    }

    @Test // a backslash before the closing quote: standard SQL closes the literal, MySQL escapes the quote
    void aTrailingBackslashEndsTheLiteralOnlyInStandardSql() {
        TextClause t = Sql.text("SELECT 'C:\\' || :p");
        assertThat(t.bindNames(STANDARD)).containsExactly("p");
        assertThat(t.chunks(STANDARD)).containsExactly("SELECT 'C:\\' || ", "");
        assertThat(t.bindNames(MYSQL)).isEmpty();
        assertThat(t.chunks(MYSQL)).containsExactly("SELECT 'C:'' || :p");
    }

    @Test // both readings agree: an escaped backslash, a doubled quote, double-quoted text, no backslash at all
    void textBothReadingsAgreeOnIsReadOnce() {
        TextClause escapedBackslash = Sql.text("SELECT 'a\\\\' || :x, 'it''s :y'");
        assertThat(escapedBackslash.bindNames(MYSQL)).containsExactly("x");
        assertThat(escapedBackslash.bindNames(STANDARD)).containsExactly("x");
        TextClause doubleQuoted = Sql.text("SELECT \"say \\\"hi\\\" :q\" FROM t WHERE a = :a");
        assertThat(doubleQuoted.bindNames(MYSQL)).containsExactly("a");
        assertThat(doubleQuoted.bindNames(STANDARD)).containsExactly("a");
        TextClause plain = Sql.text("SELECT :a, 'x :b', \"c :d\", `e :f`, a::int -- :g\n/* :h */");
        assertThat(plain.bindNames(MYSQL)).isSameAs(plain.bindNames(STANDARD)).containsExactly("a");
        assertThat(plain.chunks(MYSQL)).containsExactly("SELECT ", ", 'x :b', \"c :d\", `e :f`, a::int -- :g\n/* :h */");
        TextClause escapedColon = Sql.text("SELECT \\:i, :j");
        assertThat(escapedColon.chunks(MYSQL)).isEqualTo(escapedColon.chunks(STANDARD)).containsExactly("SELECT :i, ", "");
    }

    @Test // MySQL: an escaped backslash stays as written; \" in a double-quoted literal is doubled like \' in a single-quoted one
    void mySqlLiteralsKeepOtherEscapes() {
        TextClause t = Sql.text("SELECT 'a\\\\', 'b\\n\\'c', \"d\\\"e\", 'f\\\"g', `h\\`, :p");
        assertThat(t.bindNames(MYSQL)).containsExactly("p");
        assertThat(t.chunks(MYSQL).get(0)).isEqualTo("SELECT 'a\\\\', 'b\\n''c', \"d\"\"e\", 'f\\\"g', `h\\`, ");
    }

    @Test // MySQL's other lexical rules: # starts a comment; $ quotes nothing
    void hashCommentsAndDollarQuotesFollowTheDialect() {
        TextClause hash = Sql.text("SELECT 1 # it's :x\n, :y");
        assertThat(hash.bindNames(MYSQL)).containsExactly("y");
        assertThat(hash.bindNames(STANDARD)).isEmpty(); // the quote in "it's" opens a literal to the end
        TextClause dollar = Sql.text("SELECT $$ :x $$, :y");
        assertThat(dollar.bindNames(STANDARD)).containsExactly("y");
        assertThat(dollar.bindNames(MYSQL)).containsExactly("x", "y");
    }

    @Test // a name only one reading has may be bound or not; a name neither has is refused
    void bindAcceptsTheNamesOfEitherReading() {
        TextClause t = Sql.text("SELECT 'it\\'s :not_a_param' AS a, :p AS b");
        assertThat(t.bind("p", 1).bindFor("p").value()).isEqualTo(1);
        assertThat(t.bind("not_a_param", 2).bindFor("not_a_param").value()).isEqualTo(2);
        assertThatThrownBy(() -> t.bind("q", 1)).isInstanceOf(ArgumentError.class)
                .hasMessage("The text has no bind named :q; its binds are [not_a_param, p]");
    }

    @Test // executeScript on MariaDB/MySQL: \' keeps the literal (and its ';') whole
    void mySqlScriptsSplitWithBackslashEscapes() {
        String script = "INSERT INTO t VALUES ('it\\'s; fine'); SELECT 'a\\\\'; SELECT \"q\\\";\"";
        assertThat(TextClause.splitStatements(script, MYSQL)).containsExactly(
                "INSERT INTO t VALUES ('it\\'s; fine')", "SELECT 'a\\\\'", "SELECT \"q\\\";\"");
        // A trailing backslash is no literal's end there: the ';' after it is inside the literal.
        assertThat(TextClause.splitStatements("SELECT 'C:\\'; SELECT 2'; SELECT 3", MYSQL))
                .containsExactly("SELECT 'C:\\'; SELECT 2'", "SELECT 3");
    }

    @Test // PostgreSQL, H2, SQLite: a script whose split depends on the backslash (E'' literals, the server's setting) is refused
    void standardScriptsRefuseWhatABackslashWouldSplitDifferently() {
        assertThatThrownBy(() -> TextClause.splitStatements("SELECT 'C:\\'; SELECT 2", STANDARD))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("cannot be told apart");
        assertThatThrownBy(() -> TextClause.splitStatements("INSERT INTO t VALUES (E'it\\'s; fine'); SELECT 1", STANDARD))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("cannot be told apart");
        assertThat(TextClause.splitStatements("SELECT 'it''s; fine'; SELECT 1", STANDARD))
                .containsExactly("SELECT 'it''s; fine'", "SELECT 1");
    }
}
