package io.retort.dialect;

import io.retort.dialect.mariadb.MariaDbDialect;
import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.sql.Insert;
import io.retort.sql.Sequence;
import io.retort.sql.Update;
import io.retort.sql.compile.CompiledStatement;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.ResultColumn;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.retort.dialect.Chinook.ALBUM;
import static io.retort.dialect.Chinook.ARTIST;
import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.params;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.Sql.delete;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** INSERT/UPDATE/DELETE per dialect: RETURNING, upserts, multi-row VALUES, multi-table forms (C8, D1, D2, D3). */
class DmlCompileTest {

    @Test // D1, D2, D3: INSERT ... RETURNING per dialect; MySQL refuses it
    void insertReturning() {
        Insert i = insert(ARTIST).set(ARTIST.name, "Nightwish").returning(ARTIST.artistId, ARTIST.name);
        assertThat(sql(i, PG)).isEqualTo("INSERT INTO artist (name) VALUES ($1) RETURNING artist_id, name");
        assertThat(sql(i, MARIADB)).isEqualTo("INSERT INTO artist (name) VALUES (?) RETURNING artist_id, name");
        assertThat(sql(i, H2)).isEqualTo("SELECT artist_id, name FROM FINAL TABLE (INSERT INTO artist (name) VALUES ($1))");
        assertThatThrownBy(() -> sql(i, MYSQL)).isInstanceOf(CompileError.class)
                .hasMessage("The mysql dialect cannot render INSERT ... RETURNING");
        CompiledStatement c = Compiler.compile(i, PG);
        assertThat(c.returnsRows()).isTrue();
        assertThat(c.kind()).isEqualTo(CompiledStatement.Kind.INSERT);
        assertThat(c.resultColumns()).extracting(ResultColumn::label).containsExactly("artist_id", "name");
        assertThat(Compiler.compile(insert(ARTIST).set(ARTIST.name, "x"), PG).returnsRows()).isFalse();
    }

    @Test // C14: multi-row VALUES in one statement; rows must set the same columns
    void multiRowValues() {
        Map<io.retort.sql.Column<?>, Object> r1 = new LinkedHashMap<>();
        r1.put(ALBUM.albumId, 1);
        r1.put(ALBUM.title, "A");
        r1.put(ALBUM.artistId, 10);
        Map<io.retort.sql.Column<?>, Object> r2 = new LinkedHashMap<>();
        r2.put(ALBUM.title, "B");
        r2.put(ALBUM.albumId, 2);
        r2.put(ALBUM.artistId, 11);
        Insert i = insert(ALBUM).values(List.of(r1, r2));
        assertThat(sql(i, PG)).isEqualTo("INSERT INTO album (album_id, title, artist_id) VALUES ($1, $2, $3), ($4, $5, $6)");
        assertThat(params(i, MYSQL)).containsExactly(1, "A", 10, 2, "B", 11);
        Map<io.retort.sql.Column<?>, Object> r3 = Map.of(ALBUM.albumId, 3);
        assertThatThrownBy(() -> insert(ALBUM).values(List.of(r1, r3))).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("every row must set the same columns");
        assertThatThrownBy(() -> insert(ALBUM).set(ARTIST.name, "x")).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("not a column of album");
    }

    @Test // DEFAULT VALUES forms and INSERT ... SELECT
    void defaultValuesAndInsertFromSelect() {
        assertThat(sql(insert(ARTIST), PG)).isEqualTo("INSERT INTO artist DEFAULT VALUES");
        assertThat(sql(insert(ARTIST), MYSQL)).isEqualTo("INSERT INTO artist () VALUES ()");
        Insert copy = insert(ARTIST).fromSelect(List.of(ARTIST.name), select(ALBUM.title).where(ALBUM.albumId.lt(5)));
        assertThat(sql(copy, PG)).isEqualTo("INSERT INTO artist (name) SELECT album.title FROM album WHERE album.album_id < $1");
        assertThatThrownBy(() -> insert(ARTIST).fromSelect(List.of(ARTIST.name, ARTIST.artistId), select(ALBUM.title)))
                .isInstanceOf(ArgumentError.class);
    }

