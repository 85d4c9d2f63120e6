package io.retort.sql.compile;

import io.retort.sql.SqlType;

import java.util.List;
import java.util.Set;

/**
 * What Retort knows about one SQL dialect (D5): placeholder style, identifier rules, parameter
 * limit, which features it can render, its type names, empty-set rendering and ping query.
 * A dialect is data plus a factory for its {@link SqlCompiler}, whose small hooks render the
 * differences. Dialects are immutable, compared by class and options, and part of every cache
 * key (a statement compiled for one dialect is never served to another).
 */
public abstract class Dialect {
    /** How the driver spells placeholders. */
    public enum ParamStyle {
        /** {@code $1, $2} (r2dbc-postgresql, r2dbc-h2). */
        DOLLAR_NUMBERED,
        /** {@code ?} (MySQL/MariaDB drivers, JDBC). */
        QUESTION
    }

    /** How ROLLUP is written. */
    public enum RollupStyle { FUNCTION, WITH_ROLLUP }

    protected Dialect() {
    }

    /** The dialect's name as used in error messages ({@code postgresql}, {@code mysql}). */
    public abstract String name();

    public abstract ParamStyle paramStyle();

    /** The placeholder for the {@code n}th parameter (1-based). */
    public final String placeholder(int n) {
        return paramStyle() == ParamStyle.DOLLAR_NUMBERED ? "$" + n : "?";
    }

    /** The identifier quote character ({@code "} or {@code `}). */
    public abstract char identifierQuote();

    /** Words that must be quoted when used as identifiers (lower case). */
    public abstract Set<String> reservedWords();

    /** The most bind parameters one statement may carry (B10). */
    public abstract int maxBindParameters();

    /** The longest identifier in bytes (PostgreSQL 63) or characters (MySQL 64). */
    public abstract int maxIdentifierLength();

    public boolean supportsInsertReturning() {
        return false;
    }

    public boolean supportsUpdateReturning() {
        return false;
    }

    public boolean supportsDeleteReturning() {
        return false;
    }

    public boolean supportsDistinctOn() {
        return false;
    }

    public boolean supportsOnConflict() {
        return false;
    }

    public boolean supportsOnDuplicateKeyUpdate() {
        return false;
    }

    public boolean supportsSequences() {
        return true;
    }

    public boolean supportsFullJoin() {
        return true;
    }

    public boolean supportsIntersectExcept() {
        return true;
    }

    /** Whether {@code INTERSECT ALL} / {@code EXCEPT ALL} exist. */
    public boolean supportsSetOperationAll() {
        return true;
    }

    public boolean supportsAggregateFilter() {
        return false;
    }

    public boolean supportsGroupingSets() {
        return true;
    }

    public RollupStyle rollupStyle() {
        return RollupStyle.FUNCTION;
    }

    public boolean supportsMultiTableUpdate() {
        return false;
    }

    public boolean supportsMultiTableDelete() {
        return false;
    }

    public boolean supportsLateral() {
        return false;
    }

    /** Whether {@code IS DISTINCT FROM} exists (MySQL has {@code <=>} instead). */
    public boolean supportsIsDistinctFrom() {
        return true;
    }

    /**
     * Whether a SELECT whose only FROM element is one table (and a single-table UPDATE or DELETE)
     * still qualifies that table's columns
     * ({@code SELECT t.a FROM t WHERE t.b = ?}, true, as SQLAlchemy and jOOQ render by default) or
     * writes them bare ({@code SELECT a FROM t WHERE b = ?}, false). Bare names are shorter text
     * for servers that parse every execution's SQL (MySQL and MariaDB over their text protocol);
     * the compiler keeps the qualifier wherever a bare name could mean something else (see
     * {@code SqlCompiler}).
     */
    public boolean qualifySingleTableColumns() {
        return true;
    }

    /** Whether a whole IN list may be bound as one array ({@code = ANY($1)}, C5). */
    public boolean supportsArrayInBinding() {
        return false;
    }

    /**
     * Whether executemany may send a plain INSERT's parameter sets as {@code COPY table (cols)
     * FROM STDIN} text (PostgreSQL), when the driver offers COPY.
     */
    public boolean supportsCopyIn() {
        return false;
    }

