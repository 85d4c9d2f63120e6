package io.retort.orm;

import io.retort.dialect.h2.H2Dialect;
import io.retort.dialect.mariadb.MariaDbDialect;
import io.retort.dialect.mysql.MySqlDialect;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Statement;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * O9 without a database: the SQL text of ORM bulk UPDATE/DELETE per dialect (multi-table forms,
 * the EXISTS form where a dialect has none, composites broken into columns), the in-memory
 * evaluation EVALUATE and FETCH use (three-valued logic, LIKE, IN, arithmetic, what falls back
 * to expiring), and the errors of wrong use.
 */
class BulkStatementTest {

    @Embeddable
    static class BkPlace {
        String city;
        String country;

        BkPlace() {
        }

        BkPlace(String city, String country) {
            this.city = city;
            this.country = country;
        }
    }

    @Entity
    @Table(name = "bk_album")
    static class BkAlbum {
        @Id
        @Column(name = "album_id")
        Integer id;
        String title;
        @OneToMany(mappedBy = "album")
        List<BkTrack> tracks = new ArrayList<>();
    }

    @Entity
    @Table(name = "bk_track")
    static class BkTrack {
        @Id
        @Column(name = "track_id")
        Integer id;
        String name;
        @Column(precision = 10, scale = 2)
        BigDecimal price;
        Integer ms;
        @ManyToOne
        @JoinColumn(name = "album_id")
        BkAlbum album;
        @Embedded
        BkPlace place;
        @Version
        Integer version;
        @QueryExpression
        Long plays;
    }

    @Entity
    @Table(name = "bk_artist")
    static class BkArtist {
        @Id
        @Column(name = "artist_id")
        Integer id;
        String name;
        @OneToMany(mappedBy = "artist", cascade = CascadeType.ALL, orphanRemoval = true)
        List<BkRecord> records = new ArrayList<>();
    }

    @Entity
    @Table(name = "bk_record")
    static class BkRecord {
        @Id
        @Column(name = "record_id")
        Integer id;
        @ManyToOne
        @JoinColumn(name = "artist_id")
        BkArtist artist;
    }

    private static final Dialect PG = PostgresDialect.INSTANCE;
    private static final Dialect MYSQL = MySqlDialect.INSTANCE;
    private static final Dialect MARIADB = MariaDbDialect.INSTANCE;
    private static final Dialect H2 = H2Dialect.INSTANCE;

    private static String sql(Statement s, Dialect d) {
        return Compiler.compile(s, d).sql();
    }

    private static String sql(BulkStatement<?> b, Dialect d) {
        return sql(BulkSync.forDialect(b, d), d);
    }

    /** A persistent object of the track mapper with these values, as a load would leave it. */
    private static InstanceState loaded(int id, String name, String price, Integer ms) {
        BkTrack t = new BkTrack();
        t.id = id;
        t.name = name;
        t.price = price == null ? null : new BigDecimal(price);
        t.ms = ms;
        InstanceState st = new InstanceState(t, Metamodel.mapper(BkTrack.class), InstanceState.Status.PERSISTENT);
        st.key = new IdentityKey(BkTrack.class, List.of(id), null);
        st.takeSnapshot();
        return st;
    }

    /** The hidden foreign-key column of BkTrack.album (no metamodel handle: it has no field). */
    @SuppressWarnings("unchecked")
    private static io.retort.sql.Column<Integer> albumId() {
        return (io.retort.sql.Column<Integer>) Metamodel.mapper(BkTrack.class).table().c("album_id");
    }

    private static boolean matches(BulkStatement<?> b, InstanceState st) {
        BulkSync.Plan p = BulkSync.plan(b);
        return p.criteria() == null || BulkEvaluator.matches(p.criteria(), st);
    }

