package io.retort.dialect;

import io.retort.sql.Column;
import io.retort.sql.Cte;
import io.retort.sql.Select;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.BoundStatement;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.bound;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.literal;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compile fixes found by running the TCK (tck/ TypesSuite, SqlFeaturesSuite) against the real
 * servers: each test pins SQL that the server accepted, where the previous rendering was refused
 * or stored the wrong value.
 */
class ServerFindingsCompileTest {

    enum Mood { HAPPY, SAD }

    private static final Table T = Table.builder("t").column("id", SqlTypes.INTEGER, primaryKey())
            .column("tm", SqlTypes.TIME).column("doc", SqlTypes.JSON).column("u", SqlTypes.UUID_TYPE)
            .column("mood", SqlTypes.enumByName(Mood.class).withLength(10)).build();

    @Test // MySQL's COMMENT ON COLUMN redefined a UNIQUE column with UNIQUE: MariaDB added a second unique index
    void mysqlColumnCommentKeepsConstraintsOnce() {
        Table u = Table.builder("u").column("id", SqlTypes.INTEGER, primaryKey(), io.retort.sql.ColumnOption.autoIncrement())
                .column("code", SqlTypes.varchar(20), io.retort.sql.ColumnOption.notNull(), io.retort.sql.ColumnOption.unique())
                .build();
        assertThat(sql(io.retort.sql.Sql.commentOn(u.c("code"), "Code"), MARIADB))
                .isEqualTo("ALTER TABLE u MODIFY COLUMN code VARCHAR(20) NOT NULL COMMENT 'Code'");
        assertThat(sql(io.retort.sql.Sql.commentOn(u.c("id"), null), MYSQL))
                .isEqualTo("ALTER TABLE u MODIFY COLUMN id INTEGER AUTO_INCREMENT NOT NULL COMMENT ''");
        assertThat(sql(createTable(u), MARIADB)).contains("code VARCHAR(20) NOT NULL UNIQUE");
    }

    @Test // H2's TIME defaults to whole seconds and dropped the microseconds of every value
    void h2TimeKeepsMicroseconds() {
        assertThat(sql(createTable(T), H2)).contains("tm TIME(6)");
        assertThat(sql(createTable(T), PG)).contains("tm TIME,");
        assertThat(sql(createTable(T), MARIADB)).contains("tm TIME(6)");
    }

    @Test // a converted type's own length sizes its storage: MySQL refused "VARCHAR" without one
    void convertedTypeLengthReachesTheDdl() {
        assertThat(sql(createTable(T), MARIADB)).contains("mood VARCHAR(10)");
        assertThat(sql(createTable(T), PG)).contains("mood VARCHAR(10)");
        SqlType<Mood> plain = SqlTypes.enumByName(Mood.class);
        assertThat(plain.storageType()).isEqualTo(SqlTypes.VARCHAR);
        assertThat(plain.withLength(10).storageType()).isEqualTo(SqlTypes.varchar(10));
        assertThat(SqlTypes.INTEGER.storageType()).isSameAs(SqlTypes.INTEGER);
    }

    @Test // H2 stored a bound string in a JSON column as a JSON string ("{\"a\":1}"); FORMAT JSON parses it
    void h2JsonBindIsParsed() {
        Column<String> doc = T.c("doc", SqlTypes.JSON);
        Column<Integer> id = T.c("id", SqlTypes.INTEGER);
        assertThat(sql(insert(T).set(id, 1).set(doc, "{\"a\":1}"), H2))
                .isEqualTo("INSERT INTO t (id, doc) VALUES ($1, $2 FORMAT JSON)");
        assertThat(sql(insert(T).set(id, 1).set(doc, "{\"a\":1}"), MARIADB)).isEqualTo("INSERT INTO t (id, doc) VALUES (?, ?)");
    }

    @Test // PostgreSQL refused a VARCHAR-typed parameter for a json column (42804): the placeholder is cast
    void postgresJsonBindIsCast() {
        Column<String> doc = T.c("doc", SqlTypes.JSON);
        assertThat(sql(insert(T).set(T.c("id", SqlTypes.INTEGER), 1).set(doc, "{}"), PG))
                .isEqualTo("INSERT INTO t (id, doc) VALUES ($1, CAST($2 AS JSON))");
        assertThat(sql(select(count()).from(T).where(doc.isNull()), PG)).doesNotContain("CAST");
        Table b = Table.builder("b").column("j", io.retort.dialect.postgresql.PostgresTypes.JSONB).build();
        assertThat(sql(insert(b).set(b.c("j", io.retort.dialect.postgresql.PostgresTypes.JSONB), "{}"), PG))
                .isEqualTo("INSERT INTO b (j) VALUES (CAST($1 AS JSONB))");
    }

    @Test // r2dbc-mysql has no UUID codec ("Cannot encode class java.util.UUID"): MySQL/MariaDB bind the text form
    void mysqlBindsUuidAsText() {
        UUID u = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        Column<UUID> uc = T.c("u", SqlTypes.UUID_TYPE);
        Select q = select(T.c("id", SqlTypes.INTEGER)).where(uc.eq(u));
        BoundStatement my = bound(q, MYSQL);
        assertThat(my.values()).containsExactly("123e4567-e89b-12d3-a456-426614174000");
        assertThat(my.types()).containsExactly(String.class);
        assertThat(bound(q, MARIADB).values()).containsExactly("123e4567-e89b-12d3-a456-426614174000");
        assertThat(bound(q, PG).values()).containsExactly(u);
        assertThat(bound(q, H2).types()).containsExactly(UUID.class);
        // a NULL UUID is announced to the driver as text too
        BoundStatement nul = bound(insert(T).set(T.c("id", SqlTypes.INTEGER), 1).set(uc, (UUID) null), MARIADB);
        assertThat(nul.types()).containsExactly(Integer.class, String.class);
    }

    @Test // H2 2.x requires the column list of WITH RECURSIVE ("expected \"(\""); the others infer it
    void h2RecursiveCteNamesItsColumns() {
        Cte anchor = select(literal(1, SqlTypes.INTEGER).as("k")).cteRecursive("counter");
        Column<Integer> k = anchor.c("k", SqlTypes.INTEGER);
        Cte counter = anchor.unionAll(select(k.plus(1)).where(k.lt(10)));
        Select q = select(counter.c("k", SqlTypes.INTEGER)).from(counter);
        assertThat(sql(q, H2)).startsWith("WITH RECURSIVE counter (k) AS (SELECT 1 AS k UNION ALL");
        assertThat(sql(q, PG)).startsWith("WITH RECURSIVE counter AS (SELECT 1 AS k UNION ALL");
        assertThat(sql(q, MARIADB)).startsWith("WITH RECURSIVE counter AS (SELECT 1 AS k UNION ALL");
    }
}
