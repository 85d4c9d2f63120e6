package io.retort.tck.suite;

import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.AsyncSession;
import io.retort.orm.EntitySelect;
import io.retort.orm.Orm;
import io.retort.orm.Relationship;
import io.retort.sql.Column;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities;
import io.retort.tck.orm.Entities.OAlbum;
import io.retort.tck.orm.Entities.OArtist;
import io.retort.tck.orm.Entities.OPlaylist;
import io.retort.tck.orm.Entities.OTrack;
import io.retort.tck.suite.OrmSuite.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.retort.orm.Load.selectinLoad;
import static io.retort.orm.SessionListener.sync;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ORM events (O11) on every backend: the order of session events across flush, commit and
 * rollback; objects a beforeFlush listener adds join the same flush; afterRollback sees the
 * state from before the rollback; afterTransactionCreate fires once per transaction actually
 * begun; the execute hook's criteria change the rows; a failing listener fails the commit with
 * its own error and the session recovers after rollback; flagModified forces the UPDATE of that
 * column, flagDirty lists the object without one; Retort's collections fire append and remove.
 * TckOracle checks every connection is back in the pool after each test.
 */
@ExtendWith(TckOracle.class)
public interface OrmEventsSuite extends TckBackend {
    Duration EV_WAIT = Duration.ofSeconds(60);

    private static Fixture fixture(TckBackend b, TestDatabase db) {
        return Fixture.on(b, db);
    }

    private static String describe(String event, io.retort.orm.FlushContext ctx) {
        return event + " new=" + ctx.newObjects().size() + " dirty=" + ctx.dirtyObjects().size()
                + " deleted=" + ctx.deletedObjects().size();
    }

