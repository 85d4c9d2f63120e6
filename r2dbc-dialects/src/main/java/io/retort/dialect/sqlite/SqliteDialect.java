package io.retort.dialect.sqlite;

import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.sql.SqlType;
import io.retort.sql.compile.AnsiDialect;
import io.retort.sql.compile.LiteralRenderer;
import io.retort.sql.compile.SqlCompiler;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * SQLite (D4), for use through the JDBC bridge with xerial sqlite-jdbc: {@code ?} placeholders,
 * double-quoted identifiers, {@code LIMIT n OFFSET m} ({@code LIMIT -1} when only an offset is
 * given), RETURNING (SQLite 3.35+), {@code ON CONFLICT … DO NOTHING / DO UPDATE SET x =
 * excluded.x} (3.24+), {@code UPDATE … FROM} (3.33+), aggregate FILTER (3.30+), RIGHT and FULL
 * OUTER JOIN (3.39+), null-safe comparison as {@code IS} / {@code IS NOT}.
 *
 * <p>Refused with a {@link CompileError} because SQLite has no such thing: row locks
 * ({@code FOR UPDATE}/{@code FOR SHARE}: SQLite locks the whole database file), sequences,
 * DISTINCT ON, ROLLUP/grouping sets, LATERAL, multi-table DELETE, INTERSECT/EXCEPT ALL,
 * {@code COMMENT ON}, ARRAY and INTERVAL columns, and members of a UNION that carry their own
 * ORDER BY or LIMIT (SQLite cannot parenthesise compound members: wrap such a member in a
 * subquery). SQLite keeps no comments ({@link #supportsComments()} is false): CREATE TABLE leaves
 * the comments a {@link io.retort.sql.Table} declares out, as SQLAlchemy's {@code create_all}
 * does, and only an explicit {@code COMMENT ON} is refused.
 *
 * <p>Types: every integer type is declared {@code INTEGER}, so an integer primary key is the
 * table's rowid and database-generated (SQLite's autoincrement; rowids of deleted last rows may
 * be reused, as without the AUTOINCREMENT keyword); binary is {@code BLOB}; UUIDs are
 * {@code CHAR(36)} text; JSON is {@code TEXT}; dates and times are ISO-8601 text, which SQLite's
 * date functions read (the bridge binds java.time values that way). Decimals keep
 * {@code NUMERIC(p, s)}, which SQLite stores as a double: exact only to 15 significant digits,
 * so a bound {@link java.math.BigDecimal} with more is refused with an {@link ArgumentError}
 * rather than silently rounded; likewise NaN, which SQLite would store as NULL.
 * Foreign keys are enforced only when the connection enables them ({@code foreign_keys=true}).
 *
 * <p>{@link #INSTANCE} is for SQLite 3.39 or later (sqlite-jdbc 3.49 bundles 3.49);
 * {@link #forVersion(String)} gives the dialect for an older library, with the later features
 * refused at compile time.
 */
public final class SqliteDialect extends AnsiDialect {
    /** SQLite 3.39+: everything above available. */
    public static final SqliteDialect INSTANCE = new SqliteDialect(3, 49);

    private static final Set<String> RESERVED = reserved();
    private static final LiteralRenderer LITERALS = new SqliteLiterals();

    private final int major;
    private final int minor;

    private SqliteDialect(int major, int minor) {
        this.major = major;
        this.minor = minor;
    }

    /**
     * The dialect for SQLite {@code version} ({@code sqlite_version()}, e.g. {@code "3.31.1"}).
     *
     * @throws IllegalArgumentException if the version cannot be read
     */
    public static SqliteDialect forVersion(String version) {
        String[] parts = Objects.requireNonNull(version, "version").trim().split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return atLeast(major, minor, 3, 49) ? INSTANCE : new SqliteDialect(major, minor);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a SQLite version: " + version, e);
        }
    }

    private static boolean atLeast(int major, int minor, int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    /** Whether this SQLite is at least {@code 3.minor}. */
    boolean atLeast(int wantMinor) {
        return atLeast(major, minor, 3, wantMinor);
    }

    private static Set<String> reserved() {
        // SQLite's keywords (https://sqlite.org/lang_keywords.html) plus the SQL standard's.
        Set<String> s = new HashSet<>(SQL_RESERVED);
        s.addAll(Set.of("abort", "action", "add", "after", "analyze", "attach", "autoincrement", "before", "begin",
                "cascade", "commit", "conflict", "database", "deferrable", "deferred", "detach", "each", "exclude",
                "exclusive", "explain", "fail", "filter", "first", "following", "generated", "glob", "groups", "if",
                "ignore", "immediate", "index", "indexed", "initially", "instead", "isnull", "key", "last", "match",
                "materialized", "no", "notnull", "nothing", "nulls", "of", "others", "plan", "pragma", "preceding",
                "query", "raise", "recursive", "regexp", "reindex", "release", "rename", "replace", "restrict",
                "rollback", "rowid", "savepoint", "temp", "temporary", "ties", "transaction", "trigger", "unbounded",
                "vacuum", "view", "virtual", "without"));
        return Set.copyOf(s);
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public ParamStyle paramStyle() {
        return ParamStyle.QUESTION;
    }

    @Override
    public char identifierQuote() {
        return '"';
    }

    @Override
    public Set<String> reservedWords() {
        return RESERVED;
    }

    @Override
    public int maxBindParameters() {
        // SQLITE_MAX_VARIABLE_NUMBER's default since 3.32 (999 before).
        return atLeast(32) ? 32766 : 999;
    }

    @Override
    public int maxIdentifierLength() {
        // SQLite has no limit of its own; keep names portable.
        return 128;
    }

    @Override
    public boolean supportsInsertReturning() {
        return atLeast(35);
    }

    @Override
    public boolean supportsUpdateReturning() {
        return atLeast(35);
    }

    @Override
    public boolean supportsDeleteReturning() {
        return atLeast(35);
    }

    @Override
    public boolean supportsOnConflict() {
        return atLeast(24);
    }

    @Override
    public boolean supportsSequences() {
        return false;
    }

    @Override
    public boolean supportsFullJoin() {
        return atLeast(39);
    }

    /** Whether RIGHT OUTER JOIN exists (3.39+). */
    public boolean supportsRightJoin() {
        return atLeast(39);
    }

    @Override
    public boolean supportsIsDistinctFrom() {
        // IS / IS NOT are SQLite's null-safe comparisons in every version (IS DISTINCT FROM only 3.39+).
        return false;
    }

    @Override
    public boolean supportsSetOperationAll() {
        return false;
    }

    @Override
    public boolean supportsAggregateFilter() {
        return atLeast(30);
    }

    @Override
    public boolean supportsGroupingSets() {
        return false;
    }

    @Override
    public boolean supportsMultiTableUpdate() {
        return atLeast(33);
    }

    /** Significant digits an IEEE double keeps exactly for every decimal value. */
    private static final int EXACT_DIGITS = 15;

    /**
     * Refuses values SQLite would change on storage instead of storing them: decimals with more
     * than 15 significant digits (SQLite's NUMERIC is a double) and NaN (stored as NULL).
     */
    @Override
    public Object driverValue(SqlType<?> storage, Object value) {
        if (value instanceof java.math.BigDecimal) {
            java.math.BigDecimal d = ((java.math.BigDecimal) value).stripTrailingZeros();
            if (d.precision() > EXACT_DIGITS) {
                throw new ArgumentError("SQLite stores NUMERIC as an 8-byte float, exact to " + EXACT_DIGITS
                        + " significant digits; " + value + " has " + d.precision()
                        + ". Store it as text (a VARCHAR column with a converter) or reduce its precision");
            }
        } else if ((value instanceof Double && ((Double) value).isNaN()) || (value instanceof Float && ((Float) value).isNaN())) {
            throw new ArgumentError("SQLite cannot store NaN (it would store NULL); bind null explicitly if that is meant");
        }
        return value;
    }

    @Override
    public boolean supportsComments() {
        return false;
    }

    @Override
    public boolean supportsRowLocks() {
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
        return "TEXT";
    }

    @Override
    protected String unboundedVarchar() {
        return "TEXT";
    }

    @Override
    protected String blobType() {
        return "BLOB";
    }

    @Override
    public String ddlTypeName(SqlType<?> type) {
        if (type.converter() != null) {
            return super.ddlTypeName(type);
        }
        switch (type.kind()) {
            case INTEGER:
                // Only a column declared exactly INTEGER PRIMARY KEY is the rowid (and generated).
                return "INTEGER";
            case BINARY:
                return "BLOB";
            case UUID:
                return "CHAR(36)";
            case JSON:
                return "TEXT";
            case INTERVAL:
                throw CompileError.unsupported(name(), "INTERVAL columns");
            default:
                return super.ddlTypeName(type);
        }
    }

    @Override
    public LiteralRenderer literals() {
        return LITERALS;
    }

    @Override
    public SqlCompiler newCompiler(boolean literalBinds) {
        return new SqliteCompiler(this, literalBinds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqliteDialect && ((SqliteDialect) o).major == major && ((SqliteDialect) o).minor == minor;
    }

    @Override
    public int hashCode() {
        // Every cache lookup hashes its dialect: no varargs array, no boxing.
        return 0x53514c00 ^ (major * 1009 + minor);
    }

    @Override
    public String toString() {
        return "sqlite " + major + "." + minor;
    }
}
