package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.error.ArgumentError;
import io.retort.error.CompileError;
import io.retort.error.InvalidRequestError;
import io.retort.error.IntegrityError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.AlreadyAttachedError;
import io.retort.orm.AsyncSession;
import io.retort.orm.DetachedInstanceError;
import io.retort.orm.FlushError;
import io.retort.orm.EntityAlias;
import io.retort.orm.EntityRow;
import io.retort.orm.Orm;
import io.retort.orm.OrmRegistry;
import io.retort.orm.Relationship;
import io.retort.orm.SessionFactory;
import io.retort.orm.StaleDataError;
import io.retort.orm.UnloadedAttributeException;
import io.retort.sql.Column;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities;
import io.retort.tck.orm.Entities.OAlbum;
import io.retort.tck.orm.Entities.OArtist;
import io.retort.tck.orm.Entities.OEmployee;
import io.retort.tck.orm.Entities.OLine;
import io.retort.tck.orm.Entities.OTrack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static io.retort.orm.Load.defer;
import static io.retort.orm.Load.deferRaiseload;
import static io.retort.orm.Load.immediateLoad;
import static io.retort.orm.Load.joinedLoad;
import static io.retort.orm.Load.loadOnly;
import static io.retort.orm.Load.noLoad;
import static io.retort.orm.Load.raiseLoad;
import static io.retort.orm.Load.raiseLoadAll;
import static io.retort.orm.Load.selectinLoad;
import static io.retort.orm.Load.selectinLoadAll;
import static io.retort.orm.Load.undefer;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The session's state operations and loader options on every backend, beyond {@link OrmSuite}:
 * {@link StaleDataError} for UPDATE, DELETE and version-counter conflicts (and the rollback it
 * requires); {@code merge}, {@code expire}, {@code expunge}, {@code refresh} (with {@code FOR
 * UPDATE} where the dialect has row locks) and {@code beginNested} savepoints; the relationship
 * strategies {@code immediateLoad}, {@code noLoad}, {@code raiseLoad} and the wildcards
 * {@code selectinLoadAll()}/{@code raiseLoadAll()}, counted in statements; the column options
 * {@code defer}, {@code undefer} and {@code loadOnly}, checked in the SQL text; and explicit
 * loading with {@code session.fetch}.
 */
@ExtendWith(TckOracle.class)
public interface OrmSessionSuite extends TckBackend {
    /** Named apart from {@link OrmSuite#T}: both are inherited by {@code Tck}. */
    Duration SESSION_WAIT = Duration.ofSeconds(60);

    private static SessionFixture setUp(TckBackend b, TestDatabase db) {
        Engine engine = b.engine(db);
        OrmRegistry registry = Entities.registry();
        engine.connect(c -> Flux.fromIterable(registry.tables()).concatMap(t -> c.execute(createTable(t)).rowsAffected()))
                .blockLast(SESSION_WAIT);
        return new SessionFixture(engine, registry, SessionFactory.of(engine, registry));
    }

    /** An engine, registry and session factory on a fresh schema, with helpers acting from outside the session. */
    record SessionFixture(Engine engine, OrmRegistry registry, SessionFactory sessions) {
        <S, T2> Relationship<S, T2> rel(Class<S> type, String name) {
            return registry.mapper(type).relationship(name);
        }

        Table table(Class<?> type) {
            return registry.mapper(type).table();
        }

        Column<String> artistName() {
            return registry.mapper(OArtist.class).column("name", String.class);
        }

        void seed(Object... entities) {
            sessions.inTransaction(s -> {
                for (Object e : entities) {
                    s.add(e);
                }
                return Mono.empty();
            }).blockLast(SESSION_WAIT);
        }

        long rows(Class<?> type) {
            return engine.connect(c -> c.execute(select(count()).from(table(type))).scalars(Long.class)).blockLast(SESSION_WAIT);
        }

        /** Artist names in the database, sorted, read on a connection of its own. */
        List<String> artistNames() {
            return engine.connect(c -> c.execute(select(artistName()).from(table(OArtist.class)).orderBy(artistName()))
                    .scalars(String.class)).collectList().block(SESSION_WAIT);
        }

        /** Renames an artist in a committed transaction of another connection (a concurrent writer). */
        void renameElsewhere(String from, String to) {
            engine.inTransaction(c -> c.execute(io.retort.sql.Sql.update(table(OArtist.class)).set(artistName(), to)
                    .where(artistName().eq(from))).rowsAffected()).blockLast(SESSION_WAIT);
        }

        /** Deletes an artist in a committed transaction of another connection. */
        void deleteElsewhere(String name) {
            engine.inTransaction(c -> c.execute(io.retort.sql.Sql.delete(table(OArtist.class)).where(artistName().eq(name)))
                    .rowsAffected()).blockLast(SESSION_WAIT);
        }

        /** Statements sent by {@code action}. */
        <R> long statements(Supplier<R> action) {
            long before = engine.statementCount();
            action.get();
            return engine.statementCount() - before;
        }

        /** The SQL of the statements sent by {@code action}. */
        List<String> sql(Runnable action) {
            List<String> seen = new CopyOnWriteArrayList<>();
            try (AutoCloseable sub = engine.onStatement(seen::add)) {
                action.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return seen;
        }
    }

    private static List<OArtist> artists(int n, int albums, int tracks) {
        List<OArtist> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            OArtist a = new OArtist("Artist " + i);
            a.albums = new ArrayList<>();
            for (int j = 0; j < albums; j++) {
                OAlbum al = new OAlbum("Album " + i + "." + j);
                for (int k = 0; k < tracks; k++) {
                    al.tracks.add(new OTrack("Track " + i + "." + j + "." + k, 1000 * k));
                }
                a.albums.add(al);
            }
            out.add(a);
        }
        return out;
    }

    private static OArtist named(List<OArtist> all, String name) {
        return all.stream().filter(a -> name.equals(a.name)).findFirst().orElseThrow();
    }

    // ================================================================= StaleDataError

