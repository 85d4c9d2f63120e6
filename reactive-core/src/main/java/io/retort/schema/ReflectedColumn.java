package io.retort.schema;

import io.retort.sql.SqlType;

import java.util.Locale;

/**
 * One column as the database describes it.
 *
 * @param name          the column name, as stored (normalised to lower case on H2 when it was
 *                      folded to upper case from an unquoted name, as SQLAlchemy does)
 * @param dataType      the database's type text, e.g. {@code character varying(120)} (PostgreSQL),
 *                      {@code varchar(120)} (MariaDB), {@code CHARACTER VARYING(120)} (H2),
 *                      the declared type on SQLite ({@code VARCHAR(120)}; empty when none was declared)
 * @param nullable      whether the column accepts NULL
 * @param defaultValue  the server default as SQL text, or null when there is none
 * @param comment       the column comment, or null when there is none (always on SQLite)
 * @param autoIncrement whether the database generates values (identity, serial, AUTO_INCREMENT,
 *                      SQLite's INTEGER PRIMARY KEY that is the rowid)
 */
public record ReflectedColumn(String name, String dataType, boolean nullable, String defaultValue, String comment,
                              boolean autoIncrement) {

    /** The Retort type family of {@link #dataType()}, for portable checks; {@code OTHER} when unknown. */
    public SqlType.Kind typeFamily() {
        return typeFamily(dataType);
    }

    /**
     * The type family of a database type name: {@code integer}, {@code int(11)} and {@code BIGINT} are
     * INTEGER; {@code tinyint(1)} (MySQL's BOOL) is BOOLEAN; {@code character varying(20)},
     * {@code longtext} are STRING; and so on. SQLite reports a column's type as declared, so the
     * names of its documentation's affinity examples ({@code UNSIGNED BIG INT},
     * {@code VARYING CHARACTER(255)}, {@code NATIVE CHARACTER(70)}, {@code DATETIME}, ...) map to
     * their families too; a column declared without a type is OTHER.
     */
    public static SqlType.Kind typeFamily(String dataType) {
        if (dataType == null) {
            return SqlType.Kind.OTHER;
        }
        String t = dataType.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("[]") || t.endsWith(" array") || t.startsWith("array")) {
            return SqlType.Kind.ARRAY;
        }
        if (t.startsWith("tinyint(1)") || t.startsWith("bool")) {
            return SqlType.Kind.BOOLEAN;
        }
        if (t.startsWith("timestamp") || t.startsWith("datetime")) {
            return t.contains("with time zone") || t.startsWith("timestamptz") ? SqlType.Kind.TIMESTAMP_TZ
                    : SqlType.Kind.TIMESTAMP;
        }
        if (t.startsWith("time")) {
            return SqlType.Kind.TIME;
        }
        if (t.startsWith("date")) {
            return SqlType.Kind.DATE;
        }
        if (t.startsWith("interval")) {
            return SqlType.Kind.INTERVAL;
        }
        if (t.startsWith("smallint") || t.startsWith("int") || t.startsWith("bigint") || t.startsWith("tinyint")
                || t.startsWith("mediumint") || t.startsWith("serial") || t.startsWith("bigserial")
                || t.startsWith("smallserial") || (t.startsWith("unsigned ") && t.contains("int"))) {
            return SqlType.Kind.INTEGER;
        }
        if (t.startsWith("numeric") || t.startsWith("decimal") || t.startsWith("dec(")) {
            return SqlType.Kind.DECIMAL;
        }
        if (t.startsWith("real") || t.startsWith("float") || t.startsWith("double") || t.startsWith("decfloat")) {
            return SqlType.Kind.FLOAT;
        }
        if (t.startsWith("uuid")) {
            return SqlType.Kind.UUID;
        }
        if (t.startsWith("json")) {
            return SqlType.Kind.JSON;
        }
        if (t.startsWith("bytea") || t.contains("blob") || t.startsWith("binary") || t.startsWith("varbinary")) {
            return SqlType.Kind.BINARY;
        }
        if (t.startsWith("enum")) {
            return SqlType.Kind.ENUM;
        }
        if (t.startsWith("char") || t.startsWith("varchar") || t.startsWith("character") || t.endsWith("text")
                || t.startsWith("clob") || t.startsWith("nchar") || t.startsWith("nvarchar") || t.equals("name")
                || t.startsWith("varchar_ignorecase") || t.startsWith("varying character")
                || t.startsWith("native character")) {
            return SqlType.Kind.STRING;
        }
        return SqlType.Kind.OTHER;
    }
}