    @Test // O9: single-table UPDATE and DELETE per dialect, values bound
    void singleTableSql() {
        BulkStatement<BkTrack> u = Orm.update(BkTrack.class).set(BkTrack_.price, new BigDecimal("1.29"))
                .where(BkTrack_.ms.gt(300_000));
        assertThat(sql(u, PG)).isEqualTo("UPDATE bk_track SET price = $1 WHERE bk_track.ms > $2");
        assertThat(sql(u, MARIADB)).isEqualTo("UPDATE bk_track SET price = ? WHERE ms > ?");
        assertThat(sql(u, H2)).isEqualTo(sql(u, PG));
        BulkStatement<BkTrack> d = Orm.delete(BkTrack.class).where(BkTrack_.name.eq("Intro"));
        assertThat(sql(d, PG)).isEqualTo("DELETE FROM bk_track WHERE bk_track.name = $1");
        assertThat(sql(d, MYSQL)).isEqualTo("DELETE FROM bk_track WHERE name = ?");
    }

    @Test // O9 (seed 1.2): multi-table criteria: UPDATE ... FROM / DELETE ... USING, MySQL's forms, EXISTS on H2
    void multiTableSql() {
        BulkStatement<BkTrack> u = Orm.update(BkTrack.class).set(BkTrack_.ms, 1)
                .where(albumId().eq(BkAlbum_.id), BkAlbum_.title.eq("Demo"));
        assertThat(sql(u, PG)).isEqualTo("UPDATE bk_track SET ms = $1 FROM bk_album WHERE bk_track.album_id = bk_album.album_id"
                + " AND bk_album.title = $2");
        assertThat(sql(u, MYSQL)).isEqualTo("UPDATE bk_track, bk_album SET bk_track.ms = ? WHERE bk_track.album_id ="
                + " bk_album.album_id AND bk_album.title = ?");
        assertThat(sql(u, H2)).isEqualTo("UPDATE bk_track SET ms = $1 WHERE EXISTS (SELECT 1 AS anon_1 FROM bk_album WHERE"
                + " bk_track.album_id = bk_album.album_id AND bk_album.title = $2)");
        BulkStatement<BkTrack> d = Orm.delete(BkTrack.class).where(albumId().eq(BkAlbum_.id),
                BkAlbum_.title.eq("Demo"));
        assertThat(sql(d, PG)).isEqualTo("DELETE FROM bk_track USING bk_album WHERE bk_track.album_id = bk_album.album_id"
                + " AND bk_album.title = $1");
        assertThat(sql(d, MARIADB)).isEqualTo("DELETE bk_track FROM bk_track, bk_album WHERE bk_track.album_id ="
                + " bk_album.album_id AND bk_album.title = ?");
        assertThat(sql(d, H2)).isEqualTo("DELETE FROM bk_track WHERE EXISTS (SELECT 1 AS anon_1 FROM bk_album WHERE"
                + " bk_track.album_id = bk_album.album_id AND bk_album.title = $1)");
    }

    @Test // O9 (seed 1.2): a composite value is broken out into its columns; expressions of the row in SET
    void compositeAndComputedSet() {
        BulkStatement<BkTrack> u = Orm.update(BkTrack.class).set("place", new BkPlace("Oslo", "NO"))
                .set(BkTrack_.price, BkTrack_.price.times(new BigDecimal("1.10")))
                .where(BkTrack_.id.eq(7));
        assertThat(u.setNames()).containsExactly("place.city", "place.country", "price");
        assertThat(sql(u, PG)).isEqualTo("UPDATE bk_track SET city = $1, country = $2, price = bk_track.price * $3"
                + " WHERE bk_track.track_id = $4");
        BulkStatement<BkTrack> cleared = Orm.update(BkTrack.class).set("place", null);
        assertThat(sql(cleared, PG)).isEqualTo("UPDATE bk_track SET city = NULL, country = NULL");
    }

