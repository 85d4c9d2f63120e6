package io.retort.orm;

import io.retort.dialect.h2.H2Dialect;
import io.retort.dialect.mariadb.MariaDbDialect;
import io.retort.dialect.mysql.MySqlDialect;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.error.ArgumentError;
import io.retort.sql.Expression;
import io.retort.sql.Sql;
import io.retort.sql.Statement;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.KeyBuilder;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * O16 without a database: the SQL text of relationship predicates per dialect (EXISTS correlated
 * to the parent, nested, negated, many-to-many, contains by key) and the errors of wrong use.
 */
class RelationshipPredicateTest {

    @Entity
    @Table(name = "artist")
    static class RpArtist {
        @Id
        @Column(name = "artist_id")
        Integer id;
        String name;
        @OneToMany(mappedBy = "artist")
        List<RpAlbum> albums = new ArrayList<>();
    }

    @Entity
    @Table(name = "album")
    static class RpAlbum {
        @Id
        @Column(name = "album_id")
        Integer id;
        String title;
        @ManyToOne
        @JoinColumn(name = "artist_id")
        RpArtist artist;
        @OneToMany(mappedBy = "album")
        List<RpTrack> tracks = new ArrayList<>();
    }

    @Entity
    @Table(name = "track")
    static class RpTrack {
        @Id
        @Column(name = "track_id")
        Integer id;
        String name;
        @ManyToOne
        @JoinColumn(name = "album_id")
        RpAlbum album;
    }

    @Entity
    @Table(name = "playlist")
    static class RpPlaylist {
        @Id
        @Column(name = "playlist_id")
        Integer id;
        String name;
        @ManyToMany
        @JoinTable(name = "playlist_track", joinColumns = @JoinColumn(name = "playlist_id"),
                inverseJoinColumns = @JoinColumn(name = "track_id"))
        List<RpTrack> tracks = new ArrayList<>();
        /** The same link as association objects, with an attribute of their own. */
        @OneToMany(mappedBy = "playlist")
        List<RpEntry> entries = new ArrayList<>();
    }

    @Entity
    @Table(name = "entry")
    static class RpEntry {
        @Id
        @Column(name = "entry_id")
        Integer id;
        Integer position;
        @ManyToOne
        @JoinColumn(name = "playlist_id")
        RpPlaylist playlist;
        @ManyToOne
        @JoinColumn(name = "track_id")
        RpTrack track;
    }

    @Entity
    @Table(name = "employee")
    static class RpEmployee {
        @Id
        @Column(name = "employee_id")
        Integer id;
        String lastName;
        @ManyToOne
        @JoinColumn(name = "reports_to")
        RpEmployee manager;
        @OneToMany(mappedBy = "manager")
        List<RpEmployee> reports = new ArrayList<>();
    }

    private static final Dialect PG = PostgresDialect.INSTANCE;
    private static final Dialect MYSQL = MySqlDialect.INSTANCE;
    private static final Dialect MARIADB = MariaDbDialect.INSTANCE;
    private static final Dialect H2 = H2Dialect.INSTANCE;

    /** The text sent to the driver. */
    private static String sql(Statement s, Dialect d) {
        return Compiler.compile(s, d).sql();
    }

    /** The values bound, in placeholder order. */
    private static List<Object> binds(Statement s) {
        KeyBuilder kb = new KeyBuilder(false);
        s.appendKey(kb);
        return kb.values();
    }

    private static Statement artists(Expression<Boolean> where) {
        return Orm.selectRows(RpArtist.class).where(where).statement();
    }

    private static Statement albums(Expression<Boolean> where) {
        return Orm.selectRows(RpAlbum.class).where(where).statement();
    }

