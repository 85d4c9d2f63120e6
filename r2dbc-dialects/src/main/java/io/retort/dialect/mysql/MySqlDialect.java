package io.retort.dialect.mysql;

import io.retort.error.CompileError;
import io.retort.sql.SqlType;
import io.retort.sql.compile.AnsiDialect;
import io.retort.sql.compile.LiteralRenderer;
import io.retort.sql.compile.SqlCompiler;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * MySQL 8 (D2) for io.asyncer r2dbc-mysql: {@code ?} placeholders, backtick quoting,
 * {@code ON DUPLICATE KEY UPDATE} with {@code VALUES(col)}, {@code GROUP BY ... WITH ROLLUP},
 * multi-table UPDATE/DELETE, {@code concat()} for {@code ||}, {@code <=>} for IS [NOT] DISTINCT FROM.
 * String literals escape backslashes unless the server runs with {@code NO_BACKSLASH_ESCAPES}
 * ({@link #withNoBackslashEscapes}). A single-table SELECT writes its columns without the table
 * name where that means the same ({@link #withQualifiedColumns}).
 */
public class MySqlDialect extends AnsiDialect {
    /** MySQL with the default sql_mode (backslash escapes on). */
    public static final MySqlDialect INSTANCE = new MySqlDialect(false, false);

    static final Set<String> RESERVED = reserved();

    private final boolean noBackslashEscapes;
    private final boolean qualifyColumns;
    private final LiteralRenderer literals;

    protected MySqlDialect(boolean noBackslashEscapes, boolean qualifyColumns) {
        this.noBackslashEscapes = noBackslashEscapes;
        this.qualifyColumns = qualifyColumns;
        this.literals = new MySqlLiterals(name(), !noBackslashEscapes);
    }

    private static Set<String> reserved() {
        Set<String> s = new HashSet<>(SQL_RESERVED);
        s.addAll(Set.of("accessible", "add", "analyze", "asensitive", "before", "bigint", "binary", "blob", "call",
                "cascade", "change", "char", "character", "condition", "continue", "convert", "cursor", "database",
                "databases", "day_hour", "day_minute", "day_second", "dec", "decimal", "declare", "delayed",
                "describe", "deterministic", "distinctrow", "div", "double", "dual", "each", "elseif", "enclosed",
                "escaped", "exit", "explain", "float", "force", "fulltext", "generated", "groups", "high_priority",
                "hour_minute", "hour_second", "if", "ignore", "index", "infile", "inout", "int", "integer",
                "iterate", "key", "keys", "kill", "lead", "leave", "lines", "load", "lock", "long", "loop",
                "low_priority", "match", "mod", "modifies", "no_write_to_binlog", "numeric", "optimize", "option",
                "optionally", "out", "outfile", "precision", "procedure", "purge", "rank", "read", "reads", "real",
                "recursive", "regexp", "release", "rename", "repeat", "replace", "require", "restrict", "return",
                "revoke", "rlike", "row_number", "schema", "schemas", "sensitive", "separator", "show", "signal",
                "smallint", "spatial", "specific", "sql", "sqlexception", "sqlstate", "sqlwarning", "ssl",
                "starting", "stored", "straight_join", "terminated", "trigger", "undo", "unlock", "unsigned",
                "usage", "use", "utc_date", "utc_time", "utc_timestamp", "varchar", "varying", "virtual", "while",
                "write", "xor", "year_month", "zerofill"));
        return Set.copyOf(s);
    }

    /** The same dialect for a server whose sql_mode includes NO_BACKSLASH_ESCAPES. */
    public MySqlDialect withNoBackslashEscapes(boolean on) {
        return on == noBackslashEscapes ? this : new MySqlDialect(on, qualifyColumns);
    }

    /**
     * The same dialect with a single-table SELECT's columns qualified by the table name (true,
     * {@code SELECT t.a FROM t}) or bare where that means the same (false, the default:
     * {@code SELECT a FROM t}). MySQL and MariaDB drivers send the statement text with every
     * execution over the text protocol and the server parses it each time, so shorter text is
     * cheaper; see {@link #qualifySingleTableColumns()}.
     */
    public MySqlDialect withQualifiedColumns(boolean always) {
        return always == qualifyColumns ? this : new MySqlDialect(noBackslashEscapes, always);
    }

    @Override
    public boolean qualifySingleTableColumns() {
        return qualifyColumns;
    }

    protected final boolean noBackslashEscapes() {
        return noBackslashEscapes;
    }

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public ParamStyle paramStyle() {
        return ParamStyle.QUESTION;
    }

    @Override
    public char identifierQuote() {
        return '`';
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
        return 64;
    }

    @Override
    public boolean supportsOnDuplicateKeyUpdate() {
        return true;
    }

    @Override
    public boolean supportsSequences() {
        return false;
    }

    @Override
    public boolean supportsFullJoin() {
        return false;
    }

    @Override
    public boolean supportsGroupingSets() {
        return false;
    }

    @Override
    public RollupStyle rollupStyle() {
        return RollupStyle.WITH_ROLLUP;
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
    public boolean supportsIsDistinctFrom() {
        return false;
    }

    @Override
    public boolean inlineComments() {
        return true;
    }

    @Override
    public boolean mysqlTextSyntax() {
        return true;
    }

    @Override
    public boolean supportsLockOf() {
        return true;
    }

    @Override
    public String emptySet(List<SqlType<?>> types) {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < types.size(); i++) {
            sb.append(i > 0 ? ", NULL" : "NULL");
        }
        return sb.append(" FROM DUAL WHERE 1 <> 1").toString();
    }

    @Override
    public String ddlTypeName(SqlType<?> type) {
        if (type.converter() != null) {
            return ddlTypeName(type.storageType()); // sized by the user type when it says so
        }
        switch (type.kind()) {
            case BOOLEAN: return "BOOL";
            case FLOAT: return "REAL".equals(type.name()) ? "FLOAT" : "DOUBLE";
            case TIMESTAMP: return "DATETIME(6)";
            case TIME: return "TIME(6)";
            case TIMESTAMP_TZ:
                throw new CompileError("The " + name() + " dialect has no timestamp type that keeps an offset;"
                        + " store an Instant/LocalDateTime in UTC instead");
            case INTERVAL: throw CompileError.unsupported(name(), "INTERVAL columns");
            case UUID: return uuidType();
            case DECIMAL:
                return type.precision() > 0 ? "DECIMAL(" + type.precision() + ", " + type.scale() + ")" : "DECIMAL(65, 30)";
            case BINARY: return type.length() > 0 ? "VARBINARY(" + type.length() + ")" : "LONGBLOB";
            default: return super.ddlTypeName(type);
        }
    }

    /**
     * UUIDs are bound as their text form: MySQL stores them as {@code CHAR(36)}, MariaDB's UUID type
     * takes text, and io.asyncer r2dbc-mysql has no codec for {@link java.util.UUID} ("Cannot encode
     * class java.util.UUID"). Reading converts the text back.
     */
    @Override
    public Object driverValue(SqlType<?> storage, Object value) {
        return storage.kind() == SqlType.Kind.UUID && value instanceof java.util.UUID ? value.toString() : value;
    }

    @Override
    public Class<?> driverType(SqlType<?> storage) {
        return storage.kind() == SqlType.Kind.UUID ? String.class : storage.javaType();
    }

    /** UUID storage: {@code CHAR(36)} on MySQL. */
    protected String uuidType() {
        return "CHAR(36)";
    }

    @Override
    protected String textType() {
        return "LONGTEXT";
    }

    @Override
    protected String unboundedVarchar() {
        throw new CompileError("The " + name() + " dialect needs a length for VARCHAR columns: use SqlTypes.varchar(n)"
                + " or SqlTypes.TEXT");
    }

    @Override
    public String castTypeName(SqlType<?> type) {
        SqlType<?> t = type.storageType();
        switch (t.kind()) {
            case INTEGER: case BOOLEAN: return "SIGNED";
            case STRING: case UUID: return t.length() > 0 ? "CHAR(" + t.length() + ")" : "CHAR";
            case DECIMAL: return ddlTypeName(t);
            case FLOAT: return "DOUBLE";
            case BINARY: return "BINARY";
            case JSON: return jsonCast();
            default: return ddlTypeName(t);
        }
    }

    protected String jsonCast() {
        return "JSON";
    }

    @Override
    public LiteralRenderer literals() {
        return literals;
    }

    @Override
    public SqlCompiler newCompiler(boolean literalBinds) {
        return new MySqlCompiler(this, literalBinds);
    }

    /** How shared locks are written: MySQL 8 {@code FOR SHARE}. */
    protected String sharedLockClause() {
        return " FOR SHARE";
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((MySqlDialect) o).noBackslashEscapes == noBackslashEscapes
                && ((MySqlDialect) o).qualifyColumns == qualifyColumns;
    }

    @Override
    public int hashCode() {
        // Every cache lookup hashes its dialect: no varargs array, no boxing (the name's hash is cached).
        return getClass().getName().hashCode() * 31 + (noBackslashEscapes ? 1 : 0) + (qualifyColumns ? 2 : 0);
    }
}
