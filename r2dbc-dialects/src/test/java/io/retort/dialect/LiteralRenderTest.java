package io.retort.dialect;

import io.retort.error.CompileError;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.compile.Compiler;
import io.retort.dialect.mysql.MySqlDialect;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;

import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.literal;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** render(..., literalBinds): values inline, escaped so they cannot inject, or refused (B3, B4, B5). */
class LiteralRenderTest {

    private static String where(Object value, io.retort.sql.compile.Dialect d) {
        String s = literal(select(TRACK.trackId).where(io.retort.sql.Sql.column("v", SqlTypes.NULL).eq(value)), d);
        return s.substring(s.indexOf("v = ") + 4);
    }

    @Test // B3: quotes doubled; backslashes doubled only where the server reads them as escapes
    void strings() {
        String hostile = "' OR 1=1 -- \\' */ /* $$ $tag$ %s :name ? ";
        assertThat(where(hostile, PG)).isEqualTo("''' OR 1=1 -- \\'' */ /* $$ $tag$ %s :name ? '");
        assertThat(where(hostile, MYSQL)).isEqualTo("''' OR 1=1 -- \\\\'' */ /* $$ $tag$ %s :name ? '");
        assertThat(where("it's", PG)).isEqualTo("'it''s'");
        assertThat(where("back\\slash", PG)).isEqualTo("'back\\slash'");
        assertThat(where("back\\slash", MYSQL)).isEqualTo("'back\\\\slash'");
        assertThat(where("back\\slash", MySqlDialect.INSTANCE.withNoBackslashEscapes(true))).isEqualTo("'back\\slash'");
        assertThat(where("\\'", MYSQL)).isEqualTo("'\\\\'''");
        assertThat(where("名前 ñame \u200f", H2)).isEqualTo("'名前 ñame \u200f'");
    }

    @Test // B3: the text SQLAlchemy's suite uses for literal quoting round-trips textually
    void sqlalchemyFixtures() {
        assertThat(where("some 'text' hey \"hi there\" that's text", PG))
                .isEqualTo("'some ''text'' hey \"hi there\" that''s text'");
        assertThat(where("backslash one \\ backslash two \\\\ end", MYSQL))
                .isEqualTo("'backslash one \\\\ backslash two \\\\\\\\ end'");
    }

    @Test // B4: NUL cannot be rendered as a literal
    void nulRefused() {
        assertThatThrownBy(() -> where("a\0b", PG)).isInstanceOf(CompileError.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> where("a\0b", MYSQL)).isInstanceOf(CompileError.class);
    }

    @Test // B5: negative numbers parenthesised so "--" never forms; NaN only where spellable
    void numbers() {
        String s = literal(select(TRACK.trackId).where(TRACK.milliseconds.minus(-1).gt(Integer.MIN_VALUE)), PG);
        assertThat(s).isEqualTo("SELECT track.track_id FROM track WHERE track.milliseconds - (-1) > (-2147483648)");
        assertThat(s).doesNotContain("--");
        assertThat(where(new BigDecimal("-1.50"), MYSQL)).isEqualTo("(-1.50)");
        assertThat(where(new BigDecimal("1E+3"), MYSQL)).isEqualTo("1000");
        assertThat(where(Double.NaN, PG)).isEqualTo("'NaN'::float8");
        assertThat(where(Double.NEGATIVE_INFINITY, PG)).isEqualTo("'-Infinity'::float8");
        assertThatThrownBy(() -> where(Double.NaN, MYSQL)).isInstanceOf(CompileError.class);
        assertThat(where(-0.0d, H2)).isEqualTo("(-0.0)");
    }

    @Test // B3: dates, UUIDs, bytes, booleans
    void otherTypes() {
        assertThat(where(LocalDate.of(2024, 2, 29), PG)).isEqualTo("DATE '2024-02-29'");
        assertThat(where(LocalDateTime.of(2024, 2, 29, 13, 5, 7, 1000), MYSQL)).isEqualTo("TIMESTAMP '2024-02-29 13:05:07.000001'");
        UUID u = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertThat(where(u, PG)).isEqualTo("'123e4567-e89b-12d3-a456-426614174000'");
        assertThat(where(new byte[]{0, (byte) 0xff}, PG)).isEqualTo("'\\x00FF'::bytea");
        assertThat(where(new byte[]{0, (byte) 0xff}, MYSQL)).isEqualTo("X'00FF'");
        assertThat(where(true, H2)).isEqualTo("TRUE");
        assertThatThrownBy(() -> where(java.time.OffsetDateTime.now(), MYSQL)).isInstanceOf(CompileError.class);
    }

    @Test // C4: literal rendering of IN lists, including empty ones
    void inLists() {
        Select q = select(TRACK.name).where(TRACK.trackId.in(1, 2), TRACK.name.notIn(List.of()));
        assertThat(literal(q, PG)).isEqualTo("SELECT track.name FROM track WHERE track.track_id IN (1, 2) AND (track.name"
                + " NOT IN (SELECT CAST(NULL AS VARCHAR(200)) WHERE 1 <> 1) OR 1 = 1)");
        assertThat(Compiler.render(q, PG, false)).isEqualTo("SELECT track.name FROM track WHERE track.track_id = ANY($1)"
                + " AND track.name <> ALL($2)");
    }
}