    @Test // O16: any() without criteria: EXISTS over the child table, correlated by the child's foreign key
    void anyWithoutCriteria() {
        Statement s = artists(RpArtist_.albums.any());
        assertThat(sql(s, PG)).isEqualTo("SELECT artist.artist_id, artist.name FROM artist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = album.artist_id)");
        assertThat(sql(s, H2)).isEqualTo(sql(s, PG));
        // MySQL and MariaDB write a lone table's columns bare; the parent's stay qualified.
        String my = "SELECT artist_id, name FROM artist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = artist_id)";
        assertThat(sql(s, MYSQL)).isEqualTo(my);
        assertThat(sql(s, MARIADB)).isEqualTo(my);
        assertThat(binds(s)).isEmpty();
    }

    @Test // O16: any(criteria): the criteria join the correlation inside the EXISTS, as bound values
    void anyWithCriteria() {
        Statement s = albums(RpAlbum_.tracks.any(RpTrack_.name.eq("Intro"), RpTrack_.id.gt(3)));
        assertThat(sql(s, PG)).isEqualTo("SELECT album.album_id, album.title, album.artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = track.album_id AND track.name = $1"
                + " AND track.track_id > $2)");
        assertThat(sql(s, H2)).isEqualTo(sql(s, PG));
        String my = "SELECT album_id, title, artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = album_id AND name = ? AND track_id > ?)";
        assertThat(sql(s, MYSQL)).isEqualTo(my);
        assertThat(sql(s, MARIADB)).isEqualTo(my);
        assertThat(binds(s)).containsExactly("Intro", 3);
    }

    @Test // O16: many-to-many: the link table and the target in the subquery's FROM, both join conditions
    void manyToManyAny() {
        Statement s = Orm.selectRows(RpPlaylist.class).where(RpPlaylist_.tracks.any(RpTrack_.name.startsWith("B")))
                .statement();
        assertThat(sql(s, PG)).isEqualTo("SELECT playlist.playlist_id, playlist.name FROM playlist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM playlist_track, track WHERE playlist.playlist_id = playlist_track.playlist_id"
                + " AND track.track_id = playlist_track.track_id AND track.name LIKE $1 || '%')");
        assertThat(sql(s, MYSQL)).isEqualTo("SELECT playlist_id, name FROM playlist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM playlist_track, track WHERE playlist.playlist_id = playlist_track.playlist_id"
                + " AND track.track_id = playlist_track.track_id AND track.name LIKE concat(?, '%'))");
        assertThat(binds(s)).containsExactly("B");
    }

    @Test // O16: has() on a many-to-one: EXISTS over the target correlated by the parent's foreign key
    void has() {
        Statement plain = albums(RpAlbum_.artist.has());
        assertThat(sql(plain, PG)).isEqualTo("SELECT album.album_id, album.title, album.artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM artist WHERE album.artist_id = artist.artist_id)");
        Statement s = albums(RpAlbum_.artist.has(RpArtist_.name.eq("AC/DC")));
        assertThat(sql(s, PG)).isEqualTo("SELECT album.album_id, album.title, album.artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM artist WHERE album.artist_id = artist.artist_id AND artist.name = $1)");
        assertThat(sql(s, H2)).isEqualTo(sql(s, PG));
        String my = "SELECT album_id, title, artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM artist WHERE album.artist_id = artist_id AND name = ?)";
        assertThat(sql(s, MYSQL)).isEqualTo(my);
        assertThat(sql(s, MARIADB)).isEqualTo(my);
    }

