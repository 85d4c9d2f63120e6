package io.retort.benchmarks;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.orm.Load;
import io.retort.orm.Orm;
import io.retort.orm.OrmRegistry;
import io.retort.orm.Relationship;
import io.retort.orm.SessionFactory;

import io.retort.sql.Sql;
import io.retort.sql.Table;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * ORM against the raw driver doing the same work by hand (issue #5), on PostgreSQL:
 * {@code session.get} by key in a fresh session vs a raw point select; loading 1,000 parents ×
 * 10 children with selectin vs two hand-written statements ({@code = ANY($1)}) plus grouping;
 * flushing 10,000 new objects (5,000 parents with one child each) vs Core executemany of the
 * same rows. Tables {@code bench_orm_parent}/{@code bench_orm_child} are created by setup.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrmBenchmark extends BenchmarkSettings {
    static final int PARENTS = 1000;
    static final int CHILDREN = 10;

    /** A benchmark parent. */
    @Entity
    @jakarta.persistence.Table(name = "bench_orm_parent")
    public static class BParent {
        @Id
        public Integer id;
        @Column(length = 40)
        public String name;
        @OneToMany(mappedBy = "parent")
        public List<BChild> children;
    }

    /** A benchmark child. */
    @Entity
    @jakarta.persistence.Table(name = "bench_orm_child")
    public static class BChild {
        @Id
        public Integer id;
        @Column(length = 40)
        public String name;
        public Integer score;
        @ManyToOne
        @JoinColumn(name = "parent_id")
        public BParent parent;
    }

    /** What the raw side materialises for a child. */
    record ChildRow(int id, int parentId, String name, int score) {
    }

    private ConnectionFactory factory;
    private ConnectionPool rawPool;
    private Engine engine;
    private SessionFactory sessions;
    private Engine pingingEngine;
    private SessionFactory pingingSessions;
    private Relationship<BParent, BChild> children;
    private Table parentTable;
    private Table childTable;
    private int nextId;

    @Setup
    public void setUp() {
        factory = BenchDatabase.connectionFactory();
        rawPool = BenchDatabase.pool(factory, 8);
        // Configured like the raw pool (no validation on checkout), so the pair compares the same
        // work; ormGetInFreshSessionPrePing shows the engine's default, which pings each checkout.
        engine = Engine.create(factory, EngineOptions.builder().maxPoolSize(8).initialPoolSize(8).prePing(false).build());
        pingingEngine = Engine.create(factory, EngineOptions.builder().maxPoolSize(8).initialPoolSize(8).build());
        OrmRegistry registry = OrmRegistry.of(BParent.class, BChild.class);
        sessions = SessionFactory.of(engine, registry);
        pingingSessions = SessionFactory.of(pingingEngine, registry);
        children = registry.mapper(BParent.class).relationship("children");
        parentTable = registry.mapper(BParent.class).table();
        childTable = registry.mapper(BChild.class).table();
        engine.connect(c -> c.executeRaw("DROP TABLE IF EXISTS bench_orm_child").rowsAffected()
                .then(c.executeRaw("DROP TABLE IF EXISTS bench_orm_parent").rowsAffected())
                .then(c.execute(Sql.createTable(parentTable)).rowsAffected())
                .then(c.execute(Sql.createTable(childTable)).rowsAffected())
                // The foreign key indexed, as a real schema has it: without the index PostgreSQL's
                // generic plan for "parent_id = ANY($1)" scans the table and searches the 1,000-key
                // array linearly for each row (~18 ms of server time, for both sides alike).
                .then(c.executeRaw("CREATE INDEX bench_orm_child_parent ON bench_orm_child (parent_id)").rowsAffected()))
                .blockLast(BenchDatabase.TIMEOUT);
        List<Map<io.retort.sql.Column<?>, Object>> ps = new ArrayList<>();
        List<Map<io.retort.sql.Column<?>, Object>> cs = new ArrayList<>();
        for (int p = 1; p <= PARENTS; p++) {
            ps.add(row(parentTable, "id", p, "name", "parent " + p));
            for (int k = 0; k < CHILDREN; k++) {
                int id = p * 100 + k;
                cs.add(row(childTable, "id", id, "name", "child " + id, "score", k, "parent_id", p));
            }
        }
        engine.connect(c -> c.executeMany(Sql.insert(parentTable), ps).rowsAffected()
                .then(c.executeMany(Sql.insert(childTable), cs).rowsAffected())
                .then(c.executeRaw("ANALYZE bench_orm_parent").rowsAffected())
                .then(c.executeRaw("ANALYZE bench_orm_child").rowsAffected())).blockLast(BenchDatabase.TIMEOUT);
        nextId = 10_000_000;
    }

    private static Map<io.retort.sql.Column<?>, Object> row(Table t, Object... pairs) {
        Map<io.retort.sql.Column<?>, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(t.c((String) pairs[i]), pairs[i + 1]);
        }
        return m;
    }

    @TearDown
    public void tearDown() {
        engine.close();
        pingingEngine.close();
        rawPool.dispose();
    }

    @Benchmark
    public Object ormGetInFreshSession() {
        int id = ThreadLocalRandom.current().nextInt(1, PARENTS + 1);
        return sessions.inSession(s -> s.get(BParent.class, id)).blockLast(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    public Object ormGetInFreshSessionPrePing() {
        int id = ThreadLocalRandom.current().nextInt(1, PARENTS + 1);
        return pingingSessions.inSession(s -> s.get(BParent.class, id)).blockLast(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    public Object rawPointSelect() {
        int id = ThreadLocalRandom.current().nextInt(1, PARENTS + 1);
        return Mono.usingWhen(rawPool.create(),
                c -> Flux.from(c.createStatement("SELECT id, name FROM bench_orm_parent WHERE id = $1").bind(0, id).execute())
                        .concatMap(r -> r.map((row, meta) -> new Object[]{row.get(0, Integer.class), row.get(1, String.class)}))
                        .next(),
                c -> c.close()).block(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    public void ormSelectin1000x10(Blackhole bh) {
        List<BParent> ps = sessions.inSession(s -> s.execute(Orm.select(BParent.class)
                .options(Load.selectinLoad(children)))).collectList().block(BenchDatabase.TIMEOUT);
        bh.consume(ps);
        if (ps.size() != PARENTS || ps.get(0).children.size() != CHILDREN) {
            throw new IllegalStateException("wrong graph");
        }
    }

    @Benchmark
    public void raw1000x10(Blackhole bh) {
        Map<Integer, List<ChildRow>> grouped = Mono.usingWhen(rawPool.create(), c ->
                Flux.from(c.createStatement("SELECT id, name FROM bench_orm_parent").execute())
                        .concatMap(r -> r.map((row, meta) -> new Object[]{row.get(0, Integer.class), row.get(1, String.class)}))
                        .collectList()
                        .flatMap(parents -> {
                            Integer[] ids = new Integer[parents.size()];
                            for (int i = 0; i < ids.length; i++) {
                                ids[i] = (Integer) parents.get(i)[0];
                            }
                            return Flux.from(c.createStatement("SELECT id, parent_id, name, score FROM bench_orm_child"
                                            + " WHERE parent_id = ANY($1) ORDER BY id").bind(0, ids).execute())
                                    .concatMap(r -> r.map((row, meta) -> new ChildRow(row.get(0, Integer.class),
                                            row.get(1, Integer.class), row.get(2, String.class), row.get(3, Integer.class))))
                                    .collect(HashMap<Integer, List<ChildRow>>::new,
                                            (m, ch) -> m.computeIfAbsent(ch.parentId(), k -> new ArrayList<>()).add(ch));
                        }), c -> c.close()).block(BenchDatabase.TIMEOUT);
        bh.consume(grouped);
        if (grouped.size() != PARENTS) {
            throw new IllegalStateException("wrong graph");
        }
    }

    /**
     * O17: the 1,000 × 10 graph streamed in chunks of 500 parents through a server-side cursor,
     * each chunk's children loaded by one array-bound query before its parents are emitted
     * (DECLARE, FETCH, IN query, FETCH, IN query, FETCH, CLOSE in one transaction), detached.
     * Pair: {@link #raw1000x10}, which reads everything in two statements.
     */
    @Benchmark
    public void ormStreamSelectin1000x10(Blackhole bh) {
        long[] seen = new long[2];
        sessions.inTransaction(s -> s.streamDetached(Orm.select(BParent.class).options(Load.selectinLoad(children)), 500)
                .doOnNext(p -> {
                    seen[0]++;
                    seen[1] += p.children.size();
                    bh.consume(p);
                })).blockLast(BenchDatabase.TIMEOUT);
        if (seen[0] != PARENTS || seen[1] != PARENTS * CHILDREN) {
            throw new IllegalStateException("wrong graph: " + seen[0] + " parents, " + seen[1] + " children");
        }
    }

    /**
     * O18: 1,000 parents, then one {@code fetch} per parent in a {@code flatMap}, coalesced into
     * batched IN queries instead of 1,000. Pair: {@link #raw1000x10}.
     */
    @Benchmark
    public void ormCoalescedFetch1000x10(Blackhole bh) {
        Long total = sessions.inSession(s -> s.execute(Orm.select(BParent.class))
                .flatMap(p -> s.fetch(p, children).map(List::size))
                .reduce(0L, Long::sum)).blockLast(BenchDatabase.TIMEOUT);
        bh.consume(total);
        if (total == null || total != PARENTS * CHILDREN) {
            throw new IllegalStateException("wrong graph: " + total + " children");
        }
    }

    @Setup(Level.Invocation)
    public void cleanWrites() {
        engine.connect(c -> c.executeRaw("DELETE FROM bench_orm_child WHERE id >= 10000000").rowsAffected()
                .then(c.executeRaw("DELETE FROM bench_orm_parent WHERE id >= 10000000").rowsAffected()))
                .blockLast(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    public void ormFlush10k() {
        int base = nextId;
        sessions.inTransaction(s -> {
            for (int i = 0; i < 5000; i++) {
                BParent p = new BParent();
                p.id = base + i;
                p.name = "new " + i;
                BChild ch = new BChild();
                ch.id = base + i;
                ch.name = "kid " + i;
                ch.score = i;
                ch.parent = p;
                p.children = new ArrayList<>(List.of(ch));
                s.add(p);
            }
            return Mono.empty();
        }).blockLast(BenchDatabase.TIMEOUT);
    }

    @Benchmark
    public void coreExecuteMany10k() {
        int base = nextId;
        List<Map<io.retort.sql.Column<?>, Object>> ps = new ArrayList<>(5000);
        List<Map<io.retort.sql.Column<?>, Object>> cs = new ArrayList<>(5000);
        for (int i = 0; i < 5000; i++) {
            ps.add(row(parentTable, "id", base + i, "name", "new " + i));
            cs.add(row(childTable, "id", base + i, "name", "kid " + i, "score", i, "parent_id", base + i));
        }
        engine.inTransaction(c -> c.executeMany(Sql.insert(parentTable), ps).rowsAffected()
                .then(c.executeMany(Sql.insert(childTable), cs).rowsAffected())).blockLast(BenchDatabase.TIMEOUT);
    }
}
