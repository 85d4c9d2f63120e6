package io.retort.dialect;

import io.retort.error.ArgumentError;
import io.retort.sql.SqlTypes;
import io.retort.sql.compile.StatementCache;
import io.retort.sql.compile.StatementTemplate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.sql.Sql.param;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** C3: a call site's statement built once and executed with new values. */
class StatementTemplateTest {
    private static final StatementTemplate LONG_TRACKS = StatementTemplate.of(
            select(TRACK.name)
                    .where(TRACK.albumId.eq(param("album", 0, SqlTypes.INTEGER)),
                            TRACK.milliseconds.gt(param("min", 0, SqlTypes.INTEGER)),
                            TRACK.name.ne(param("album", 0, SqlTypes.INTEGER).cast(SqlTypes.varchar(10))))
                    .limit(10));

    @Test // C3
    void rebindsWithoutRebuilding() {
        StatementCache cache = new StatementCache(10);
        var first = cache.lookup(PG, LONG_TRACKS.bind(Map.of("album", 1, "min", 1000))).bind();
        var second = cache.lookup(PG, LONG_TRACKS.bind("album", 2)).bind();
        assertThat(first.sql()).isEqualTo("SELECT track.name FROM track WHERE track.album_id = $1 AND track.milliseconds > $2"
                + " AND track.name <> CAST($3 AS VARCHAR(10)) LIMIT $4");
        assertThat(second.sql()).isEqualTo(first.sql());
        assertThat(Arrays.asList(first.values())).containsExactly(1, 1000, 1, 10);
        assertThat(Arrays.asList(second.values())).containsExactly(2, 0, 2, 10);
        assertThat(cache.stats().missCount()).isEqualTo(1);
        assertThat(cache.stats().hitCount()).isEqualTo(1);
        var mysql = cache.lookup(MYSQL, LONG_TRACKS.bind("min", 5)).bind();
        assertThat(mysql.sql()).contains(" milliseconds > ?");
        assertThat(cache.stats().missCount()).isEqualTo(2);
        assertThat(LONG_TRACKS.parameterNames()).containsExactlyInAnyOrder("album", "min");
    }

    @Test // C3: the same cached statement as building the statement anew with the same values
    void agreesWithPlainStatements() {
        StatementCache cache = new StatementCache(10);
        var viaTemplate = cache.lookup(PG, LONG_TRACKS.bind(Map.of("album", 7, "min", 3))).bind();
        var plain = select(TRACK.name)
                .where(TRACK.albumId.eq(param("album", 7, SqlTypes.INTEGER)),
                        TRACK.milliseconds.gt(param("min", 3, SqlTypes.INTEGER)),
                        TRACK.name.ne(param("album", 7, SqlTypes.INTEGER).cast(SqlTypes.varchar(10))))
                .limit(10);
        var viaStatement = cache.lookup(PG, plain);
        assertThat(viaStatement.hit()).isTrue();
        assertThat(viaStatement.bind().sql()).isEqualTo(viaTemplate.sql());
        assertThat(viaStatement.bind().values()).isEqualTo(viaTemplate.values());
    }

    @Test // C3: bad names and bad values fail with a typed error naming the problem
    void badInput() {
        assertThatThrownBy(() -> LONG_TRACKS.bind("nope", 1)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("no parameter named 'nope'");
        var flag = StatementTemplate.of(select(TRACK.name).where(io.retort.sql.Sql.column("f", SqlTypes.BOOLEAN)
                .eq(param("f", true, SqlTypes.BOOLEAN))));
        assertThatThrownBy(() -> flag.bind("f", 2)).isInstanceOf(ArgumentError.class).hasMessageContaining("not a boolean");
        assertThat(flag.bind("f", 0).values()).containsExactly(false);
    }
}