    @Test // O16: chained: each EXISTS correlates to its immediate parent, e.g. artists with an album with a track named X
    void nestedChain() {
        Statement s = artists(RpArtist_.albums.any(RpAlbum_.tracks.any(RpTrack_.name.eq("X"))));
        assertThat(sql(s, PG)).isEqualTo("SELECT artist.artist_id, artist.name FROM artist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = album.artist_id AND EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = track.album_id AND track.name = $1))");
        assertThat(sql(s, MYSQL)).isEqualTo("SELECT artist_id, name FROM artist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = artist_id AND EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = album_id AND name = ?))");

        // Up the other way, and through an association object (seed 1.2: chained association proxies):
        // playlists with an entry whose track is on an album titled T.
        Statement up = Orm.selectRows(RpPlaylist.class).where(RpPlaylist_.entries.any(RpEntry_.position.lt(10),
                RpEntry_.track.has(RpTrack_.album.has(RpAlbum_.title.eq("T"))))).statement();
        assertThat(sql(up, PG)).isEqualTo("SELECT playlist.playlist_id, playlist.name FROM playlist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM entry WHERE playlist.playlist_id = entry.playlist_id AND entry.position < $1"
                + " AND EXISTS (SELECT 1 AS anon_1 FROM track WHERE entry.track_id = track.track_id"
                + " AND EXISTS (SELECT 1 AS anon_1 FROM album WHERE track.album_id = album.album_id AND album.title = $2)))");
        assertThat(binds(up)).containsExactly(10, "T");
    }

    @Test // O16: negation and AND/OR: NOT any() is true for a parent with no children at all
    void negationAndJunctions() {
        Statement none = artists(RpArtist_.albums.any().not());
        assertThat(sql(none, PG)).isEqualTo("SELECT artist.artist_id, artist.name FROM artist WHERE NOT (EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = album.artist_id))");
        assertThat(sql(none, MYSQL)).isEqualTo("SELECT artist_id, name FROM artist WHERE NOT (EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = artist_id))");
        Statement either = albums(Sql.or(RpAlbum_.title.eq("A"), Sql.not(RpAlbum_.tracks.any(RpTrack_.name.eq("B")))));
        assertThat(sql(either, PG)).isEqualTo("SELECT album.album_id, album.title, album.artist_id FROM album WHERE"
                + " album.title = $1 OR NOT (EXISTS (SELECT 1 AS anon_1 FROM track WHERE album.album_id = track.album_id"
                + " AND track.name = $2))");
        assertThat(binds(either)).containsExactly("A", "B");
    }

    @Test // O16: contains(entity): by the element's primary key, bound; a many-to-many reads only the link table
    void containsByKey() {
        RpTrack t = new RpTrack();
        t.id = 7;
        Statement s = albums(RpAlbum_.tracks.contains(t));
        assertThat(sql(s, PG)).isEqualTo("SELECT album.album_id, album.title, album.artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = track.album_id AND track.track_id = $1)");
        assertThat(sql(s, MARIADB)).isEqualTo("SELECT album_id, title, artist_id FROM album WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE album.album_id = album_id AND track_id = ?)");
        assertThat(binds(s)).containsExactly(7);

        Statement m2m = Orm.selectRows(RpPlaylist.class).where(RpPlaylist_.tracks.contains(t)).statement();
        assertThat(sql(m2m, PG)).isEqualTo("SELECT playlist.playlist_id, playlist.name FROM playlist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM playlist_track WHERE playlist.playlist_id = playlist_track.playlist_id"
                + " AND playlist_track.track_id = $1)");
        assertThat(sql(m2m, H2)).isEqualTo(sql(m2m, PG));
        assertThat(binds(m2m)).containsExactly(7);
    }

