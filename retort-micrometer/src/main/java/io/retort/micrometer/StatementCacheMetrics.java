package io.retort.micrometer;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import io.retort.sql.compile.StatementCache;
import org.jspecify.annotations.Nullable;

import java.util.concurrent.TimeUnit;

/**
 * An engine's compiled-statement cache as Micrometer's standard cache meters ({@link CacheMeterBinder}):
 * {@code cache.size}, {@code cache.gets} tagged {@code result=hit|miss}, {@code cache.puts}
 * (compilations stored) and {@code cache.evictions}, tagged {@code cache=<name>}; plus, named
 * as Micrometer's Caffeine binder names them, {@code cache.load} (compilations, by
 * {@code result=success|failure}) and {@code cache.load.duration} (time spent compiling). Held
 * weakly, like every cache binder: a dropped engine reads as NaN.
 */
final class StatementCacheMetrics extends CacheMeterBinder<StatementCache> {

    StatementCacheMetrics(StatementCache cache, String cacheName, Iterable<Tag> tags) {
        super(cache, cacheName, tags);
    }

    private CacheStats stats() {
        StatementCache c = getCache();
        return c == null ? CacheStats.empty() : c.stats();
    }

    @Override
    protected @Nullable Long size() {
        StatementCache c = getCache();
        return c == null ? null : c.size();
    }

    @Override
    protected long hitCount() {
        return stats().hitCount();
    }

    @Override
    protected Long missCount() {
        return stats().missCount();
    }

    @Override
    protected Long evictionCount() {
        return stats().evictionCount();
    }

    /** A miss compiles and stores the statement: Caffeine counts that as a load. */
    @Override
    protected long putCount() {
        return stats().loadCount();
    }

    /** The same compile-time meters as Micrometer's Caffeine binder, so one cache dashboard shows both. */
    @Override
    protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
        StatementCache c = getCache();
        if (c == null) {
            return;
        }
        TimeGauge.builder("cache.load.duration", c, TimeUnit.NANOSECONDS, s -> s.stats().totalLoadTime())
                .tags(getTagsWithCacheName())
                .description("Time the statement cache spent compiling statements on misses")
                .register(registry);
        FunctionCounter.builder("cache.load", c, s -> s.stats().loadSuccessCount())
                .tags(getTagsWithCacheName()).tag("result", "success")
                .description("Statements compiled on a miss (success) or that failed to compile (failure)")
                .register(registry);
        FunctionCounter.builder("cache.load", c, s -> s.stats().loadFailureCount())
                .tags(getTagsWithCacheName()).tag("result", "failure")
                .description("Statements compiled on a miss (success) or that failed to compile (failure)")
                .register(registry);
    }
}
