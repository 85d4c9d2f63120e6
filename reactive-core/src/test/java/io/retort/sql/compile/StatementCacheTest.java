package io.retort.sql.compile;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.retort.sql.Select;
import io.retort.sql.Sql;
import io.retort.sql.Statement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.retort.sql.Sql.literal;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.text;
import static io.retort.sql.compile.KeyFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compiled-statement cache (C2): compile once, hit after, bounded, DDL and size 0 bypass it. */
class StatementCacheTest {
    private static final long SEED = Long.getLong("retort.cachekey.seed", 0x5EEDC2B17L);

    /** One shape, many values: an IN list of varying length (empty too), LIKE with autoescape, LIMIT. */
    private static Select shape(Random r) {
        List<Integer> ids = new ArrayList<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            ids.add(r.nextInt(1000));
        }
        String prefix = "a%_" + r.nextInt(100);
        return select(TRACK_NAME, TRACK_PRICE)
                .where(TRACK_ALBUM_ID.in(ids), TRACK_NAME.startsWith(prefix, true))
                .orderBy(TRACK_NAME.desc())
                .limit(1 + r.nextInt(100))
                .offset(r.nextInt(100));
    }

    private static void assertSameBound(BoundStatement actual, BoundStatement expected, String what) {
        assertThat(actual.sql()).as(what).isEqualTo(expected.sql());
        assertThat(actual.values()).as(what).isEqualTo(expected.values());
        assertThat(actual.types()).as(what).isEqualTo(expected.types());
    }

    @Test
    void aShapeIsCompiledOnceThenServedFromTheCacheWithEachExecutionsValues() {
        StatementCache cache = new StatementCache(100);
        Random r = new Random(SEED);
        CompiledStatement first = null;
        for (int i = 0; i < 1000; i++) {
            Select s = shape(r);
            StatementCache.Lookup l = cache.lookup(AnsiDialect.INSTANCE, s);
            assertThat(l.hit()).as("execution %d [seed %d]", i, SEED).isEqualTo(i > 0);
            if (first == null) {
                first = l.compiled();
            }
            assertThat(l.compiled()).as("the one compiled statement is reused").isSameAs(first);
            assertSameBound(l.bind(), fresh(s, AnsiDialect.INSTANCE), "execution " + i + " [seed " + SEED + "]");
        }
        CacheStats stats = cache.stats();
        assertThat(stats.missCount()).isEqualTo(1);
        assertThat(stats.hitCount()).isEqualTo(999);
        assertThat(stats.requestCount()).isEqualTo(1000);
        assertThat(stats.loadSuccessCount()).as("compiled once").isEqualTo(1);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void theFirstLookupIsOneMissNotTwo() {
        StatementCache cache = new StatementCache(10);
        cache.lookup(AnsiDialect.INSTANCE, select(ARTIST_NAME).where(ARTIST_ID.eq(1)));
        assertThat(cache.stats().missCount()).isEqualTo(1);
        assertThat(cache.stats().hitCount()).isZero();
        cache.lookup(AnsiDialect.INSTANCE, select(ARTIST_NAME).where(ARTIST_ID.eq(2)));
        assertThat(cache.stats().missCount()).isEqualTo(1);
        assertThat(cache.stats().hitCount()).isEqualTo(1);
    }

    @Test
    void concurrentExecutionsOfOneShapeCompileItOnce() throws Exception {
        StatementCache cache = new StatementCache(100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = SEED + t;
                tasks.add(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 250; i++) {
                        Select s = shape(r);
                        assertSameBound(cache.lookup(AnsiDialect.INSTANCE, s).bind(), fresh(s, AnsiDialect.INSTANCE),
                                "thread seed " + seed + " execution " + i);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.stats().missCount()).isEqualTo(1);
        assertThat(cache.stats().hitCount()).isEqualTo(999);
        assertThat(cache.stats().loadSuccessCount()).isEqualTo(1);
    }

    @Test
    void theCacheStaysBounded() {
        StatementCache cache = new StatementCache(100);
        for (int i = 0; i < 10_000; i++) {
            // An inline literal is part of the SQL text, so each i is a distinct shape.
            Statement s = i % 2 == 0 ? select(ARTIST_NAME).where(ARTIST_ID.eq(literal(i)))
                    : text("SELECT name FROM artist WHERE artist_id = " + i + " AND name = :n").bind("n", "x");
            StatementCache.Lookup l = cache.lookup(AnsiDialect.INSTANCE, s);
            assertThat(l.hit()).isFalse();
            assertThat(l.bind().sql()).contains(String.valueOf(i));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(100).isPositive();
        assertThat(cache.stats().missCount()).isEqualTo(10_000);
        assertThat(cache.stats().evictionCount()).isGreaterThanOrEqualTo(10_000 - 100);

        // What is still cached is still served correctly.
        Statement recent = select(ARTIST_NAME).where(ARTIST_ID.eq(literal(9998)));
        assertThat(cache.lookup(AnsiDialect.INSTANCE, recent).bind().sql())
                .isEqualTo("SELECT artist.name FROM artist WHERE artist.artist_id = 9998");
        cache.clear();
        assertThat(cache.size()).isZero();
    }

    @Test
    void ddlIsNeverCached() {
        StatementCache cache = new StatementCache(100);
        for (int i = 0; i < 3; i++) {
            for (Statement ddl : List.of(Sql.createTable(ARTIST), Sql.createTableIfNotExists(TRACK),
                    Sql.dropTableIfExists(ALBUM), Sql.commentOn(ARTIST, "c" + i))) {
                StatementCache.Lookup l = cache.lookup(AnsiDialect.INSTANCE, ddl);
                assertThat(l.hit()).isFalse();
                assertThat(l.compiled().kind()).isEqualTo(CompiledStatement.Kind.DDL);
            }
        }
        StatementCache.Lookup comment = cache.lookup(AnsiDialect.INSTANCE, Sql.commentOn(ARTIST, "it's"));
        assertThat(comment.bind().sql()).isEqualTo("COMMENT ON TABLE artist IS 'it''s'");
        assertThat(cache.size()).isZero();
        assertThat(cache.stats().requestCount()).isZero();
    }

    @Test
    void sizeZeroDisablesCaching() {
        StatementCache cache = new StatementCache(0);
        Random r = new Random(SEED);
        CompiledStatement previous = null;
        for (int i = 0; i < 20; i++) {
            Select s = shape(r);
            StatementCache.Lookup l = cache.lookup(AnsiDialect.INSTANCE, s);
            assertThat(l.hit()).isFalse();
            assertThat(l.compiled()).as("compiled again each time").isNotSameAs(previous);
            previous = l.compiled();
            assertSameBound(l.bind(), fresh(s, AnsiDialect.INSTANCE), "execution " + i);
        }
        assertThat(cache.size()).isZero();
        assertThat(cache.stats().requestCount()).isZero();
    }

    @Test
    void aNegativeSizeIsRefused() {
        assertThatThrownBy(() -> new StatementCache(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumSize");
    }

    /** What the engine derives from a cached statement (its row shape) is computed once and shared by every hit. */
    @Test
    void aDerivedValueIsComputedOnceAndSharedByHits() {
        StatementCache cache = new StatementCache(10);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Function<CompiledStatement, List<String>> labels = c -> {
            calls.incrementAndGet();
            List<String> l = new ArrayList<>();
            c.resultColumns().forEach(r -> l.add(r.label()));
            return l;
        };
        CompiledStatement first = cache.lookup(AnsiDialect.INSTANCE, select(ARTIST_NAME).where(ARTIST_ID.eq(1))).compiled();
        CompiledStatement hit = cache.lookup(AnsiDialect.INSTANCE, select(ARTIST_NAME).where(ARTIST_ID.eq(2))).compiled();
        assertThat(hit).isSameAs(first);
        List<String> a = first.derived(labels);
        assertThat(a).containsExactly("name");
        assertThat(hit.derived(labels)).isSameAs(a);
        assertThat(calls).hasValue(1);
        // another function takes the slot over; the first is computed again when asked again
        assertThat(first.<Integer>derived(c -> c.resultColumns().size())).isEqualTo(1);
        assertThat(first.derived(labels)).isEqualTo(a).isNotSameAs(a);
        assertThat(calls).hasValue(2);
    }
}