    @Test // O16: self-referential: the related rows get another name; criteria need the caller's alias
    void selfReferential() {
        Statement managers = Orm.selectRows(RpEmployee.class).where(RpEmployee_.reports.any()).statement();
        assertThat(sql(managers, PG)).isEqualTo("SELECT employee.employee_id, employee.last_name, employee.reports_to"
                + " FROM employee WHERE EXISTS (SELECT 1 AS anon_1 FROM employee AS employee_1"
                + " WHERE employee.employee_id = employee_1.reports_to)");
        Statement managed = Orm.selectRows(RpEmployee.class).where(RpEmployee_.manager.has()).statement();
        assertThat(sql(managed, PG)).endsWith("FROM employee WHERE EXISTS (SELECT 1 AS anon_1 FROM employee AS employee_1"
                + " WHERE employee.reports_to = employee_1.employee_id)");

        EntityAlias<RpEmployee> r = Orm.aliased(RpEmployee.class, "r");
        Statement named = Orm.selectRows(RpEmployee.class).where(RpEmployee_.reports.any(r, r.col(RpEmployee_.lastName)
                .eq("Peacock"))).statement();
        assertThat(sql(named, PG)).endsWith("FROM employee WHERE EXISTS (SELECT 1 AS anon_1 FROM employee AS r"
                + " WHERE employee.employee_id = r.reports_to AND r.last_name = $1)");
        assertThat(sql(named, MYSQL)).endsWith("FROM employee WHERE EXISTS (SELECT 1 AS anon_1 FROM employee AS r"
                + " WHERE employee.employee_id = r.reports_to AND r.last_name = ?)");

        RpEmployee e = new RpEmployee();
        e.id = 3;
        Statement hasReport = Orm.selectRows(RpEmployee.class).where(RpEmployee_.reports.contains(e)).statement();
        assertThat(sql(hasReport, PG)).endsWith("FROM employee WHERE EXISTS (SELECT 1 AS anon_1 FROM employee AS employee_1"
                + " WHERE employee.employee_id = employee_1.reports_to AND employee_1.employee_id = $1)");

        assertThatThrownBy(() -> RpEmployee_.reports.any(RpEmployee_.lastName.eq("x")))
                .isInstanceOf(ArgumentError.class)
                .hasMessageStartingWith("RpEmployee.reports is self-referential: in the subquery, employee would name both"
                        + " the parent and the related rows")
                .hasMessageContaining("RpEmployee_.reports.any(x, x.col(...).eq(...))");
        assertThatThrownBy(() -> RpEmployee_.reports.any(Orm.aliased(RpEmployee.class, "EMPLOYEE")))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("has the name of the parent rows (employee)");
    }

    @Test // O16: correlated to an entity alias of the parent; the plain table inside names the related rows
    @SuppressWarnings({"unchecked", "rawtypes"}) // the hidden foreign-key column is untyped
    void correlatedToAnAlias() {
        EntityAlias<RpEmployee> boss = Orm.aliased(RpEmployee.class, "boss");
        Statement s = Orm.selectRows(RpEmployee.class, boss)
                .join(boss.table(), RpEmployee_.manager.localColumns().get(0).eq((Expression) boss.col(RpEmployee_.id)))
                .where(RpEmployee_.reports.of(boss).any(RpEmployee_.lastName.eq("Peacock")))
                .statement();
        assertThat(sql(s, PG)).isEqualTo("SELECT employee.employee_id, employee.last_name, employee.reports_to,"
                + " boss.employee_id, boss.last_name, boss.reports_to FROM employee JOIN employee AS boss"
                + " ON employee.reports_to = boss.employee_id WHERE EXISTS (SELECT 1 AS anon_1 FROM employee"
                + " WHERE boss.employee_id = employee.reports_to AND employee.last_name = $1)");

        EntityAlias<RpAlbum> al = Orm.aliased(RpAlbum.class, "al");
        RpTrack t = new RpTrack();
        t.id = 1;
        Statement c = Orm.selectRows(al).where(RpAlbum_.tracks.of(al).contains(t), RpAlbum_.artist.of(al).has())
                .statement();
        assertThat(sql(c, PG)).isEqualTo("SELECT al.album_id, al.title, al.artist_id FROM album AS al WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM track WHERE al.album_id = track.album_id AND track.track_id = $1) AND EXISTS"
                + " (SELECT 1 AS anon_1 FROM artist WHERE al.artist_id = artist.artist_id)");
        assertThat(RpAlbum_.tracks.of(al)).hasToString("RpAlbum.tracks of RpAlbum AS al");
    }