    /**
     * Whether a SELECT can be read through a named server-side cursor ({@code DECLARE name CURSOR
     * FOR ...}, then {@code FETCH FORWARD n FROM name}) inside a transaction, leaving the connection
     * free for other statements between fetches (PostgreSQL). See {@code Connection.cursor}.
     */
    public boolean supportsCursors() {
        return false;
    }

    /**
     * Whether SQL text follows MySQL's lexical rules: {@code #} starts a comment, the body of
     * {@code /*! ... *}{@code /} is executed, and {@code $} quotes nothing. The one-statement check
     * of text SQL reads text this way (B19, {@link io.retort.sql.TextClause#requireOneStatement}).
     */
    public boolean mysqlTextSyntax() {
        return false;
    }

    /** Whether column/table comments are written inside CREATE TABLE (MySQL) instead of COMMENT ON. */
    public boolean inlineComments() {
        return false;
    }

    /**
     * Whether the database keeps table and column comments at all. Where it does not (SQLite),
     * CREATE TABLE leaves a table's declared comments out, as SQLAlchemy's {@code create_all}
     * does, while an explicit {@code COMMENT ON} is refused with a CompileError, and reflection
     * reports no comments.
     */
    public boolean supportsComments() {
        return true;
    }

    /** Whether row locks ({@code FOR UPDATE} and its kin) exist at all. */
    public boolean supportsRowLocks() {
        return true;
    }

    /** Whether a lock may name tables ({@code FOR UPDATE OF t}). */
    public boolean supportsLockOf() {
        return false;
    }

    /** Whether {@code NOWAIT} / {@code SKIP LOCKED} exist. */
    public boolean supportsLockWaitOptions() {
        return true;
    }

    /** Whether {@code FOR SHARE}-like shared locks exist. */
    public boolean supportsSharedLocks() {
        return true;
    }

    /** The cheapest round trip that proves a connection works. */
    public String pingQuery() {
        return "SELECT 1";
    }

    /**
     * The body of an empty set for {@code x IN (<empty set>)}, typed like the compared expression
     * so strict type checkers accept it (SQLAlchemy 1.4 "empty IN").
     */
    public String emptySet(List<SqlType<?>> types) {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < types.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            SqlType<?> t = types.get(i);
            if (t.kind() == SqlType.Kind.NULL || t.kind() == SqlType.Kind.OTHER) {
                sb.append("NULL");
            } else {
                sb.append("CAST(NULL AS ").append(castTypeName(t)).append(')');
            }
        }
        return sb.append(" WHERE 1 <> 1").toString();
    }

    /**
     * The value given to the driver for a bound value of {@code storage} type (a converter already
     * applied): the value itself unless the dialect stores the type in another form.
     */
    public Object driverValue(SqlType<?> storage, Object value) {
        return value;
    }

    /** The Java class the driver is told for a bound value of {@code storage} type, also for NULL. */
    public Class<?> driverType(SqlType<?> storage) {
        return storage.javaType();
    }

    /** The type name in DDL. */
    public abstract String ddlTypeName(SqlType<?> type);

    /** The type name in {@code CAST(x AS <name>)}; the DDL name unless the dialect differs. */
    public String castTypeName(SqlType<?> type) {
        return ddlTypeName(type);
    }

    /** The renderer of inline literals for this dialect. */
    public abstract LiteralRenderer literals();

    /** A new compiler; {@code literalBinds} renders values inline (for humans). */
    public abstract SqlCompiler newCompiler(boolean literalBinds);

    /** True when {@code name} can be written without quotes. */
    public boolean isLegalUnquoted(String name) {
        char first = name.charAt(0);
        if (!((first >= 'a' && first <= 'z') || first == '_')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return !reservedWords().contains(name);
    }

    /** {@code name}, quoted when reserved, mixed case or not a plain identifier (C18, B1). */
    public String quote(String name) {
        if (isLegalUnquoted(name)) {
            return name;
        }
        char q = identifierQuote();
        StringBuilder sb = new StringBuilder(name.length() + 2).append(q);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == q) {
                sb.append(q);
            }
            sb.append(c);
        }
        return sb.append(q).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String toString() {
        return name();
    }
}