    /** Runs {@code action} and returns the SQL the engine sent meanwhile. */
    private static List<String> sqlOf(Fixture f, Runnable action) {
        List<String> sql = new CopyOnWriteArrayList<>();
        try (AutoCloseable log = f.engine().onStatement(sql::add)) {
            action.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return sql;
    }

    @Test // the order of session events across a commit, and across flushes then a rollback
    default void eventsFireInOrderAcrossFlushCommitAndRollback(TestDatabase db) {
        Fixture f = fixture(this, db);
        List<String> log = new CopyOnWriteArrayList<>();
        f.sessions().events()
                .afterTransactionCreate(sync(s -> log.add("afterTransactionCreate")))
                .beforeFlush(sync(ctx -> log.add(describe("beforeFlush", ctx))))
                .afterFlush(sync(ctx -> log.add(describe("afterFlush", ctx))))
                .afterCommit(sync(s -> log.add("afterCommit")))
                .afterRollback(sync(s -> log.add("afterRollback")));

        f.sessions().withTransaction(s -> {
            s.add(new OPlaylist(1, "One"));
            return Mono.just(1);
        }).block(EV_WAIT);
        // The transaction begins on demand: when the flush, past its beforeFlush, first needs it.
        assertThat(log).containsExactly("beforeFlush new=1 dirty=0 deleted=0", "afterTransactionCreate",
                "afterFlush new=1 dirty=0 deleted=0", "afterCommit");
        log.clear();

        AsyncSession s = f.sessions().openSession();
        try {
            OPlaylist p = s.get(OPlaylist.class, 1).block(EV_WAIT);
            assertThat(log).as("a plain read begins no transaction and flushes nothing").isEmpty();
            p.name = "Changed";
            s.flush().block(EV_WAIT);
            s.add(new OPlaylist(2, "Two"));
            s.flush().block(EV_WAIT);
            s.rollback().block(EV_WAIT);
            s.commit().block(EV_WAIT); // no transaction: no commit, no event
        } finally {
            s.close().block(EV_WAIT);
        }
        assertThat(log).containsExactly("beforeFlush new=0 dirty=1 deleted=0", "afterTransactionCreate",
                "afterFlush new=0 dirty=1 deleted=0", "beforeFlush new=1 dirty=0 deleted=0",
                "afterFlush new=1 dirty=0 deleted=0", "afterRollback");
        assertThat(f.playlistNames()).containsExactly("One");
    }

    @Test // seed 1.2: afterRollback runs before the objects are restored or expunged
    default void eventAfterRollbackSeesThePreRollbackState(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.seed(new OPlaylist(1, "Before"));
        AtomicReference<String> seen = new AtomicReference<>();
        AsyncSession s = f.sessions().openSession();
        try {
            OPlaylist p = s.get(OPlaylist.class, 1).block(EV_WAIT);
            OPlaylist added = new OPlaylist(2, "Added");
            s.events().afterRollback(sync(x -> seen.set(p.name + "/" + x.contains(added) + "/" + x.isModified(p))));
            p.name = "During";
            s.add(added);
            s.flush().block(EV_WAIT);
            s.rollback().block(EV_WAIT);
            assertThat(seen.get()).isEqualTo("During/true/false");
            assertThat(p.name).as("restored after the listener ran").isEqualTo("Before");
            assertThat(s.contains(added)).isFalse();
        } finally {
            s.close().block(EV_WAIT);
        }
    }

    @Test // objects a beforeFlush listener adds go in the same flush; a reactive listener queries through its session
    default void eventBeforeFlushAdditionsJoinTheSameFlush(TestDatabase db) {
        Fixture f = fixture(this, db);
        long before = f.engine().statementCount();
        f.sessions().withTransaction(s -> {
            s.add(new OPlaylist(1, "A"));
            s.add(new OPlaylist(2, "B"));
            return Mono.just(1);
        }).block(EV_WAIT);
        long twoInserts = f.engine().statementCount() - before;

        AtomicInteger flushes = new AtomicInteger();
        List<Integer> flushedNew = new CopyOnWriteArrayList<>();
        f.sessions().events()
                .beforeFlush(ctx -> {
                    flushes.incrementAndGet();
                    boolean audited = ctx.newObjects().stream().anyMatch(o -> o instanceof OPlaylist && ((OPlaylist) o).id == 3);
                    return !audited ? Mono.empty() : ctx.session().execute(Orm.select(OPlaylist.class)).count()
                            .doOnNext(n -> ctx.session().add(new OPlaylist(4, "Audit of " + n))).then();
                })
                .afterFlush(sync(ctx -> flushedNew.add(ctx.newObjects().size())));
        before = f.engine().statementCount();
        f.sessions().withTransaction(s -> {
            s.add(new OPlaylist(3, "C"));
            return Mono.just(1);
        }).block(EV_WAIT);
        assertThat(f.engine().statementCount() - before).as("the listener's SELECT plus the same INSERTs as for two objects")
                .isEqualTo(twoInserts + 1);
        assertThat(flushes.get()).isEqualTo(1);
        assertThat(flushedNew).containsExactly(2);
        assertThat(f.playlistNames()).containsExactly("A", "Audit of 2", "B", "C");
    }

    @Test // afterTransactionCreate: once per transaction actually begun, never for a read-only session
    default void eventAfterTransactionCreateFiresOncePerTransaction(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.seed(new OPlaylist(1, "One"));
        AtomicInteger created = new AtomicInteger();
        List<Long> countedInside = new CopyOnWriteArrayList<>();
        Table t = f.registry().mapper(OPlaylist.class).table();
        f.sessions().events().afterTransactionCreate(s -> {
            created.incrementAndGet();
            // A reactive listener runs statements through the session it is handed, inside the new transaction.
            return s.execute(select(io.retort.sql.Sql.count()).from(t)).doOnNext(r -> countedInside.add(((Number) r.get(0)).longValue())).then();
        });

        List<String> names = f.sessions().withSession(s -> s.execute(Orm.select(OPlaylist.class)).map(p -> p.name).collectList())
                .block(EV_WAIT);
        assertThat(names).containsExactly("One");
        assertThat(created.get()).as("a read-only session never begins").isZero();

        AsyncSession s = f.sessions().openSession();
        try {
            s.add(new OPlaylist(2, "Two"));
            s.flush().block(EV_WAIT);
            s.add(new OPlaylist(3, "Three"));
            s.flush().block(EV_WAIT);
            s.commit().block(EV_WAIT);
            assertThat(created.get()).as("two flushes, one transaction").isEqualTo(1);
            s.begin().then(s.rollback()).block(EV_WAIT);
            assertThat(created.get()).as("an explicit begin").isEqualTo(2);
        } finally {
            s.close().block(EV_WAIT);
        }
        assertThat(countedInside).containsExactly(1L, 3L);
    }

    @Test // the execute hook sees every ORM query and its added criterion changes the rows
    @SuppressWarnings("unchecked")
    default void eventExecuteHookCriteriaChangeTheRows(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.seed(new OPlaylist(1, "Visible"), new OPlaylist(2, "Hidden"), new OPlaylist(3, "Also visible"));
        Column<String> name = f.stringColumn(OPlaylist.class, "name");
        List<String> seen = new CopyOnWriteArrayList<>();
        f.sessions().events().onExecute((q, s) -> {
            seen.add(q.type().getSimpleName());
            return q.type() == OPlaylist.class ? ((EntitySelect<OPlaylist>) q).where(name.ne("Hidden")) : q;
        });
        assertThat(f.sessions().withSession(s -> s.execute(Orm.select(OPlaylist.class).orderBy(name.asc()))
                .map(p -> p.name).collectList()).block(EV_WAIT)).containsExactly("Also visible", "Visible");
        assertThat(f.sessions().withSession(s -> s.get(OPlaylist.class, 2)).blockOptional(EV_WAIT)).isEmpty();
        assertThat(f.sessions().withSession(s -> s.get(OPlaylist.class, 1)).map(p -> p.name).block(EV_WAIT)).isEqualTo("Visible");
        assertThat(seen).containsExactly("OPlaylist", "OPlaylist", "OPlaylist");
        assertThat(f.playlistNames()).as("Core statements do not go through the ORM hook").hasSize(3);
    }

    @Test // a failing listener fails the commit with its own error; the session is usable after rollback
    default void eventFailingListenerFailsTheCommitAndTheSessionRecovers(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.sessions().events().beforeFlush(sync(ctx -> {
            if (ctx.newObjects().stream().anyMatch(o -> "Bad".equals(((OPlaylist) o).name))) {
                throw new IllegalStateException("rejected by audit");
            }
        }));
        AsyncSession s = f.sessions().openSession();
        try {
            s.add(new OPlaylist(1, "Good"));
            s.flush().block(EV_WAIT);
            s.add(new OPlaylist(2, "Bad"));
            StepVerifier.create(s.commit())
                    .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(IllegalStateException.class).hasMessage("rejected by audit"))
                    .verify(EV_WAIT);
            StepVerifier.create(s.execute(Orm.select(OPlaylist.class))).expectError(PendingRollbackError.class).verify(EV_WAIT);
            s.rollback().block(EV_WAIT);
            s.add(new OPlaylist(3, "Recovered"));
            s.commit().block(EV_WAIT);
        } finally {
            s.close().block(EV_WAIT);
        }
        assertThat(f.playlistNames()).containsExactly("Recovered");

        // The factory's transaction scope: the same typed error, and the connection goes back (TckOracle).
        StepVerifier.create(f.sessions().withTransaction(x -> {
                    x.add(new OPlaylist(4, "Bad"));
                    return Mono.just(1);
                }))
                .expectError(IllegalStateException.class)
                .verify(EV_WAIT);
        // A reactive afterCommit listener's error comes after the COMMIT, which stays done.
        f.sessions().events().afterCommit(x -> Mono.error(new IllegalArgumentException("after commit")));
        StepVerifier.create(f.sessions().withTransaction(x -> {
                    x.add(new OPlaylist(5, "Committed"));
                    return Mono.just(1);
                }))
                .expectErrorMessage("after commit")
                .verify(EV_WAIT);
        assertThat(f.playlistNames()).containsExactly("Committed", "Recovered");
    }

