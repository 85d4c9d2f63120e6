package io.retort.schema;

import io.retort.sql.SqlType.Kind;
import org.junit.jupiter.api.Test;

import static io.retort.schema.ReflectedColumn.typeFamily;
import static org.assertj.core.api.Assertions.assertThat;

/** C10: the type family of the type text each database reports. */
class ReflectedColumnTest {

    @Test
    void sqliteDeclaredTypes() {
        // What Retort's SQLite DDL declares, as pragma_table_info reports it back.
        assertThat(typeFamily("INTEGER")).isEqualTo(Kind.INTEGER);
        assertThat(typeFamily("TEXT")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("VARCHAR(20)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("CHAR(36)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("NUMERIC(10, 2)")).isEqualTo(Kind.DECIMAL);
        assertThat(typeFamily("NUMERIC")).isEqualTo(Kind.DECIMAL);
        assertThat(typeFamily("BOOLEAN")).isEqualTo(Kind.BOOLEAN);
        assertThat(typeFamily("TIMESTAMP")).isEqualTo(Kind.TIMESTAMP);
        assertThat(typeFamily("TIMESTAMP WITH TIME ZONE")).isEqualTo(Kind.TIMESTAMP_TZ);
        assertThat(typeFamily("DATE")).isEqualTo(Kind.DATE);
        assertThat(typeFamily("TIME")).isEqualTo(Kind.TIME);
        assertThat(typeFamily("REAL")).isEqualTo(Kind.FLOAT);
        assertThat(typeFamily("DOUBLE PRECISION")).isEqualTo(Kind.FLOAT);
        assertThat(typeFamily("BLOB")).isEqualTo(Kind.BINARY);
        // The examples of SQLite's type affinity documentation.
        assertThat(typeFamily("INT")).isEqualTo(Kind.INTEGER);
        assertThat(typeFamily("INT8")).isEqualTo(Kind.INTEGER);
        assertThat(typeFamily("UNSIGNED BIG INT")).isEqualTo(Kind.INTEGER);
        assertThat(typeFamily("CHARACTER(20)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("VARYING CHARACTER(255)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("NCHAR(55)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("NATIVE CHARACTER(70)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("NVARCHAR(100)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("CLOB")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("DOUBLE")).isEqualTo(Kind.FLOAT);
        assertThat(typeFamily("FLOAT")).isEqualTo(Kind.FLOAT);
        assertThat(typeFamily("DECIMAL(10,5)")).isEqualTo(Kind.DECIMAL);
        assertThat(typeFamily("DATETIME")).isEqualTo(Kind.TIMESTAMP);
        // No declared type: SQLite stores any value as given.
        assertThat(typeFamily("")).isEqualTo(Kind.OTHER);
    }

    @Test
    void serverTypesKeepTheirFamilies() {
        assertThat(typeFamily("int(10) unsigned")).isEqualTo(Kind.INTEGER);
        assertThat(typeFamily("tinyint(1)")).isEqualTo(Kind.BOOLEAN);
        assertThat(typeFamily("character varying(120)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("CHARACTER VARYING(120)")).isEqualTo(Kind.STRING);
        assertThat(typeFamily("timestamp with time zone")).isEqualTo(Kind.TIMESTAMP_TZ);
        assertThat(typeFamily("interval")).isEqualTo(Kind.INTERVAL);
        assertThat(typeFamily("point")).as("a geometry is not an integer").isEqualTo(Kind.OTHER);
        assertThat(typeFamily(null)).isEqualTo(Kind.OTHER);
    }
}
