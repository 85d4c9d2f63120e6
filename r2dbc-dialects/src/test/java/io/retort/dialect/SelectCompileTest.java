package io.retort.dialect;

import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.sql.Cte;
import io.retort.sql.LockClause;
import io.retort.sql.Select;
import io.retort.sql.SqlTypes;
import io.retort.sql.Subquery;
import io.retort.sql.TableAlias;
import io.retort.sql.compile.Compiler;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.retort.dialect.Chinook.ALBUM;
import static io.retort.dialect.Chinook.ARTIST;
import static io.retort.dialect.Chinook.EMPLOYEE;
import static io.retort.dialect.Chinook.TRACK;
import static io.retort.dialect.Sqls.H2;
import static io.retort.dialect.Sqls.MARIADB;
import static io.retort.dialect.Sqls.MYSQL;
import static io.retort.dialect.Sqls.PG;
import static io.retort.dialect.Sqls.params;
import static io.retort.dialect.Sqls.sql;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.cube;
import static io.retort.sql.Sql.exists;
import static io.retort.sql.Sql.groupingSets;
import static io.retort.sql.Sql.rollup;
import static io.retort.sql.Sql.rowNumber;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.selectFrom;
import static io.retort.sql.Sql.sum;
import static io.retort.sql.Sql.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SELECT rendering per dialect (C1, C9, C15, C16, C17, D1, D2, D3). */
class SelectCompileTest {

    @Test // C1: implicit FROM, FK-inferred join, bound LIMIT/OFFSET per dialect
    void joinWhereOrderLimit() {
        Select q = select(ALBUM.title, ARTIST.name)
                .from(ALBUM.join(ARTIST))
                .where(ARTIST.name.eq("AC/DC"))
                .orderBy(ALBUM.title.desc())
                .limit(10).offset(20);
        String base = "SELECT album.title, artist.name FROM album JOIN artist ON album.artist_id = artist.artist_id"
                + " WHERE artist.name = ";
        assertThat(sql(q, PG)).isEqualTo(base + "$1 ORDER BY album.title DESC LIMIT $2 OFFSET $3");
        assertThat(sql(q, MYSQL)).isEqualTo(base + "? ORDER BY album.title DESC LIMIT ? OFFSET ?");
        assertThat(sql(q, MARIADB)).isEqualTo(sql(q, MYSQL));
        assertThat(sql(q, H2)).isEqualTo(base + "$1 ORDER BY album.title DESC OFFSET $2 ROWS FETCH FIRST $3 ROWS ONLY");
        assertThat(params(q, PG)).containsExactly("AC/DC", 10, 20);
        assertThat(params(q, H2)).containsExactly("AC/DC", 20, 10);
    }