    @Test // flagModified forces the UPDATE of that column (and fires its modified event); unloaded is an error
    default void eventFlagModifiedForcesTheUpdateOfThatColumn(TestDatabase db) {
        Fixture f = fixture(this, db);
        OArtist artist = new OArtist("Band");
        artist.albums = new ArrayList<>(List.of(new OAlbum("Record")));
        f.seed(new OPlaylist(1, "Same"), artist);
        List<String> modified = new CopyOnWriteArrayList<>();
        f.sessions().events().attributes().onModified(OPlaylist.class, null, (p, attr) -> modified.add(p.id + "." + attr));
        AsyncSession s = f.sessions().openSession();
        try {
            OPlaylist p = s.get(OPlaylist.class, 1).block(EV_WAIT);
            assertThat(sqlOf(f, () -> s.flush().block(EV_WAIT))).as("nothing changed").isEmpty();
            s.flagModified(p, "name");
            List<String> sql = sqlOf(f, () -> s.flush().block(EV_WAIT));
            assertThat(sql).hasSize(1);
            assertThat(sql.get(0)).startsWith("UPDATE o_playlist SET");
            String set = sql.get(0).substring(0, sql.get(0).indexOf("WHERE"));
            assertThat(set).contains("name").doesNotContain("playlist_id");
            assertThat(modified).containsExactly("1.name");
            assertThat(sqlOf(f, () -> s.flush().block(EV_WAIT))).as("the flag is spent").isEmpty();

            OAlbum album = s.execute(Orm.select(OAlbum.class)).blockFirst(EV_WAIT);
            assertThatThrownBy(() -> s.flagModified(album, "notes")).isInstanceOf(InvalidRequestError.class)
                    .hasMessageContaining("'notes'");
            s.commit().block(EV_WAIT);
        } finally {
            s.close().block(EV_WAIT);
        }
        assertThat(f.playlistNames()).containsExactly("Same");
    }