    @Test // O16: a Core expression like any other: in a Core SELECT of columns and in a DELETE
    void usableInCoreStatements() {
        io.retort.sql.Table artist = Metamodel.mapper(RpArtist.class).table();
        Statement select = Sql.select(RpArtist_.name).where(RpArtist_.albums.any(RpAlbum_.title.eq("A")));
        assertThat(sql(select, PG)).isEqualTo("SELECT artist.name FROM artist WHERE EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = album.artist_id AND album.title = $1)");
        Statement delete = Sql.delete(artist).where(RpArtist_.albums.any().not());
        assertThat(sql(delete, PG)).isEqualTo("DELETE FROM artist WHERE NOT (EXISTS"
                + " (SELECT 1 AS anon_1 FROM album WHERE artist.artist_id = album.artist_id))");
    }

    @Test // O16: wrong use is an ArgumentError at construction that says what to use instead
    void constructionErrors() {
        assertThatThrownBy(() -> RpAlbum_.artist.any())
                .isInstanceOf(ArgumentError.class)
                .hasMessage("RpAlbum.artist is a many-to-one: any() tests a collection; use RpAlbum_.artist.has(...)"
                        + " to test the one related RpArtist");
        assertThatThrownBy(() -> RpArtist_.albums.has(RpAlbum_.title.eq("x")))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("RpArtist.albums is a collection (one-to-many): has() tests a many-to-one; use"
                        + " RpArtist_.albums.any(...) to test for a related RpAlbum");
        assertThatThrownBy(() -> RpPlaylist_.tracks.has())
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("is a collection (many-to-many)");
        assertThatThrownBy(() -> RpTrack_.album.contains(new RpAlbum()))
                .isInstanceOf(ArgumentError.class)
                .hasMessageStartingWith("RpTrack.album is a many-to-one: contains() tests a collection; use RpTrack_.album.has(");
        assertThatThrownBy(() -> RpAlbum_.tracks.contains(new RpTrack()))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("RpAlbum.tracks.contains() needs a persistent RpTrack, found by its primary key, but this one"
                        + " has no id (it is transient): add it to a session and flush first, or test its attributes with"
                        + " RpAlbum_.tracks.any(...)");
        assertThatThrownBy(() -> RpAlbum_.tracks.contains(null))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("not(RpAlbum_.tracks.any())");
        assertThatThrownBy(() -> RpAlbum_.tracks.any(RpTrack_.name.eq("x"), null))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("any(...): criterion 2 is null");
    }

    @Test // O16: raw (unchecked) use cannot slip another class past the generics
    @SuppressWarnings({"unchecked", "rawtypes"})
    void rawMisuse() {
        Relationship raw = RpAlbum_.tracks;
        assertThatThrownBy(() -> raw.contains(new RpAlbum()))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("takes a " + RpTrack.class.getName());
        assertThatThrownBy(() -> raw.any(Orm.aliased(RpAlbum.class, "x")))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("the alias RpAlbum AS x is not one of it");
        assertThatThrownBy(() -> raw.of(Orm.aliased(RpTrack.class, "x")))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("RpAlbum.tracks is a relationship of RpAlbum, not of the alias RpTrack AS x");
    }

    @Test // O16: the same predicate shape keys the same in the statement cache; values are binds
    void cacheKeyIgnoresValues() {
        RpTrack a = new RpTrack();
        a.id = 1;
        RpTrack b = new RpTrack();
        b.id = 2;
        KeyBuilder ka = new KeyBuilder(false);
        albums(RpAlbum_.tracks.contains(a)).appendKey(ka);
        KeyBuilder kb = new KeyBuilder(false);
        albums(RpAlbum_.tracks.contains(b)).appendKey(kb);
        assertThat(ka.toKey()).isEqualTo(kb.toKey());
        assertThat(ka.values()).containsExactly(1);
        assertThat(kb.values()).containsExactly(2);
    }
}