    @Test // O9: EVALUATE's matching follows SQL: NULL is unknown, IN/LIKE/BETWEEN/AND/OR/NOT
    void evaluateMatching() {
        InstanceState a = loaded(1, "Intro", "0.99", 200_000);
        InstanceState b = loaded(2, "Outro 100%", "1.99", null);
        BulkStatement<BkTrack> u = Orm.update(BkTrack.class).set(BkTrack_.ms, 1);
        assertThat(matches(u.where(BkTrack_.ms.gt(100_000)), a)).isTrue();
        assertThat(matches(u.where(BkTrack_.ms.gt(100_000)), b)).isFalse(); // NULL > x is unknown
        assertThat(matches(u.where(BkTrack_.ms.gt(100_000).not()), b)).isFalse(); // NOT unknown is unknown
        assertThat(matches(u.where(BkTrack_.ms.isNull()), b)).isTrue();
        assertThat(matches(u.where(BkTrack_.ms.gt(100_000).or(BkTrack_.id.eq(2))), b)).isTrue();
        assertThat(matches(u.where(BkTrack_.id.in(List.of(2, 3))), a)).isFalse();
        assertThat(matches(u.where(BkTrack_.id.in(List.of(1, 3))), a)).isTrue();
        assertThat(matches(u.where(BkTrack_.id.notIn(List.of())), a)).isTrue();
        assertThat(matches(u.where(BkTrack_.name.startsWith("Int")), a)).isTrue();
        assertThat(matches(u.where(BkTrack_.name.startsWith("int")), a)).isFalse(); // Java's exact comparison
        assertThat(matches(u.where(BkTrack_.name.contains("100%", true)), b)).isTrue();
        assertThat(matches(u.where(BkTrack_.name.contains("1_0%", true)), b)).isFalse(); // escaped: '_' is literal
        assertThat(matches(u.where(BkTrack_.name.like("O_tro%")), b)).isTrue();
        assertThat(matches(u.where(BkTrack_.price.between(new BigDecimal("0.5"), new BigDecimal("1.00"))), a)).isTrue();
        assertThat(matches(u.where(BkTrack_.price.eq(new BigDecimal("0.990"))), a)).isTrue(); // decimals by value
        assertThat(matches(u.where(BkTrack_.ms.plus(100_000).ge(300_000)), a)).isTrue();
    }

    @Test // O9: SET values in Java: exact arithmetic, and Undecided (so the object is expired) where the database would round
    void evaluateSetValues() {
        InstanceState a = loaded(1, "Intro", "0.99", 200_000);
        Property price = Metamodel.mapper(BkTrack.class).property("price");
        Property ms = Metamodel.mapper(BkTrack.class).property("ms");
        BulkEvaluator.Ev plus = BulkEvaluator.compile(Metamodel.mapper(BkTrack.class), BkTrack_.price.plus(new BigDecimal("0.10")));
        assertThat(BulkEvaluator.coerce(plus.eval(a), price)).isEqualTo(new BigDecimal("1.09"));
        BulkEvaluator.Ev times = BulkEvaluator.compile(Metamodel.mapper(BkTrack.class), BkTrack_.price.times(new BigDecimal("1.1")));
        assertThatThrownBy(() -> BulkEvaluator.coerce(times.eval(a), price)).isInstanceOf(BulkEvaluator.Undecided.class);
        BulkEvaluator.Ev add = BulkEvaluator.compile(Metamodel.mapper(BkTrack.class), BkTrack_.ms.plus(1000));
        assertThat(BulkEvaluator.coerce(add.eval(a), ms)).isEqualTo(201_000);
        BulkEvaluator.Ev overflow = BulkEvaluator.compile(Metamodel.mapper(BkTrack.class), BkTrack_.ms.times(1_000_000));
        assertThatThrownBy(() -> overflow.eval(a)).isInstanceOf(BulkEvaluator.Undecided.class);
        // Division is the database's (integer on PostgreSQL, decimal on MySQL): not evaluated, so the plan expires.
        BulkSync.Plan p = BulkSync.plan(Orm.update(BkTrack.class).set(BkTrack_.ms, BkTrack_.ms.div(2)));
        assertThat(p.sets().get(0).value()).isNull();
    }

