package io.retort.tck.suite;

import io.retort.engine.StatementObserver;
import io.retort.error.IntegrityError;
import io.retort.orm.AsyncSession;
import io.retort.orm.Orm;
import io.retort.orm.SynchronizeSession;
import io.retort.orm.UnevaluableCriteriaError;
import io.retort.sql.Column;
import io.retort.sql.Table;
import io.retort.sql.compile.Dialect;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities;
import io.retort.tck.orm.Entities.OAlbum;
import io.retort.tck.orm.Entities.OArtist;
import io.retort.tck.orm.Entities.OTrack;
import io.retort.tck.orm.OAlbum_;
import io.retort.tck.orm.OTrack_;
import io.retort.tck.suite.OrmSuite.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ORM bulk UPDATE/DELETE with session synchronization (O9) on every backend: the rows in the
 * database afterwards and the rows matched; the session's objects updated in place (EVALUATE),
 * updated or expired or removed by the keys the database reported (FETCH: RETURNING where the
 * dialect has it for the statement, a SELECT of the keys first elsewhere), or untouched (NONE);
 * the statements sent; pending changes flushed first; a failing statement rolled back with the
 * session usable afterwards. The oracle checks the pool is idle after each test.
 */
@ExtendWith(TckOracle.class)
public interface OrmBulkSuite extends TckBackend {
    Duration BULK_WAIT = Duration.ofSeconds(60);

    /** Album "Live" (tracks L1 1000 ms, L2 2000 ms, L3 3000 ms) and album "Demo" (D1 1000 ms, D2 5000 ms). */
    private static Fixture bulkFixture(TckBackend b, TestDatabase db) {
        Fixture f = Fixture.on(b, db);
        OArtist artist = new OArtist("Band");
        artist.albums = new ArrayList<>(List.of(album("Live", 1000, 2000, 3000), album("Demo", 1000, 5000)));
        f.seed(artist);
        return f;
    }

    private static OAlbum album(String title, int... ms) {
        OAlbum a = new OAlbum(title);
        for (int i = 0; i < ms.length; i++) {
            a.tracks.add(new OTrack(title.charAt(0) + String.valueOf(i + 1), ms[i]));
        }
        return a;
    }

    /** Track name to milliseconds, as the database has them now. */
    private static Map<String, Integer> trackRows(Fixture f) {
        Table t = f.registry().mapper(OTrack.class).table();
        Map<String, Integer> out = new TreeMap<>();
        f.engine().execute(select(t.c("name"), t.c("milliseconds")).from(t)).doOnNext(r -> out.put((String) r.get(0),
                r.get(1) == null ? null : ((Number) r.get(1)).intValue())).blockLast(BULK_WAIT);
        return out;
    }

    private static List<OTrack> loadTracks(AsyncSession s) {
        return s.execute(Orm.select(OTrack.class).orderBy(OTrack_.id)).collectList().block(BULK_WAIT);
    }