    @Test // O4, O10, B16: an UPDATE or DELETE of a row deleted (or versioned) elsewhere is stale; rollback, then usable
    default void staleDataErrorOnUpdateDeleteAndVersion(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        OEmployee emp = new OEmployee(1, "Adams");
        f.seed(new OArtist("Kept"), new OArtist("Gone"), new OArtist("Deleted twice"), emp);
        AsyncSession s = f.sessions().openSession();
        try {
            List<OArtist> all = s.execute(Orm.select(OArtist.class)).collectList().block(SESSION_WAIT);

            // UPDATE of a row another connection deleted
            OArtist gone = named(all, "Gone");
            f.deleteElsewhere("Gone");
            gone.name = "Renamed";
            StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StaleDataError.class)
                    .hasMessageContaining("UPDATE statement on table 'o_artist' expected to update 1 row")
                    .hasMessageContaining("0 were matched")).verify(SESSION_WAIT);
            StepVerifier.create(s.execute(Orm.select(OArtist.class))).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(PendingRollbackError.class).hasMessageContaining("expected to update 1 row")).verify(SESSION_WAIT);
            StepVerifier.create(s.commit()).expectError(PendingRollbackError.class).verify(SESSION_WAIT);
            s.rollback().block(SESSION_WAIT);
            s.expunge(gone); // its row no longer exists: nothing to do with it but forget it

            // DELETE of a row another connection deleted
            OArtist twice = named(all, "Deleted twice");
            f.deleteElsewhere("Deleted twice");
            s.delete(twice);
            StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StaleDataError.class)
                    .hasMessageContaining("DELETE statement on table 'o_artist' expected to delete 1 row")).verify(SESSION_WAIT);
            StepVerifier.create(s.flush()).expectError(PendingRollbackError.class).verify(SESSION_WAIT);
            s.rollback().block(SESSION_WAIT);
            s.expunge(twice);

            // a version counter moved by another writer: the row exists but is not the one we read
            OEmployee e = s.get(OEmployee.class, 1).block(SESSION_WAIT);
            assertThat(e.version).isEqualTo(1);
            Table employees = f.table(OEmployee.class);
            Column<Integer> version = f.registry().mapper(OEmployee.class).column("version", Integer.class);
            f.engine().inTransaction(c -> c.execute(io.retort.sql.Sql.update(employees).set(version, 2)).rowsAffected())
                    .blockLast(SESSION_WAIT);
            e.lastName = "Stale";
            StepVerifier.create(s.flush()).expectErrorSatisfies(x -> assertThat(x).isInstanceOf(StaleDataError.class)
                    .hasMessageContaining("o_employee")).verify(SESSION_WAIT);
            s.rollback().block(SESSION_WAIT);
            s.expunge(e);

            // after the rollbacks the session works again
            OArtist kept = named(all, "Kept");
            kept.name = "Kept and renamed";
            s.add(new OArtist("Added after"));
            s.commit().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly("Added after", "Kept and renamed");
        assertThat(f.engine().connect(c -> c.execute(select(f.registry().mapper(OEmployee.class).column("lastName", String.class))
                .from(f.table(OEmployee.class))).scalars(String.class)).collectList().block(SESSION_WAIT)).containsExactly("Adams");
    }

    @Test // B16: a versioned DELETE of a row whose version moved elsewhere is stale too; rollback keeps the row
    default void staleDataErrorOnVersionedDelete(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(new OEmployee(1, "Adams"));
        Table employees = f.table(OEmployee.class);
        Column<Integer> version = f.registry().mapper(OEmployee.class).column("version", Integer.class);
        Column<String> lastName = f.registry().mapper(OEmployee.class).column("lastName", String.class);
        AsyncSession s = f.sessions().openSession();
        try {
            OEmployee e = s.get(OEmployee.class, 1).block(SESSION_WAIT);
            f.engine().inTransaction(c -> c.execute(io.retort.sql.Sql.update(employees).set(lastName, "Changed elsewhere")
                    .set(version, 2)).rowsAffected()).blockLast(SESSION_WAIT);
            s.delete(e);
            List<String> sent = f.sql(() -> StepVerifier.create(s.flush()).expectErrorSatisfies(x -> assertThat(x)
                    .isInstanceOf(StaleDataError.class)
                    .hasMessageContaining("DELETE statement on table 'o_employee' expected to delete 1 row; 0 were matched"))
                    .verify(SESSION_WAIT));
            assertThat(sent).as("the DELETE names the version it read").anySatisfy(sql -> assertThat(sql)
                    .startsWith("DELETE FROM").contains("version"));
            StepVerifier.create(s.commit()).expectErrorSatisfies(x -> assertThat(x).isInstanceOf(PendingRollbackError.class)
                    .hasMessageContaining("expected to delete 1 row")).verify(SESSION_WAIT);
            s.rollback().block(SESSION_WAIT);
            s.expunge(e);
            OEmployee again = s.get(OEmployee.class, 1).block(SESSION_WAIT);
            assertThat(again.lastName).as("usable after the rollback; the other writer's row is intact")
                    .isEqualTo("Changed elsewhere");
            assertThat(again.version).isEqualTo(2);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(5));
    }

    // ================================================================= bad primary keys (B13)

    @Test // B13: NULL, partly NULL and duplicate new keys are FlushErrors before any SQL; a changed key is an UPDATE of it
    default void invalidPrimaryKeysAreRefusedBeforeSql(TestDatabase db) {
        Engine engine = engine(db);
        OrmRegistry registry = OrmRegistry.of(OEmployee.class, OLine.class);
        engine.connect(c -> Flux.fromIterable(registry.tables()).concatMap(t -> c.execute(createTable(t)).rowsAffected()))
                .blockLast(SESSION_WAIT);
        SessionFixture f = new SessionFixture(engine, registry, SessionFactory.of(engine, registry));
        AsyncSession s = f.sessions().openSession();
        try {
            // a NULL key the database does not generate
            OEmployee nameless = new OEmployee();
            nameless.lastName = "No key";
            s.add(nameless);
            assertThat(f.statements(() -> {
                StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FlushError.class)
                        .hasMessageContaining("has a NULL identity key: id (column employee_id) is null and not generated"
                                + " by the database")).verify(SESSION_WAIT);
                return null;
            })).as("no SQL for a NULL key").isZero();
            // nothing was sent, so nothing to roll back: set the key and go on
            nameless.id = 5;
            s.flush().block(SESSION_WAIT);

            // a composite key with one part NULL
            OLine partial = new OLine(1, null, "Half a key");
            s.add(partial);
            assertThat(f.statements(() -> {
                StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FlushError.class)
                        .hasMessageContaining("NULL identity key: lineNo (column line_no) is null")
                        .hasMessageNotContaining("orderId")).verify(SESSION_WAIT);
                return null;
            })).isZero();
            s.expunge(partial);

            // two new objects with one key
            OEmployee first = new OEmployee(7, "First");
            s.add(first);
            s.add(new OEmployee(7, "Second"));
            assertThat(f.statements(() -> {
                StepVerifier.create(s.flush()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FlushError.class)
                        .hasMessageContaining("have the same identity key [7]")).verify(SESSION_WAIT);
                return null;
            })).isZero();
            s.expungeAll();
            s.add(first);
            s.commit().block(SESSION_WAIT);

            // a new object with the key of a persistent one: the database decides (FEATURES O4), typed, all rolled back
            OEmployee persistent = s.get(OEmployee.class, 7).block(SESSION_WAIT);
            s.add(new OEmployee(7, "Impostor"));
            StepVerifier.create(s.flush()).expectError(IntegrityError.class).verify(SESSION_WAIT);
            StepVerifier.create(s.commit()).expectError(PendingRollbackError.class).verify(SESSION_WAIT);
            s.rollback().block(SESSION_WAIT);

            // changing the key of a persistent object UPDATEs it, and its identity follows (back, on rollback)
            persistent.id = 9;
            s.flush().block(SESSION_WAIT);
            assertThat(s.get(OEmployee.class, 9).block(SESSION_WAIT)).isSameAs(persistent);
            s.rollback().block(SESSION_WAIT);
            assertThat(persistent.id).isEqualTo(7);
            assertThat(f.statements(() -> s.get(OEmployee.class, 7).block(SESSION_WAIT))).isZero();
            assertThat(s.get(OEmployee.class, 7).block(SESSION_WAIT)).isSameAs(persistent);
            persistent.id = 8;
            List<String> sent = f.sql(() -> s.commit().block(SESSION_WAIT));
            assertThat(sent).anySatisfy(sql -> assertThat(sql).startsWith("UPDATE").contains("employee_id"));
            assertThat(f.statements(() -> s.get(OEmployee.class, 8).block(SESSION_WAIT))).as("found in the identity map")
                    .isZero();
            assertThat(s.get(OEmployee.class, 8).block(SESSION_WAIT)).isSameAs(persistent);
            assertThat(s.get(OEmployee.class, 7).block(SESSION_WAIT)).as("the old key is gone").isNull();
        } finally {
            s.close().block(SESSION_WAIT);
        }
        Column<Integer> id = registry.mapper(OEmployee.class).column("id", Integer.class);
        Column<String> name = registry.mapper(OEmployee.class).column("lastName", String.class);
        assertThat(engine.connect(c -> c.execute(select(id, name).from(registry.mapper(OEmployee.class).table()).orderBy(id))
                .rows().map(r -> r.get(id) + ":" + r.get(name))).collectList().block(SESSION_WAIT))
                .containsExactly("5:No key", "8:First");
        assertThat(f.rows(OLine.class)).isZero();
        FaultKit.awaitPoolIdle(engine, Duration.ofSeconds(5));
    }

    // ================================================================= detached and foreign objects (B14)

    @Test // B14: a closed session's objects are detached: typed errors, never I/O; another open session's objects are refused
    default void detachedAndForeignObjectsAreTypedErrorsWithoutIo(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        OArtist seeded = artists(1, 2, 0).get(0);
        f.seed(seeded);
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        AsyncSession a = f.sessions().openSession();
        OArtist artist = a.get(OArtist.class, seeded.id).block(SESSION_WAIT);
        a.commit().block(SESSION_WAIT);
        long before = f.engine().statementCount();
        // after commit: no expiry, so reading a field is plain Java
        assertThat(artist.name).isEqualTo(seeded.name);
        a.close().block(SESSION_WAIT);

        // after close: an unloaded collection raises, and the session's explicit loads are typed errors
        assertThatThrownBy(() -> artist.albums.size()).isInstanceOf(UnloadedAttributeException.class)
                .hasMessageContaining("fetch");
        StepVerifier.create(a.refresh(artist)).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DetachedInstanceError.class)
                .hasMessageContaining("is not persistent in this session").hasMessageContaining("session.merge"))
                .verify(SESSION_WAIT);
        StepVerifier.create(a.fetch(artist, albums)).expectError(DetachedInstanceError.class).verify(SESSION_WAIT);
        StepVerifier.create(a.attribute(artist, f.artistName())).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(DetachedInstanceError.class).hasMessageContaining("is not in this session")).verify(SESSION_WAIT);
        assertThatThrownBy(() -> a.delete(artist)).isInstanceOf(DetachedInstanceError.class);
        assertThat(f.engine().statementCount() - before).as("no statement for any of it").isZero();

        // an object another open session holds cannot join a second one, directly or by cascade
        AsyncSession one = f.sessions().openSession();
        AsyncSession two = f.sessions().openSession();
        try {
            OArtist held = one.get(OArtist.class, seeded.id).block(SESSION_WAIT);
            OArtist fresh = new OArtist("Pending in one");
            one.add(fresh);
            before = f.engine().statementCount();
            for (OArtist x : List.of(held, fresh)) {
                assertThatThrownBy(() -> two.add(x)).isInstanceOf(AlreadyAttachedError.class)
                        .hasMessageContaining("is already attached to another open session");
            }
            OAlbum album = new OAlbum("Reaches a foreign artist");
            album.artist = held;
            two.add(album);
            StepVerifier.create(two.flush()).expectError(AlreadyAttachedError.class).verify(SESSION_WAIT);
            assertThat(f.engine().statementCount() - before).as("refused before any SQL").isZero();
            two.expunge(album);
            assertThat(two.contains(held)).isFalse();

            // once the first session lets go, the second may take it; merge copies without taking it
            OArtist merged = two.merge(held).block(SESSION_WAIT);
            assertThat(merged).isNotSameAs(held);
            one.expunge(fresh);
            two.add(fresh);
            two.commit().block(SESSION_WAIT);
            assertThat(one.contains(held)).isTrue();
        } finally {
            one.close().block(SESSION_WAIT);
            two.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly(seeded.name, "Pending in one");
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(5));
    }

    // ================================================================= merge, expire, expunge, refresh

    @Test // merge copies onto the identity-mapped instance (no SQL), loads one that is not mapped, adds a new identity
    default void mergeReturnsThePersistentInstance(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        OArtist original = artists(1, 2, 0).get(0);
        original.name = "Original";
        OArtist other = new OArtist("Other");
        f.seed(original, other);
        AsyncSession s = f.sessions().openSession();
        try {
            // not mapped yet: loaded with one SELECT (first, so no autoflush of the merge below adds to the count)
            OArtist detachedOther = new OArtist("Other merged");
            detachedOther.id = other.id;
            OArtist[] merged = new OArtist[1];
            assertThat(f.statements(() -> merged[0] = s.merge(detachedOther).block(SESSION_WAIT))).isEqualTo(1);
            assertThat(merged[0]).isNotSameAs(detachedOther);
            assertThat(merged[0].name).isEqualTo("Other merged");
            assertThat(s.contains(detachedOther)).isFalse();
            assertThat(f.statements(() -> s.get(OArtist.class, other.id).block(SESSION_WAIT))).isZero();

            OArtist loaded = s.get(OArtist.class, original.id).block(SESSION_WAIT);
            OArtist detached = new OArtist("Merged");
            detached.id = original.id; // albums left unset: not a change (O12), so no orphan is deleted
            assertThat(f.statements(() -> merged[0] = s.merge(detached).block(SESSION_WAIT)))
                    .as("already in the identity map: no SELECT").isZero();
            assertThat(merged[0]).isSameAs(loaded).isNotSameAs(detached);
            assertThat(loaded.name).isEqualTo("Merged");
            assertThat(s.contains(detached)).isFalse();
            assertThat(s.isModified(loaded)).isTrue();

            OArtist fresh = new OArtist("Fresh");
            assertThat(s.merge(fresh).block(SESSION_WAIT)).as("a new identity is added as it is").isSameAs(fresh);
            assertThat(s.contains(fresh)).isTrue();
            s.commit().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly("Fresh", "Merged", "Other merged");
        assertThat(f.rows(OAlbum.class)).as("the unset collection orphaned nothing").isEqualTo(2);
    }

    @Test // merge cascades: detached references and members become the session's instances, never a second INSERT
    default void mergeResolvesDetachedReferences(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        OArtist artist = artists(1, 2, 0).get(0);
        f.seed(artist);
        // Detached copies of the stored rows, as a web request would rebuild them.
        OArtist detachedArtist = new OArtist("Renamed");
        detachedArtist.id = artist.id;
        OAlbum detachedAlbum = new OAlbum("Retitled");
        detachedAlbum.id = artist.albums.get(0).id;
        detachedAlbum.artist = detachedArtist;
        OAlbum newAlbum = new OAlbum("New");
        newAlbum.artist = detachedArtist;
        AsyncSession s = f.sessions().openSession();
        try {
            OAlbum merged = s.merge(detachedAlbum).block(SESSION_WAIT);
            OArtist persistentArtist = s.get(OArtist.class, artist.id).block(SESSION_WAIT);
            assertThat(merged).isNotSameAs(detachedAlbum);
            assertThat(merged.artist).as("the reference is the session's instance").isSameAs(persistentArtist)
                    .isNotSameAs(detachedArtist);
            assertThat(persistentArtist.name).as("the referenced object's state is merged too").isEqualTo("Renamed");
            assertThat(s.contains(detachedArtist)).isFalse();
            OAlbum added = s.merge(newAlbum).block(SESSION_WAIT);
            assertThat(added).as("a new identity is added").isSameAs(newAlbum);
            assertThat(added.artist).isSameAs(persistentArtist);
            s.commit().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).as("no second artist was inserted").containsExactly("Renamed");
        assertThat(f.rows(OAlbum.class)).isEqualTo(3);

        // A detached parent with detached members: each member resolves to its row, the new one is added.
        OArtist again = new OArtist("Renamed again");
        again.id = artist.id;
        OAlbum member = new OAlbum("Member retitled");
        member.id = artist.albums.get(1).id;
        member.artist = again;
        again.albums = new ArrayList<>(List.of(member));
        AsyncSession s2 = f.sessions().openSession();
        try {
            OArtist m = s2.merge(again).block(SESSION_WAIT);
            assertThat(m).isNotSameAs(again);
            assertThat(m.albums).hasSize(1);
            assertThat(m.albums.get(0)).isNotSameAs(member).isSameAs(s2.get(OAlbum.class, member.id).block(SESSION_WAIT));
            assertThat(m.albums.get(0).title).isEqualTo("Member retitled");
            assertThat(m.albums.get(0).artist).isSameAs(m);
            s2.commit().block(SESSION_WAIT);
        } finally {
            s2.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly("Renamed again");
        assertThat(f.rows(OAlbum.class)).as("the merged collection holds one album: the other two are orphans (delete-orphan)")
                .isEqualTo(1);
    }

    @Test // expire: the identity map keeps loaded values (no expiry, no hidden I/O) until expire; then the next query overwrites them
    default void expireLetsTheNextQueryOverwrite(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(new OArtist("Before"));
        AsyncSession s = f.sessions().openSession();
        try {
            OArtist a = s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT);
            f.renameElsewhere("Before", "After");
            assertThat(s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT)).isSameAs(a);
            assertThat(a.name).as("not expired: the loaded value stays").isEqualTo("Before");

            s.expire(a);
            assertThat(a.name).as("expire itself does no I/O").isEqualTo("Before");
            assertThat(s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT)).as("still the same identity").isSameAs(a);
            assertThat(a.name).isEqualTo("After");
            assertThat(s.contains(a)).isTrue();
            assertThat(s.isModified(a)).as("the reloaded values are the clean state").isFalse();

            // get() of an expired object goes to the database instead of answering from the map
            f.renameElsewhere("After", "Again");
            s.expire(a);
            OArtist[] got = new OArtist[1];
            assertThat(f.statements(() -> got[0] = s.get(OArtist.class, a.id).block(SESSION_WAIT))).isEqualTo(1);
            assertThat(got[0]).isSameAs(a);
            assertThat(a.name).isEqualTo("Again");
            assertThat(f.statements(() -> s.get(OArtist.class, a.id).block(SESSION_WAIT))).as("fresh again: from the map").isZero();
        } finally {
            s.close().block(SESSION_WAIT);
        }
    }

    @Test // expunge: forgotten by the identity map (get loads a new instance) and never flushed
    default void expungeForgetsTheInstance(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(new OArtist("Solo"));
        AsyncSession s = f.sessions().openSession();
        try {
            OArtist a = s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT);
            s.expunge(a);
            assertThat(s.contains(a)).isFalse();
            assertThat(s.identityKey(a)).isNull();
            OArtist[] b = new OArtist[1];
            assertThat(f.statements(() -> b[0] = s.get(OArtist.class, a.id).block(SESSION_WAIT))).isEqualTo(1);
            assertThat(b[0]).isNotSameAs(a);
            assertThat(b[0].name).isEqualTo("Solo");
            a.name = "Change on the expunged copy";
            s.commit().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly("Solo");
    }

    @Test // refresh reloads the columns (dropping local edits) in one SELECT; FOR UPDATE begins the transaction
    default void refreshReloadsAndLocks(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(new OArtist("Stored"));
        AsyncSession s = f.sessions().openSession();
        try {
            OArtist a = s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT);
            f.renameElsewhere("Stored", "Changed elsewhere");
            a.name = "Local edit";
            assertThat(f.statements(() -> s.refresh(a).block(SESSION_WAIT))).isEqualTo(1);
            assertThat(a.name).isEqualTo("Changed elsewhere");
            assertThat(s.isModified(a)).isFalse();
            assertThat(s.inTransaction()).as("a plain refresh is a read").isFalse();

            if (f.engine().knownDialect().orElseThrow().supportsRowLocks()) {
                f.renameElsewhere("Changed elsewhere", "Locked");
                List<String> sql = f.sql(() -> s.refresh(a, true).block(SESSION_WAIT));
                assertThat(sql).anySatisfy(q -> assertThat(q).startsWith("SELECT").contains("FOR UPDATE"));
                assertThat(a.name).isEqualTo("Locked");
                assertThat(s.inTransaction()).isTrue();
            } else {
                // SQLite: no row locks at all; refused with the reason instead of silently not locking
                StepVerifier.create(s.refresh(a, true)).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CompileError.class)
                        .hasMessageContaining("FOR UPDATE")).verify(SESSION_WAIT);
            }
            s.rollback().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
    }

    // ================================================================= savepoints

    @Test // begin_nested: a failing savepoint undoes only its own work; the outer transaction commits the rest
    default void beginNestedRollsBackOnlyTheInnerWork(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(new OArtist("Existing"));
        AsyncSession s = f.sessions().openSession();
        try {
            s.begin().block(SESSION_WAIT);
            s.add(new OArtist("Outer"));
            s.flush().block(SESSION_WAIT);

            OArtist innerNew = new OArtist("Inner, rolled back");
            StepVerifier.create(s.beginNested(n -> {
                n.add(innerNew);
                n.add(new OArtist("Existing")); // a unique violation at the savepoint's flush
                return Mono.<Void>empty();
            })).expectError(IntegrityError.class).verify(SESSION_WAIT);
            assertThat(s.inTransaction()).as("the outer transaction goes on").isTrue();
            assertThat(s.contains(innerNew)).as("what the savepoint added is expunged").isFalse();

            s.beginNested(n -> {
                n.add(new OArtist("Inner, kept"));
                return Mono.<Void>empty();
            }).blockLast(SESSION_WAIT);

            // outer work not yet flushed when the savepoint starts stays outer work, even when the
            // savepoint flushed before it failed
            s.add(new OArtist("Outer, unflushed"));
            StepVerifier.create(s.beginNested(n -> {
                n.add(new OArtist("Inner, flushed then failed"));
                return n.flush().then(Mono.<Void>error(new IllegalStateException("inner work failed")));
            })).expectErrorMessage("inner work failed").verify(SESSION_WAIT);

            s.commit().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        assertThat(f.artistNames()).containsExactly("Existing", "Inner, kept", "Outer", "Outer, unflushed");
    }

    // ================================================================= relationship strategies

    @Test // immediateLoad: one SELECT per parent; noLoad: an empty collection that is not a change; both counted
    default void immediateAndNoLoad(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(artists(3, 2, 0).toArray());
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");

        List<OArtist> loaded = new ArrayList<>();
        assertThat(f.statements(() -> loaded.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(immediateLoad(albums)))).collectList().block(SESSION_WAIT)))).as("parents + one per parent").isEqualTo(4);
        assertThat(loaded).hasSize(3).allSatisfy(a -> {
            assertThat(a.albums).hasSize(2);
            assertThat(a.albums).allSatisfy(al -> assertThat(al.artist).isSameAs(a));
        });

        List<OArtist> empty = new ArrayList<>();
        assertThat(f.statements(() -> f.sessions().inTransaction(s -> s.execute(Orm.select(OArtist.class).options(noLoad(albums)))
                .collectList().flatMap(l -> {
                    empty.addAll(l);
                    return s.flush();
                })).blockLast(SESSION_WAIT))).as("one SELECT; the empty collections flush nothing").isEqualTo(1);
        assertThat(empty).hasSize(3).allSatisfy(a -> assertThat(a.albums).isEmpty());
        assertThat(f.rows(OAlbum.class)).as("noLoad's empty collection orphaned nothing").isEqualTo(6);
    }

    @Test // raiseLoad: touching raises naming the option; session.fetch loads it explicitly (one-to-many and many-to-one)
    default void raiseLoadAndExplicitFetch(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(artists(1, 2, 1).toArray());
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OArtist> artist = f.rel(OAlbum.class, "artist");
        AsyncSession s = f.sessions().openSession();
        try {
            OArtist[] a = new OArtist[1];
            assertThat(f.statements(() -> a[0] = s.execute(Orm.select(OArtist.class).options(raiseLoad(albums)))
                    .blockFirst(SESSION_WAIT))).isEqualTo(1);
            assertThatThrownBy(() -> a[0].albums.size()).isInstanceOf(UnloadedAttributeException.class)
                    .hasMessageContaining("OArtist.albums").hasMessageContaining("raiseLoad");
            assertThatThrownBy(() -> a[0].albums.iterator()).isInstanceOf(UnloadedAttributeException.class);

            List<List<OAlbum>> fetched = new ArrayList<>();
            assertThat(f.statements(() -> fetched.add(s.fetch(a[0], albums).block(SESSION_WAIT)))).isEqualTo(1);
            assertThat(fetched.get(0)).hasSize(2);
            assertThat(a[0].albums).containsExactlyElementsOf(fetched.get(0));
            assertThat(a[0].albums.get(0).artist).isSameAs(a[0]);

            // raiseLoad and noLoad say what a query does not load: a collection already loaded stays
            assertThat(s.execute(Orm.select(OArtist.class).options(raiseLoad(albums))).blockFirst(SESSION_WAIT)).isSameAs(a[0]);
            assertThat(a[0].albums).hasSize(2);
            assertThat(s.execute(Orm.select(OArtist.class).options(noLoad(albums))).blockFirst(SESSION_WAIT)).isSameAs(a[0]);
            assertThat(a[0].albums).hasSize(2);
        } finally {
            s.close().block(SESSION_WAIT);
        }
        // a many-to-one whose target is not in the identity map stays null until fetched
        AsyncSession fresh = f.sessions().openSession();
        try {
            OAlbum album = fresh.execute(Orm.select(OAlbum.class)).blockFirst(SESSION_WAIT);
            assertThat(album.artist).isNull();
            List<List<OArtist>> target = new ArrayList<>();
            assertThat(f.statements(() -> target.add(fresh.fetch(album, artist).block(SESSION_WAIT)))).isEqualTo(1);
            assertThat(target.get(0)).hasSize(1);
            assertThat(album.artist).isSameAs(target.get(0).get(0));
            assertThat(album.artist.name).isEqualTo("Artist 0");
        } finally {
            fresh.close().block(SESSION_WAIT);
        }
    }

    @Test // wildcards: selectinLoadAll() loads every relationship; raiseLoadAll() every one not named otherwise
    default void wildcardOptions(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(artists(2, 2, 2).toArray());
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");

        List<OAlbum> all = new ArrayList<>();
        assertThat(f.statements(() -> all.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OAlbum.class)
                .options(selectinLoadAll()))).collectList().block(SESSION_WAIT))))
                .as("albums + their artists + their tracks").isEqualTo(3);
        assertThat(all).hasSize(4).allSatisfy(al -> {
            assertThat(al.artist).isNotNull();
            assertThat(al.artist.name).isEqualTo("Artist " + al.title.substring(6, 7));
            assertThat(al.tracks).hasSize(2);
        });

        List<OArtist> raised = f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class).options(raiseLoadAll())))
                .collectList().block(SESSION_WAIT);
        assertThat(raised).hasSize(2).allSatisfy(a -> assertThatThrownBy(() -> a.albums.isEmpty())
                .isInstanceOf(UnloadedAttributeException.class).hasMessageContaining("raiseLoad"));

        // a named option wins over the wildcard; a null step is the wildcard of the level below
        List<OArtist> named = new ArrayList<>();
        assertThat(f.statements(() -> named.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(raiseLoadAll(), selectinLoad(albums).raiseLoad(null)))).collectList().block(SESSION_WAIT))))
                .isEqualTo(2);
        assertThat(named).allSatisfy(a -> {
            assertThat(a.albums).hasSize(2);
            assertThatThrownBy(() -> a.albums.get(0).tracks.size()).isInstanceOf(UnloadedAttributeException.class)
                    .hasMessageContaining("OAlbum.tracks is raiseLoad");
        });
    }

    // ================================================================= column options

    @Test // defer / undefer / loadOnly: the SELECT lists only the loaded columns; deferred fields stay unset
    default void deferUndeferAndLoadOnly(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        f.seed(artists(1, 1, 2).toArray());
        var tracks = f.registry().mapper(OTrack.class);
        Column<BigDecimal> price = tracks.column("unitPrice", BigDecimal.class);
        Column<String> name = tracks.column("name", String.class);

        List<OTrack> got = new ArrayList<>();
        List<String> sql = f.sql(() -> got.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OTrack.class)
                .options(defer(price)))).collectList().block(SESSION_WAIT)));
        assertThat(sql).singleElement().satisfies(q -> assertThat(q).contains("milliseconds").doesNotContain("unit_price"));
        assertThat(got).hasSize(2).allSatisfy(t -> {
            assertThat(t.unitPrice).as("deferred: left unset").isNull();
            assertThat(t.milliseconds).isNotNull();
        });

        got.clear();
        sql = f.sql(() -> got.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OTrack.class)
                .options(defer(price), undefer(price)))).collectList().block(SESSION_WAIT)));
        assertThat(sql).singleElement().satisfies(q -> assertThat(q).contains("unit_price"));
        assertThat(got).allSatisfy(t -> assertThat(t.unitPrice).isEqualByComparingTo("0.99"));

        got.clear();
        sql = f.sql(() -> got.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OTrack.class)
                .options(loadOnly(name)))).collectList().block(SESSION_WAIT)));
        assertThat(sql).singleElement().satisfies(q -> assertThat(q).contains("track_id").contains("name")
                .doesNotContain("milliseconds").doesNotContain("unit_price"));
        assertThat(got).allSatisfy(t -> {
            assertThat(t.id).isNotNull();
            assertThat(t.name).startsWith("Track 0.0.");
            assertThat(t.milliseconds).isNull();
            assertThat(t.unitPrice).isNull();
        });

        // an unloaded column the application sets is still a change, written by the flush
        sql = f.sql(() -> f.sessions().inTransaction(s -> s.execute(Orm.select(OTrack.class).options(defer(price)))
                .collectList().flatMap(l -> {
                    l.forEach(t -> t.unitPrice = new BigDecimal("1.49"));
                    return s.flush();
                })).blockLast(SESSION_WAIT));
        assertThat(sql).anySatisfy(q -> assertThat(q).startsWith("UPDATE o_track SET unit_price"));
        assertThat(f.engine().connect(c -> c.execute(select(price).from(tracks.table())).scalars(BigDecimal.class))
                .collectList().block(SESSION_WAIT)).hasSize(2).allSatisfy(p -> assertThat(p).isEqualByComparingTo("1.49"));
    }

    @Test // O7: defer(raiseload) and mapping-level deferral: never loaded behind a read; attribute() loads or refuses; undefer fills the same instance
    default void deferredColumnsAndRaiseload(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        List<OArtist> seed = artists(1, 1, 2);
        OAlbum album0 = seed.get(0).albums.get(0);
        album0.notes = "Liner notes";
        for (OTrack t : album0.tracks) {
            t.lyrics = "la la " + t.milliseconds;
        }
        f.seed(seed.toArray());
        var tracks = f.registry().mapper(OTrack.class);
        Column<BigDecimal> price = tracks.column("unitPrice", BigDecimal.class);
        Column<String> lyrics = tracks.column("lyrics", String.class);
        Column<String> trackName = tracks.column("name", String.class);
        Column<String> notes = f.registry().mapper(OAlbum.class).column("notes", String.class);

        AsyncSession s = f.sessions().openSession();
        try {
            List<OTrack> got = new ArrayList<>();
            List<String> sql = f.sql(() -> got.addAll(s.execute(Orm.select(OTrack.class)
                    .options(deferRaiseload(price), selectinLoad(f.rel(OTrack.class, "album")))
                    .orderBy(trackName.asc())).collectList().block(SESSION_WAIT)));
            assertThat(sql).hasSize(2);
            assertThat(sql.get(0)).contains("milliseconds").doesNotContain("unit_price").doesNotContain("lyrics");
            assertThat(sql.get(1)).as("the related entity's mapping-deferred column").contains("title").doesNotContain("notes");
            OTrack t0 = got.get(0);
            OTrack t1 = got.get(1);
            OAlbum album = t0.album;
            assertThat(t0.lyrics).isNull();
            assertThat(t0.unitPrice).isNull();
            assertThat(album.notes).isNull();
            assertThat(s.isLoaded(t0, lyrics)).isFalse();
            assertThat(s.isLoaded(t0, price)).isFalse();
            assertThat(s.isLoaded(t0, trackName)).isTrue();
            assertThat(s.isLoaded(album, notes)).isFalse();

            // raiseload (mapping and query): refused without I/O, naming undefer
            assertThat(f.statements(() -> {
                StepVerifier.create(s.attribute(t0, lyrics)).expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(UnloadedAttributeException.class)
                        .hasMessageContaining("OTrack.lyrics is deferred with raiseload")
                        .hasMessageContaining("undefer(OTrack_.lyrics)")).verify(SESSION_WAIT);
                StepVerifier.create(s.attribute(t0, price)).expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(UnloadedAttributeException.class)
                        .hasMessageContaining("OTrack.unitPrice is deferred with raiseload")).verify(SESSION_WAIT);
                // a loaded column answers from the object
                StepVerifier.create(s.attribute(t0, trackName)).expectNext("Track 0.0.0").verifyComplete();
                return null;
            })).isZero();

            // plain deferral (the mapping's @Basic(fetch = LAZY)): attribute() loads it with one SELECT by key
            List<String> load = f.sql(() -> StepVerifier.create(s.attribute(album, notes)).expectNext("Liner notes")
                    .verifyComplete());
            assertThat(load).singleElement().satisfies(q -> assertThat(q).containsPattern("^SELECT (o_album\\.)?notes FROM o_album WHERE"));
            assertThat(album.notes).isEqualTo("Liner notes");
            assertThat(s.isLoaded(album, notes)).isTrue();
            assertThat(f.statements(() -> s.attribute(album, notes).block(SESSION_WAIT))).isZero();

            // an explicit refresh of named columns loads a raiseload column too
            load = f.sql(() -> s.refresh(t0, lyrics).block(SESSION_WAIT));
            assertThat(load).singleElement().satisfies(q -> assertThat(q).containsPattern("^SELECT (o_track\\.)?lyrics FROM o_track WHERE"));
            assertThat(t0.lyrics).isEqualTo("la la 0");
            assertThat(s.isLoaded(t0, lyrics)).isTrue();
            StepVerifier.create(s.attribute(t0, lyrics)).expectNext("la la 0").verifyComplete();

            // a later query that undefers fills the columns of the same instances; loaded ones stay
            t0.lyrics = "changed, not flushed";
            List<OTrack> again = s.execute(Orm.select(OTrack.class).options(undefer(lyrics, price))
                    .orderBy(trackName.asc())).collectList().block(SESSION_WAIT);
            assertThat(again).containsExactly(t0, t1);
            assertThat(t0.lyrics).as("autoflushed, then the query's row").isEqualTo("changed, not flushed");
            assertThat(t1.lyrics).isEqualTo("la la 1000");
            assertThat(t1.unitPrice).isEqualByComparingTo("0.99");
            assertThat(s.isLoaded(t1, lyrics)).isTrue();
            assertThat(s.isLoaded(t1, price)).isTrue();

            // bad input: a column of another entity; an object the session does not hold
            assertThatThrownBy(() -> s.isLoaded(t0, notes)).isInstanceOf(ArgumentError.class)
                    .hasMessageContaining("is not a column of OTrack");
            assertThatThrownBy(() -> s.isLoaded(new OTrack("Stranger", 1), lyrics)).isInstanceOf(InvalidRequestError.class)
                    .hasMessageContaining("is not in this session");
            StepVerifier.create(s.attribute(new OTrack("Stranger", 1), lyrics)).expectError(InvalidRequestError.class)
                    .verify(SESSION_WAIT);
            StepVerifier.create(s.refresh(t0, new Column<?>[0])).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(ArgumentError.class).hasMessageContaining("needs at least one column")).verify(SESSION_WAIT);
            assertThat(s.execute(Orm.select(OTrack.class)).count().block(SESSION_WAIT)).as("still usable").isEqualTo(2);
            s.rollback().block(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }

        // a flush writes a deferred column only when set, and an unset one stays unloaded after it
        AsyncSession s2 = f.sessions().openSession();
        try {
            List<OTrack> got = s2.execute(Orm.select(OTrack.class).orderBy(trackName.asc())).collectList().block(SESSION_WAIT);
            got.get(0).name = "Renamed";
            got.get(1).lyrics = "new words";
            List<String> sql = f.sql(() -> s2.flush().block(SESSION_WAIT));
            assertThat(sql).hasSize(2).allSatisfy(q -> assertThat(q).startsWith("UPDATE o_track SET"));
            assertThat(sql).filteredOn(q -> q.contains("lyrics")).singleElement()
                    .satisfies(q -> assertThat(q).doesNotContain("name ="));
            assertThat(s2.isLoaded(got.get(0), lyrics)).isFalse();
            assertThat(s2.isLoaded(got.get(1), lyrics)).isTrue();
            s2.commit().block(SESSION_WAIT);
        } finally {
            s2.close().block(SESSION_WAIT);
        }
        assertThat(f.engine().connect(c -> c.execute(select(lyrics).from(tracks.table()).orderBy(lyrics)).scalars(String.class))
                .collectList().block(SESSION_WAIT)).containsExactly("la la 0", "new words");

        // a rolled-back flush of deferred columns leaves them unloaded again (raiseload included): the
        // database kept the old values, which the object never held (F23)
        AsyncSession s3 = f.sessions().openSession();
        try {
            OTrack t = s3.execute(Orm.select(OTrack.class).options(deferRaiseload(price)).orderBy(trackName.asc()))
                    .blockFirst(SESSION_WAIT);
            assertThat(t.name).isEqualTo("Renamed");
            t.lyrics = "rolled back words";
            t.unitPrice = new BigDecimal("9.99");
            assertThat(f.sql(() -> s3.flush().block(SESSION_WAIT))).singleElement()
                    .satisfies(q -> assertThat(q).startsWith("UPDATE o_track SET").contains("lyrics").contains("unit_price"));
            assertThat(s3.isLoaded(t, lyrics)).isTrue();
            assertThat(s3.isLoaded(t, price)).isTrue();
            s3.rollback().block(SESSION_WAIT);
            assertThat(s3.isLoaded(t, lyrics)).as("unloaded again").isFalse();
            assertThat(s3.isLoaded(t, price)).isFalse();
            assertThat(t.lyrics).isNull();
            assertThat(t.unitPrice).isNull();
            assertThat(f.statements(() -> {
                StepVerifier.create(s3.attribute(t, price)).expectError(UnloadedAttributeException.class).verify(SESSION_WAIT);
                return null;
            })).as("raiseload again, without I/O").isZero();
            assertThat(s3.isLoaded(t, trackName)).isTrue();
            s3.refresh(t, lyrics, price).block(SESSION_WAIT);
            assertThat(t.lyrics).isEqualTo("la la 0");
            assertThat(t.unitPrice).isEqualByComparingTo("0.99");
            assertThat(f.statements(() -> s3.flush().block(SESSION_WAIT))).as("nothing left to write").isZero();
        } finally {
            s3.close().block(SESSION_WAIT);
        }
    }

    @Test // O13: rows of several entities keyed by class, alias and column; identity-mapped; a LEFT JOIN's missing side is null
    default void multiEntityRows(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        OEmployee boss = new OEmployee(1, "Adams");
        OEmployee edwards = new OEmployee(2, "Edwards");
        edwards.manager = boss;
        OEmployee peacock = new OEmployee(3, "Peacock");
        peacock.manager = boss;
        List<Object> seed = new ArrayList<>(artists(2, 1, 1));
        seed.addAll(List.of(boss, edwards, peacock));
        f.seed(seed.toArray());
        var albums = f.registry().mapper(OAlbum.class);
        Column<String> title = albums.column("title", String.class);
        Column<Integer> albumArtist = albums.column("artist#fk", Integer.class);
        Column<Integer> artistId = f.registry().mapper(OArtist.class).column("id", Integer.class);
        Column<String> artistName = f.artistName();
        var employees = f.registry().mapper(OEmployee.class);
        Column<Integer> empId = employees.column("id", Integer.class);
        Column<Integer> reportsTo = employees.column("manager#fk", Integer.class);
        EntityAlias<OEmployee> mgr = Orm.aliased(OEmployee.class, "mgr");

        AsyncSession s = f.sessions().openSession();
        try {
            List<EntityRow> rows = new ArrayList<>();
            List<String> sql = f.sql(() -> rows.addAll(s.execute(Orm.selectRows(OAlbum.class, OArtist.class, artistName)
                    .join(f.table(OArtist.class), albumArtist.eq(artistId)).orderBy(title)).collectList().block(SESSION_WAIT)));
            assertThat(sql).singleElement().satisfies(q -> assertThat(q).contains("JOIN o_artist")
                    .as("the mapping-deferred column").doesNotContain("notes"));
            assertThat(rows).hasSize(2);
            EntityRow first = rows.get(0);
            assertThat(first.size()).isEqualTo(3);
            assertThat(first.get(OAlbum.class).title).isEqualTo("Album 0.0");
            assertThat(first.get(OArtist.class).name).isEqualTo("Artist 0");
            assertThat(first.get(artistName)).isEqualTo("Artist 0");
            assertThat(first.get(0)).isSameAs(first.get(OAlbum.class));
            assertThat(first.get("OArtist")).isSameAs(first.get(OArtist.class));
            assertThat(first.get("name")).isEqualTo("Artist 0");
            assertThat(first.get(OAlbum.class).artist).as("many-to-one resolved from the identity map")
                    .isSameAs(first.get(OArtist.class));
            assertThat(rows.get(1).get(OArtist.class).name).isEqualTo("Artist 1");
            // the identity map: a later query returns the same instances
            List<OArtist> artists = s.execute(Orm.select(OArtist.class).orderBy(artistName)).collectList().block(SESSION_WAIT);
            assertThat(artists.get(0)).isSameAs(first.get(OArtist.class));
            assertThatThrownBy(() -> first.get(OTrack.class)).isInstanceOf(ArgumentError.class)
                    .hasMessage("OTrack is not selected by this row's query; selected: [OAlbum, OArtist, name]");

            // an alias: the same entity twice; the LEFT JOIN's missing manager is null
            List<EntityRow> chain = s.execute(Orm.selectRows(OEmployee.class, mgr)
                    .leftJoin(mgr.table(), reportsTo.eq(mgr.col(empId))).orderBy(empId)).collectList().block(SESSION_WAIT);
            assertThat(chain).extracting(r -> r.get(OEmployee.class).lastName).containsExactly("Adams", "Edwards", "Peacock");
            assertThat(chain.get(0).get(mgr)).isNull();
            OEmployee adams = chain.get(0).get(OEmployee.class);
            assertThat(chain.get(1).get(mgr)).isSameAs(adams);
            assertThat(chain.get(2).get("mgr")).isSameAs(adams);
        } finally {
            s.close().block(SESSION_WAIT);
        }

        // loader options on rows (O6 with O13): one selectin query per relationship for the entities of all rows
        Relationship<OArtist, OAlbum> albumsOf = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracksOf = f.rel(OAlbum.class, "tracks");
        AsyncSession s2 = f.sessions().openSession();
        try {
            List<EntityRow> rows = new ArrayList<>();
            List<String> sql = f.sql(() -> rows.addAll(s2.execute(Orm.selectRows(OAlbum.class, OArtist.class)
                    .join(f.table(OArtist.class), albumArtist.eq(artistId)).orderBy(title)
                    .options(selectinLoad(tracksOf), selectinLoad(albumsOf))).collectList().block(SESSION_WAIT)));
            assertThat(sql).hasSize(3);
            assertThat(sql.get(1)).startsWith("SELECT").contains("FROM o_track");
            assertThat(sql.get(2)).startsWith("SELECT").contains("FROM o_album");
            OAlbum album0 = rows.get(0).get(OAlbum.class);
            OArtist artist0 = rows.get(0).get(OArtist.class);
            assertThat(f.statements(() -> {
                assertThat(album0.tracks).extracting(t -> t.name).containsExactly("Track 0.0.0");
                assertThat(artist0.albums).as("the row's own album instance").containsExactly(album0);
                assertThat(rows.get(1).get(OArtist.class).albums).containsExactly(rows.get(1).get(OAlbum.class));
                return null;
            })).as("loaded with the rows, nothing on access").isZero();
        } finally {
            s2.close().block(SESSION_WAIT);
        }
        assertThatThrownBy(() -> Orm.selectRows(OAlbum.class, artistName).options(selectinLoad(albumsOf)))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("does not apply to any entity of this query: OArtist is not among [OAlbum, ");
        assertThatThrownBy(() -> Orm.selectRows(OAlbum.class).options(joinedLoad(tracksOf)))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("joinedLoad cannot start from a multi-entity row");
        assertThatThrownBy(() -> Orm.selectRows(OAlbum.class).options(selectinLoadAll()))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("names no single entity of a multi-entity row");
        assertThatThrownBy(() -> Orm.selectRows(OAlbum.class).options(defer(title)))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("names no single entity of a multi-entity row");
        assertThatThrownBy(() -> Orm.selectRows("OArtist")).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("selectRows takes entity classes, EntityAlias and Core expressions; got java.lang.String");
    }

    @Test // O7 on a loader path: column options apply to the entity where the path ends; misplaced ones are ArgumentErrors
    default void columnOptionsOnALoaderPath(TestDatabase db) {
        SessionFixture f = setUp(this, db);
        List<OArtist> seed = artists(1, 1, 2);
        seed.get(0).albums.get(0).notes = "Liner notes";
        f.seed(seed.toArray());
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        Column<String> notes = f.registry().mapper(OAlbum.class).column("notes", String.class);
        Column<String> title = f.registry().mapper(OAlbum.class).column("title", String.class);
        Column<BigDecimal> price = f.registry().mapper(OTrack.class).column("unitPrice", BigDecimal.class);

        // selectin: undefer the album's mapping-deferred column
        List<OArtist> got = new ArrayList<>();
        List<String> sql = f.sql(() -> got.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(selectinLoad(albums).undefer(notes)))).collectList().block(SESSION_WAIT)));
        assertThat(sql).hasSize(2);
        assertThat(sql.get(0)).doesNotContain("notes");
        assertThat(sql.get(1)).containsPattern("SELECT .*\\b(o_album\\.)?notes\\b.* FROM o_album");
        assertThat(got.get(0).albums.get(0).notes).isEqualTo("Liner notes");

        // joined: the same through the join's alias
        got.clear();
        sql = f.sql(() -> got.addAll(f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(joinedLoad(albums).undefer(notes)))).collectList().block(SESSION_WAIT)));
        assertThat(sql).singleElement().satisfies(q -> assertThat(q).contains(".notes"));
        assertThat(got.get(0).albums.get(0).notes).isEqualTo("Liner notes");

        // one level down, with raiseload: the tracks' price is left out and refused by attribute()
        AsyncSession s = f.sessions().openSession();
        try {
            List<String> two = f.sql(() -> s.execute(Orm.select(OArtist.class)
                    .options(selectinLoad(albums).loadOnly(title), selectinLoad(albums).selectinLoad(tracks).deferRaiseload(price)))
                    .collectList().block(SESSION_WAIT));
            assertThat(two).hasSize(3);
            assertThat(two.get(1)).containsPattern("\\b(o_album\\.)?title\\b").doesNotContain("notes");
            assertThat(two.get(2)).containsPattern("\\b(o_track\\.)?name\\b").doesNotContain("unit_price");
            OArtist a = s.execute(Orm.select(OArtist.class)).blockFirst(SESSION_WAIT);
            OTrack t = a.albums.get(0).tracks.get(0);
            assertThat(s.isLoaded(t, price)).isFalse();
            StepVerifier.create(s.attribute(t, price)).expectError(UnloadedAttributeException.class).verify(SESSION_WAIT);
        } finally {
            s.close().block(SESSION_WAIT);
        }

        // misplaced column options
        StepVerifier.create(f.sessions().inSession(x -> x.execute(Orm.select(OArtist.class)
                        .options(selectinLoad(albums).defer(price)))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                        .hasMessageContaining("is not a column of OAlbum"))
                .verify(SESSION_WAIT);
        StepVerifier.create(f.sessions().inSession(x -> x.execute(Orm.select(OArtist.class)
                        .options(selectinLoadAll().defer(notes)))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                        .hasMessageContaining("Column options after a wildcard"))
                .verify(SESSION_WAIT);
        assertThatThrownBy(() -> selectinLoad(albums).defer(notes).selectinLoad(tracks))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("Column options end a loader path");
    }
}