    @Test // O9: EVALUATE refuses criteria Java cannot decide, before any I/O, naming FETCH
    void unevaluableCriteria() {
        BulkStatement<BkTrack> multi = Orm.delete(BkTrack.class).where(albumId().eq(BkAlbum_.id));
        assertThatThrownBy(() -> BulkSync.plan(multi)).isInstanceOf(UnevaluableCriteriaError.class)
                .hasMessageContaining("bk_album.album_id").hasMessageContaining("SynchronizeSession.FETCH");
        BulkStatement<BkTrack> rel = Orm.delete(BkTrack.class).where(BkTrack_.album.has(BkAlbum_.title.eq("x")));
        assertThatThrownBy(() -> BulkSync.plan(rel)).isInstanceOf(UnevaluableCriteriaError.class)
                .hasMessageContaining("EXISTS");
        BulkStatement<BkTrack> div = Orm.delete(BkTrack.class).where(BkTrack_.ms.div(2).gt(3));
        assertThatThrownBy(() -> BulkSync.plan(div)).isInstanceOf(UnevaluableCriteriaError.class);
        // The same statements are fine with FETCH or NONE.
        assertThat(BulkSync.plan(multi.synchronize(SynchronizeSession.FETCH)).criteria()).isNull();
        assertThat(BulkSync.plan(rel.synchronize(SynchronizeSession.NONE)).criteria()).isNull();
    }

    @Test // O9: bad SET targets and shapes are typed errors that say what to do
    void constructionErrors() {
        assertThatThrownBy(() -> Orm.update(BkTrack.class).set(BkAlbum_.title, "x")).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("not a mapped column of BkTrack");
        assertThatThrownBy(() -> Orm.update(BkTrack.class).set("album", null)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("relationship BkTrack.album");
        assertThatThrownBy(() -> Orm.update(BkTrack.class).set("plays", 3L)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("@QueryExpression");
        assertThatThrownBy(() -> Orm.update(BkTrack.class).set("nope", 3)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("no column attribute 'nope'");
        assertThatThrownBy(() -> Orm.update(BkTrack.class).set("ms", "three")).isInstanceOf(ArgumentError.class);
        assertThatThrownBy(() -> Orm.delete(BkTrack.class).set(BkTrack_.ms, 1)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("Orm.update");
        assertThatThrownBy(() -> BulkSync.plan(Orm.update(BkTrack.class).where(BkTrack_.id.eq(1))))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("no SET");
        // The primary key and a hidden foreign key cannot be kept consistent in the session: NONE only.
        BulkStatement<BkTrack> pk = Orm.update(BkTrack.class).set(BkTrack_.id, 9).where(BkTrack_.id.eq(1));
        assertThatThrownBy(() -> BulkSync.plan(pk)).isInstanceOf(InvalidRequestError.class)
                .hasMessageContaining("primary key BkTrack.id").hasMessageContaining("SynchronizeSession.NONE");
        assertThatThrownBy(() -> BulkSync.plan(pk.synchronize(SynchronizeSession.FETCH))).isInstanceOf(InvalidRequestError.class);
        assertThat(BulkSync.plan(pk.synchronize(SynchronizeSession.NONE)).sets()).hasSize(1);
        BulkStatement<BkTrack> fk = Orm.update(BkTrack.class).set(albumId(), 3);
        assertThatThrownBy(() -> BulkSync.plan(fk)).isInstanceOf(InvalidRequestError.class)
                .hasMessageContaining("foreign-key column");
        // A DELETE whose entity cascades deletes in the ORM would orphan the children.
        BulkStatement<BkArtist> parent = Orm.delete(BkArtist.class).where(BkArtist_.name.eq("x"));
        assertThatThrownBy(() -> BulkSync.plan(parent)).isInstanceOf(InvalidRequestError.class)
                .hasMessageContaining("BkArtist.records").hasMessageContaining("withoutOrmCascade");
        assertThat(BulkSync.plan(parent.withoutOrmCascade()).bulk().kind()).isEqualTo(BulkStatement.Kind.DELETE);
    }

    @Test // O9/O10: a bulk UPDATE leaves @Version alone unless it is SET explicitly
    void versionIsNotBumped() {
        BulkStatement<BkTrack> u = Orm.update(BkTrack.class).set(BkTrack_.ms, 1);
        assertThat(sql(u, PG)).isEqualTo("UPDATE bk_track SET ms = $1");
        BulkStatement<BkTrack> bumped = u.set(BkTrack_.version, BkTrack_.version.plus(1));
        assertThat(sql(bumped, PG)).isEqualTo("UPDATE bk_track SET ms = $1, version = bk_track.version + $2");
    }
}