    @Test // D1: ON CONFLICT DO NOTHING / DO UPDATE with excluded; refused elsewhere
    void onConflict() {
        Insert base = insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "X");
        assertThat(sql(base.onConflictDoNothing(ARTIST.artistId), PG))
                .isEqualTo("INSERT INTO artist (artist_id, name) VALUES ($1, $2) ON CONFLICT (artist_id) DO NOTHING");
        Insert upsert = base.onConflictDoUpdate(List.of(ARTIST.artistId), Map.of(ARTIST.name, ARTIST.name.inserted()),
                ARTIST.name.ne("keep"));
        assertThat(sql(upsert, PG)).isEqualTo("INSERT INTO artist (artist_id, name) VALUES ($1, $2) ON CONFLICT (artist_id)"
                + " DO UPDATE SET name = excluded.name WHERE artist.name <> $3");
        assertThatThrownBy(() -> sql(upsert, MYSQL)).isInstanceOf(CompileError.class).hasMessageContaining("ON CONFLICT");
        assertThatThrownBy(() -> sql(upsert, H2)).isInstanceOf(CompileError.class).hasMessageContaining("h2");
    }

    @Test // D2 (seed 1.2 ON DUPLICATE KEY UPDATE): VALUES(col) for the inserted row
    void onDuplicateKeyUpdate() {
        Map<io.retort.sql.Column<?>, Object> set = new LinkedHashMap<>();
        set.put(ARTIST.name, ARTIST.name.inserted());
        Insert i = insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "X").onDuplicateKeyUpdate(set);
        assertThat(sql(i, MYSQL)).isEqualTo("INSERT INTO artist (artist_id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE"
                + " name = VALUES(name)");
        assertThat(sql(i, MARIADB)).isEqualTo(sql(i, MYSQL));
        assertThat(sql(insert(ARTIST).set(ARTIST.artistId, 1).onDuplicateKeyUpdate(Map.of(ARTIST.name, "lit")), MYSQL))
                .endsWith("ON DUPLICATE KEY UPDATE name = ?");
        assertThatThrownBy(() -> sql(i, PG)).isInstanceOf(CompileError.class).hasMessageContaining("ON DUPLICATE KEY");
    }

    @Test // C8: multi-table UPDATE per dialect, single-table UPDATE ... RETURNING
    void updates() {
        Update single = update(TRACK).set(TRACK.unitPrice, new BigDecimal("1.29")).where(TRACK.trackId.eq(7)).returning(TRACK.unitPrice);
        assertThat(sql(single, PG)).isEqualTo("UPDATE track SET unit_price = $1 WHERE track.track_id = $2 RETURNING unit_price");
        assertThat(sql(single, H2)).isEqualTo("SELECT unit_price FROM FINAL TABLE (UPDATE track SET unit_price = $1 WHERE"
                + " track.track_id = $2)");
        assertThatThrownBy(() -> sql(single, MARIADB)).isInstanceOf(CompileError.class)
                .hasMessage("The mariadb dialect cannot render UPDATE ... RETURNING");
        // MySQL/MariaDB: a single-table UPDATE's columns are bare (the text protocol parses every execution)
        Update bump = update(TRACK).set(TRACK.milliseconds, TRACK.milliseconds.plus(1)).where(TRACK.trackId.eq(7));
        assertThat(sql(bump, MYSQL)).isEqualTo("UPDATE track SET milliseconds = milliseconds + ? WHERE track_id = ?");
        assertThat(sql(bump, MariaDbDialect.INSTANCE.withQualifiedColumns(true))).isEqualTo("UPDATE track SET milliseconds ="
                + " track.milliseconds + ? WHERE track.track_id = ?");
        Update multi = update(TRACK).set(TRACK.name, ALBUM.title).where(TRACK.albumId.eq(ALBUM.albumId), ALBUM.artistId.eq(1));
        assertThat(sql(multi, PG)).isEqualTo("UPDATE track SET name = album.title FROM album WHERE track.album_id ="
                + " album.album_id AND album.artist_id = $1");
        assertThat(sql(multi, MYSQL)).isEqualTo("UPDATE track, album SET track.name = album.title WHERE track.album_id ="
                + " album.album_id AND album.artist_id = ?");
        assertThatThrownBy(() -> sql(multi, H2)).isInstanceOf(CompileError.class).hasMessage(
                "The h2 dialect cannot render multi-table UPDATE");
        assertThatThrownBy(() -> update(TRACK).set(ALBUM.title, "x")).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> sql(update(TRACK), PG)).isInstanceOf(ArgumentError.class).hasMessageContaining("SET");
    }

    @Test // C8 (seed 1.2 multiple-table DELETE): USING on PostgreSQL, DELETE t FROM t, u on MySQL
    void deletes() {
        var multi = delete(TRACK).where(TRACK.albumId.eq(ALBUM.albumId), ALBUM.title.eq("gone"));
        assertThat(sql(multi, PG)).isEqualTo("DELETE FROM track USING album WHERE track.album_id = album.album_id AND"
                + " album.title = $1");
        assertThat(sql(multi, MYSQL)).isEqualTo("DELETE track FROM track, album WHERE track.album_id = album.album_id AND"
                + " album.title = ?");
        assertThatThrownBy(() -> sql(multi, H2)).isInstanceOf(CompileError.class);
        var ret = delete(TRACK).where(TRACK.trackId.eq(1)).returning(TRACK.name);
        assertThat(sql(ret, MARIADB)).isEqualTo("DELETE FROM track WHERE track_id = ? RETURNING name");
        assertThat(sql(ret, H2)).isEqualTo("SELECT name FROM OLD TABLE (DELETE FROM track WHERE track.track_id = $1)");
        assertThat(sql(delete(TRACK).where(TRACK.trackId.in(1, 2)), PG)).isEqualTo("DELETE FROM track WHERE track.track_id = ANY($1)");
        // a correlated subquery is not a second table
        var correlated = delete(ALBUM).where(select(TRACK.trackId).where(TRACK.albumId.eq(ALBUM.albumId)).exists().not());
        assertThat(sql(correlated, MYSQL)).isEqualTo("DELETE FROM album WHERE NOT (EXISTS (SELECT track_id FROM track"
                + " WHERE album_id = album.album_id))");
    }

    @Test // D1, D2 (seed 1.4 MariaDB sequences): next value per dialect
    void sequences() {
        Sequence s = Sequence.named("ArtistSeq");
        var q = select(s.nextValue());
        assertThat(sql(q, PG)).isEqualTo("SELECT nextval('\"ArtistSeq\"') AS anon_1");
        assertThat(sql(q, MARIADB)).isEqualTo("SELECT NEXT VALUE FOR `ArtistSeq` AS anon_1");
        assertThat(sql(q, H2)).isEqualTo("SELECT NEXT VALUE FOR \"ArtistSeq\" AS anon_1");
        assertThatThrownBy(() -> sql(q, MYSQL)).isInstanceOf(CompileError.class).hasMessage("The mysql dialect cannot render sequences");
    }
}
