package io.retort.examples;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import io.retort.dialect.h2.H2Dialect;
import io.retort.sql.Column;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.StatementCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;

import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;

/**
 * The README's demo: an embedded H2 database (no server), a table created from a Retort
 * definition, rows inserted with bound parameters, and queries compiled once by Retort's cached
 * compiler and streamed back as a {@code Flux}. Run with
 * {@code ./mvnw -q -Pdemo -pl examples -am package -DskipTests}.
 */
public final class Demo {
    // TODO(lead): once the Engine exists, grow the demo onto the full Chinook database:
    //  io.retort.examples.chinook.ChinookLoader loads it (tables from ChinookSchema) in about a second.
    private static final Logger SQL_LOG = LoggerFactory.getLogger("io.retort.sql");

    /** The demo's table. */
    static final class ArtistTable extends Table {
        final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, primaryKey());
        final Column<String> name = column("name", SqlTypes.varchar(120), notNull());

        ArtistTable() {
            super("artist");
        }
    }

    static final ArtistTable ARTIST = new ArtistTable();

    private Demo() {
    }

    public static void main(String[] args) {
        ConnectionFactory factory = ConnectionFactories.get("r2dbc:h2:mem:///retort_demo;DB_CLOSE_DELAY=-1");
        StatementCache cache = new StatementCache(500);
        List<String> artists = List.of("AC/DC", "Accept", "Aerosmith", "Alanis Morissette", "Alice In Chains");

        Mono<Void> demo = Mono.usingWhen(Mono.from(factory.create()), conn -> {
            Mono<Void> ddl = execute(conn, cache, createTable(ARTIST)).then();
            Mono<Void> rows = Flux.range(0, artists.size())
                    .concatMap(i -> execute(conn, cache, insert(ARTIST).set(ARTIST.artistId, i + 1).set(ARTIST.name, artists.get(i))))
                    .then();
            Select byPrefix = select(ARTIST.artistId, ARTIST.name)
                    .where(ARTIST.name.startsWith("Al", true))
                    .orderBy(ARTIST.name);
            Flux<String> found = query(conn, cache, byPrefix)
                    .map(r -> "  artist " + r[0] + ": " + r[1]);
            Flux<String> total = query(conn, cache, select(count()).from(ARTIST)).map(r -> "  artists in total: " + r[0]);
            Flux<String> again = query(conn, cache, select(ARTIST.artistId, ARTIST.name)
                    .where(ARTIST.name.startsWith("Ac", true)).orderBy(ARTIST.name))
                    .map(r -> "  artist " + r[0] + ": " + r[1]);
            return ddl.then(rows)
                    .thenMany(Flux.concat(Flux.just("Artists starting with 'Al':"), found, total,
                            Flux.just("Artists starting with 'Ac' (same statement shape, served from the cache):"), again))
                    .doOnNext(System.out::println)
                    .then();
        }, Connection::close);

        demo.block();
        System.out.println("Compiled-statement cache: " + cache.stats().hitCount() + " hits, "
                + cache.stats().missCount() + " misses, " + cache.size() + " statements");
    }

    private static Flux<Object[]> query(Connection conn, StatementCache cache, io.retort.sql.Statement stmt) {
        return Flux.defer(() -> prepare(conn, cache, stmt).execute())
                .concatMap(result -> result.map((row, meta) -> {
                    Object[] values = new Object[meta.getColumnMetadatas().size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = row.get(i);
                    }
                    return values;
                }));
    }

    private static Mono<Long> execute(Connection conn, StatementCache cache, io.retort.sql.Statement stmt) {
        return Flux.defer(() -> prepare(conn, cache, stmt).execute())
                .concatMap(r -> r.getRowsUpdated())
                .reduce(0L, Long::sum);
    }

    private static Statement prepare(Connection conn, StatementCache cache, io.retort.sql.Statement stmt) {
        StatementCache.Lookup lookup = cache.lookup(H2Dialect.INSTANCE, stmt);
        BoundStatement bound = lookup.bind();
        SQL_LOG.info("{} {} [{}]", bound.sql(), java.util.Arrays.toString(bound.values()),
                lookup.hit() ? "cached" : "generated in " + lookup.compiled().compileNanos() / 1000 + "µs");
        Statement s = conn.createStatement(bound.sql());
        for (int i = 0; i < bound.values().length; i++) {
            if (bound.values()[i] == null) {
                s.bindNull(i, bound.types()[i]);
            } else {
                s.bind(i, bound.values()[i]);
            }
        }
        return s;
    }
}
