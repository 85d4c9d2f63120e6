package io.retort.dialect.postgresql;

import io.retort.sql.SqlType;
import io.retort.sql.compile.AnsiDialect;
import io.retort.sql.compile.LiteralRenderer;
import io.retort.sql.compile.SqlCompiler;

import java.util.HashSet;
import java.util.Set;

/**
 * PostgreSQL (D1) for r2dbc-postgresql: {@code $n} placeholders, RETURNING, ON CONFLICT,
 * DISTINCT ON, FOR UPDATE/SHARE with OF, NOWAIT and SKIP LOCKED, ILIKE, arrays, and IN lists
 * bound as one array ({@code = ANY($1)}, C5) so every list length shares one SQL text and one
 * prepared statement. The array form is on by default; {@link #withArrayInBinding(boolean)}
 * turns it off. executemany of a plain INSERT (no RETURNING, no ON CONFLICT) is sent as
 * {@code COPY ... FROM STDIN} where the driver offers it (r2dbc-postgresql);
 * {@link #withCopyIn(boolean)} turns that off (needed only to insert into a view, which COPY
 * refuses, or where a table's INSERT rules must apply: COPY runs triggers but not rules).
 */
public final class PostgresDialect extends AnsiDialect {
    /** The default PostgreSQL dialect (array IN binding on). */
    public static final PostgresDialect INSTANCE = new PostgresDialect(true, true);

    private static final Set<String> RESERVED = reserved();
    private static final LiteralRenderer LITERALS = new PostgresLiterals();

    private final boolean arrayInBinding;
    private final boolean copyIn;

    private PostgresDialect(boolean arrayInBinding, boolean copyIn) {
        this.arrayInBinding = arrayInBinding;
        this.copyIn = copyIn;
    }

    private static Set<String> reserved() {
        Set<String> s = new HashSet<>(SQL_RESERVED);
        s.addAll(Set.of("analyse", "analyze", "asymmetric", "binary", "concurrently", "current_catalog",
                "current_role", "current_schema", "deferrable", "freeze", "ilike", "initially", "isnull", "lateral",
                "localtime", "localtimestamp", "notnull", "placing", "similar", "symmetric", "tablesample",
                "variadic", "verbose"));
        return Set.copyOf(s);
    }

    /** This dialect with IN lists bound as one array (true) or expanded into placeholders (false). */
    public PostgresDialect withArrayInBinding(boolean enabled) {
        return enabled == arrayInBinding ? this : new PostgresDialect(enabled, copyIn);
    }

    /** This dialect with executemany INSERTs sent as COPY FROM STDIN (true) or as INSERT statements (false). */
    public PostgresDialect withCopyIn(boolean enabled) {
        return enabled == copyIn ? this : new PostgresDialect(arrayInBinding, enabled);
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public ParamStyle paramStyle() {
        return ParamStyle.DOLLAR_NUMBERED;
    }

    @Override
    public Set<String> reservedWords() {
        return RESERVED;
    }

    @Override
    public int maxBindParameters() {
        return 65535;
    }

    @Override
    public int maxIdentifierLength() {
        return 63;
    }

    @Override
    public boolean supportsInsertReturning() {
        return true;
    }

    @Override
    public boolean supportsUpdateReturning() {
        return true;
    }

    @Override
    public boolean supportsDeleteReturning() {
        return true;
    }

    @Override
    public boolean supportsDistinctOn() {
        return true;
    }

    @Override
    public boolean supportsOnConflict() {
        return true;
    }

    @Override
    public boolean supportsAggregateFilter() {
        return true;
    }

    @Override
    public boolean supportsMultiTableUpdate() {
        return true;
    }

    @Override
    public boolean supportsMultiTableDelete() {
        return true;
    }

    @Override
    public boolean supportsLateral() {
        return true;
    }

    @Override
    public boolean supportsArrayInBinding() {
        return arrayInBinding;
    }

    @Override
    public boolean supportsCopyIn() {
        return copyIn;
    }

    @Override
    public boolean supportsCursors() {
        return true;
    }

    @Override
    public boolean supportsLockOf() {
        return true;
    }

    @Override
    protected String textType() {
        return "TEXT";
    }

    @Override
    protected String blobType() {
        return "BYTEA";
    }

    @Override
    public String ddlTypeName(SqlType<?> type) {
        if (type.converter() == null && type.kind() == SqlType.Kind.BINARY) {
            return "BYTEA";
        }
        return super.ddlTypeName(type);
    }

    @Override
    protected String arrayType(SqlType<?> type) {
        return ddlTypeName(type.elementType()) + "[]";
    }

    @Override
    public LiteralRenderer literals() {
        return LITERALS;
    }

    @Override
    public SqlCompiler newCompiler(boolean literalBinds) {
        return new PostgresCompiler(this, literalBinds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresDialect && ((PostgresDialect) o).arrayInBinding == arrayInBinding
                && ((PostgresDialect) o).copyIn == copyIn;
    }

    @Override
    public int hashCode() {
        // Every cache lookup hashes its dialect: no varargs array, no boxing.
        return 0x50470000 | (arrayInBinding ? 1 : 0) | (copyIn ? 2 : 0);
    }
}
