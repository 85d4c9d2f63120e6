package io.retort.examples;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.examples.chinook.ChinookLoader;
import io.retort.examples.chinook.model.Album;
import io.retort.examples.chinook.model.Artist;
import io.retort.examples.chinook.model.Chinook;
import io.retort.examples.chinook.model.Employee;
import io.retort.examples.chinook.model.MediaType;
import io.retort.examples.chinook.model.Track;
import io.retort.orm.EntityAlias;
import io.retort.orm.ExpressionAttribute;
import io.retort.orm.Orm;
import io.retort.orm.OrmRegistry;
import io.retort.orm.Relationship;
import io.retort.orm.SessionFactory;
import io.retort.sql.Column;
import io.retort.sql.Cte;
import io.retort.sql.Expression;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.TableAlias;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;

import static io.retort.examples.chinook.ChinookSchema.ALBUM;
import static io.retort.examples.chinook.ChinookSchema.ARTIST;
import static io.retort.examples.chinook.ChinookSchema.EMPLOYEE;
import static io.retort.examples.chinook.ChinookSchema.GENRE;
import static io.retort.examples.chinook.ChinookSchema.INVOICE;
import static io.retort.examples.chinook.ChinookSchema.TRACK;
import static io.retort.orm.Load.selectinLoad;
import static io.retort.orm.Load.withExpression;
import static io.retort.sql.Sql.cast;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.rank;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.selectFrom;
import static io.retort.sql.Sql.sum;
import static io.retort.sql.Sql.window;

/**
 * The README's demo (E1): the Chinook sample database loaded into embedded H2 (no server), a few
 * Core queries and an ORM eager graph (artist → albums → tracks), with the SQL log on so every
 * statement shows whether it was compiled or served from the cache. Run with
 * {@code ./mvnw -q -Pdemo -pl examples -am package -DskipTests}.
 */
public final class Demo {
    private static final Duration T = Duration.ofMinutes(2);

    private Demo() {
    }

    public static void main(String[] args) {
        Engine engine = Engine.create("r2dbc:h2:mem:///chinook_demo;DB_CLOSE_DELAY=-1",
                EngineOptions.builder().echo(true).maxPoolSize(4).build());
        try {
            System.out.println("== Loading Chinook into embedded H2");
            engine.connect(c -> new ChinookLoader().load(c.unwrap()))
                    .doOnNext(counts -> System.out.println("   rows per table: " + counts))
                    .blockLast(T);
            core(engine);
            orm(engine);
            System.out.printf("== Compiled-statement cache: %d hits, %d misses, %d statements%n",
                    engine.cache().stats().hitCount(), engine.cache().stats().missCount(), engine.cache().size());
        } finally {
            engine.close();
        }
    }

    private static void core(Engine engine) {
        System.out.println("== Core: the five artists with the most albums");
        Select top = select(ARTIST.name, count().as("albums"))
                .from(ARTIST.join(ALBUM))
                .groupBy(ARTIST.name)
                .orderBy(count().desc(), ARTIST.name)
                .limit(5);
        print(engine.execute(top).map(r -> String.format("%-25s %3d", r.get(ARTIST.name), r.get("albums", Long.class))));

        System.out.println("== Core: long rock tracks whose name starts with 'Stair' (LIKE with autoescape)");
        Select rock = select(TRACK.name, ALBUM.title, TRACK.milliseconds)
                .from(TRACK.join(ALBUM).join(GENRE))
                .where(GENRE.name.eq("Rock"), TRACK.name.startsWith("Stair", true), TRACK.milliseconds.gt(400_000))
                .orderBy(TRACK.milliseconds.desc());
        print(engine.execute(rock).map(r -> r.get(TRACK.name) + " (" + r.get(ALBUM.title) + ", "
                + r.get(TRACK.milliseconds) / 1000 + " s)"));

        System.out.println("== Core: the same statement shape with other values is served from the cache");
        print(engine.execute(select(TRACK.name, ALBUM.title, TRACK.milliseconds)
                .from(TRACK.join(ALBUM).join(GENRE))
                .where(GENRE.name.eq("Rock"), TRACK.name.startsWith("Whole", true), TRACK.milliseconds.gt(300_000))
                .orderBy(TRACK.milliseconds.desc())).map(r -> r.get(TRACK.name) + " (" + r.get(ALBUM.title) + ")"));

        System.out.println("== Core: revenue per country, ranked (window function), top 5");
        Select revenue = select(INVOICE.billingCountry, sum(INVOICE.total).as("revenue"),
                rank().over(window().orderBy(sum(INVOICE.total).desc())).as("rank"))
                .groupBy(INVOICE.billingCountry)
                .orderBy(sum(INVOICE.total).desc())
                .limit(5);
        print(engine.execute(revenue).map(r -> String.format("%d. %-10s %8s", r.get("rank", Long.class),
                r.get(INVOICE.billingCountry), r.get("revenue", BigDecimal.class))));

        System.out.println("== Core: the reporting chain under the general manager (recursive CTE)");
        Cte chain = select(EMPLOYEE.employeeId, EMPLOYEE.lastName, EMPLOYEE.reportsTo)
                .where(EMPLOYEE.reportsTo.isNull()).cteRecursive("chain");
        TableAlias e = EMPLOYEE.as("e");
        Column<Integer> chainId = chain.c("employee_id", SqlTypes.INTEGER);
        chain = chain.unionAll(select(e.col(EMPLOYEE.employeeId), e.col(EMPLOYEE.lastName), e.col(EMPLOYEE.reportsTo))
                .from(e.join(chain, e.col(EMPLOYEE.reportsTo).eq(chainId))));
        print(engine.execute(selectFrom(chain).orderBy(chain.c("employee_id", SqlTypes.INTEGER)))
                .map(r -> r.get(0) + " " + r.get(1) + " (reports to " + r.get(2) + ")"));
    }