    @Test // C1: NULLS FIRST/LAST: native on PostgreSQL and H2; on MySQL an IS NULL key, only where it differs from MySQL's own order
    void nullsPlacement() {
        Select q = select(TRACK.name).orderBy(TRACK.rating.asc().nullsFirst(), TRACK.milliseconds.desc().nullsLast(),
                TRACK.rating.asc().nullsLast(), TRACK.milliseconds.desc().nullsFirst());
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name FROM track ORDER BY track.rating NULLS FIRST,"
                + " track.milliseconds DESC NULLS LAST, track.rating NULLS LAST, track.milliseconds DESC NULLS FIRST");
        assertThat(sql(q, H2)).isEqualTo(sql(q, PG));
        // MySQL sorts NULLs first ascending and last descending: those two need nothing, so an index can serve them.
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT name FROM track ORDER BY rating, milliseconds DESC,"
                + " (rating IS NULL), rating, (milliseconds IS NULL) DESC, milliseconds DESC");
        assertThat(sql(q, MARIADB)).isEqualTo(sql(q, MYSQL));
    }

    @Test // D2: MySQL/MariaDB write a single-table SELECT's columns bare, wherever that means the same
    void singleTableColumnsAreBareOnMySql() {
        Select point = select(TRACK.trackId, TRACK.name).where(TRACK.trackId.eq(7)).orderBy(TRACK.name);
        assertThat(sql(point, MYSQL)).isEqualTo("SELECT track_id, name FROM track WHERE track_id = ? ORDER BY name");
        assertThat(sql(point, MARIADB)).isEqualTo(sql(point, MYSQL));
        // PostgreSQL and H2 parse once per prepared statement: they keep SQLAlchemy's qualified form.
        assertThat(sql(point, PG)).isEqualTo("SELECT track.track_id, track.name FROM track WHERE track.track_id = $1"
                + " ORDER BY track.name");
        // The option restores the qualified form, and is part of the dialect's identity (cache key).
        var qualified = io.retort.dialect.mariadb.MariaDbDialect.INSTANCE.withQualifiedColumns(true);
        assertThat(sql(point, qualified)).isEqualTo("SELECT track.track_id, track.name FROM track"
                + " WHERE track.track_id = ? ORDER BY track.name");
        assertThat(qualified).isNotEqualTo(MARIADB);
        assertThat(qualified.withNoBackslashEscapes(true).qualifySingleTableColumns()).isTrue();
        assertThat(qualified.withQualifiedColumns(false)).isEqualTo(MARIADB);
        var cache = new io.retort.sql.compile.StatementCache(10);
        cache.lookup(MARIADB, point);
        cache.lookup(qualified, point);
        assertThat(cache.stats().missCount()).isEqualTo(2);

        // Two FROM elements, or an alias: qualified.
        assertThat(sql(select(ALBUM.title, ARTIST.name).from(ALBUM.join(ARTIST)), MYSQL))
                .isEqualTo("SELECT album.title, artist.name FROM album JOIN artist ON album.artist_id = artist.artist_id");
        TableAlias t = TRACK.as("t");
        assertThat(sql(select(t.col(TRACK.name)).where(t.col(TRACK.trackId).eq(1)), MYSQL))
                .isEqualTo("SELECT t.name FROM track AS t WHERE t.track_id = ?");
        // A correlated reference to the enclosing table stays qualified inside the subquery.
        Select correlated = select(ALBUM.title).where(exists(select(TRACK.trackId).where(TRACK.albumId.eq(ALBUM.albumId))));
        assertThat(sql(correlated, MYSQL)).isEqualTo("SELECT title FROM album WHERE EXISTS (SELECT track_id FROM track"
                + " WHERE album_id = album.album_id)");
        // An output label that is another column's name would capture a bare name in ORDER BY, GROUP BY
        // or HAVING (both servers resolve output labels there first): qualified.
        Select shadowed = select(TRACK.name.as("album_id"), TRACK.albumId.as("name")).orderBy(TRACK.albumId);
        assertThat(sql(shadowed, MYSQL)).isEqualTo("SELECT track.name AS album_id, track.album_id AS name FROM track"
                + " ORDER BY track.album_id");
        Select upper = select(io.retort.sql.Sql.upper(TRACK.name).as("NAME")).orderBy(TRACK.name);
        assertThat(sql(upper, MYSQL)).isEqualTo("SELECT upper(track.name) AS `NAME` FROM track ORDER BY track.name");
        // Labels that name no column of the table are harmless.
        Select counted = select(TRACK.albumId, count().as("n")).groupBy(TRACK.albumId).having(count().gt(1L));
        assertThat(sql(counted, MYSQL)).isEqualTo("SELECT album_id, count(*) AS n FROM track GROUP BY album_id"
                + " HAVING count(*) > ?");
    }

    @Test // C1: OFFSET without LIMIT
    void offsetOnly() {
        Select q = select(ARTIST.name).offset(5);
        assertThat(sql(q, PG)).isEqualTo("SELECT artist.name FROM artist OFFSET $1");
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT name FROM artist LIMIT 18446744073709551615 OFFSET ?");
        assertThat(sql(q, H2)).isEqualTo("SELECT artist.name FROM artist OFFSET $1 ROWS");
    }

    @Test // C1: Select.join from the first column's table, left outer join, alias self-join
    void selectJoinAndSelfJoin() {
        TableAlias manager = EMPLOYEE.as("manager");
        Select q = select(EMPLOYEE.lastName, manager.col(EMPLOYEE.lastName).as("manager_name"))
                .leftJoin(manager, EMPLOYEE.reportsTo.eq(manager.col(EMPLOYEE.employeeId)));
        assertThat(sql(q, PG)).isEqualTo("SELECT employee.last_name, manager.last_name AS manager_name FROM employee"
                + " LEFT OUTER JOIN employee AS manager ON employee.reports_to = manager.employee_id");
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT employee.last_name, manager.last_name AS manager_name FROM employee"
                + " LEFT OUTER JOIN employee AS manager ON employee.reports_to = manager.employee_id");
    }

    @Test // C1 (seed 1.4 "SELECT is no longer a FROM"): a Select is refused as FROM with a hint
    @SuppressWarnings("deprecation")
    void selectIsNotAFrom() {
        Select inner = select(ARTIST.artistId);
        assertThatThrownBy(() -> select(ARTIST.name).from(inner))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining(".subquery(\"name\")");
        assertThatThrownBy(() -> selectFrom(inner)).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> ARTIST.join(inner, ARTIST.artistId.eq(1))).isInstanceOf(ArgumentError.class);
    }

    @Test // C1: subquery in FROM with selectedColumns() naming its columns
    void subqueryInFrom() {
        Subquery counts = select(ALBUM.artistId, count().as("albums")).groupBy(ALBUM.artistId).subquery("counts");
        Select q = select(ARTIST.name, counts.c("albums"))
                .from(ARTIST.join(counts, ARTIST.artistId.eq(counts.c("artist_id", SqlTypes.INTEGER))))
                .where(counts.c("albums", SqlTypes.BIGINT).gt(3L));
        assertThat(sql(q, PG)).isEqualTo("SELECT artist.name, counts.albums FROM artist JOIN (SELECT album.artist_id,"
                + " count(*) AS albums FROM album GROUP BY album.artist_id) AS counts ON artist.artist_id ="
                + " counts.artist_id WHERE counts.albums > $1");
        assertThat(counts.columns()).extracting(c -> c.name()).containsExactly("artist_id", "albums");
        assertThat(q.selectedColumns()).hasSize(2);
    }

    @Test // C1: scalar subquery correlated to the enclosing SELECT, EXISTS
    void correlatedScalarSubqueryAndExists() {
        Select q = select(ARTIST.name, select(count()).where(ALBUM.artistId.eq(ARTIST.artistId)).scalar().as("n"))
                .where(exists(select(ALBUM.albumId).where(ALBUM.artistId.eq(ARTIST.artistId))));
        assertThat(sql(q, PG)).isEqualTo("SELECT artist.name, (SELECT count(*) AS anon_1 FROM album WHERE"
                + " album.artist_id = artist.artist_id) AS n FROM artist WHERE EXISTS (SELECT album.album_id FROM album"
                + " WHERE album.artist_id = artist.artist_id)");
    }

    @Test // C1 (seed 1.4 CAST labeling): a CAST of a column is labelled with the column's name
    void castIsLabelledWithColumnName() {
        Select q = select(TRACK.unitPrice.cast(SqlTypes.varchar(20)), TRACK.milliseconds.plus(1).cast(SqlTypes.BIGINT));
        assertThat(sql(q, PG)).isEqualTo("SELECT CAST(track.unit_price AS VARCHAR(20)) AS unit_price,"
                + " CAST(track.milliseconds + $1 AS BIGINT) AS anon_1 FROM track");
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT CAST(track.unit_price AS CHAR(20)) AS unit_price,"
                + " CAST(track.milliseconds + ? AS SIGNED) AS anon_1 FROM track");
        assertThat(q.columnLabels()).containsExactly("unit_price", "anon_1");
    }

    @Test // C1 (seed 1.4 duplicate labels): the same column twice is legal
    void duplicateColumnLabels() {
        Select q = select(ARTIST.name, ARTIST.name);
        assertThat(sql(q, PG)).isEqualTo("SELECT artist.name, artist.name FROM artist");
        assertThat(q.columnLabels()).containsExactly("name", "name");
    }

    @Test // C1: window functions
    void windowFunction() {
        Select q = select(TRACK.name, rowNumber().over(window().partitionBy(TRACK.albumId).orderBy(TRACK.milliseconds.desc())).as("rn"),
                sum(TRACK.milliseconds).over(window()).as("total"));
        assertThat(sql(q, PG)).isEqualTo("SELECT track.name, row_number() OVER (PARTITION BY track.album_id ORDER BY"
                + " track.milliseconds DESC) AS rn, sum(track.milliseconds) OVER () AS total FROM track");
    }

    @Test // C1: CTE and recursive CTE (employee hierarchy)
    void recursiveCte() {
        Cte chain = select(EMPLOYEE.employeeId, EMPLOYEE.reportsTo).where(EMPLOYEE.reportsTo.isNull()).cteRecursive("chain");
        TableAlias e = EMPLOYEE.as("e");
        chain = chain.unionAll(select(e.col(EMPLOYEE.employeeId), e.col(EMPLOYEE.reportsTo))
                .from(e.join(chain, e.col(EMPLOYEE.reportsTo).eq(chain.c("employee_id", SqlTypes.INTEGER)))));
        Select q = selectFrom(chain);
        String expected = "WITH RECURSIVE chain AS (SELECT employee.employee_id, employee.reports_to FROM employee"
                + " WHERE employee.reports_to IS NULL UNION ALL SELECT e.employee_id, e.reports_to FROM employee AS e"
                + " JOIN chain ON e.reports_to = chain.employee_id) SELECT chain.employee_id, chain.reports_to FROM chain";
        assertThat(sql(q, PG)).isEqualTo(expected);
        assertThat(sql(q, MYSQL)).isEqualTo(expected.replace("SELECT employee.employee_id, employee.reports_to FROM employee"
                + " WHERE employee.reports_to IS NULL", "SELECT employee_id, reports_to FROM employee WHERE reports_to IS NULL"));
        // H2 2.x requires the column list of a recursive CTE (ServerFindingsCompileTest).
        assertThat(sql(q, H2)).isEqualTo(expected.replace("WITH RECURSIVE chain AS", "WITH RECURSIVE chain (employee_id, reports_to) AS"));
    }

    @Test // C1: a plain CTE referenced twice renders once, binds in textual order for '?' drivers
    void cteBindsInTextualOrder() {
        Cte big = select(TRACK.trackId, TRACK.albumId).where(TRACK.milliseconds.gt(300000)).cte("big");
        Select q = select(ALBUM.title).from(ALBUM.join(big, ALBUM.albumId.eq(big.c("album_id", SqlTypes.INTEGER))))
                .where(ALBUM.title.ne("x"));
        assertThat(sql(q, MYSQL)).isEqualTo("WITH big AS (SELECT track_id, album_id FROM track WHERE"
                + " milliseconds > ?) SELECT album.title FROM album JOIN big ON album.album_id = big.album_id"
                + " WHERE album.title <> ?");
        assertThat(params(q, MYSQL)).containsExactly(300000, "x");
        assertThat(params(q, PG)).containsExactly(300000, "x");
    }

    @Test // C1, C17: set operations; column-count mismatch is a CompileError at compile time
    void setOperations() {
        var u = select(ARTIST.name).union(select(ALBUM.title)).orderBy(ARTIST.name).limit(5);
        assertThat(sql(u, PG)).isEqualTo("SELECT artist.name FROM artist UNION SELECT album.title FROM album"
                + " ORDER BY name LIMIT $1");
        var parens = select(ARTIST.name).limit(1).unionAll(select(ALBUM.title));
        assertThat(sql(parens, MYSQL)).isEqualTo("(SELECT name FROM artist LIMIT ?) UNION ALL SELECT title"
                + " FROM album");
        var mismatch = select(ARTIST.name).union(select(ALBUM.title, ALBUM.albumId));
        assertThatThrownBy(() -> Compiler.compile(mismatch, PG)).isInstanceOf(CompileError.class)
                .hasMessageContaining("same number of columns").hasMessageContaining("#2 has 2");
        var intersectAll = select(ARTIST.name).intersectAll(select(ALBUM.title));
        assertThat(sql(intersectAll, PG)).contains(" INTERSECT ALL ");
        assertThatThrownBy(() -> sql(intersectAll, H2)).isInstanceOf(CompileError.class).hasMessageContaining("h2");
    }

    @Test // C9: ROLLUP forms per dialect, CUBE/GROUPING SETS where supported
    void rollupForms() {
        Select q = select(ALBUM.artistId, ALBUM.albumId, count()).groupBy(rollup(ALBUM.artistId, ALBUM.albumId));
        assertThat(sql(q, PG)).isEqualTo("SELECT album.artist_id, album.album_id, count(*) AS anon_1 FROM album"
                + " GROUP BY ROLLUP(album.artist_id, album.album_id)");
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT artist_id, album_id, count(*) AS anon_1 FROM album"
                + " GROUP BY artist_id, album_id WITH ROLLUP");
        assertThat(sql(q, MARIADB)).isEqualTo(sql(q, MYSQL));
        assertThatThrownBy(() -> sql(q, H2)).isInstanceOf(CompileError.class).hasMessageContaining("h2")
                .hasMessageContaining("ROLLUP");
        Select c = select(ALBUM.artistId, count()).groupBy(cube(ALBUM.artistId));
        assertThat(sql(c, PG)).endsWith("GROUP BY CUBE(album.artist_id)");
        assertThatThrownBy(() -> sql(c, MYSQL)).isInstanceOf(CompileError.class).hasMessageContaining("mysql");
        Select g = select(ALBUM.artistId, count()).groupBy(groupingSets(List.of(ALBUM.artistId), List.of()));
        assertThat(sql(g, PG)).endsWith("GROUP BY GROUPING SETS((album.artist_id), ())");
    }

    @Test // D1, D2: DISTINCT ON only on PostgreSQL
    void distinctOn() {
        Select q = select(TRACK.albumId, TRACK.name).distinctOn(TRACK.albumId).orderBy(TRACK.albumId, TRACK.milliseconds.desc());
        assertThat(sql(q, PG)).isEqualTo("SELECT DISTINCT ON (track.album_id) track.album_id, track.name FROM track"
                + " ORDER BY track.album_id, track.milliseconds DESC");
        assertThatThrownBy(() -> sql(q, MYSQL)).isInstanceOf(CompileError.class)
                .hasMessage("The mysql dialect cannot render DISTINCT ON");
        assertThat(sql(select(TRACK.albumId).distinct(), H2)).isEqualTo("SELECT DISTINCT track.album_id FROM track");
    }

    @Test // D1, D2, D3: FOR UPDATE variants
    void lockingForms() {
        Select q = select(TRACK.name).where(TRACK.trackId.eq(1));
        assertThat(sql(q.forUpdate(), PG)).endsWith("FOR UPDATE");
        assertThat(sql(q.lock(LockClause.forUpdate().of(TRACK).skipLocked()), PG)).endsWith("FOR UPDATE OF track SKIP LOCKED");
        assertThat(sql(q.lock(LockClause.forShare().nowait()), PG)).endsWith("FOR SHARE NOWAIT");
        assertThat(sql(q.lock(LockClause.forUpdate().mode(LockClause.Mode.NO_KEY_UPDATE)), PG)).endsWith("FOR NO KEY UPDATE");
        assertThat(sql(q.lock(LockClause.forShare()), MYSQL)).endsWith("FOR SHARE");
        assertThat(sql(q.lock(LockClause.forShare()), MARIADB)).endsWith("LOCK IN SHARE MODE");
        assertThat(sql(q.lock(LockClause.forUpdate().skipLocked()), MARIADB)).endsWith("FOR UPDATE SKIP LOCKED");
        assertThat(sql(q.lock(LockClause.forUpdate().of(TRACK)), MYSQL)).endsWith("FOR UPDATE OF track");
        assertThatThrownBy(() -> sql(q.lock(LockClause.forUpdate().of(TRACK)), MARIADB)).isInstanceOf(CompileError.class)
                .hasMessageContaining("mariadb");
        assertThat(sql(q.forUpdate(), H2)).endsWith("WHERE track.track_id = $1 FOR UPDATE");
        assertThatThrownBy(() -> sql(q.lock(LockClause.forShare()), H2)).isInstanceOf(CompileError.class);
    }

    @Test // C15: FROM linting warns about a cartesian product, at compile time only
    void cartesianProductWarning() {
        var lonely = Compiler.compile(select(ARTIST.name, ALBUM.title), PG);
        assertThat(lonely.warnings()).containsExactly("SELECT statement has a cartesian product between FROM element(s)"
                + " \"album\" and FROM element \"artist\". Apply join condition(s) between each element to resolve.");
        var linkedByWhere = Compiler.compile(select(ARTIST.name, ALBUM.title).where(ALBUM.artistId.eq(ARTIST.artistId)), PG);
        assertThat(linkedByWhere.warnings()).isEmpty();
        var joined = Compiler.compile(select(ARTIST.name, ALBUM.title).from(ARTIST.join(ALBUM)), PG);
        assertThat(joined.warnings()).isEmpty();
        var crossJoin = Compiler.compile(select(ARTIST.name, ALBUM.title).from(ARTIST.crossJoin(ALBUM)), PG);
        assertThat(crossJoin.warnings()).isEmpty();
        var three = Compiler.compile(select(ARTIST.name, ALBUM.title, TRACK.name).where(ALBUM.artistId.eq(ARTIST.artistId)), PG);
        assertThat(three.warnings()).hasSize(1).first().asString().contains("\"track\"");
    }

    @Test // D2: FROM DUAL for a FROM-less SELECT with WHERE on MySQL
    void fromDual() {
        Select q = select(io.retort.sql.Sql.param(1)).where(io.retort.sql.Sql.param(1).eq(1));
        assertThat(sql(q, MYSQL)).isEqualTo("SELECT ? AS anon_1 FROM DUAL WHERE ? = ?");
        assertThat(sql(q, PG)).isEqualTo("SELECT $1 AS anon_1 WHERE $2 = $3");
    }

    @Test // C1: a FULL JOIN is refused where unsupported
    void fullJoin() {
        Select q = select(ARTIST.name, ALBUM.title).from(ARTIST.fullJoin(ALBUM, ALBUM.artistId.eq(ARTIST.artistId)));
        assertThat(sql(q, PG)).contains("FROM artist FULL OUTER JOIN album ON");
        assertThatThrownBy(() -> sql(q, MYSQL)).isInstanceOf(CompileError.class).hasMessage(
                "The mysql dialect cannot render FULL OUTER JOIN");
    }
}
