package io.retort.sql.compile;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.retort.sql.Ddl;
import io.retort.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * The compiled-statement cache (C2): a Caffeine cache bounded by entry count, keyed by dialect
 * and structural {@link CacheKey}. A lookup computes the key and extracts the values in one
 * traversal; a hit reuses the compiled SQL with the new values, a miss compiles once. Hit and
 * miss counts come from Caffeine's statistics. DDL is never cached. Thread-safe; one per engine.
 */
public final class StatementCache {
    private static final Logger LOG = LoggerFactory.getLogger(StatementCache.class);

    private final Cache<Entry, CompiledStatement> cache;
    private final int maximumSize;

    /** A cache holding at most {@code maximumSize} compiled statements (LRU-like, TinyLFU). */
    public StatementCache(int maximumSize) {
        if (maximumSize < 0) {
            throw new IllegalArgumentException("maximumSize must be >= 0, got " + maximumSize);
        }
        this.maximumSize = maximumSize;
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    }

    /**
     * Compiles {@code statement} for {@code dialect} or finds its compiled form, and returns it
     * with this statement's values.
     */
    public Lookup lookup(Dialect dialect, Statement statement) {
        Objects.requireNonNull(dialect, "dialect");
        KeyBuilder kb = new KeyBuilder(false);
        statement.appendKey(kb);
        List<Object> values = kb.values();
        if (statement instanceof Ddl || maximumSize == 0) {
            return new Lookup(compile(dialect, statement), values, false);
        }
        Entry key = new Entry(dialect, kb.toKey());
        // One get() per lookup, so Caffeine records exactly one hit or one miss.
        boolean[] compiledNow = new boolean[1];
        CompiledStatement compiled = cache.get(key, k -> {
            compiledNow[0] = true;
            return compile(dialect, statement);
        });
        return new Lookup(compiled, values, !compiledNow[0]);
    }

    /**
     * The compiled form of a {@link StatementTemplate} execution: no statement building and no
     * key traversal, only the cache lookup (C3).
     */
    public Lookup lookup(Dialect dialect, StatementTemplate.Bound bound) {
        Objects.requireNonNull(dialect, "dialect");
        StatementTemplate t = bound.template();
        List<Object> values = bound.valuesView();
        if (t.statement() instanceof Ddl || maximumSize == 0) {
            return new Lookup(compile(dialect, t.statement()), values, false);
        }
        boolean[] compiledNow = new boolean[1];
        CompiledStatement compiled = cache.get(new Entry(dialect, t.key()), k -> {
            compiledNow[0] = true;
            return compile(dialect, t.statement());
        });
        return new Lookup(compiled, values, !compiledNow[0]);
    }

    private static CompiledStatement compile(Dialect dialect, Statement statement) {
        CompiledStatement c = dialect.newCompiler(false).compile(statement);
        for (String w : c.warnings()) {
            LOG.warn("{} [{}]", w, c.sql());
        }
        return c;
    }

    /** Hit, miss and eviction counts. */
    public CacheStats stats() {
        return cache.stats();
    }

    /** The number of compiled statements held. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    public void clear() {
        cache.invalidateAll();
    }

    private record Entry(Dialect dialect, CacheKey key) {
    }

    /**
     * A compiled statement with the values of one execution.
     *
     * @param compiled the compiled statement
     * @param values   this execution's values, in key-traversal order
     * @param hit      whether it came from the cache
     */
    public record Lookup(CompiledStatement compiled, List<Object> values, boolean hit) {
        /** The SQL and parameters to send. */
        public BoundStatement bind() {
            return compiled.bind(values);
        }
    }
}
