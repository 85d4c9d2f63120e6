package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.ArgumentError;
import io.retort.error.IntegrityError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.ShardingEntities.Report;
import io.retort.orm.ShardingEntities.WeatherLocation;
import io.retort.sql.Sql;
import io.retort.sql.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static io.retort.orm.Load.joinedLoad;
import static io.retort.orm.Load.selectinLoad;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * O14 (seed 1.2, identity key for sharding) on three in-memory H2 databases as shards: identity
 * keys with the shard as token, query fan-out and narrowing, get through the identity chooser,
 * new objects following their parent's shard, relationship loads on the owning shard, bulk
 * statements across shards, the typed errors of wrong use, a flush failure that commits nothing
 * and a COMMIT failure on a later shard reported with the shards that committed. Every test ends
 * with every shard's pool idle.
 */
class ShardingTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final OrmRegistry REGISTRY = ShardingEntities.registry();
    private static final List<String> SHARDS = List.of("north_america", "asia", "europe");

    private final Map<String, Engine> engines = new LinkedHashMap<>();
    /** SQL sent per shard (not BEGIN/COMMIT), cleared by tests before the part they count. */
    private final Map<String, List<String>> sql = new LinkedHashMap<>();
    private ShardedSessionFactory factory;

    @BeforeEach
    void openShards() {
        for (String id : SHARDS) {
            Engine e = Engine.create("r2dbc:h2:mem:///shard_" + id + "_" + UUID.randomUUID().toString().replace("-", "")
                    + ";DB_CLOSE_DELAY=-1", EngineOptions.builder().maxPoolSize(3).build());
            e.connect(c -> Flux.fromIterable(REGISTRY.tables()).concatMap(t -> c.execute(Sql.createTable(t)).rowsAffected()))
                    .blockLast(T);
            List<String> sent = new CopyOnWriteArrayList<>();
            e.observeStatements(start -> {
                sent.add(start.sql());
                return null;
            });
            engines.put(id, e);
            sql.put(id, sent);
        }
        factory = factory(b -> b);
    }

    @AfterEach
    void poolsIdleThenClose() throws InterruptedException {
        try {
            for (Map.Entry<String, Engine> e : engines.entrySet()) {
                assertPoolIdle(e.getKey(), e.getValue());
            }
        } finally {
            engines.values().forEach(e -> e.dispose().block(T));
        }
    }

    private static void assertPoolIdle(String shard, Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Engine.PoolStats s = engine.poolStats().orElseThrow();
        while ((s.acquired() > 0 || s.pending() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            s = engine.poolStats().orElseThrow();
        }
        assertThat(s.acquired()).as("connections of shard %s still acquired (leak): %s", shard, s).isZero();
        assertThat(s.pending()).as("acquirers of shard %s still waiting: %s", shard, s).isZero();
    }

    /** The seed's factory (chooser by continent, queries narrowed by a continent criterion), adjusted by {@code more}. */
    private ShardedSessionFactory factory(UnaryOperator<ShardedSessionFactory.Builder> more) {
        ShardedSessionFactory.Builder b = ShardedSessionFactory.builder(REGISTRY);
        engines.forEach(b::shard);
        b.shardChooser(ShardingEntities::chooseShard)
                .queryChooser(q -> q.values(WeatherLocation_.continent)
                        .map(cs -> cs.stream().map(ShardingEntities.SHARD_OF_CONTINENT::get).distinct().toList())
                        .orElse(SHARDS));
        return more.apply(b).build();
    }

    private static WeatherLocation location(int id, String continent, String city, double... reports) {
        WeatherLocation w = new WeatherLocation(id, continent, city);
        for (double t : reports) {
            w.reports.add(new Report(t));
        }
        return w;
    }

    /** Tokyo (asia: report 1), New York and Toronto (north_america: reports 1, 2), London (europe: report 1). */
    private void seed() {
        factory.inTransaction(s -> {
            s.addAll(List.of(location(1, "Asia", "Tokyo", 80.0), location(2, "North America", "New York", 75.0),
                    location(3, "North America", "Toronto", 60.0), location(4, "Europe", "London", 55.0)));
            return Mono.empty();
        }).blockLast(T);
        clearSql();
    }

    private void clearSql() {
        sql.values().forEach(List::clear);
    }

    private Map<String, Integer> statementCounts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        sql.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    /** Report id → temperature, read from shard {@code shard}'s database directly. */
    private Map<Integer, Double> reportRows(String shard) {
        Table t = REGISTRY.mapper(Report.class).table();
        Map<Integer, Double> out = new TreeMap<>();
        engines.get(shard).execute(Sql.select(t.c("id"), t.c("temperature")).from(t))
                .doOnNext(r -> out.put(((Number) r.get(0)).intValue(), ((Number) r.get(1)).doubleValue())).blockLast(T);
        return out;
    }

    /** City names in shard {@code shard}'s database. */
    private List<String> cities(String shard) {
        Table t = REGISTRY.mapper(WeatherLocation.class).table();
        return engines.get(shard).execute(Sql.select(t.c("city")).from(t).orderBy(t.c("city")))
                .map(r -> (String) r.get(0)).collectList().block(T);
    }

    @Test // O14, seed 1.2: the same report key on two shards, two objects whose identity keys differ by token
    void sameKeyOnTwoShardsCoexistsWithItsShardAsToken() {
        WeatherLocation tokyo = location(1, "Asia", "Tokyo", 80.0);
        WeatherLocation newyork = location(2, "North America", "New York", 75.0);
        ShardedSession s = factory.openSession();
        try {
            s.addAll(List.of(tokyo, newyork));
            assertThat(s.shardOf(tokyo)).isEqualTo("asia");
            StepVerifier.create(s.commit()).verifyComplete();

            Report tokyoReport = tokyo.reports.get(0);
            Report newyorkReport = newyork.reports.get(0);
            assertThat(tokyoReport.id).isEqualTo(1);
            assertThat(newyorkReport.id).isEqualTo(1);
            assertThat(s.identityKey(newyorkReport)).isEqualTo(new IdentityKey(Report.class, List.of(1), "north_america"));
            assertThat(s.identityKey(tokyoReport)).isEqualTo(new IdentityKey(Report.class, List.of(1), "asia"));
            assertThat(s.identityToken(newyorkReport)).isEqualTo("north_america");
            assertThat(s.identityToken(tokyoReport)).isEqualTo("asia");
            assertThat(s.onShard("asia").identityToken(tokyoReport)).isEqualTo("asia");
            assertThat(s.usedShards()).containsExactly("north_america", "asia");
            s.expungeAll();
            assertThat(s.contains(tokyoReport)).isFalse();
            assertThat(s.contains(newyork)).isFalse();
            assertThat(s.onShard("asia").contains(tokyo)).isFalse();
        } finally {
            s.close().block(T);
        }
        // Each row in its shard's database, and only there.
        assertThat(cities("asia")).containsExactly("Tokyo");
        assertThat(cities("north_america")).containsExactly("New York");
        assertThat(cities("europe")).isEmpty();
        assertThat(reportRows("asia")).containsExactly(Map.entry(1, 80.0));
        assertThat(reportRows("north_america")).containsExactly(Map.entry(1, 75.0));
    }

    @Test // O14: a query runs on every shard (one statement each) and their entities merge by its ORDER BY, ties in shard order
    void queryFansOutAndMergesInShardOrder() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            List<Report> reports = new ArrayList<>();
            StepVerifier.create(s.execute(Orm.select(Report.class).orderBy(Report_.id)))
                    .recordWith(() -> reports).expectNextCount(4).verifyComplete();
            assertThat(reports).extracting(r -> r.id).containsExactly(1, 1, 1, 2);
            assertThat(reports).extracting(s::identityToken).containsExactly("north_america", "asia", "europe", "north_america");
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 1), Map.entry("asia", 1),
                    Map.entry("europe", 1));
            assertThat(sql.get("asia").get(0)).startsWith("SELECT").contains("weather_report");
            // Each object is its own shard's row (which of north_america's two reports got key 1 is the flush's business).
            assertThat(reports).allSatisfy(r -> assertThat(reportRows(s.identityToken(r))).containsEntry(r.id, r.temperature));
            assertThat(reports).extracting(r -> r.temperature).containsExactlyInAnyOrder(75.0, 60.0, 80.0, 55.0);

            clearSql();
            // The same key again: the identity map of the first shard that holds it answers, no SQL.
            StepVerifier.create(s.get(Report.class, 1)).expectNext(reports.get(0)).verifyComplete();
            assertThat(statementCounts().values()).containsOnly(0);
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14: the query chooser narrows a query pinned to a continent to that continent's shard
    void queryChooserNarrowsTheShards() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            StepVerifier.create(s.execute(Orm.select(WeatherLocation.class).where(WeatherLocation_.continent.eq("Asia"))))
                    .assertNext(w -> assertThat(w.city).isEqualTo("Tokyo")).verifyComplete();
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 0), Map.entry("asia", 1),
                    Map.entry("europe", 0));
            assertThat(s.usedShards()).containsExactly("asia");

            clearSql();
            StepVerifier.create(s.execute(Orm.select(WeatherLocation.class)
                            .where(WeatherLocation_.continent.in("Europe", "Asia")).orderBy(WeatherLocation_.city)))
                    .expectNextMatches(w -> w.city.equals("London")).expectNextMatches(w -> w.city.equals("Tokyo"))
                    .verifyComplete(); // by city, merged across the two shards
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 0), Map.entry("asia", 1),
                    Map.entry("europe", 1));
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14: get tries the identity chooser's shards in order, stops at the first that has the row, then the map answers
    void getSearchesTheIdentityChoosersShardsInOrder() {
        seed();
        ShardedSessionFactory f = factory(b -> b.identityChooser((type, key) -> List.of("europe", "asia", "north_america")));
        ShardedSession s = f.openSession();
        try {
            StepVerifier.create(s.get(WeatherLocation.class, 1))
                    .assertNext(w -> assertThat(w.city).isEqualTo("Tokyo")).verifyComplete();
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 0), Map.entry("asia", 1),
                    Map.entry("europe", 1));
            WeatherLocation tokyo = s.get(WeatherLocation.class, 1).block(T);
            assertThat(s.identityToken(tokyo)).isEqualTo("asia");

            clearSql();
            StepVerifier.create(s.get(WeatherLocation.class, 1)).expectNext(tokyo).verifyComplete();
            assertThat(statementCounts().values()).as("answered from asia's identity map").containsOnly(0);

            StepVerifier.create(s.get(WeatherLocation.class, 99)).verifyComplete();
            assertThat(statementCounts().values()).as("every shard asked once").containsOnly(1);
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14: selectinLoad, joinedLoad and fetch load each object's relationships on its own shard
    void relationshipsLoadOnTheOwningShard() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            List<WeatherLocation> locations = s.execute(Orm.select(WeatherLocation.class).orderBy(WeatherLocation_.id)
                    .options(selectinLoad(WeatherLocation_.reports))).collectList().block(T);
            assertThat(statementCounts().values()).as("the query and one IN query per shard").containsOnly(2);
            Map<String, WeatherLocation> byCity = new TreeMap<>();
            locations.forEach(w -> byCity.put(w.city, w));
            Report tokyoReport = byCity.get("Tokyo").reports.get(0);
            Report newyorkReport = byCity.get("New York").reports.get(0);
            assertThat(tokyoReport.id).isEqualTo(1);
            Report sameKey = s.onShard("north_america").get(Report.class, 1).block(T);
            assertThat(sameKey).isNotSameAs(tokyoReport).isIn(byCity.get("New York").reports.get(0), byCity.get("Toronto").reports.get(0));
            assertThat(tokyoReport.temperature).isEqualTo(80.0);
            assertThat(newyorkReport.temperature).isEqualTo(75.0);
            assertThat(tokyoReport.location).isSameAs(byCity.get("Tokyo"));
            assertThat(s.identityToken(tokyoReport)).isEqualTo("asia");
            assertThat(byCity.get("Toronto").reports).extracting(r -> r.temperature).containsExactly(60.0);
            assertThat(byCity.get("Toronto").reports.get(0).id).isNotEqualTo(newyorkReport.id);

            clearSql();
            List<Report> reports = s.execute(Orm.select(Report.class).options(joinedLoad(Report_.location))).collectList().block(T);
            assertThat(statementCounts().values()).as("one joined statement per shard").containsOnly(1);
            assertThat(reports).hasSize(4).allSatisfy(r -> {
                assertThat(s.shardOf(r.location)).isEqualTo(s.shardOf(r));
                assertThat(r.location.reports).contains(r);
            });
        } finally {
            s.close().block(T);
        }
        ShardedSession s2 = factory.openSession();
        try {
            WeatherLocation tokyo = s2.get(WeatherLocation.class, 1).block(T);
            clearSql();
            StepVerifier.create(s2.fetch(tokyo, WeatherLocation_.reports))
                    .assertNext(l -> assertThat(l).extracting(r -> r.temperature).containsExactly(80.0)).verifyComplete();
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 0), Map.entry("asia", 1),
                    Map.entry("europe", 0));
        } finally {
            s2.close().block(T);
        }
    }

    @Test // O14: new objects related to an object of a shard go to that shard, whatever the chooser would say
    void newObjectsFollowTheShardOfTheirRelatedObjects() {
        seed();
        ShardedSessionFactory f = factory(b -> b.shardChooser(o -> {
            throw new AssertionError("the chooser must not be asked for " + o);
        }));
        ShardedSession s = f.openSession();
        try {
            Map<String, WeatherLocation> byCity = new TreeMap<>();
            s.execute(Orm.select(WeatherLocation.class).options(selectinLoad(WeatherLocation_.reports)))
                    .doOnNext(w -> byCity.put(w.city, w)).blockLast(T);
            WeatherLocation tokyo = byCity.get("Tokyo");
            WeatherLocation newyork = byCity.get("New York");
            Report byReference = new Report(81.0);
            byReference.location = tokyo;
            s.add(byReference);                      // its many-to-one target is in asia
            Report byCollection = new Report(76.0);
            newyork.reports.add(byCollection);
            s.add(byCollection);                     // held in a collection of a north_america object
            Report byCascade = new Report(82.0);
            tokyo.reports.add(byCascade);            // never added: joins asia by cascade at flush
            assertThat(s.shardOf(byReference)).isEqualTo("asia");
            assertThat(s.shardOf(byCollection)).isEqualTo("north_america");
            StepVerifier.create(s.commit()).verifyComplete();
            assertThat(s.identityKey(byCascade)).isEqualTo(new IdentityKey(Report.class, List.of(3), "asia"));
            assertThat(s.identityKey(byReference)).isEqualTo(new IdentityKey(Report.class, List.of(2), "asia"));
            assertThat(s.identityKey(byCollection)).isEqualTo(new IdentityKey(Report.class, List.of(3), "north_america"));
        } finally {
            s.close().block(T);
        }
        assertThat(reportRows("asia")).containsOnlyKeys(1, 2, 3).containsEntry(2, 81.0).containsEntry(3, 82.0);
        assertThat(reportRows("north_america")).containsOnlyKeys(1, 2, 3).containsEntry(3, 76.0);
        assertThat(reportRows("europe")).containsOnlyKeys(1);
    }

    @Test // O14: an object never changes shard: adding it to another, or reaching it from another's object, is refused
    void movingAnObjectBetweenShardsIsRefused() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            WeatherLocation tokyo = s.get(WeatherLocation.class, 1).block(T);
            assertThatThrownBy(() -> s.onShard("europe").add(tokyo)).isInstanceOf(InvalidRequestError.class)
                    .hasMessageContaining("is in shard 'asia' and cannot join shard 'europe'");
            assertThat(s.shardOf(tokyo)).isEqualTo("asia");

            Report stray = new Report(1.0);
            stray.location = tokyo;
            s.onShard("europe").add(stray);          // explicitly on europe, but its location is in asia
            StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class)
                    .hasMessageContaining("WeatherLocation@").hasMessageContaining("cannot join shard 'europe'")).verify(T);
            assertThat(s.shardOf(tokyo)).isEqualTo("asia");
            s.rollback().block(T);
            assertThat(sql.get("europe")).as("nothing was sent to europe").isEmpty();
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14: choosers naming unknown shards or none, missing choosers and bad builders fail with typed errors
    void wrongUseFailsWithTypedErrorsNamingTheProblem() {
        ShardedSession s = factory(b -> b.shardChooser(o -> "mars").identityChooser((t, k) -> List.of())
                .queryChooser(q -> List.of("asia", "atlantis"))).openSession();
        try {
            assertThatThrownBy(() -> s.add(new WeatherLocation(9, "Asia", "Osaka"))).isInstanceOf(ArgumentError.class)
                    .hasMessageContaining("'mars'").hasMessageContaining("[north_america, asia, europe]");
            StepVerifier.create(s.get(WeatherLocation.class, 1)).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(InvalidRequestError.class).hasMessageContaining("identity chooser")
                    .hasMessageContaining("get(WeatherLocation, 1)").hasMessageContaining("no shard")).verify(T);
            StepVerifier.create(s.execute(Orm.select(Report.class))).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(ArgumentError.class).hasMessageContaining("query chooser").hasMessageContaining("'atlantis'"))
                    .verify(T);
            assertThatThrownBy(() -> s.onShard("atlantis")).isInstanceOf(ArgumentError.class).hasMessageContaining("'atlantis'");
            assertThatThrownBy(() -> s.delete(new Report(1.0))).isInstanceOf(InvalidRequestError.class)
                    .hasMessageContaining("not in any shard");
            assertThat(statementCounts().values()).as("nothing was sent").containsOnly(0);
        } finally {
            s.close().block(T);
        }
        ShardedSession noChooser = ShardedSessionFactory.builder(REGISTRY).shard("asia", engines.get("asia")).build().openSession();
        assertThatThrownBy(() -> noChooser.add(new WeatherLocation(9, "Asia", "Osaka"))).isInstanceOf(InvalidRequestError.class)
                .hasMessageContaining("no shard chooser").hasMessageContaining("onShard(id).add");
        noChooser.close().block(T);
        ShardedSession emptyQuery = factory(b -> b.queryChooser(q -> List.of())).openSession();
        StepVerifier.create(emptyQuery.execute(Orm.update(Report.class).set(Report_.temperature, 0.0)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class)
                        .hasMessageContaining("returned no shard")).verify(T);
        emptyQuery.close().block(T);
        assertThatThrownBy(() -> ShardedSessionFactory.builder(REGISTRY).build()).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("at least one shard");
        assertThatThrownBy(() -> ShardedSessionFactory.builder(REGISTRY).shard("a", engines.get("asia"))
                .shard("a", engines.get("europe"))).isInstanceOf(ArgumentError.class).hasMessageContaining("'a' is declared twice");
        assertThatThrownBy(() -> ShardedSessionFactory.builder(REGISTRY)
                .shard("a", SessionFactory.of(engines.get("asia"), ShardingEntities.registry())))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("another OrmRegistry");
    }

    @Test // O14 + O9: bulk UPDATE/DELETE on every chosen shard, counts summed, each shard's objects synchronized
    void bulkStatementsRunOnEveryChosenShardAndSynchronizeEach() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            List<Report> reports = s.execute(Orm.select(Report.class)).collectList().block(T);
            clearSql();
            StepVerifier.create(s.execute(Orm.update(Report.class).set(Report_.temperature, Report_.temperature.plus(1.0))))
                    .expectNext(4L).verifyComplete(); // EVALUATE
            assertThat(reports).extracting(r -> r.temperature).containsExactlyInAnyOrder(76.0, 61.0, 81.0, 56.0);
            assertThat(statementCounts().values()).containsOnly(1);

            clearSql();
            StepVerifier.create(s.execute(Orm.delete(Report.class).where(Report_.temperature.gt(70.0))
                    .synchronize(SynchronizeSession.FETCH))).expectNext(2L).verifyComplete();
            assertThat(reports).filteredOn(s::contains).extracting(r -> r.temperature).containsExactlyInAnyOrder(61.0, 56.0);
            assertThat(statementCounts().values()).as("H2 reports the deleted keys in the DELETE itself").containsOnly(1);

            clearSql();
            // Pinned to a continent: only asia runs it.
            StepVerifier.create(s.execute(Orm.update(WeatherLocation.class).set(WeatherLocation_.city, "Tōkyō")
                    .where(WeatherLocation_.continent.eq("Asia")))).expectNext(1L).verifyComplete();
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 0), Map.entry("asia", 1),
                    Map.entry("europe", 0));
            s.commit().block(T);
        } finally {
            s.close().block(T);
        }
        assertThat(reportRows("north_america").values()).containsExactly(61.0);
        assertThat(reportRows("asia")).isEmpty();
        assertThat(reportRows("europe")).containsExactly(Map.entry(1, 56.0));
        assertThat(cities("asia")).containsExactly("Tōkyō");
    }

    @Test // O14: a flush failing on one shard commits nothing anywhere; the session needs, and survives, a rollback
    void aFlushFailureCommitsNoShard() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            s.add(new WeatherLocation(10, "North America", "Quebec"));
            s.add(new WeatherLocation(1, "Asia", "Osaka")); // key 1 is Tokyo's in asia's table
            StepVerifier.create(s.commit()).expectError(IntegrityError.class).verify(T);
            StepVerifier.create(s.commit()).expectError(PendingRollbackError.class).verify(T);
            StepVerifier.create(s.rollback()).verifyComplete();
            assertThat(s.inTransaction()).isFalse();
        } finally {
            s.close().block(T);
        }
        assertThat(cities("north_america")).containsExactly("New York", "Toronto");
        assertThat(cities("asia")).containsExactly("Tokyo");
    }

    @Test // O14: a COMMIT failing on a later shard: a PartialCommitError names the shards committed and rolled back
    void aCommitFailureOnALaterShardNamesTheShardsThatCommitted() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            // Asia's transaction runs on an H2 session whose id we learn; north_america commits first, and its
            // afterCommit listener then has H2 abort asia's session, so asia's COMMIT finds its connection gone.
            int asiaSession = s.onShard("asia").execute(Sql.text("SELECT SESSION_ID()")).map(r -> ((Number) r.get(0)).intValue())
                    .blockLast(T);
            s.onShard("north_america").events().afterCommit(session -> engines.get("asia")
                    .connect(c -> c.executeRaw("CALL ABORT_SESSION(" + asiaSession + ")").rowsAffected()).then());
            s.add(new WeatherLocation(10, "North America", "Quebec"));
            s.add(new WeatherLocation(11, "Asia", "Osaka"));
            s.add(new WeatherLocation(12, "Europe", "Paris"));
            StepVerifier.create(s.commit()).expectErrorSatisfies(e -> {
                assertThat(e).isInstanceOf(PartialCommitError.class).hasMessageContaining("failed on shard 'asia'")
                        .hasMessageContaining("[north_america] had committed");
                PartialCommitError p = (PartialCommitError) e;
                assertThat(p.committedShards()).containsExactly("north_america");
                assertThat(p.failedShard()).isEqualTo("asia");
                assertThat(p.rolledBackShards()).containsExactly("asia", "europe");
                assertThat(p.getCause()).isNotNull();
            }).verify(T);
            assertThat(s.inTransaction()).as("the failed and later shards were rolled back").isFalse();
            // Usable again: asia takes a fresh connection.
            StepVerifier.create(s.execute(Orm.select(WeatherLocation.class).where(WeatherLocation_.continent.eq("Asia"))))
                    .expectNextCount(1).verifyComplete();
        } finally {
            s.close().block(T);
        }
        assertThat(cities("north_america")).containsExactly("New York", "Quebec", "Toronto");
        assertThat(cities("asia")).containsExactly("Tokyo");
        assertThat(cities("europe")).containsExactly("London");
    }

    @Test // O14: onShard runs anything on one shard, Core statements included; its objects are the session's
    void onShardTargetsOneShard() {
        seed();
        Table reportTable = REGISTRY.mapper(Report.class).table();
        ShardedSession s = factory.openSession();
        try {
            StepVerifier.create(s.onShard("north_america").execute(Sql.select(Sql.count()).from(reportTable))
                    .map(r -> ((Number) r.get(0)).intValue())).expectNext(2).verifyComplete();
            Report r = s.onShard("europe").get(Report.class, 1).block(T);
            assertThat(s.identityKey(r)).isEqualTo(new IdentityKey(Report.class, List.of(1), "europe"));
            assertThat(statementCounts()).containsExactly(Map.entry("north_america", 1), Map.entry("asia", 0),
                    Map.entry("europe", 1));
            r.temperature = 0.0;
            s.commit().block(T);
        } finally {
            s.close().block(T);
        }
        assertThat(reportRows("europe")).containsExactly(Map.entry(1, 0.0));
        assertThat(reportRows("asia")).containsExactly(Map.entry(1, 80.0));
    }

    @Test // O14: inTransaction commits every used shard; an error rolls every one back
    void factoryScopesCommitOrRollBackEveryShard() {
        StepVerifier.create(factory.withTransaction(s -> {
            s.add(location(1, "Asia", "Tokyo", 80.0));
            s.add(location(2, "Europe", "London"));
            return Mono.just("done");
        })).expectNext("done").verifyComplete();
        assertThat(cities("asia")).containsExactly("Tokyo");
        assertThat(cities("europe")).containsExactly("London");

        StepVerifier.create(factory.inTransaction(s -> {
            s.add(location(3, "North America", "Quito"));
            return s.flush().then(Mono.error(new IllegalStateException("boom")));
        })).expectErrorMessage("boom").verify(T);
        assertThat(cities("north_america")).isEmpty();
    }

    @Test // O14: the README's sharding example, as written there but on this test's H2 shards
    void readmeExample() {
        Map<String, String> shardOf = Map.of("Asia", "asia", "North America", "north_america");
        ShardedSessionFactory sessions = ShardedSessionFactory.builder(REGISTRY)
                .shard("north_america", engines.get("north_america"))
                .shard("asia", engines.get("asia"))
                .shardChooser(o -> shardOf.get(((WeatherLocation) o).continent))       // a new location by its continent
                .queryChooser(q -> q.values(WeatherLocation_.continent)                 // continent = ? or IN (...) narrows
                        .map(cs -> cs.stream().map(shardOf::get).distinct().toList())
                        .orElse(List.of("north_america", "asia")))                      // anything else: every shard
                .build();

        sessions.withTransaction(s -> {
            WeatherLocation tokyo = new WeatherLocation(1, "Asia", "Tokyo");
            tokyo.reports.add(new Report(80.0));                                       // a report goes where its location goes
            WeatherLocation newyork = new WeatherLocation(2, "North America", "New York");
            newyork.reports.add(new Report(75.0));
            s.addAll(List.of(tokyo, newyork));
            return Mono.empty();
        }).block(T);

        List<IdentityKey> keys = sessions.inSession(s -> s.execute(Orm.select(Report.class))   // both shards, merged
                .map(s::identityKey)).collectList().block(T);
        assertThat(keys).containsExactly(new IdentityKey(Report.class, List.of(1), "north_america"),
                new IdentityKey(Report.class, List.of(1), "asia"));
        assertThat(sessions.inSession(s -> s.execute(Orm.select(WeatherLocation.class)
                .where(WeatherLocation_.continent.eq("Asia")))).map(w -> w.city).collectList().block(T)).containsExactly("Tokyo");
        assertThat(sql.get("north_america").get(sql.get("north_america").size() - 1)).contains("weather_report");
    }
}