    private static void orm(Engine engine) {
        OrmRegistry registry = Chinook.registry();
        SessionFactory sessions = SessionFactory.of(engine, registry);
        Relationship<Artist, Album> albums = registry.mapper(Artist.class).relationship("albums");
        Relationship<Album, Track> tracks = registry.mapper(Album.class).relationship("tracks");
        Column<String> artistName = registry.mapper(Artist.class).column("name", String.class);

        System.out.println("== ORM: artists → albums → tracks, loaded eagerly with selectinLoad (3 statements)");
        print(sessions.inSession(s -> s.execute(Orm.select(Artist.class)
                        .where(artistName.in("Led Zeppelin", "Deep Purple"))
                        .orderBy(artistName)
                        .options(selectinLoad(albums).selectinLoad(tracks))))
                .map(a -> {
                    StringBuilder sb = new StringBuilder(a.name).append(": ").append(a.albums.size()).append(" albums");
                    for (Album al : a.albums.subList(0, Math.min(3, a.albums.size()))) {
                        sb.append("\n     ").append(al.title).append(" — ").append(al.tracks.size()).append(" tracks, first: ")
                                .append(al.tracks.isEmpty() ? "-" : al.tracks.get(0).name);
                    }
                    return sb.toString();
                }));

        System.out.println("== ORM: the longest albums, with a computed attribute (withExpression: one statement)");
        ExpressionAttribute<Album, BigDecimal> minutes = registry.mapper(Album.class).expression("minutes", BigDecimal.class);
        Expression<BigDecimal> playingTime = select(cast(sum(TRACK.milliseconds), SqlTypes.numeric(12, 2)).div(new BigDecimal("60000")))
                .from(TRACK).where(TRACK.albumId.eq(registry.mapper(Album.class).column("id", Integer.class))).scalar();
        print(sessions.inSession(s -> s.execute(Orm.select(Album.class)
                        .options(withExpression(minutes, playingTime))
                        .orderBy(playingTime.desc()).limit(3)))
                .map(album -> album.title + ": " + album.minutes.setScale(1, java.math.RoundingMode.HALF_UP) + " min"));

        System.out.println("== ORM: each employee with their manager, two Employee entities a row (an alias, one statement)");
        EntityAlias<Employee> boss = Orm.aliased(Employee.class, "boss");
        Table employees = registry.mapper(Employee.class).table();
        Column<Integer> employeeId = employees.c("employee_id", SqlTypes.INTEGER);
        Column<Integer> reportsTo = employees.c("reports_to", SqlTypes.INTEGER);
        print(sessions.inSession(s -> s.execute(Orm.selectRows(Employee.class, boss)
                        .leftJoin(boss.table(), reportsTo.eq(boss.col(employeeId)))
                        .orderBy(employeeId)))
                .map(row -> {
                    Employee emp = row.get(Employee.class);
                    Employee manager = row.get(boss);
                    return emp.firstName + " " + emp.lastName + (manager == null ? " (general manager)"
                            : " reports to " + manager.firstName + " " + manager.lastName);
                }));

        System.out.println("== ORM: a new artist with an album and two tracks, flushed in dependency order");
        Artist a = new Artist();
        a.id = 276;
        a.name = "Retort Quartet";
        a.albums = new ArrayList<>();
        Album al = new Album();
        al.id = 348;
        al.title = "Reactive Sessions";
        al.tracks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Track t = new Track();
            t.id = 3504 + i;
            t.name = i == 0 ? "Backpressure Blues" : "Non-Blocking Waltz";
            t.milliseconds = 200_000 + i;
            t.unitPrice = new BigDecimal("0.99");
            al.tracks.add(t);
        }
        a.albums.add(al);
        sessions.inTransaction(s -> s.get(MediaType.class, 1).doOnNext(mp3 -> {
            al.tracks.forEach(t -> t.mediaType = mp3);
            s.add(a);
        })).blockLast(T);
        print(engine.execute(select(TRACK.name).from(TRACK.join(ALBUM)).where(ALBUM.albumId.eq(348)).orderBy(TRACK.trackId))
                .map(r -> "stored: " + r.get(TRACK.name)));
    }

    private static void print(Flux<String> lines) {
        lines.doOnNext(l -> System.out.println("   " + l)).blockLast(T);
    }
}
