package io.retort.dialect.mariadb;

import io.retort.dialect.mysql.MySqlDialect;

/**
 * MariaDB 10.6+ (D2): MySQL's dialect plus INSERT/DELETE ... RETURNING, sequences
 * ({@code NEXT VALUE FOR s}, seed 1.4 "MariaDB sequences"), a native UUID type, and
 * {@code LOCK IN SHARE MODE}; no {@code FOR UPDATE OF}, no LATERAL, no UPDATE ... RETURNING.
 */
public final class MariaDbDialect extends MySqlDialect {
    /** MariaDB with the default sql_mode (backslash escapes on). */
    public static final MariaDbDialect INSTANCE = new MariaDbDialect(false, false);

    private MariaDbDialect(boolean noBackslashEscapes, boolean qualifyColumns) {
        super(noBackslashEscapes, qualifyColumns);
    }

    @Override
    public MariaDbDialect withNoBackslashEscapes(boolean on) {
        return on == noBackslashEscapes() ? this : new MariaDbDialect(on, qualifySingleTableColumns());
    }

    @Override
    public MariaDbDialect withQualifiedColumns(boolean always) {
        return always == qualifySingleTableColumns() ? this : new MariaDbDialect(noBackslashEscapes(), always);
    }

    @Override
    public String name() {
        return "mariadb";
    }

    @Override
    public boolean supportsInsertReturning() {
        return true;
    }

    @Override
    public boolean supportsDeleteReturning() {
        return true;
    }

    @Override
    public boolean supportsSequences() {
        return true;
    }

    @Override
    public boolean supportsLateral() {
        return false;
    }

    @Override
    public boolean supportsLockOf() {
        return false;
    }

    @Override
    protected String uuidType() {
        return "UUID";
    }

    @Override
    protected String jsonCast() {
        return "CHAR";
    }

    @Override
    protected String sharedLockClause() {
        return " LOCK IN SHARE MODE";
    }
}
