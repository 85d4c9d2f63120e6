package io.retort.dialect;

import io.retort.dialect.sqlite.SqliteDialect;
import io.retort.error.CompileError;
import io.retort.sql.Constraint;
import io.retort.sql.Insert;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.Dialects;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static io.retort.dialect.Chinook.ALBUM;
import static io.retort.dialect.Chinook.ARTIST;
import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.params;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.ColumnOption.autoIncrement;
import static io.retort.sql.ColumnOption.comment;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.Sql.commentOn;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.delete;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** D4: the SQLite dialect — ? markers, LIMIT -1, RETURNING, upserts with excluded, refusals. */
class SqliteCompileTest {
    static final Dialect SQLITE = SqliteDialect.INSTANCE;
    static final Dialect SQLITE_3_31 = SqliteDialect.forVersion("3.31.1");

    @Test
    void foundByTheProductNameTheBridgeReports() {
        assertThat(Dialects.forProduct("SQLite")).isSameAs(SQLITE);
        assertThat(SQLITE.name()).isEqualTo("sqlite");
        assertThat(SqliteDialect.forVersion("3.49.1")).isSameAs(SQLITE);
    }

    @Test
    void questionMarksLimitAndOffset() {
        Select q = select(ALBUM.title, ARTIST.name).from(ALBUM.join(ARTIST)).where(ARTIST.name.eq("AC/DC"))
                .orderBy(ALBUM.title.desc()).limit(10).offset(20);
        assertThat(sql(q, SQLITE)).isEqualTo("SELECT album.title, artist.name FROM album JOIN artist ON album.artist_id"
                + " = artist.artist_id WHERE artist.name = ? ORDER BY album.title DESC LIMIT ? OFFSET ?");
        assertThat(params(q, SQLITE)).containsExactly("AC/DC", 10, 20);
        assertThat(sql(select(ARTIST.name).offset(5), SQLITE)).isEqualTo("SELECT artist.name FROM artist LIMIT -1 OFFSET ?");
    }

    @Test
    void doubleQuotedIdentifiers() {
        Table t = new Table("Order") {
            final io.retort.sql.Column<Integer> group = column("group", SqlTypes.INTEGER);
        };
        assertThat(sql(select(t.columns().get(0)), SQLITE)).isEqualTo("SELECT \"Order\".\"group\" FROM \"Order\"");
    }

    @Test
    void returningNeeds3_35() {
        Insert i = insert(ARTIST).set(ARTIST.name, "Nightwish").returning(ARTIST.artistId, ARTIST.name);
        assertThat(sql(i, SQLITE)).isEqualTo("INSERT INTO artist (name) VALUES (?) RETURNING artist_id, name");
        assertThat(sql(update(TRACK).set(TRACK.unitPrice, new BigDecimal("1.29")).where(TRACK.trackId.eq(7))
                .returning(TRACK.unitPrice), SQLITE)).isEqualTo("UPDATE track SET unit_price = ? WHERE track.track_id = ?"
                + " RETURNING unit_price");
        assertThat(sql(delete(TRACK).where(TRACK.trackId.eq(1)).returning(TRACK.name), SQLITE))
                .isEqualTo("DELETE FROM track WHERE track.track_id = ? RETURNING name");
        assertThatThrownBy(() -> sql(i, SQLITE_3_31)).isInstanceOf(CompileError.class).hasMessageContaining("RETURNING");
    }

    @Test
    void onConflictWithExcluded() {
        Insert base = insert(ARTIST).set(ARTIST.artistId, 1).set(ARTIST.name, "X");
        assertThat(sql(base.onConflictDoNothing(ARTIST.artistId), SQLITE))
                .isEqualTo("INSERT INTO artist (artist_id, name) VALUES (?, ?) ON CONFLICT (artist_id) DO NOTHING");
        Insert upsert = base.onConflictDoUpdate(List.of(ARTIST.artistId), Map.of(ARTIST.name, ARTIST.name.inserted()),
                ARTIST.name.ne("keep"));
        assertThat(sql(upsert, SQLITE)).isEqualTo("INSERT INTO artist (artist_id, name) VALUES (?, ?) ON CONFLICT"
                + " (artist_id) DO UPDATE SET name = excluded.name WHERE artist.name <> ?");
    }