    @Test // flagDirty: the object is in the flush's dirty set, and no UPDATE (nor BEGIN) is sent
    default void eventFlagDirtyListsTheObjectWithoutAnUpdate(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.seed(new OPlaylist(1, "Clean"));
        List<Object> dirty = new CopyOnWriteArrayList<>();
        f.sessions().events().beforeFlush(sync(ctx -> dirty.addAll(ctx.dirtyObjects())));
        AsyncSession s = f.sessions().openSession();
        try {
            OPlaylist p = s.get(OPlaylist.class, 1).block(EV_WAIT);
            s.flagDirty(p);
            assertThat(s.isModified(p)).isTrue();
            List<String> sql = sqlOf(f, () -> s.flush().block(EV_WAIT));
            assertThat(dirty).containsExactly(p);
            assertThat(sql).as("no UPDATE for an unchanged object").isEmpty();
            assertThat(s.inTransaction()).as("nothing was sent, so nothing began").isFalse();
            assertThat(s.isModified(p)).isFalse();
        } finally {
            s.close().block(EV_WAIT);
        }
    }

    @Test // append/remove fire for Retort's collections, bulk replace too; the flush writes the membership
    default void eventCollectionAppendAndRemoveFireForRetortsCollections(TestDatabase db) {
        Fixture f = fixture(this, db);
        OArtist artist = new OArtist("Band");
        artist.albums = new ArrayList<>();
        OAlbum album = new OAlbum("Record");
        for (int i = 0; i < 3; i++) {
            album.tracks.add(new OTrack("Track " + i, 1000 * i));
        }
        artist.albums.add(album);
        OPlaylist mix = new OPlaylist(1, "Mix");
        mix.tracks.addAll(album.tracks.subList(0, 2));
        f.seed(artist, mix);
        Relationship<OPlaylist, OTrack> tracks = f.rel(OPlaylist.class, "tracks");
        List<String> events = new CopyOnWriteArrayList<>();
        f.sessions().events().attributes()
                .onAppend(tracks, (p, t, bulk) -> events.add("+" + t.name + (bulk ? " (bulk)" : "")))
                .onRemove(tracks, (p, t, bulk) -> events.add("-" + t.name + (bulk ? " (bulk)" : "")))
                .onBulkReplace(tracks, (p, values) -> events.add("replace with " + values.size()));
        Column<String> trackName = f.stringColumn(OTrack.class, "name");

        f.sessions().withTransaction(s -> s.execute(Orm.select(OTrack.class).orderBy(trackName.asc())).collectList()
                .flatMap(all -> s.execute(Orm.select(OPlaylist.class).options(selectinLoad(tracks))).next().doOnNext(p -> {
                    p.tracks.add(all.get(2));
                    p.tracks.remove(all.get(0));
                }))).block(EV_WAIT);
        assertThat(events).containsExactly("+Track 2", "-Track 0");
        assertThat(trackNames(f, tracks)).containsExactly("Track 1", "Track 2");

        events.clear();
        f.sessions().withTransaction(s -> s.execute(Orm.select(OTrack.class).orderBy(trackName.asc())).collectList()
                .flatMap(all -> s.execute(Orm.select(OPlaylist.class).options(selectinLoad(tracks))).next().doOnNext(p ->
                        s.replaceCollection(p, tracks, List.of(all.get(0), all.get(2)))))).block(EV_WAIT);
        assertThat(events).containsExactly("replace with 2", "-Track 1 (bulk)", "+Track 0 (bulk)");
        assertThat(trackNames(f, tracks)).containsExactly("Track 0", "Track 2");
    }

    private static List<String> trackNames(Fixture f, Relationship<OPlaylist, OTrack> tracks) {
        return f.sessions().withSession(s -> s.get(OPlaylist.class, 1, selectinLoad(tracks))
                .map(p -> p.tracks.stream().map(t -> t.name).sorted().toList())).block(EV_WAIT);
    }
}