    private static OTrack named(List<OTrack> tracks, String name) {
        return tracks.stream().filter(t -> t.name.equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Column<Integer> trackAlbumId(Fixture f) {
        return (Column<Integer>) f.registry().mapper(OTrack.class).table().c("album_id");
    }

    @Test // O9: EVALUATE (the default): autoflush first, one UPDATE, matching objects updated in place, others untouched
    default void bulkUpdateEvaluateUpdatesTheIdentityMap(TestDatabase db) {
        Fixture f = bulkFixture(this, db);
        List<String> sent = f.recordSql();
        AsyncSession s = f.sessions().openSession();
        try {
            List<OTrack> tracks = loadTracks(s);
            OTrack l1 = named(tracks, "L1");
            OTrack d2 = named(tracks, "D2");
            l1.milliseconds = 2500; // pending: the bulk UPDATE must see it (autoflush) and then match L1
            sent.clear();
            Long matched = s.execute(Orm.update(OTrack.class)
                    .set(OTrack_.milliseconds, OTrack_.milliseconds.plus(100))
                    .set(OTrack_.unitPrice, new BigDecimal("1.29"))
                    .where(OTrack_.milliseconds.ge(2000), OTrack_.milliseconds.lt(4000))).block(BULK_WAIT);
            assertThat(matched).isEqualTo(3L); // L1 (2500 after the flush), L2, L3
            assertThat(sent).hasSize(2);
            assertThat(sent.get(0)).startsWith("UPDATE").contains("milliseconds").doesNotContain("unit_price");
            assertThat(sent.get(1)).startsWith("UPDATE").doesNotContain("RETURNING");
            assertThat(l1.milliseconds).isEqualTo(2600);
            assertThat(l1.unitPrice).isEqualByComparingTo("1.29");
            assertThat(named(tracks, "L3").milliseconds).isEqualTo(3100);
            assertThat(d2.milliseconds).isEqualTo(5000);
            assertThat(d2.unitPrice).isEqualByComparingTo("0.99");
            assertThat(s.isModified(l1)).as("assigned values are the clean state").isFalse();
            sent.clear();
            assertThat(s.get(OTrack.class, l1.id).block(BULK_WAIT)).isSameAs(l1);
            assertThat(sent).as("answered from the identity map").isEmpty();
            s.commit().block(BULK_WAIT);
        } finally {
            s.close().block(BULK_WAIT);
        }
        assertThat(trackRows(f)).containsEntry("L1", 2600).containsEntry("L2", 2100).containsEntry("L3", 3100)
                .containsEntry("D1", 1000).containsEntry("D2", 5000);
    }

    @Test // O9 (seed 1.4): FETCH: RETURNING where the dialect has it, else SELECT of the keys first; unevaluable SET expires
    default void bulkUpdateFetchUsesReturningOrSelectFirst(TestDatabase db) {
        Fixture f = bulkFixture(this, db);
        Dialect dialect = f.engine().dialect().block(BULK_WAIT);
        List<String> sent = f.recordSql();
        AsyncSession s = f.sessions().openSession();
        try {
            List<OTrack> tracks = loadTracks(s);
            // A relationship predicate: EXISTS, which EVALUATE refuses before sending anything.
            assertThatThrownBy(() -> s.execute(Orm.update(OTrack.class).set(OTrack_.milliseconds, 1)
                    .where(OTrack_.album.has(OAlbum_.title.eq("Demo")))).block(BULK_WAIT))
                    .isInstanceOf(UnevaluableCriteriaError.class).hasMessageContaining("FETCH");
            sent.clear();
            Long matched = s.execute(Orm.update(OTrack.class)
                    .set(OTrack_.name, OTrack_.name.concat("!"))
                    .set(OTrack_.milliseconds, OTrack_.milliseconds.div(2)) // division: not computed in Java
                    .where(OTrack_.album.has(OAlbum_.title.eq("Demo")))
                    .synchronize(SynchronizeSession.FETCH)).block(BULK_WAIT);
            assertThat(matched).isEqualTo(2L);
            if (dialect.supportsUpdateReturning()) {
                assertThat(sent).hasSize(1);
                // PostgreSQL, SQLite: UPDATE ... RETURNING; H2: SELECT ... FROM FINAL TABLE (UPDATE ...).
                assertThat(sent.get(0)).contains("UPDATE").containsAnyOf("RETURNING", "FINAL TABLE");
            } else {
                assertThat(sent).hasSize(2);
                assertThat(sent.get(0)).startsWith("SELECT").contains("EXISTS");
                assertThat(sent.get(1)).startsWith("UPDATE").doesNotContain("RETURNING");
            }
            OTrack d1 = named(tracks, "D1!");
            assertThat(d1.milliseconds).as("expired, not recomputed in Java").isEqualTo(1000);
            assertThat(named(tracks, "L1").name).isEqualTo("L1");
            sent.clear();
            OTrack again = s.get(OTrack.class, d1.id).block(BULK_WAIT);
            assertThat(again).isSameAs(d1);
            assertThat(sent).as("an expired object is queried").hasSize(1);
            assertThat(d1.milliseconds).isEqualTo(500);
            s.commit().block(BULK_WAIT);
        } finally {
            s.close().block(BULK_WAIT);
        }
        assertThat(trackRows(f)).containsEntry("D1!", 500).containsEntry("D2!", 2500).containsEntry("L1", 1000);
    }

    @Test // O9 (seed 1.2): multi-table DELETE with FETCH: removed from the session and from loaded collections
    default void bulkDeleteFetchMultiTableRemovesFromTheSession(TestDatabase db) {
        Fixture f = bulkFixture(this, db);
        Dialect dialect = f.engine().dialect().block(BULK_WAIT);
        List<String> sent = f.recordSql();
        AsyncSession s = f.sessions().openSession();
        try {
            List<OAlbum> albums = s.execute(Orm.select(OAlbum.class).orderBy(OAlbum_.id)
                    .options(io.retort.orm.Load.selectinLoad(OAlbum_.tracks))).collectList().block(BULK_WAIT);
            OAlbum demo = albums.get(1);
            List<OTrack> demoTracks = new ArrayList<>(demo.tracks);
            sent.clear();
            Long matched = s.execute(Orm.delete(OTrack.class)
                    .where(trackAlbumId(f).eq(OAlbum_.id), OAlbum_.title.eq("Demo"))
                    .synchronize(SynchronizeSession.FETCH)).block(BULK_WAIT);
            assertThat(matched).isEqualTo(2L);
            // RETURNING: PostgreSQL (DELETE ... USING ... RETURNING), and H2/SQLite, which have no multi-table
            // DELETE (the criteria go into a correlated EXISTS). MariaDB returns from a single-table DELETE only,
            // and MySQL not at all: a SELECT of the keys goes first.
            boolean returning = dialect.supportsDeleteReturning()
                    && (!dialect.supportsMultiTableDelete() || dialect.name().equals("postgresql"));
            if (returning) {
                assertThat(sent).hasSize(1);
            } else {
                assertThat(sent).hasSize(2);
                assertThat(sent.get(0)).startsWith("SELECT");
                assertThat(sent.get(1)).startsWith("DELETE");
            }
            for (OTrack t : demoTracks) {
                assertThat(s.contains(t)).isFalse();
            }
            assertThat(demo.tracks).isEmpty();
            assertThat(albums.get(0).tracks).hasSize(3);
            sent.clear();
            s.commit().block(BULK_WAIT); // nothing to flush: the removed tracks are not inserted again
            assertThat(sent).isEmpty();
        } finally {
            s.close().block(BULK_WAIT);
        }
        assertThat(trackRows(f)).containsOnlyKeys("L1", "L2", "L3");
    }

    @Test // O9: NONE leaves the objects as they were; EVALUATE DELETE removes them, and a rollback brings them back
    default void bulkNoneAndEvaluateDeleteWithRollback(TestDatabase db) {
        Fixture f = bulkFixture(this, db);
        AsyncSession s = f.sessions().openSession();
        try {
            List<OTrack> tracks = loadTracks(s);
            OTrack l2 = named(tracks, "L2");
            Long matched = s.execute(Orm.update(OTrack.class).set(OTrack_.milliseconds, 7)
                    .where(OTrack_.name.eq("L2")).synchronize(SynchronizeSession.NONE)).block(BULK_WAIT);
            assertThat(matched).isEqualTo(1L);
            assertThat(l2.milliseconds).as("NONE: untouched").isEqualTo(2000);
            s.rollback().block(BULK_WAIT);

            OTrack d2 = named(tracks, "D2");
            Long deleted = s.execute(Orm.delete(OTrack.class).where(OTrack_.milliseconds.gt(4000))).block(BULK_WAIT);
            assertThat(deleted).isEqualTo(1L);
            assertThat(s.contains(d2)).isFalse();
            assertThat(s.contains(l2)).isTrue();
            s.rollback().block(BULK_WAIT);
            assertThat(s.contains(d2)).as("back after the rollback").isTrue();
            assertThat(s.get(OTrack.class, d2.id).block(BULK_WAIT)).isSameAs(d2);
        } finally {
            s.close().block(BULK_WAIT);
        }
        assertThat(trackRows(f)).containsEntry("L2", 2000).containsEntry("D2", 5000).hasSize(5);
    }

    @Test // O9: a failing bulk statement rolls back with the autoflushed changes; the session is usable after rollback
    default void bulkFailureRollsBackAndTheSessionGoesOn(TestDatabase db) {
        Fixture f = bulkFixture(this, db);
        AsyncSession s = f.sessions().openSession();
        try {
            List<OTrack> tracks = loadTracks(s);
            OTrack l1 = named(tracks, "L1");
            l1.milliseconds = 1111; // autoflushed, then rolled back with the failed UPDATE's transaction
            assertThatThrownBy(() -> s.execute(Orm.update(OTrack.class).set(OTrack_.name, (String) null)
                    .where(OTrack_.name.eq("L2"))).block(BULK_WAIT)).isInstanceOf(IntegrityError.class);
            assertThat(named(tracks, "L2").name).as("the failed statement changed nothing in memory").isEqualTo("L2");
            s.rollback().block(BULK_WAIT);
            assertThat(l1.milliseconds).as("restored by the rollback").isEqualTo(1000);
            Long matched = s.execute(Orm.update(OTrack.class).set(OTrack_.milliseconds, 42)
                    .where(OTrack_.name.eq("L1"))).block(BULK_WAIT);
            assertThat(matched).isEqualTo(1L);
            assertThat(l1.milliseconds).isEqualTo(42);
            s.commit().block(BULK_WAIT);
        } finally {
            s.close().block(BULK_WAIT);
        }
        assertThat(trackRows(f)).containsEntry("L1", 42).containsEntry("L2", 2000);
    }
}
