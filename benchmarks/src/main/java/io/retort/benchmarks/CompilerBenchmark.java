package io.retort.benchmarks;

import static io.retort.sql.Sql.param;
import static io.retort.sql.Sql.select;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.sql.Column;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.CompiledStatement;
import io.retort.sql.compile.StatementCache;
import io.retort.sql.compile.StatementTemplate;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The compiler and the statement cache, no database (issue #3). One Chinook-like SELECT with
 * three joins, four predicates, ORDER BY and LIMIT:
 *
 * <pre>
 * SELECT track.track_id, track.name, album.title, artist.name, genre.name, track.unit_price
 * FROM track JOIN album ON album.album_id = track.album_id
 *            JOIN artist ON artist.artist_id = album.artist_id
 *            JOIN genre ON genre.genre_id = track.genre_id
 * WHERE artist.name = $1 AND track.unit_price &gt; $2 AND track.milliseconds BETWEEN $3 AND $4
 *   AND track.name LIKE $5
 * ORDER BY track.name, track.track_id LIMIT $6
 * </pre>
 *
 * <p>Every method does the work a caller does for one execution, from Java values to "SQL text
 * plus parameter values", and returns the result to JMH (which consumes it):
 * <ul>
 *   <li>{@link #compileFull} (a): build the statement and compile it from scratch
 *       ({@code dialect.newCompiler(false).compile(stmt)}, what a cache miss costs), then bind
 *       its values;</li>
 *   <li>{@link #cacheHit} (b): build the statement, compute its cache key and extract its values
 *       in one traversal, look the key up (a hit), bind: {@code cache.lookup(dialect, build()).bind()},
 *       what every execution through the engine costs;</li>
 *   <li>{@link #template} (b'): the same execution through a {@link StatementTemplate} (C3): no
 *       statement building and no key traversal, only the named values, the lookup and the bind;</li>
 *   <li>{@link #jooq} (c): jOOQ 3.19 building the same query from {@code DSL.table}/{@code DSL.field}
 *       names and rendering it for PostgreSQL with indexed parameters: {@code getSQL()} plus
 *       {@code getBindValues()};</li>
 *   <li>{@link #buildOnly}: only the statement building of (a) and (b), for the breakdown;</li>
 *   <li>{@link #hitFloor}: the least any cache-hit path can cost with this API: building the
 *       statement, reading its six values straight out of the nodes this one statement is known to
 *       have (no traversal, no key, no lookup), and binding them to the already compiled form. No
 *       real path can be cheaper; (a) ÷ this bounds the ratio (a) ÷ (b) any key design can reach.</li>
 * </ul>
 * The values rotate through {@value #VALUE_SETS} sets so no result is a constant.
 */
public class CompilerBenchmark extends BenchmarkSettings {

    static final int VALUE_SETS = 8;

    // ------------------------------------------------------------------ Retort tables

    static final class ArtistTable extends Table {
        static final ArtistTable ARTIST = new ArtistTable();
        final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER);
        final Column<String> name = column("name", SqlTypes.varchar(120));

        private ArtistTable() {
            super("artist");
        }
    }

    static final class AlbumTable extends Table {
        static final AlbumTable ALBUM = new AlbumTable();
        final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER);
        final Column<String> title = column("title", SqlTypes.varchar(160));
        final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER);

        private AlbumTable() {
            super("album");
        }
    }

    static final class GenreTable extends Table {
        static final GenreTable GENRE = new GenreTable();
        final Column<Integer> genreId = column("genre_id", SqlTypes.INTEGER);
        final Column<String> name = column("name", SqlTypes.varchar(120));

        private GenreTable() {
            super("genre");
        }
    }

    static final class TrackTable extends Table {
        static final TrackTable TRACK = new TrackTable();
        final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER);
        final Column<String> name = column("name", SqlTypes.varchar(200));
        final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER);
        final Column<Integer> genreId = column("genre_id", SqlTypes.INTEGER);
        final Column<Integer> milliseconds = column("milliseconds", SqlTypes.INTEGER);
        final Column<BigDecimal> unitPrice = column("unit_price", SqlTypes.numeric(10, 2));

        private TrackTable() {
            super("track");
        }
    }

    static final ArtistTable ARTIST = ArtistTable.ARTIST;
    static final AlbumTable ALBUM = AlbumTable.ALBUM;
    static final GenreTable GENRE = GenreTable.GENRE;
    static final TrackTable TRACK = TrackTable.TRACK;

    // ------------------------------------------------------------------ values

    /** One execution's values. */
    record Values(String artist, BigDecimal minPrice, int minMs, int maxMs, String pattern, int limit) {
    }

    static final Values[] VALUES = new Values[VALUE_SETS];

    static {
        String[] artists = {"AC/DC", "Accept", "Aerosmith", "Alanis Morissette", "Alice In Chains",
            "Antônio Carlos Jobim", "Apocalyptica", "Audioslave"};
        for (int i = 0; i < VALUE_SETS; i++) {
            VALUES[i] = new Values(artists[i], new BigDecimal("0." + (90 + i)), 60_000 + i * 1000,
                    300_000 + i * 1000, "%" + (char) ('a' + i) + "%", 10 + i);
        }
    }

    // ------------------------------------------------------------------ Retort

    /** The statement a call site builds for each execution. */
    static Select build(Values v) {
        return select(TRACK.trackId, TRACK.name, ALBUM.title, ARTIST.name, GENRE.name, TRACK.unitPrice)
                .from(TRACK)
                .join(ALBUM, ALBUM.albumId.eq(TRACK.albumId))
                .join(ARTIST, ARTIST.artistId.eq(ALBUM.artistId))
                .join(GENRE, GENRE.genreId.eq(TRACK.genreId))
                .where(ARTIST.name.eq(v.artist()),
                        TRACK.unitPrice.gt(v.minPrice()),
                        TRACK.milliseconds.between(v.minMs(), v.maxMs()),
                        TRACK.name.like(v.pattern()))
                .orderBy(TRACK.name, TRACK.trackId)
                .limit(v.limit());
    }

    /** The same statement with named parameters, built once (C3). */
    static final StatementTemplate TEMPLATE = StatementTemplate.of(
            select(TRACK.trackId, TRACK.name, ALBUM.title, ARTIST.name, GENRE.name, TRACK.unitPrice)
                    .from(TRACK)
                    .join(ALBUM, ALBUM.albumId.eq(TRACK.albumId))
                    .join(ARTIST, ARTIST.artistId.eq(ALBUM.artistId))
                    .join(GENRE, GENRE.genreId.eq(TRACK.genreId))
                    .where(ARTIST.name.eq(param("artist", "", SqlTypes.varchar(120))),
                            TRACK.unitPrice.gt(param("minPrice", BigDecimal.ZERO, SqlTypes.numeric(10, 2))),
                            TRACK.milliseconds.between(param("minMs", 0, SqlTypes.INTEGER),
                                    param("maxMs", 0, SqlTypes.INTEGER)),
                            // LIKE and LIMIT take no named parameter (no like(Expression), limit(long) only):
                            // their build-time values are bound on every execution; see BENCHMARKS.md.
                            TRACK.name.like("%a%"))
                    .orderBy(TRACK.name, TRACK.trackId)
                    .limit(10));

    // ------------------------------------------------------------------ jOOQ

    static final org.jooq.Table<?> J_TRACK = DSL.table(DSL.name("track"));
    static final org.jooq.Table<?> J_ALBUM = DSL.table(DSL.name("album"));
    static final org.jooq.Table<?> J_ARTIST = DSL.table(DSL.name("artist"));
    static final org.jooq.Table<?> J_GENRE = DSL.table(DSL.name("genre"));
    static final Field<Integer> J_TRACK_ID = DSL.field(DSL.name("track", "track_id"), Integer.class);
    static final Field<String> J_TRACK_NAME = DSL.field(DSL.name("track", "name"), String.class);
    static final Field<Integer> J_TRACK_ALBUM_ID = DSL.field(DSL.name("track", "album_id"), Integer.class);
    static final Field<Integer> J_TRACK_GENRE_ID = DSL.field(DSL.name("track", "genre_id"), Integer.class);
    static final Field<Integer> J_TRACK_MS = DSL.field(DSL.name("track", "milliseconds"), Integer.class);
    static final Field<BigDecimal> J_TRACK_PRICE = DSL.field(DSL.name("track", "unit_price"), BigDecimal.class);
    static final Field<Integer> J_ALBUM_ID = DSL.field(DSL.name("album", "album_id"), Integer.class);
    static final Field<String> J_ALBUM_TITLE = DSL.field(DSL.name("album", "title"), String.class);
    static final Field<Integer> J_ALBUM_ARTIST_ID = DSL.field(DSL.name("album", "artist_id"), Integer.class);
    static final Field<Integer> J_ARTIST_ID = DSL.field(DSL.name("artist", "artist_id"), Integer.class);
    static final Field<String> J_ARTIST_NAME = DSL.field(DSL.name("artist", "name"), String.class);
    static final Field<Integer> J_GENRE_ID = DSL.field(DSL.name("genre", "genre_id"), Integer.class);
    static final Field<String> J_GENRE_NAME = DSL.field(DSL.name("genre", "name"), String.class);

    static Query buildJooq(DSLContext ctx, Values v) {
        return ctx.select(J_TRACK_ID, J_TRACK_NAME, J_ALBUM_TITLE, J_ARTIST_NAME, J_GENRE_NAME, J_TRACK_PRICE)
                .from(J_TRACK)
                .join(J_ALBUM).on(J_ALBUM_ID.eq(J_TRACK_ALBUM_ID))
                .join(J_ARTIST).on(J_ARTIST_ID.eq(J_ALBUM_ARTIST_ID))
                .join(J_GENRE).on(J_GENRE_ID.eq(J_TRACK_GENRE_ID))
                .where(J_ARTIST_NAME.eq(v.artist()))
                .and(J_TRACK_PRICE.gt(v.minPrice()))
                .and(J_TRACK_MS.between(v.minMs(), v.maxMs()))
                .and(J_TRACK_NAME.like(v.pattern()))
                .orderBy(J_TRACK_NAME, J_TRACK_ID)
                .limit(v.limit());
    }

    /** jOOQ's rendering: the SQL and the values, as a driver needs them. */
    public record Rendered(String sql, List<Object> values) {
    }

    // ------------------------------------------------------------------ state

    /** The cache (warm: the statement is compiled once in set-up) and jOOQ's context. */
    @State(Scope.Thread)
    public static class Compilers {
        final PostgresDialect dialect = PostgresDialect.INSTANCE;
        StatementCache cache;
        CompiledStatement compiled;
        DSLContext jooq;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            cache = new StatementCache(500);
            BoundStatement first = cache.lookup(dialect, build(VALUES[0])).bind();
            compiled = cache.lookup(dialect, build(VALUES[0])).compiled();
            if (!cache.lookup(dialect, build(VALUES[1])).hit()) {
                throw new IllegalStateException("the second lookup missed the cache: " + first.sql());
            }
            BoundStatement viaCache = cache.lookup(dialect, build(VALUES[0])).bind();
            BoundStatement floor = new CompilerBenchmark().hitFloor(this);
            next = 0;
            if (!viaCache.sql().equals(floor.sql()) || !java.util.Arrays.equals(viaCache.values(), floor.values())) {
                throw new IllegalStateException("hitFloor binds other values than the cache path: " + floor + " vs " + viaCache);
            }
            cache.lookup(dialect, TEMPLATE.bind()).bind(); // its own key (named binds): compiled here
            if (!cache.lookup(dialect, TEMPLATE.bind()).hit()) {
                throw new IllegalStateException("the template's lookup missed the cache");
            }
            System.setProperty("org.jooq.no-logo", "true");
            System.setProperty("org.jooq.no-tips", "true");
            jooq = DSL.using(SQLDialect.POSTGRES, new Settings()
                    .withParamType(ParamType.INDEXED)
                    .withRenderQuotedNames(RenderQuotedNames.NEVER)
                    .withExecuteLogging(false));
        }

        Values values() {
            return VALUES[next++ & (VALUE_SETS - 1)];
        }
    }

    // ------------------------------------------------------------------ benchmarks

    /** (a) Build and compile from scratch (a cache miss), then bind this execution's values. */
    @Benchmark
    public BoundStatement compileFull(Compilers s) {
        Select stmt = build(s.values());
        CompiledStatement compiled = s.dialect.newCompiler(false).compile(stmt);
        return compiled.bind(valuesOf(stmt));
    }

    /** (b) Build, key + values in one traversal, cache hit, bind. */
    @Benchmark
    public BoundStatement cacheHit(Compilers s) {
        return s.cache.lookup(s.dialect, build(s.values())).bind();
    }

    /** (b') The StatementTemplate path (C3): named values, lookup by the precomputed key, bind. */
    @Benchmark
    public BoundStatement template(Compilers s) {
        Values v = s.values();
        return s.cache.lookup(s.dialect, TEMPLATE.bind(Map.of(
                "artist", v.artist(), "minPrice", v.minPrice(), "minMs", v.minMs(), "maxMs", v.maxMs()))).bind();
    }

    /** (c) jOOQ: build the same query, render the SQL with indexed parameters, extract the values. */
    @Benchmark
    public Rendered jooq(Compilers s) {
        Query q = buildJooq(s.jooq, s.values());
        return new Rendered(q.getSQL(), q.getBindValues());
    }

    /** The floor of (b): build, read the six values from known nodes (no key, no lookup), bind. */
    @Benchmark
    public BoundStatement hitFloor(Compilers s) {
        Select stmt = build(s.values());
        List<io.retort.sql.Expression<Boolean>> terms = ((io.retort.sql.Junction) stmt.where()).terms();
        io.retort.sql.Between between = (io.retort.sql.Between) terms.get(2);
        Object[] v = {
            valueOf(((io.retort.sql.BinaryExpression<?>) terms.get(0)).right()),
            valueOf(((io.retort.sql.BinaryExpression<?>) terms.get(1)).right()),
            valueOf(between.low()),
            valueOf(between.high()),
            valueOf(((io.retort.sql.Like) terms.get(3)).pattern()),
            valueOf(stmt.limit()),
        };
        return s.compiled.bind(java.util.Arrays.asList(v));
    }

    private static Object valueOf(io.retort.sql.Expression<?> bind) {
        return ((io.retort.sql.BindParam<?>) bind).value();
    }

    /** Only the statement building shared by (a) and (b). */
    @Benchmark
    public Select buildOnly(Compilers s) {
        return build(s.values());
    }

    /** Building plus the key traversal (key and values), without the lookup and the bind. */
    @Benchmark
    public io.retort.sql.compile.CacheKey buildAndKey(Compilers s) {
        io.retort.sql.compile.KeyBuilder kb = new io.retort.sql.compile.KeyBuilder(false);
        build(s.values()).appendKey(kb);
        return kb.toKey();
    }

    /** The key-traversal values of {@code stmt}, as {@code Compiler.render} extracts them. */
    static List<Object> valuesOf(Select stmt) {
        io.retort.sql.compile.KeyBuilder kb = new io.retort.sql.compile.KeyBuilder(false);
        stmt.appendKey(kb);
        return kb.values();
    }

    /** Prints the SQL each side renders (a quick manual check). */
    public static void main(String[] args) {
        Compilers s = new Compilers();
        s.setUp();
        System.out.println("compile:  " + new CompilerBenchmark().compileFull(s));
        System.out.println("cacheHit: " + new CompilerBenchmark().cacheHit(s));
        System.out.println("template: " + new CompilerBenchmark().template(s));
        System.out.println("hitFloor: " + new CompilerBenchmark().hitFloor(s));
        System.out.println("jooq:     " + new CompilerBenchmark().jooq(s));
    }
}
