package io.retort.sql.compile;

import io.retort.sql.Statement;

/**
 * One-shot compilation and rendering, outside any cache: for tests, logs and humans.
 *
 * <pre>{@code
 * Compiler.render(select(TRACK.name).where(TRACK.trackId.in(1, 2)), PostgresDialect.INSTANCE, true)
 * // SELECT track.name FROM track WHERE track.track_id IN (1, 2)
 * }</pre>
 */
public final class Compiler {
    private Compiler() {
    }

    /** Compiles without caching. */
    public static CompiledStatement compile(Statement statement, Dialect dialect) {
        return dialect.newCompiler(false).compile(statement);
    }

    /**
     * The SQL a human reads: with {@code literalBinds}, values are rendered inline (escaped
     * correctly, or refused with a CompileError); otherwise the text sent to the driver with
     * this statement's IN lists expanded.
     */
    public static String render(Statement statement, Dialect dialect, boolean literalBinds) {
        if (literalBinds) {
            return dialect.newCompiler(true).compile(statement).sql();
        }
        KeyBuilder kb = new KeyBuilder(false);
        statement.appendKey(kb);
        return compile(statement, dialect).bind(kb.values()).sql();
    }

    /** {@link #render} with the ANSI dialect. */
    public static String render(Statement statement) {
        return render(statement, AnsiDialect.INSTANCE, false);
    }
}
