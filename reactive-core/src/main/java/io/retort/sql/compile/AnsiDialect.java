package io.retort.sql.compile;

import io.retort.error.CompileError;
import io.retort.sql.SqlType;

import java.util.Set;

/**
 * The ANSI SQL base dialect: {@code ?} placeholders, double-quoted identifiers, standard type
 * names, {@code OFFSET/FETCH FIRST}. Dialects for real databases extend it and override what
 * differs; it is also what {@code render()} uses when no dialect is given.
 */
public class AnsiDialect extends Dialect {
    /** The shared instance. */
    public static final AnsiDialect INSTANCE = new AnsiDialect();

    /** Words reserved by SQL:2016 and commonly by every database (lower case). */
    public static final Set<String> SQL_RESERVED = Set.of(
            "all", "alter", "and", "any", "array", "as", "asc", "authorization", "between", "both", "by", "case",
            "cast", "check", "collate", "column", "constraint", "create", "cross", "current_date", "current_time",
            "current_timestamp", "current_user", "default", "delete", "desc", "distinct", "do", "drop", "else", "end",
            "except", "exists", "false", "fetch", "for", "foreign", "from", "full", "grant", "group", "having", "in",
            "inner", "insert", "intersect", "interval", "into", "is", "join", "leading", "left", "like", "limit",
            "natural", "not", "null", "offset", "on", "only", "or", "order", "outer", "over", "partition", "primary",
            "range", "references", "returning", "right", "row", "rows", "select", "session_user", "set", "some",
            "table", "then", "to", "trailing", "true", "union", "unique", "update", "user", "using", "values", "when",
            "where", "window", "with");

    private static final LiteralRenderer LITERALS = new LiteralRenderer("ansi", false);

    protected AnsiDialect() {
    }

    @Override
    public String name() {
        return "ansi";
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
        return SQL_RESERVED;
    }

    @Override
    public int maxBindParameters() {
        return 32767;
    }

    @Override
    public int maxIdentifierLength() {
        return 128;
    }

    @Override
    public String ddlTypeName(SqlType<?> type) {
        if (type.converter() != null) {
            return ddlTypeName(type.storageType()); // sized by the user type when it says so
        }
        switch (type.kind()) {
            case STRING:
                if ("TEXT".equals(type.name())) {
                    return textType();
                }
                return type.length() > 0 ? "VARCHAR(" + type.length() + ")" : unboundedVarchar();
            case DECIMAL:
                return type.precision() > 0 ? "NUMERIC(" + type.precision() + ", " + type.scale() + ")" : "NUMERIC";
            case BINARY:
                return type.length() > 0 ? "VARBINARY(" + type.length() + ")" : blobType();
            case ARRAY:
                return arrayType(type);
            case NULL:
            case OTHER:
                throw new CompileError("The " + name() + " dialect has no DDL type for " + type);
            default:
                return type.name();
        }
    }

    /** The type of an unbounded text column. */
    protected String textType() {
        return "CLOB";
    }

    /** VARCHAR without a length. */
    protected String unboundedVarchar() {
        return "VARCHAR";
    }

    protected String blobType() {
        return "BLOB";
    }

    protected String arrayType(SqlType<?> type) {
        throw CompileError.unsupported(name(), "ARRAY types");
    }

    @Override
    public LiteralRenderer literals() {
        return LITERALS;
    }

    @Override
    public SqlCompiler newCompiler(boolean literalBinds) {
        return new SqlCompiler(this, literalBinds);
    }

    /** A compiler class that is public so other packages' dialects can extend the ANSI rendering. */
    public static class Compiler extends SqlCompiler {
        protected Compiler(Dialect dialect, boolean literalBinds) {
            super(dialect, literalBinds);
        }
    }
}
