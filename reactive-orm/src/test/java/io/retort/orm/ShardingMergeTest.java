package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.StatementObserver;
import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Sql;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * O14: ORDER BY, LIMIT and OFFSET hold across the shards of a sharded query, on three in-memory H2
 * shards: a k-way merge by the ORDER BY (ascending, descending, several keys, NULL placement,
 * strings by code point), LIMIT and OFFSET applied after it, the typed errors of an ORDER BY the
 * merge cannot follow and of a shard whose rows break its order, and a streamed merge that reads a
 * shard's next chunk only when it needs it. Every test ends with every shard's pool idle.
 */
class ShardingMergeTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final OrmRegistry REGISTRY = OrmRegistry.of(Track.class);
    private static final List<String> SHARDS = List.of("a", "b", "c");

    private final Map<String, Engine> engines = new LinkedHashMap<>();
    /** SQL sent per shard (not BEGIN/COMMIT). */
    private final Map<String, List<String>> sql = new LinkedHashMap<>();
    /** Per shard, the rows each ended statement had emitted, and how it ended ("ok 3", "cancelled 2"). */
    private final Map<String, List<String>> ends = new ConcurrentHashMap<>();
    private ShardedSessionFactory factory;

    /** A track, placed explicitly with {@code onShard(id).add}: the tests choose where every row is. */
    @Entity
    @jakarta.persistence.Table(name = "shard_track")
    static class Track {
        @Id
        Integer id;
        @Column(nullable = false, length = 40)
        String name;
        Integer ms;
        @Column(length = 20)
        String genre;

        Track() {
        }

        Track(int id, String name, Integer ms, String genre) {
            this.id = id;
            this.name = name;
            this.ms = ms;
            this.genre = genre;
        }

        @Override
        public String toString() {
            return id + ":" + name;
        }
    }

    @BeforeEach
    void openShards() {
        for (String id : SHARDS) {
            Engine e = Engine.create("r2dbc:h2:mem:///merge_" + id + "_" + UUID.randomUUID().toString().replace("-", "")
                    + ";DB_CLOSE_DELAY=-1", EngineOptions.builder().maxPoolSize(3).build());
            e.connect(c -> Flux.fromIterable(REGISTRY.tables()).concatMap(t -> c.execute(Sql.createTable(t)).rowsAffected()))
                    .blockLast(T);
            List<String> sent = new CopyOnWriteArrayList<>();
            List<String> ended = new CopyOnWriteArrayList<>();
            e.observeStatements(start -> {
                sent.add(start.sql());
                return new StatementObserver.Execution() {
                    public void succeeded(long returnedRows, long rowsAffected) {
                        ended.add("ok " + returnedRows);
                    }

                    public void failed(Throwable error) {
                        ended.add("failed");
                    }

                    public void cancelled(long returnedRows) {
                        ended.add("cancelled " + returnedRows);
                    }
                };
            });
            engines.put(id, e);
            sql.put(id, sent);
            ends.put(id, ended);
        }
        ShardedSessionFactory.Builder b = ShardedSessionFactory.builder(REGISTRY);
        engines.forEach(b::shard);
        // Narrowed to one shard by "id = n" (its row's shard), for the one-shard cases; else every shard.
        factory = b.queryChooser(q -> q.values(Track_.id).map(ids -> List.of(SHARDS.get((ids.iterator().next() - 1) % 3)))
                .orElse(SHARDS)).build();
    }

    @AfterEach
    void poolsIdleThenClose() throws InterruptedException {
        try {
            for (Map.Entry<String, Engine> e : engines.entrySet()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                Engine.PoolStats s = e.getValue().poolStats().orElseThrow();
                while ((s.acquired() > 0 || s.pending() > 0) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    s = e.getValue().poolStats().orElseThrow();
                }
                assertThat(s.acquired()).as("connections of shard %s still acquired (leak): %s", e.getKey(), s).isZero();
                assertThat(s.pending()).as("acquirers of shard %s still waiting: %s", e.getKey(), s).isZero();
            }
        } finally {
            engines.values().forEach(e -> e.dispose().block(T));
        }
    }

    /**
     * Nine tracks, three per shard, with names that sort differently by code point than by case-
     * insensitive or locale collation, and NULL lengths and genres on every shard.
     */
    private void seed() {
        factory.inTransaction(s -> {
            s.onShard("a").add(new Track(1, "apple", 300, "rock"));
            s.onShard("a").add(new Track(4, "Banana", null, "jazz"));
            s.onShard("a").add(new Track(7, "cherry", 100, null));
            s.onShard("b").add(new Track(2, "Apple", 200, "rock"));
            s.onShard("b").add(new Track(5, "banana", null, "pop"));
            s.onShard("b").add(new Track(8, "date", 400, "jazz"));
            s.onShard("c").add(new Track(3, "apricot", 100, "pop"));
            s.onShard("c").add(new Track(6, "Cherry", 250, null));
            s.onShard("c").add(new Track(9, "elder", null, "rock"));
            return Mono.empty();
        }).blockLast(T);
        clear();
    }

    private void clear() {
        sql.values().forEach(List::clear);
        ends.values().forEach(List::clear);
    }

    private List<Integer> ids(EntitySelect<Track> q) {
        return factory.inSession(s -> s.execute(q)).map(t -> t.id).collectList().block(T);
    }

    private static EntitySelect<Track> tracks() {
        return Orm.select(Track.class);
    }

    @Test // O14: ORDER BY holds for the whole result, ascending and descending (strings by code point, ties in shard order)
    void orderByMergesTheShardsResults() {
        seed();
        assertThat(ids(tracks().orderBy(Track_.name))).containsExactly(2, 4, 6, 1, 3, 5, 7, 8, 9);
        assertThat(ids(tracks().orderBy(Track_.name.desc()))).containsExactly(9, 8, 7, 5, 3, 1, 6, 4, 2);
        assertThat(ids(tracks().orderBy(Track_.id))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        // Two tracks of 100 ms on shards a (7) and c (3): equal keys keep the chooser's shard order.
        assertThat(ids(tracks().orderBy(Track_.ms.asc().nullsLast()))).containsExactly(7, 3, 2, 6, 1, 8, 4, 5, 9);
        assertThat(sql.get("a")).hasSize(4).allSatisfy(q -> assertThat(q).contains("ORDER BY"));
    }

    @Test // O14: several keys; NULLs lowest unless the term says; explicit NULLS FIRST/LAST honoured both ways
    void severalKeysAndNullPlacement() {
        seed();
        assertThat(ids(tracks().orderBy(Track_.ms, Track_.name))).as("NULLs first ascending")
                .containsExactly(4, 5, 9, 3, 7, 2, 6, 1, 8);
        assertThat(ids(tracks().orderBy(Track_.ms.desc(), Track_.name.desc()))).as("NULLs last descending")
                .containsExactly(8, 1, 6, 2, 7, 3, 9, 5, 4);
        assertThat(ids(tracks().orderBy(Track_.ms.asc().nullsLast(), Track_.name))).containsExactly(3, 7, 2, 6, 1, 8, 4, 5, 9);
        assertThat(ids(tracks().orderBy(Track_.ms.desc().nullsFirst(), Track_.id)))
                .containsExactly(4, 5, 9, 8, 1, 6, 2, 3, 7);
        assertThat(ids(tracks().orderBy(Track_.genre, Track_.id.desc()))).containsExactly(7, 6, 8, 4, 5, 3, 9, 2, 1);
        // Every shard is told where the NULLs of a nullable column go; a NOT NULL column needs no word.
        assertThat(sql.get("b").get(0)).contains("NULLS FIRST").doesNotContain("name NULLS");
    }

    @Test // O14: LIMIT n OFFSET m: each shard is sent LIMIT n + m and no OFFSET; the merge skips m and keeps n
    void limitAndOffsetApplyAfterTheMerge() {
        seed();
        assertThat(ids(tracks().orderBy(Track_.name).limit(3))).containsExactly(2, 4, 6);
        clear();
        assertThat(ids(tracks().orderBy(Track_.name).limit(3).offset(2))).containsExactly(6, 1, 3);
        assertThat(sql.values()).allSatisfy(l -> assertThat(l).singleElement().asString()
                .containsAnyOf("LIMIT", "FETCH FIRST").doesNotContain("OFFSET"));
        assertThat(ends.values()).as("each shard returned at most limit + offset rows").allSatisfy(l -> assertThat(l)
                .containsExactly("ok 3"));
        assertThat(ids(tracks().orderBy(Track_.name.desc()).offset(6))).containsExactly(6, 4, 2);
        assertThat(ids(tracks().orderBy(Track_.name).limit(5).offset(20))).isEmpty();
        // Without ORDER BY, LIMIT and OFFSET cut the shards' results taken one shard after the other.
        List<String> tokens = factory.inSession(s -> s.execute(tracks().limit(4).offset(2)).map(s::identityToken))
                .collectList().block(T);
        assertThat(tokens).containsExactly("a", "b", "b", "b");
    }

    @Test // O14: a query the chooser sends to one shard runs its paging there, with the same explicit order
    void oneShardRunsItsOwnPaging() {
        seed();
        assertThat(ids(tracks().where(Track_.id.eq(4)).orderBy(Track_.name).limit(1).offset(0))).containsExactly(4);
        assertThat(sql.get("a")).singleElement().asString().contains("OFFSET");
        assertThat(sql.get("b")).isEmpty();
        // Not mergeable, but alone: the database orders it.
        assertThat(ids(tracks().where(Track_.id.eq(4)).orderBy(Sql.function("lower", SqlTypes.VARCHAR, Track_.name)))).containsExactly(4);
    }

    @Test // O14: an ORDER BY the merge cannot read fails over several shards with an ArgumentError saying why
    void unmergeableOrderByIsRefused() {
        seed();
        StepVerifier.create(factory.inSession(s -> s.execute(tracks().orderBy(Sql.function("lower", SqlTypes.VARCHAR, Track_.name)))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                        .hasMessageContaining("not a mapped column attribute of Track").hasMessageContaining("onShard(id)"))
                .verify(T);
        io.retort.sql.TableAlias other = REGISTRY.mapper(Track.class).table().as("other");
        StepVerifier.create(factory.inSession(s -> s.stream(tracks().orderBy(other.c("name")), 2)))
                .expectError(ArgumentError.class).verify(T);
        assertThat(sql.values()).as("refused before any shard was asked").allSatisfy(l -> assertThat(l).isEmpty());
    }

    @Test // O14: a shard whose rows break the merge's order (a stale object here) fails the query, naming the shard
    void aShardOutOfTheMergesOrderFailsTheQuery() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            List<Track> all = s.execute(tracks()).collectList().block(T);
            assertThat(all).hasSize(9);
            Table t = REGISTRY.mapper(Track.class).table();
            // Another transaction renames shard a's "apple"; the session's object still says "apple".
            engines.get("a").execute(Sql.update(t).set(t.c("name", SqlTypes.VARCHAR), "zebra")
                    .where(t.c("id", SqlTypes.INTEGER).eq(1))).blockLast(T);
            StepVerifier.create(s.execute(tracks().orderBy(Track_.name)))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class)
                            .hasMessageContaining("Shard 'a'").hasMessageContaining("name 'cherry' then 'apple'"))
                    .verify(T);
            // Refreshed, the object agrees with its row and the merge goes through.
            s.refresh(all.get(0)).block(T);
            assertThat(s.execute(tracks().orderBy(Track_.name)).map(x -> x.id).collectList().block(T))
                    .containsExactly(2, 4, 6, 3, 5, 7, 8, 9, 1);
        } finally {
            s.close().block(T);
        }
    }

    /** Eighteen tracks, ids 1..18, id n on shard (n - 1) % 3: the shards' rows interleave by id. */
    private void seedInterleaved() {
        factory.inTransaction(s -> {
            for (int i = 1; i <= 18; i++) {
                s.onShard(SHARDS.get((i - 1) % 3)).add(new Track(i, "t" + i, i * 10, null));
            }
            return Mono.empty();
        }).blockLast(T);
        clear();
    }

    @Test // O14 + O17: the streamed merge reads a shard's next chunk only when it needs that shard's next entity
    void streamedMergeReadsAsTheMergeNeeds() throws InterruptedException {
        seedInterleaved();
        ShardedSession s = factory.openSession();
        try {
            // A shard's stream reads its next chunk once its chunk's last entity is taken (on the
            // driver's thread, so only upper bounds are certain), and the merge holds each shard's
            // next entity: while the first 6 of 18 are taken, no shard can have read past its second chunk.
            StepVerifier.create(s.stream(tracks().orderBy(Track_.id), 2).map(t -> t.id), 0)
                    .thenRequest(3)
                    .expectNext(1, 2, 3)
                    .then(() -> assertThat(loaded(s).values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(4)))
                    .thenRequest(3)
                    .expectNext(4, 5, 6)
                    .then(() -> assertThat(loaded(s).values()).as("the merge holds 7, 8, 9: no shard needed more")
                            .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(4)))
                    .thenRequest(1)
                    .expectNext(7)
                    .then(() -> {
                        Map<String, Integer> n = loaded(s);
                        assertThat(n.get("b")).as("only shard a may read on: its next (10) ends its second chunk")
                                .isLessThanOrEqualTo(4);
                        assertThat(n.get("c")).isLessThanOrEqualTo(4);
                    })
                    .thenCancel()
                    .verify(T);
            assertThat(statementCounts()).as("one statement per shard").containsOnly(1);
            waitForEnds();
            assertThat(ends.get("b")).singleElement().asString().startsWith("cancelled");
            assertThat(rows(ends.get("b"))).as("rows shard b returned before the cancel").isLessThan(6L);
            assertThat(rows(ends.get("c"))).as("rows shard c returned before the cancel").isLessThan(6L);
            // The session goes on: its identity maps hold the objects read, and a new query runs.
            StepVerifier.create(s.execute(tracks().orderBy(Track_.id.desc()).limit(2)).map(t -> t.id))
                    .expectNext(18, 17).verifyComplete();
            assertThat(s.onShard("a").contains(s.onShard("a").get(Track.class, 1).block(T))).isTrue();
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14 + O17: a streamed LIMIT stops at n + m per shard and completes without cancelling any statement
    void streamedLimitReadsNoFurtherThanTheLimit() {
        seedInterleaved();
        ShardedSession s = factory.openSession();
        try {
            StepVerifier.create(s.stream(tracks().orderBy(Track_.id.desc()).limit(4).offset(1), 2).map(t -> t.id))
                    .expectNext(17, 16, 15, 14).verifyComplete();
            assertThat(ends.values()).as("each shard read its LIMIT 5 to its end, none was cancelled")
                    .allSatisfy(l -> assertThat(l).containsExactly("ok 5"));
            assertThat(loaded(s).values()).containsOnly(5);
            // Without ORDER BY a later shard is not queried once the limit is reached.
            clear();
            StepVerifier.create(s.stream(tracks().limit(3), 2)).expectNextCount(3).verifyComplete();
            assertThat(statementCounts()).containsExactly(1, 0, 0);
        } finally {
            s.close().block(T);
        }
    }

    @Test // O14: cancelling the buffered merge after its first entity leaves sessions, identity maps and pools as they were
    void cancellingTheMergeLeavesTheSessionUsable() {
        seed();
        ShardedSession s = factory.openSession();
        try {
            StepVerifier.create(s.execute(tracks().orderBy(Track_.name).limit(4)).map(t -> t.id), 1)
                    .expectNext(2).thenCancel().verify(T);
            assertThat(statementCounts()).containsOnly(1);
            assertThat(ends.values()).allSatisfy(l -> assertThat(l).singleElement().asString().startsWith("ok"));
            assertThat(loaded(s)).containsExactly(Map.entry("a", 3), Map.entry("b", 3), Map.entry("c", 3));
            clear();
            StepVerifier.create(s.execute(tracks().orderBy(Track_.name).limit(4)).map(t -> t.id))
                    .expectNext(2, 4, 6, 1).verifyComplete();
            assertThat(loaded(s)).as("the same objects again, none twice").containsExactly(Map.entry("a", 3),
                    Map.entry("b", 3), Map.entry("c", 3));
        } finally {
            s.close().block(T);
        }
    }

    private static Map<String, Integer> loaded(ShardedSession s) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String id : SHARDS) {
            out.put(id, s.onShard(id).trackedCount());
        }
        return out;
    }

    private List<Integer> statementCounts() {
        List<Integer> out = new ArrayList<>();
        sql.values().forEach(l -> out.add(l.size()));
        return out;
    }

    private void waitForEnds() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ends.values().stream().anyMatch(List::isEmpty) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static long rows(List<String> ended) {
        String last = ended.get(ended.size() - 1);
        return Long.parseLong(last.substring(last.indexOf(' ') + 1));
    }
}
