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
        // A fresh builder per lookup: a reused per-thread one measured no faster (perhaps G1's
        // barrier on stores into an old-gen buffer) and would keep state per thread.
        KeyBuilder kb = new KeyBuilder(false);
        statement.appendKey(kb);
        List<Object> values = kb.values();
        if (statement instanceof Ddl || maximumSize == 0) {
            return new Lookup(compile(dialect, statement), values, false);
        }
        // The probe compares against the builder's own token buffer; only a miss copies it.
        Entry key = new Entry(dialect, kb.tokenBuffer(), kb.tokenCount(), kb.tokenHash(), statement);
        // One get() per lookup, so Caffeine records exactly one hit or one miss.
        CompiledStatement compiled = cache.get(key, COMPILE);
        return new Lookup(compiled, values, !key.compiledNow);
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
        CacheKey k = t.key();
        Entry key = new Entry(dialect, k.array(), k.size(), k.hashCode(), t.statement());
        key.frozen = true; // the template's array is its own, never reused
        CompiledStatement compiled = cache.get(key, COMPILE);
        return new Lookup(compiled, values, !key.compiledNow);
    }

    /** A miss: the probe becomes the stored key (see {@link Entry#compileNow}). */
    private static final java.util.function.Function<Entry, CompiledStatement> COMPILE = Entry::compileNow;

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

    /**
     * The cache's key: dialect and structural tokens ({@link CacheKey}'s, compared token by token,
     * never by hash alone). As a probe it points into its {@link KeyBuilder}'s buffer and
     * carries the statement to compile; on a miss, {@link #compileNow} copies the tokens and drops
     * the statement before Caffeine stores it, so a stored key owns its tokens and holds no values.
     */
    private static final class Entry {
        private final Dialect dialect;
        private Object[] tokens;
        private final int length;
        private final int hash;
        private Statement statement;
        boolean frozen;
        boolean compiledNow;

        Entry(Dialect dialect, Object[] tokens, int length, int tokenHash, Statement statement) {
            this.dialect = dialect;
            this.tokens = tokens;
            this.length = length;
            this.hash = 31 * dialect.hashCode() + tokenHash;
            this.statement = statement;
        }

        CompiledStatement compileNow() {
            if (!frozen) {
                tokens = java.util.Arrays.copyOf(tokens, length);
                frozen = true;
            }
            Statement s = statement;
            statement = null;
            compiledNow = true;
            return compile(dialect, s);
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry e = (Entry) o;
            // The same array: a template's lookup meets the key its own miss stored (the range
            // compare below has no such shortcut).
            return e.hash == hash && e.length == length && e.dialect.equals(dialect)
                    && (e.tokens == tokens || java.util.Arrays.equals(e.tokens, 0, length, tokens, 0, length));
        }

        @Override
        public int hashCode() {
            return hash;
        }
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