    @Test
    void noRowLocks() {
        Select q = select(TRACK.name).where(TRACK.trackId.eq(1));
        assertThatThrownBy(() -> sql(q.forUpdate(), SQLITE)).isInstanceOf(CompileError.class)
                .hasMessageContaining("FOR UPDATE").hasMessageContaining("sqlite");
    }

    @Test
    void rightAndFullJoinsOnlyFrom3_39() {
        Select full = select(ARTIST.name, ALBUM.title).from(ARTIST.fullJoin(ALBUM, ALBUM.artistId.eq(ARTIST.artistId)));
        Select right = select(ARTIST.name, ALBUM.title).from(ARTIST.rightJoin(ALBUM, ALBUM.artistId.eq(ARTIST.artistId)));
        assertThat(sql(full, SQLITE)).contains("FROM artist FULL OUTER JOIN album ON");
        assertThat(sql(right, SQLITE)).contains("FROM artist RIGHT OUTER JOIN album ON");
        assertThatThrownBy(() -> sql(full, SQLITE_3_31)).isInstanceOf(CompileError.class).hasMessageContaining("FULL OUTER JOIN");
        assertThatThrownBy(() -> sql(right, SQLITE_3_31)).isInstanceOf(CompileError.class).hasMessageContaining("RIGHT OUTER JOIN");
    }

    @Test
    void nullSafeComparisonIsIs() {
        assertThat(sql(select(TRACK.name).where(TRACK.albumId.isDistinctFrom(3)), SQLITE)).endsWith("WHERE track.album_id IS NOT ?");
        assertThat(sql(select(TRACK.name).where(TRACK.albumId.isNotDistinctFrom(3)), SQLITE)).endsWith("WHERE track.album_id IS ?");
    }

    @Test
    void ddlIntegerPrimaryKeyIsTheRowid() {
        assertThat(sql(createTable(ARTIST), SQLITE))
                .isEqualTo("CREATE TABLE artist (artist_id INTEGER NOT NULL, name VARCHAR(120), PRIMARY KEY (artist_id))");
        Table t = new Table("types") {
            final io.retort.sql.Column<Long> id = column("id", SqlTypes.BIGINT, primaryKey(), autoIncrement());
            final io.retort.sql.Column<byte[]> data = column("data", SqlTypes.BINARY);
            final io.retort.sql.Column<java.util.UUID> uid = column("uid", SqlTypes.UUID_TYPE);
            final io.retort.sql.Column<String> doc = column("doc", SqlTypes.JSON);
        };
        assertThat(sql(createTable(t), SQLITE)).isEqualTo("CREATE TABLE types (id INTEGER NOT NULL, data BLOB,"
                + " uid CHAR(36), doc TEXT, PRIMARY KEY (id))");
        assertThatThrownBy(() -> sql(commentOn(ARTIST, "x"), SQLITE)).isInstanceOf(CompileError.class);
    }

    @Test
    void compositePrimaryKeyColumnsAreNotNull() {
        // SQLite accepts NULL in a PRIMARY KEY column unless it is declared NOT NULL (a legacy quirk
        // the other databases do not have), so every key column is rendered NOT NULL, as SQLAlchemy does.
        Table link = new Table("link") {
            final io.retort.sql.Column<Integer> a = column("a", SqlTypes.INTEGER);
            final io.retort.sql.Column<Integer> b = column("b", SqlTypes.INTEGER);
            final io.retort.sql.Column<String> note = column("note", SqlTypes.varchar(10));

            {
                constraint(Constraint.primaryKey(a, b));
            }
        };
        assertThat(sql(createTable(link), SQLITE)).isEqualTo("CREATE TABLE link (a INTEGER NOT NULL, b INTEGER NOT NULL,"
                + " note VARCHAR(10), PRIMARY KEY (a, b))");
        assertThat(sql(createTable(link), Sqls.PG)).isEqualTo("CREATE TABLE link (a INTEGER NOT NULL, b INTEGER NOT NULL,"
                + " note VARCHAR(10), PRIMARY KEY (a, b))");
    }

