package io.retort.engine;

import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.StatementCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL log (C19) on SLF4J logger {@code io.retort.sql}: each statement with how it was
 * compiled ({@code [generated in 0.31ms]} or {@code [cached since 12.4s ago]}) and its
 * parameters, masked when the engine hides parameters and truncated when long (B18). INFO when
 * the engine echoes, else DEBUG.
 */
final class SqlLog {
    static final Logger LOG = LoggerFactory.getLogger("io.retort.sql");
    private static final int MAX_VALUE_CHARS = 200;

    private final boolean echo;
    private final boolean hideParameters;

    SqlLog(boolean echo, boolean hideParameters) {
        this.echo = echo;
        this.hideParameters = hideParameters;
    }

    boolean enabled() {
        return echo ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
    }

    private final java.util.List<java.util.function.Consumer<String>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Statements sent; a LongAdder because every event-loop thread bumps it. */
    private final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();

    void addListener(java.util.function.Consumer<String> listener) {
        listeners.add(listener);
    }

    void removeListener(java.util.function.Consumer<String> listener) {
        listeners.remove(listener);
    }

    long count() {
        return count.sum();
    }

    void statement(BoundStatement bound, StatementCache.Lookup lookup) {
        count.increment();
        for (java.util.function.Consumer<String> l : listeners) {
            l.accept(bound.sql());
        }
        if (!enabled()) {
            return;
        }
        String how;
        if (lookup == null) {
            how = "[raw]";
        } else if (lookup.hit()) {
            double ago = (System.nanoTime() - lookup.compiled().createdAtNanos()) / 1e9;
            how = String.format(java.util.Locale.ROOT, "[cached since %.3gs ago]", ago);
        } else {
            how = String.format(java.util.Locale.ROOT, "[generated in %.3gms]", lookup.compiled().compileNanos() / 1e6);
        }
        String msg = bound.sql() + " " + how + " " + parameters(bound.values());
        if (echo) {
            LOG.info(msg);
        } else {
            LOG.debug(msg);
        }
    }

    /** The parameter summary for logs and errors: masked or truncated as configured. */
    String parameters(Object[] values) {
        if (values == null) {
            return null;
        }
        if (hideParameters) {
            return "[SQL parameters hidden due to hideParameters=true]";
        }
        StringBuilder sb = new StringBuilder("(");
        int shown = Math.min(values.length, 50);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(render(values[i]));
        }
        if (values.length > shown) {
            sb.append(", ... ").append(values.length - shown).append(" more");
        }
        return sb.append(')').toString();
    }

    private static String render(Object v) {
        if (v == null) {
            return "None";
        }
        String s;
        if (v instanceof Object[]) {
            s = java.util.Arrays.toString((Object[]) v);
        } else if (v instanceof byte[]) {
            s = "<" + ((byte[]) v).length + " bytes>";
        } else {
            s = v instanceof String ? "'" + v + "'" : v.toString();
        }
        if (s.length() > MAX_VALUE_CHARS) {
            int cut = s.length() - MAX_VALUE_CHARS;
            s = s.substring(0, MAX_VALUE_CHARS / 2) + " ... (" + cut + " characters truncated) ... "
                    + s.substring(s.length() - MAX_VALUE_CHARS / 2);
        }
        return s;
    }
}
