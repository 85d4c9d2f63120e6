package io.retort.tck;

import io.retort.engine.Engine;
import io.retort.sql.Column;
import io.retort.sql.Ddl;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.retort.sql.ColumnOption.autoIncrement;
import static io.retort.sql.ColumnOption.comment;
import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.ColumnOption.references;
import static io.retort.sql.ColumnOption.unique;
import static io.retort.sql.Sql.createTable;

/** The small Chinook-shaped schema the suites share, created in each test's scratch namespace. */
public final class TckSchema {
    private TckSchema() {
    }

    public static final ArtistTable ARTIST = new ArtistTable();
    public static final AlbumTable ALBUM = new AlbumTable();
    public static final TrackTable TRACK = new TrackTable();

    /** artist(artist_id identity pk, name unique not null). */
    public static final class ArtistTable extends Table {
        public final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, primaryKey(), autoIncrement());
        public final Column<String> name = column("name", SqlTypes.varchar(120), notNull(), unique(), comment("Display name"));

        ArtistTable() {
            super("artist");
            tableComment("Recording artists");
        }
    }

    /** album(album_id pk, title, artist_id → artist). */
    public static final class AlbumTable extends Table {
        public final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> title = column("title", SqlTypes.varchar(160), notNull());
        public final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, notNull(), references(ARTIST.artistId));

        AlbumTable() {
            super("album");
        }
    }

    /** track(track_id pk, name, album_id → album, milliseconds, unit_price numeric(10,2)). */
    public static final class TrackTable extends Table {
        public final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(200), notNull());
        public final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, references(ALBUM.albumId));
        public final Column<Integer> milliseconds = column("milliseconds", SqlTypes.INTEGER, notNull());
        public final Column<BigDecimal> unitPrice = column("unit_price", SqlTypes.numeric(10, 2), notNull());

        TrackTable() {
            super("track");
        }
    }

    /** Creates the three tables. */
    public static Mono<Void> create(Engine engine) {
        List<Ddl> ddl = List.of(createTable(ARTIST), createTable(ALBUM), createTable(TRACK));
        return engine.connect(c -> Flux.fromIterable(ddl).concatMap(d -> c.execute(d).rowsAffected())).then();
    }

    /** Creates the tables and loads {@code artists} artists with 2 albums each and 5 tracks per album. */
    public static Mono<Void> createAndLoad(Engine engine, int artists) {
        return create(engine).thenMany(engine.connect(c -> {
            List<Map<Column<?>, Object>> a = new java.util.ArrayList<>();
            List<Map<Column<?>, Object>> al = new java.util.ArrayList<>();
            List<Map<Column<?>, Object>> t = new java.util.ArrayList<>();
            int track = 0;
            for (int i = 1; i <= artists; i++) {
                a.add(row(ARTIST.artistId, i, ARTIST.name, "Artist " + i));
                for (int j = 0; j < 2; j++) {
                    int albumId = i * 10 + j;
                    al.add(row(ALBUM.albumId, albumId, ALBUM.title, "Album " + albumId, ALBUM.artistId, i));
                    for (int k = 0; k < 5; k++) {
                        track++;
                        t.add(row(TRACK.trackId, track, TRACK.name, "Track " + track, TRACK.albumId, albumId,
                                TRACK.milliseconds, 1000 * track, TRACK.unitPrice, new BigDecimal("0.99")));
                    }
                }
            }
            return c.executeMany(io.retort.sql.Sql.insert(ARTIST), a).rowsAffected()
                    .then(c.executeMany(io.retort.sql.Sql.insert(ALBUM), al).rowsAffected())
                    .then(c.executeMany(io.retort.sql.Sql.insert(TRACK), t).rowsAffected());
        })).then();
    }

    /** A column → value map in argument order. */
    public static Map<Column<?>, Object> row(Object... pairs) {
        Map<Column<?>, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Column<?>) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
