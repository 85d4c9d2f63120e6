package io.retort.tck.suite;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.retort.engine.Engine;
import io.retort.sql.Select;
import io.retort.sql.compile.Dialect;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.TckSchema;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.retort.sql.Sql.select;
import static io.retort.tck.TckSchema.ARTIST;
import static io.retort.tck.TckSchema.TRACK;
import static io.retort.tck.suite.SuiteSupport.TIMEOUT;
import static io.retort.tck.suite.SuiteSupport.dialect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * C2 on the real servers (SQLAlchemy 1.4 "transparent SQL compilation caching"): statements of
 * one shape compile once per engine whatever their values, and each execution still binds its own
 * values; IN lists of every length share one entry, and on PostgreSQL one SQL text (C5).
 */
@ExtendWith(TckOracle.class)
public interface CacheSuite extends TckBackend {

    @Test // one shape, 100 values: 1 miss then 99 hits, and every execution returns its own row
    default void sameShapeCompilesOnce(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 100).block(TIMEOUT);
        CacheStats before = engine.cache().stats();
        long sizeBefore = engine.cache().size();
        List<String> names = engine.connect(c -> Flux.range(1, 100).concatMap(i ->
                        c.execute(select(ARTIST.name).where(ARTIST.artistId.eq(i))).scalars(String.class)))
                .collectList().block(TIMEOUT);
        CacheStats delta = engine.cache().stats().minus(before);
        assertThat(delta.missCount()).as("misses").isEqualTo(1);
        assertThat(delta.hitCount()).as("hits").isEqualTo(99);
        assertThat(engine.cache().size()).isEqualTo(sizeBefore + 1);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            expected.add("Artist " + i);
        }
        assertThat(names).isEqualTo(expected);
    }

    @Test // C4/C5: IN lists of lengths 0..40 share one cache entry; PostgreSQL sends one SQL text for all lengths
    default void inListsOfEveryLengthShareOneEntry(TestDatabase db) {
        Engine engine = engine(db);
        TckSchema.createAndLoad(engine, 4).block(TIMEOUT);
        Dialect d = dialect(engine);
        CacheStats before = engine.cache().stats();
        List<Long> counts = engine.connect(c -> Flux.range(0, 41).concatMap(n -> {
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                ids.add(k * 2 + 1); // odd track ids: 1, 3, 5, ... (only 1..39 exist)
            }
            return c.execute(select(io.retort.sql.Sql.count()).from(TRACK).where(TRACK.trackId.in(ids))).scalars(Long.class);
        })).collectList().block(TIMEOUT);
        CacheStats delta = engine.cache().stats().minus(before);
        assertThat(delta.missCount()).as("misses").isEqualTo(1);
        assertThat(delta.hitCount()).as("hits").isEqualTo(40);
        for (int n = 0; n <= 40; n++) {
            assertThat(counts.get(n)).as("IN list of %s odd ids", n).isEqualTo((long) Math.min(n, 20));
        }
        // The SQL actually sent: one text for every length where the dialect binds the list as an array.
        Set<String> texts = new HashSet<>();
        for (int n : new int[] {1, 2, 7}) {
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                ids.add(k);
            }
            Select q = select(TRACK.trackId).where(TRACK.trackId.in(ids));
            texts.add(engine.cache().lookup(d, q).bind().sql());
        }
        if (d.supportsArrayInBinding()) {
            assertThat(texts).hasSize(1);
            assertThat(texts.iterator().next()).contains("= ANY($1)");
        } else {
            assertThat(texts).hasSize(3);
        }
    }
}
