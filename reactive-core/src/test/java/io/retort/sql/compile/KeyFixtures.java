package io.retort.sql.compile;

import io.retort.sql.Column;
import io.retort.sql.Statement;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;

import java.math.BigDecimal;
import java.util.List;

import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.ColumnOption.references;

/**
 * Test tables (a small Chinook: artist, album, track, plus {@code other.artist}, a table of the
 * same name in another schema for B17), test dialects, and helpers to key, compile and bind a
 * statement.
 */
final class KeyFixtures {
    private KeyFixtures() {
    }

    static final Table ARTIST = Table.builder("artist")
            .column("artist_id", SqlTypes.INTEGER, primaryKey())
            .column("name", SqlTypes.VARCHAR)
            .build();

    /** Same name and columns as {@link #ARTIST}, in schema {@code other} (bad-input row B17). */
    static final Table OTHER_ARTIST = Table.builder("artist").schema("other")
            .column("artist_id", SqlTypes.INTEGER, primaryKey())
            .column("name", SqlTypes.VARCHAR)
            .build();

    static final Table ALBUM = Table.builder("album")
            .column("album_id", SqlTypes.INTEGER, primaryKey())
            .column("title", SqlTypes.VARCHAR)
            .column("artist_id", SqlTypes.INTEGER, references(null, "artist", "artist_id", null, null))
            .build();

    static final Table TRACK = Table.builder("track")
            .column("track_id", SqlTypes.INTEGER, primaryKey())
            .column("name", SqlTypes.VARCHAR)
            .column("album_id", SqlTypes.INTEGER, references(null, "album", "album_id", null, null))
            .column("unit_price", SqlTypes.NUMERIC)
            .column("milliseconds", SqlTypes.INTEGER)
            .build();

    static final List<Table> TABLES = List.of(ARTIST, ALBUM, TRACK, OTHER_ARTIST);

    static final Column<Integer> ARTIST_ID = ARTIST.c("artist_id", SqlTypes.INTEGER);
    static final Column<String> ARTIST_NAME = ARTIST.c("name", SqlTypes.VARCHAR);
    static final Column<Integer> OTHER_ARTIST_ID = OTHER_ARTIST.c("artist_id", SqlTypes.INTEGER);
    static final Column<String> OTHER_ARTIST_NAME = OTHER_ARTIST.c("name", SqlTypes.VARCHAR);
    static final Column<Integer> ALBUM_ID = ALBUM.c("album_id", SqlTypes.INTEGER);
    static final Column<String> ALBUM_TITLE = ALBUM.c("title", SqlTypes.VARCHAR);
    static final Column<Integer> ALBUM_ARTIST_ID = ALBUM.c("artist_id", SqlTypes.INTEGER);
    static final Column<Integer> TRACK_ID = TRACK.c("track_id", SqlTypes.INTEGER);
    static final Column<String> TRACK_NAME = TRACK.c("name", SqlTypes.VARCHAR);
    static final Column<Integer> TRACK_ALBUM_ID = TRACK.c("album_id", SqlTypes.INTEGER);
    static final Column<BigDecimal> TRACK_PRICE = TRACK.c("unit_price", SqlTypes.NUMERIC);
    static final Column<Integer> TRACK_MS = TRACK.c("milliseconds", SqlTypes.INTEGER);

    /**
     * ANSI rendering plus the optional features the generator uses (RETURNING, FILTER, LATERAL,
     * DISTINCT ON, ON CONFLICT, multi-table UPDATE/DELETE, FOR UPDATE OF): the same
     * {@link SqlCompiler}, so it renders exactly like {@link AnsiDialect} wherever ANSI can.
     */
    static final class ExtendedAnsi extends AnsiDialect {
        static final ExtendedAnsi INSTANCE = new ExtendedAnsi();

        @Override
        public String name() {
            return "ansi-extended";
        }

        @Override
        public boolean supportsInsertReturning() {
            return true;
        }

        @Override
        public boolean supportsUpdateReturning() {
            return true;
        }

        @Override
        public boolean supportsDeleteReturning() {
            return true;
        }

        @Override
        public boolean supportsAggregateFilter() {
            return true;
        }

        @Override
        public boolean supportsLateral() {
            return true;
        }

        @Override
        public boolean supportsDistinctOn() {
            return true;
        }

        @Override
        public boolean supportsOnConflict() {
            return true;
        }

        @Override
        public boolean supportsMultiTableUpdate() {
            return true;
        }

        @Override
        public boolean supportsMultiTableDelete() {
            return true;
        }

        @Override
        public boolean supportsLockOf() {
            return true;
        }
    }

    /** ANSI with {@code $n} placeholders: a second dialect whose SQL differs for the same statement. */
    static final class DollarAnsi extends AnsiDialect {
        static final DollarAnsi INSTANCE = new DollarAnsi();

        @Override
        public String name() {
            return "ansi-dollar";
        }

        @Override
        public ParamStyle paramStyle() {
            return ParamStyle.DOLLAR_NUMBERED;
        }
    }

    /** The key and the values of one traversal. */
    record Keyed(CacheKey key, List<Object> values) {
    }

    static Keyed keyed(Statement s) {
        KeyBuilder kb = new KeyBuilder(false);
        s.appendKey(kb);
        return new Keyed(kb.toKey(), nullSafe(kb.values()));
    }

    private static List<Object> nullSafe(List<Object> values) {
        // List.copyOf refuses nulls; values may legitimately be null.
        return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    static CacheKey key(Statement s) {
        KeyBuilder kb = new KeyBuilder(false);
        s.appendKey(kb);
        return kb.toKey();
    }

    static List<Object> values(Statement s) {
        KeyBuilder kb = new KeyBuilder(false);
        s.appendKey(kb);
        return kb.values();
    }

    static String sql(Statement s) {
        return Compiler.compile(s, AnsiDialect.INSTANCE).sql();
    }

    /** The SQL and parameters this statement sends when compiled fresh (no cache). */
    static BoundStatement fresh(Statement s, Dialect d) {
        return Compiler.compile(s, d).bind(values(s));
    }
}
