package io.retort.dialect.h2;

import io.retort.sql.SqlType;
import io.retort.sql.compile.AnsiDialect;
import io.retort.sql.compile.SqlCompiler;

import java.util.HashSet;
import java.util.Set;

/**
 * H2 2.x (D3), the embedded default, for r2dbc-h2: {@code $n} placeholders, ANSI
 * {@code OFFSET/FETCH}, sequences, aggregate FILTER, and RETURNING through H2's data change
 * delta tables ({@code SELECT ... FROM FINAL TABLE (INSERT ...)}). Features H2 lacks (upserts,
 * DISTINCT ON, ROLLUP, multi-table DML, FULL JOIN) fail at compile time with a CompileError.
 */
public final class H2Dialect extends AnsiDialect {
    /** The shared instance. */
    public static final H2Dialect INSTANCE = new H2Dialect();

    private static final Set<String> RESERVED = reserved();

    private H2Dialect() {
    }

    private static Set<String> reserved() {
        Set<String> s = new HashSet<>(SQL_RESERVED);
        s.addAll(Set.of("_rowid_", "asymmetric", "current_catalog", "current_path", "current_role",
                "current_schema", "day", "groups", "hour", "if", "ilike", "key", "localtime", "localtimestamp",
                "minus", "minute", "month", "qualify", "regexp", "rownum", "second", "symmetric", "system_user",
                "top", "uescape", "unknown", "value", "year"));
        return Set.copyOf(s);
    }

    @Override
    public String name() {
        return "h2";
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
        return 256;
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
    public boolean supportsFullJoin() {
        return false;
    }

    @Override
    public boolean supportsSetOperationAll() {
        return false;
    }

    @Override
    public boolean supportsAggregateFilter() {
        return true;
    }

    @Override
    public boolean supportsGroupingSets() {
        return false;
    }

    @Override
    public boolean supportsLockWaitOptions() {
        return false;
    }

    @Override
    public boolean supportsSharedLocks() {
        return false;
    }

    @Override
    protected String textType() {
        return "CHARACTER VARYING";
    }

    @Override
    protected String blobType() {
        return "BINARY VARYING";
    }

    @Override
    public String ddlTypeName(SqlType<?> type) {
        if (type.converter() == null && type.kind() == SqlType.Kind.INTERVAL) {
            return "INTERVAL DAY TO SECOND";
        }
        if (type.converter() == null && type.kind() == SqlType.Kind.TIME) {
            // H2's TIME defaults to whole seconds (TIMESTAMP to microseconds): keep microseconds,
            // as PostgreSQL's TIME and the MySQL dialect's TIME(6) do.
            return "TIME(6)";
        }
        return super.ddlTypeName(type);
    }

    @Override
    protected String arrayType(SqlType<?> type) {
        return ddlTypeName(type.elementType()) + " ARRAY";
    }

    @Override
    public SqlCompiler newCompiler(boolean literalBinds) {
        return new H2Compiler(this, literalBinds);
    }
}
