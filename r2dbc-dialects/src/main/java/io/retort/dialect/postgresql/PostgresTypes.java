package io.retort.dialect.postgresql;

import io.retort.sql.SqlType;

/** PostgreSQL-specific types. */
public final class PostgresTypes {
    private PostgresTypes() {
    }

    /** {@code JSONB}, read and bound as JSON text. */
    public static final SqlType<String> JSONB = SqlType.custom("JSONB", String.class, SqlType.Kind.JSON);
}