    @Test
    void createTableLeavesDeclaredCommentsOutAndCommentOnIsRefused() {
        // SQLAlchemy's create_all on a backend without comments: the declared comments are silently
        // not written, while an explicit COMMENT ON is an error.
        Table t = Table.builder("noted").column("id", SqlTypes.INTEGER, primaryKey())
                .column("code", SqlTypes.varchar(20), comment("Business code")).comment("Noted rows").build();
        assertThat(SQLITE.supportsComments()).isFalse();
        assertThat(sql(createTable(t), SQLITE))
                .isEqualTo("CREATE TABLE noted (id INTEGER NOT NULL, code VARCHAR(20), PRIMARY KEY (id))");
        assertThatThrownBy(() -> sql(commentOn(t, "Noted rows"), SQLITE)).isInstanceOf(CompileError.class)
                .hasMessageContaining("sqlite").hasMessageContaining("COMMENT ON");
        assertThatThrownBy(() -> sql(commentOn(t.c("code", SqlTypes.varchar(20)), "x"), SQLITE))
                .isInstanceOf(CompileError.class).hasMessageContaining("sqlite");
        assertThatThrownBy(() -> sql(commentOn(t, null), SQLITE)).as("removing a comment too")
                .isInstanceOf(CompileError.class).hasMessageContaining("sqlite");
        // The databases that keep comments say so (MySQL/MariaDB write them inside CREATE TABLE).
        for (Dialect d : List.of(Sqls.PG, Sqls.MYSQL, Sqls.MARIADB, Sqls.H2)) {
            assertThat(d.supportsComments()).as(d.name()).isTrue();
        }
        assertThat(sql(createTable(t), Sqls.MYSQL)).contains("COMMENT 'Business code'").contains("COMMENT = 'Noted rows'");
    }

    @Test
    void unionMembersCannotBeParenthesised() {
        assertThat(sql(select(ARTIST.name).union(select(ALBUM.title)).orderBy(ARTIST.name).limit(5), SQLITE))
                .isEqualTo("SELECT artist.name FROM artist UNION SELECT album.title FROM album ORDER BY name LIMIT ?");
        assertThatThrownBy(() -> sql(select(ARTIST.name).limit(1).unionAll(select(ALBUM.title)), SQLITE))
                .isInstanceOf(CompileError.class).hasMessageContaining("subquery");
    }

    @Test
    void literalsAreTheTextTheBridgeBinds() {
        var lit = SQLITE.literals();
        assertThat(lit.render(java.time.LocalDateTime.of(2024, 2, 29, 7, 34, 56, 123_456_000), SqlTypes.TIMESTAMP))
                .isEqualTo("'2024-02-29 07:34:56.123456'");
        assertThat(lit.render(java.time.LocalDate.of(2024, 2, 29), SqlTypes.DATE)).isEqualTo("'2024-02-29'");
        assertThat(lit.render(Double.POSITIVE_INFINITY, SqlTypes.DOUBLE)).isEqualTo("9e999");
        assertThatThrownBy(() -> lit.render(Double.NaN, SqlTypes.DOUBLE)).isInstanceOf(CompileError.class);
        assertThat(lit.render("it's", SqlTypes.VARCHAR)).isEqualTo("'it''s'");
    }

    @Test
    void flags() {
        assertThat(SQLITE.supportsSequences()).isFalse();
        assertThat(SQLITE.supportsDistinctOn()).isFalse();
        assertThat(SQLITE.supportsOnDuplicateKeyUpdate()).isFalse();
        assertThat(SQLITE.supportsMultiTableUpdate()).isTrue();
        assertThat(SQLITE.supportsMultiTableDelete()).isFalse();
        assertThat(SQLITE.supportsLockOf()).isFalse();
        assertThat(SQLITE.maxBindParameters()).isEqualTo(32766);
        assertThat(SQLITE_3_31.maxBindParameters()).isEqualTo(999);
    }
}
