package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.error.ArgumentError;
import io.retort.error.IntegrityError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.AsyncSession;
import io.retort.orm.ConcurrentSessionUseError;
import io.retort.orm.ExpressionAttribute;
import io.retort.orm.Mapper;
import io.retort.orm.Orm;
import io.retort.orm.OrmRegistry;
import io.retort.orm.Relationship;
import io.retort.orm.SessionFactory;
import io.retort.orm.UnloadedAttributeException;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities;
import io.retort.tck.orm.Entities.OAlbum;
import io.retort.tck.orm.Entities.OArtist;
import io.retort.tck.orm.Entities.OEmployee;
import io.retort.tck.orm.Entities.OPlaylist;
import io.retort.tck.orm.Entities.OTrack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.retort.orm.Load.joinedLoad;
import static io.retort.orm.Load.selectinLoad;
import static io.retort.orm.Load.withExpression;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ORM flush, identity map, loading strategies and failure rules (O1–O7, O12) on every backend. */
@ExtendWith(TckOracle.class)
public interface OrmSuite extends TckBackend {
    Duration T = Duration.ofSeconds(60);

    private static Fixture setUp(TckBackend b, TestDatabase db) {
        return Fixture.on(b, db);
    }

    /** An engine, registry and session factory on a fresh schema. */
    record Fixture(Engine engine, OrmRegistry registry, SessionFactory sessions) {
        /** The backend's engine on {@code db}, with the TCK entities' tables created (the ORM suites share it). */
        static Fixture on(TckBackend b, TestDatabase db) {
            return on(b, db, Entities.registry());
        }

        /** The backend's engine on {@code db}, with the tables of {@code registry} created. */
        static Fixture on(TckBackend b, TestDatabase db, OrmRegistry registry) {
            Engine engine = b.engine(db);
            engine.connect(c -> Flux.fromIterable(registry.tables()).concatMap(t -> c.execute(createTable(t)).rowsAffected()))
                    .blockLast(T);
            return new Fixture(engine, registry, SessionFactory.of(engine, registry));
        }

        /** The playlists' names in the database, sorted, read on a connection of its own. */
        List<String> playlistNames() {
            Table t = registry.mapper(OPlaylist.class).table();
            return engine.execute(select(t.c("name")).from(t).orderBy(t.c("name"))).map(r -> (String) r.get(0))
                    .collectList().block(T);
        }

        <S, T2> Relationship<S, T2> rel(Class<S> type, String name) {
            return registry.mapper(type).relationship(name);
        }

        <E> Column<String> stringColumn(Class<E> type, String attr) {
            return registry.mapper(type).column(attr, String.class);
        }

        /** Adds {@code entities} (with their cascades) in one committed transaction. */
        void seed(Collection<?> entities) {
            sessions.inTransaction(s -> {
                entities.forEach(s::add);
                return Mono.empty();
            }).blockLast(T);
        }

        void seed(Object... entities) {
            seed(List.of(entities));
        }

        /** Records the SQL of every statement the engine sends from now on (not BEGIN/COMMIT). */
        List<String> recordSql() {
            List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
            engine.observeStatements(start -> {
                sent.add(start.sql());
                return null;
            });
            return sent;
        }

        long rows(Table t) {
            return engine.connect(c -> c.execute(select(count()).from(t)).scalars(Long.class)).blockLast(T);
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

    @Test // O4: cascade and dependency order: parents get generated keys before children reference them
    default void flushParentChildWithGeneratedKeys(TestDatabase db) {
        Fixture f = setUp(this, db);
        List<OArtist> data = artists(3, 2, 3);
        f.seed(data);
        assertThat(data).allSatisfy(a -> assertThat(a.id).isNotNull());
        assertThat(data.get(0).albums.get(0).artist).isSameAs(data.get(0));
        Mapper<OAlbum> albums = f.registry().mapper(OAlbum.class);
        Mapper<OTrack> tracks = f.registry().mapper(OTrack.class);
        assertThat(f.rows(albums.table())).isEqualTo(6);
        assertThat(f.rows(tracks.table())).isEqualTo(18);
        List<String> titles = f.sessions().inSession(s -> s.execute(Orm.select(OAlbum.class)
                        .where(albums.column("title", String.class).startsWith("Album 1")).orderBy(albums.column("title", String.class))))
                .map(a -> a.title + ":" + a.artist).collectList().block(T);
        assertThat(titles).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("Album 1."));
    }

    @Test // O3: the identity map returns the same instance; get() from the map sends no SQL
    default void identityMap(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(new OArtist("Solo"));
        f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)).next().flatMap(a -> {
            long before = f.engine().statementCount();
            return s.get(OArtist.class, a.id).zipWith(s.execute(Orm.select(OArtist.class)).next()).map(t -> {
                assertThat(t.getT1()).isSameAs(a);
                assertThat(t.getT2()).isSameAs(a);
                assertThat(f.engine().statementCount() - before).isEqualTo(1);
                return a;
            });
        })).blockLast(T);
    }

    @Test // O3: expungeAll empties the session without I/O: nothing pending is written, a rollback leaves the removed
    // objects alone, the next read makes new instances; refused while a stream runs
    default void expungeAllEmptiesTheSession(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(new OArtist("Kept"), new OArtist("Other"));
        Column<String> name = f.stringColumn(OArtist.class, "name");
        AsyncSession s = f.sessions().openSession();
        try {
            List<OArtist> loaded = s.execute(Orm.select(OArtist.class).orderBy(name)).collectList().block(T);
            OArtist kept = loaded.get(0);
            s.begin().block(T);
            kept.name = "Renamed in the transaction";
            s.flush().block(T);
            kept.name = "Changed, never flushed";
            OArtist fresh = new OArtist("Pending");
            s.add(fresh);
            long before = f.engine().statementCount();
            s.expungeAll();
            assertThat(f.engine().statementCount()).as("no I/O").isEqualTo(before);
            assertThat(s.contains(kept)).isFalse();
            assertThat(s.contains(fresh)).isFalse();
            assertThat(s.inTransaction()).as("the transaction stays").isTrue();
            s.flush().block(T);
            assertThat(f.engine().statementCount()).as("nothing left to flush").isEqualTo(before);
            s.rollback().block(T);
            assertThat(kept.name).as("a removed object is not restored by the rollback").isEqualTo("Changed, never flushed");
            OArtist again = s.get(OArtist.class, kept.id).block(T);
            assertThat(again).isNotSameAs(kept);
            assertThat(again.name).as("the flushed change was rolled back").isEqualTo("Kept");
            assertThat(s.execute(Orm.select(OArtist.class).where(name.eq("Pending"))).count().block(T)).isZero();

            StepVerifier.create(s.stream(Orm.select(OArtist.class).orderBy(name), 1), 0)
                    .thenRequest(1)
                    .expectNextCount(1)
                    .then(() -> assertThatThrownBy(s::expungeAll).isInstanceOf(ConcurrentSessionUseError.class)
                            .hasMessageContaining("expungeAll"))
                    .thenRequest(Long.MAX_VALUE)
                    .expectNextCount(1)
                    .verifyComplete();
            assertThat(s.contains(again)).as("still held after the refused expungeAll").isTrue();
        } finally {
            s.close().block(T);
        }
    }

    @Test // O6, F29: selectin chains — 2 statements per level on PostgreSQL (one array), chunks of 500 elsewhere, after the parents
    default void selectinStatementCounts(TestDatabase db) {
        Fixture f = setUp(this, db);
        List<OArtist> data = artists(600, 1, 2);
        f.seed(data);
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        long before = f.engine().statementCount();
        List<OArtist> loaded = f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(selectinLoad(albums).selectinLoad(tracks)))).collectList().block(T);
        long statements = f.engine().statementCount() - before;
        assertThat(loaded).hasSize(600);
        assertThat(loaded).allSatisfy(a -> {
            assertThat(a.albums).hasSize(1);
            assertThat(a.albums.get(0).tracks).hasSize(2);
            assertThat(a.albums.get(0).artist).isSameAs(a);
        });
        boolean arrays = f.engine().knownDialect().orElseThrow().supportsArrayInBinding();
        // parents + albums + tracks; without array binding 600 keys take two chunks of 500 per level
        assertThat(statements).isEqualTo(arrays ? 3 : 5);
    }

    @Test // O7: withExpression fills a @QueryExpression field in the same SELECT (also under a joined+LIMIT wrap); never flushed
    default void withExpressionFillsQueryExpressionFields(TestDatabase db) {
        Fixture f = setUp(this, db);
        OArtist artist = artists(1, 3, 0).get(0);
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k <= j; k++) {
                artist.albums.get(j).tracks.add(new OTrack("T" + j + "." + k, k));
            }
        }
        f.seed(artist);
        Mapper<OAlbum> albums = f.registry().mapper(OAlbum.class);
        Mapper<OTrack> tracks = f.registry().mapper(OTrack.class);
        ExpressionAttribute<OAlbum, Long> trackCount = albums.expression("trackCount", Long.class);
        Column<Integer> albumId = albums.column("id", Integer.class);
        Column<String> title = albums.column("title", String.class);
        Expression<Long> count = select(count()).from(tracks.table())
                .where(tracks.table().c("album_id", SqlTypes.INTEGER).eq(albumId)).scalar();

        long before = f.engine().statementCount();
        List<String> got = f.sessions().inSession(s -> s.execute(Orm.select(OAlbum.class)
                        .options(withExpression(trackCount, count)).orderBy(title)))
                .map(a -> a.title + "=" + a.trackCount).collectList().block(T);
        assertThat(f.engine().statementCount() - before).as("one SELECT").isEqualTo(1);
        assertThat(got).containsExactly("Album 0.0=1", "Album 0.1=2", "Album 0.2=3");

        // without the option the field is not loaded; under joinedLoad + LIMIT it rides in the subquery
        Relationship<OAlbum, OTrack> albumTracks = f.rel(OAlbum.class, "tracks");
        List<OAlbum> plain = f.sessions().inSession(s -> s.execute(Orm.select(OAlbum.class))).collectList().block(T);
        assertThat(plain).hasSize(3).allSatisfy(a -> assertThat(a.trackCount).isNull());
        List<OAlbum> page = f.sessions().inSession(s -> s.execute(Orm.select(OAlbum.class)
                .options(joinedLoad(albumTracks), withExpression(trackCount, count)).orderBy(title.desc()).limit(2)))
                .collectList().block(T);
        assertThat(page).extracting(a -> a.title + "=" + a.trackCount + "/" + a.tracks.size())
                .containsExactly("Album 0.2=3/3", "Album 0.1=2/2");

        // a query expression is not state: changing it flushes nothing
        StepVerifier.create(f.sessions().inTransaction(s -> s.execute(Orm.select(OAlbum.class)
                        .options(withExpression(trackCount, count))).collectList().flatMap(loaded -> {
                            loaded.forEach(a -> a.trackCount = 99L);
                            long n = f.engine().statementCount();
                            return s.flush().then(Mono.fromCallable(() -> f.engine().statementCount() - n));
                        })))
                .expectNext(0L).verifyComplete();

        // an attribute of another entity is refused with the reason
        ExpressionAttribute<OAlbum, Long> wrong = trackCount;
        StepVerifier.create(f.sessions().inSession(s -> s.execute(Orm.select(OTrack.class).options(withExpression(wrong, count)))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                        .hasMessageContaining("OAlbum.trackCount").hasMessageContaining("OTrack"))
                .verify(T);
    }

    @Test // O6 (seed 1.3): joined eager loading with LIMIT returns exactly LIMIT parents with complete collections
    default void joinedEagerWithLimit(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(artists(10, 3, 1));
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Column<String> name = f.stringColumn(OArtist.class, "name");
        long before = f.engine().statementCount();
        List<OArtist> page = f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                .options(joinedLoad(albums)).orderBy(name).limit(4))).collectList().block(T);
        assertThat(f.engine().statementCount() - before).isEqualTo(1);
        assertThat(page).extracting(a -> a.name).containsExactly("Artist 0", "Artist 1", "Artist 2", "Artist 3");
        assertThat(page).allSatisfy(a -> assertThat(a.albums).hasSize(3));
    }

    @Test // O6: an unloaded collection raises with the option that would load it; fetch() loads explicitly
    default void unloadedCollectionRaises(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(artists(1, 2, 0));
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)).next().flatMap(a -> {
            assertThatThrownBy(() -> a.albums.size()).isInstanceOf(UnloadedAttributeException.class)
                    .hasMessageContaining("selectinLoad(OArtist_.albums)");
            return s.fetch(a, albums).doOnNext(l -> {
                assertThat(l).hasSize(2);
                assertThat(a.albums).hasSize(2);
            });
        })).blockLast(T);
    }

    @Test // O4: dirty checking sends only changed columns; unchanged objects send nothing
    default void dirtyCheckingSendsOnlyChangedColumns(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(artists(1, 1, 2));
        List<String> sql = new CopyOnWriteArrayList<>();
        f.sessions().inTransaction(s -> s.execute(Orm.select(OTrack.class)).collectList().flatMap(tracks -> {
            try {
                AutoCloseable sub = f.engine().onStatement(sql::add);
                tracks.get(0).name = "Renamed";
                return s.flush().doFinally(x -> close(sub));
            } catch (Exception e) {
                return Mono.error(e);
            }
        })).blockLast(T);
        assertThat(sql).hasSize(1);
        assertThat(sql.get(0)).startsWith("UPDATE o_track SET name = ").doesNotContain("milliseconds").doesNotContain("unit_price");
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test // O4: self-referential rows flush parent-first, in separate statements per level
    default void selfReferentialFlushOrder(TestDatabase db) {
        Fixture f = setUp(this, db);
        OEmployee ceo = new OEmployee(1, "Adams");
        OEmployee vp = new OEmployee(2, "Edwards");
        OEmployee rep = new OEmployee(3, "Peacock");
        rep.manager = vp;
        vp.manager = ceo;
        f.seed(rep, vp, ceo);
        Mapper<OEmployee> m = f.registry().mapper(OEmployee.class);
        Relationship<OEmployee, OEmployee> reports = f.rel(OEmployee.class, "reports");
        List<OEmployee> all = f.sessions().inSession(s -> s.execute(Orm.select(OEmployee.class)
                .options(selectinLoad(reports)).orderBy(m.column("id", Integer.class)))).collectList().block(T);
        assertThat(all).extracting(e -> e.lastName).containsExactly("Adams", "Edwards", "Peacock");
        assertThat(all.get(0).reports).extracting(e -> e.lastName).containsExactly("Edwards");
        assertThat(all.get(2).manager).isSameAs(all.get(1));
        assertThat(all.get(0).version).isEqualTo(1);
    }

    @Test // O4: delete-orphan removes a child taken out of its collection; cascade delete removes the subtree
    default void cascadeDeleteOrphan(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(artists(1, 2, 2));
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        f.sessions().inTransaction(s -> s.execute(Orm.select(OArtist.class).options(selectinLoad(albums).selectinLoad(tracks)))
                .next().doOnNext(a -> a.albums.get(0).tracks.remove(0))).blockLast(T);
        assertThat(f.rows(f.registry().mapper(OTrack.class).table())).isEqualTo(3);
        f.sessions().inTransaction(s -> s.execute(Orm.select(OArtist.class).options(selectinLoad(albums).selectinLoad(tracks)))
                .next().doOnNext(s::delete)).blockLast(T);
        assertThat(f.rows(f.registry().mapper(OTrack.class).table())).isZero();
        assertThat(f.rows(f.registry().mapper(OAlbum.class).table())).isZero();
        assertThat(f.rows(f.registry().mapper(OArtist.class).table())).isZero();
    }

    @Test // O2: reads take the connection but no transaction (no BEGIN/ROLLBACK); writes, locks and begin() do
    default void transactionBeginsWithTheFirstWrite(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(new OArtist("Reader"));
        Table artists = f.registry().mapper(OArtist.class).table();
        Column<String> name = f.stringColumn(OArtist.class, "name");
        AsyncSession s = f.sessions().openSession();
        try {
            OArtist a = s.execute(Orm.select(OArtist.class)).blockFirst(T);
            assertThat(s.inTransaction()).as("a plain read begins no transaction").isFalse();
            assertThat(s.get(OArtist.class, a.id).block(T)).isSameAs(a);
            a.name = "Renamed";
            s.flush().block(T);
            assertThat(s.inTransaction()).as("a flush begins it").isTrue();
            assertThat(s.execute(select(name).from(artists)).map(r -> r.get(name)).collectList().block(T))
                    .as("reads after the flush see it: same transaction").containsExactly("Renamed");
            s.rollback().block(T);
            assertThat(s.inTransaction()).isFalse();
            assertThat(a.name).as("rollback restores what the transaction changed").isEqualTo("Reader");
            assertThat(f.engine().connect(c -> c.execute(select(name).from(artists)).scalars(String.class))
                    .collectList().block(T)).containsExactly("Reader");

            // A Core DML statement through the session is transactional too: rollback undoes it.
            s.execute(io.retort.sql.Sql.update(artists).set(name, "Core")).blockLast(T);
            assertThat(s.inTransaction()).isTrue();
            s.rollback().block(T);
            assertThat(f.engine().connect(c -> c.execute(select(name).from(artists)).scalars(String.class))
                    .collectList().block(T)).containsExactly("Reader");

            // begin() starts it explicitly (reads then share it); a second begin() is an error.
            s.begin().block(T);
            assertThat(s.inTransaction()).isTrue();
            StepVerifier.create(s.begin()).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(io.retort.error.InvalidRequestError.class).hasMessageContaining("already begun")).verify(T);
            s.commit().block(T);
            assertThat(s.inTransaction()).isFalse();
            if (f.engine().dialect().block(T).supportsRowLocks()) {
                s.refresh(a, true).block(T);
                assertThat(s.inTransaction()).as("a locking read begins it").isTrue();
            }
        } finally {
            s.close().block(T);
        }
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(5));
    }

    @Test // F6: a read cancelled outside a transaction costs nothing but its connection; inside one, a rollback is due
    default void cancelledReadOutsideATransactionLeavesTheSessionUsable(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(java.util.stream.IntStream.range(0, 500).mapToObj(i -> new OArtist("Artist " + i)).toList());
        Table artists = f.registry().mapper(OArtist.class).table();
        Column<String> name = f.stringColumn(OArtist.class, "name");
        AsyncSession s = f.sessions().openSession();
        try {
            StepVerifier.create(s.execute(select(name).from(artists).orderBy(name)).take(3))
                    .expectNextCount(3).expectComplete().verify(T);
            assertThat(s.inTransaction()).isFalse();
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(T)).as("usable at once, no rollback needed")
                    .isEqualTo(500L);
            s.begin().block(T);
            StepVerifier.create(s.execute(select(name).from(artists).orderBy(name)).take(3))
                    .expectNextCount(3).expectComplete().verify(T);
            StepVerifier.create(s.execute(Orm.select(OArtist.class))).expectError(PendingRollbackError.class).verify(T);
            s.rollback().block(T);
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(T)).isEqualTo(500L);
        } finally {
            s.close().block(T);
        }
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(5));
    }

    @Test // F35: a flush cancelled just after one of its writes ran needs a rollback; nothing is written twice
    default void cancelledFlushNeedsRollbackAndWritesNothingTwice(TestDatabase db) throws Exception {
        Fixture f = setUp(this, db);
        Table artists = f.registry().mapper(OArtist.class).table();
        // The cancel lands in the window the F35 session storm found by chance: the INSERT has run on
        // the server and the engine reports it done (the observer hears it before the flush does),
        // but the flush has not yet marked its object flushed. (H2 wraps the INSERT in SELECT ... FINAL TABLE.)
        java.util.concurrent.atomic.AtomicReference<org.reactivestreams.Subscription> flush =
                new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch inserted = new CountDownLatch(1);
        AutoCloseable off = f.engine().observeStatements(start -> !start.sql().contains("INSERT") ? null
                : new io.retort.engine.StatementObserver.Execution() {
                    @Override
                    public void succeeded(long returnedRows, long rowsAffected) {
                        org.reactivestreams.Subscription sub = flush.getAndSet(null);
                        if (sub != null) {
                            sub.cancel();
                            inserted.countDown();
                        }
                    }

                    @Override
                    public void failed(Throwable error) {
                    }

                    @Override
                    public void cancelled(long returnedRows) {
                    }
                });
        AsyncSession s = f.sessions().openSession();
        try {
            s.add(new OArtist("First"));
            s.flush().doOnSubscribe(flush::set).subscribe(null, e -> { });
            assertThat(inserted.await(10, TimeUnit.SECONDS)).as("the INSERT ran and the flush was cancelled").isTrue();
            off.close();
            StepVerifier.create(s.flush()).expectError(PendingRollbackError.class).verify(T);
            StepVerifier.create(s.execute(Orm.select(OArtist.class))).expectError(PendingRollbackError.class).verify(T);
            s.rollback().block(T);
            assertThat(f.rows(artists)).as("the cancelled flush's write was rolled back").isZero();
            s.add(new OArtist("Again"));
            s.commit().block(T);
            assertThat(f.rows(artists)).as("written once").isEqualTo(1);
        } finally {
            off.close();
            s.close().block(T);
        }
        FaultKit.awaitPoolIdle(f.engine(), Duration.ofSeconds(10));
    }

    @Test // O4, F23: a failed flush leaves the database unchanged and the session needing rollback; then it works
    default void failedFlushNeedsRollback(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(new OArtist("Taken"));
        AsyncSession s = f.sessions().openSession();
        try {
            s.add(new OArtist("First"));
            s.add(new OArtist("Taken"));
            s.add(new OArtist("Third"));
            StepVerifier.create(s.flush()).expectError(IntegrityError.class).verify(T);
            StepVerifier.create(s.commit()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PendingRollbackError.class)
                    .hasMessageContaining("Original exception was")).verify(T);
            StepVerifier.create(s.execute(Orm.select(OArtist.class))).expectError(PendingRollbackError.class).verify(T);
            s.rollback().block(T);
            assertThat(f.rows(f.registry().mapper(OArtist.class).table())).isEqualTo(1);
            s.add(new OArtist("After"));
            s.commit().block(T);
            assertThat(f.rows(f.registry().mapper(OArtist.class).table())).isEqualTo(2);
        } finally {
            s.close().block(T);
        }
    }

    @Test // O5: many-to-many through the join table, added and removed
    default void manyToMany(TestDatabase db) {
        Fixture f = setUp(this, db);
        List<OArtist> data = artists(1, 1, 3);
        OPlaylist p = new OPlaylist(1, "Mix");
        p.tracks.addAll(data.get(0).albums.get(0).tracks.subList(0, 2));
        f.seed(data.get(0), p);
        Relationship<OPlaylist, OTrack> tracks = f.rel(OPlaylist.class, "tracks");
        List<String> names = f.sessions().inSession(s -> s.execute(Orm.select(OPlaylist.class).options(selectinLoad(tracks)))
                .flatMapIterable(pl -> pl.tracks).map(t -> t.name)).collectList().block(T);
        assertThat(names).containsExactly("Track 0.0.0", "Track 0.0.1");
    }

    @Test // O12: an unset collection on a transient object is empty and not a change; B15, F29: concurrent use is an error
    default void transientCollectionsAndConcurrentUse(TestDatabase db) {
        Fixture f = setUp(this, db);
        OArtist a = new OArtist("No albums");
        assertThat(a.albums).isNull();
        f.sessions().inTransaction(s -> {
            s.add(a);
            return s.flush().then(Mono.fromRunnable(() -> assertThat(a.albums).isEmpty()));
        }).blockLast(T);
        f.seed(new OArtist("Second"), new OArtist("Third"));
        AsyncSession s = f.sessions().openSession();
        try {
            // The first operation is still streaming (one row requested of three) when the second starts.
            Table artists = f.registry().mapper(OArtist.class).table();
            StepVerifier.create(s.execute(select(artists.c("name"))), 1)
                    .expectNextCount(1)
                    .then(() -> StepVerifier.create(s.execute(Orm.select(OArtist.class)))
                            .expectError(ConcurrentSessionUseError.class).verify(T))
                    .thenCancel()
                    .verify(T);
            // Cancelling mid-stream cost the connection, but no transaction had begun (a plain read):
            // the next operation takes a fresh connection at once (the in-transaction case needs a
            // rollback: cancelledReadOutsideATransactionLeavesTheSessionUsable).
            assertThat(s.inTransaction()).isFalse();
            StepVerifier.create(s.execute(Orm.select(OArtist.class)).count()).expectNext(3L).verifyComplete();
        } finally {
            s.close().block(T);
        }
    }

    /**
     * A fetch scheduler whose one thread the test holds: fetches subscribed while it is held all
     * wait for the same dispatch, so "subscribed together" does not depend on thread timing.
     */
    final class HeldScheduler implements AutoCloseable {
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        final Scheduler scheduler = Schedulers.fromExecutorService(executor);
        private CountDownLatch latch = new CountDownLatch(0);

        void hold() {
            CountDownLatch l = new CountDownLatch(1);
            latch = l;
            executor.submit(() -> l.await(60, TimeUnit.SECONDS));
        }

        void release() {
            latch.countDown();
        }

        @Override
        public void close() {
            release();
            scheduler.dispose();
        }
    }

    /** {@code o_artist.name}. */
    private static Column<String> name(Fixture f) {
        return f.stringColumn(OArtist.class, "name");
    }

    @Test // O18: fetches subscribed together are one IN query per relationship; each caller gets its own targets
    default void coalescedFetches(TestDatabase db) throws Exception {
        Fixture f = setUp(this, db);
        f.seed(artists(100, 2, 0));
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OArtist> artistOf = f.rel(OAlbum.class, "artist");
        // The README's shape on the default scheduler: fetches as the query's entities are emitted.
        // How the burst and the dispatches interleave depends on the threads (1 to 3 statements
        // were seen); the outcome must not.
        long first = f.engine().statementCount();
        List<Integer> sizes = f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class))
                .flatMap(a -> s.fetch(a, albums).map(List::size))).collectList().block(T);
        assertThat(sizes).hasSize(100).containsOnly(2);
        assertThat(f.engine().statementCount() - first - 1).as("fetch statements: per batch, never one per fetch")
                .isBetween(1L, 99L);
        try (HeldScheduler held = new HeldScheduler()) {
            AsyncSession s = f.sessions().withFetchScheduler(held.scheduler).openSession();
            try {
                List<OArtist> artists = s.execute(Orm.select(OArtist.class)).collectList().block(T);
                assertThat(artists).hasSize(100);

                // 100 fetches of one relationship, a stranger's and a cancelled one in the same burst.
                held.hold();
                long before = f.engine().statementCount();
                CompletableFuture<List<String>> results = Flux.fromIterable(artists)
                        .flatMap(a -> s.fetch(a, albums).map(l -> a.name + ":" + l.size() + ":"
                                + (l.stream().allMatch(al -> al.artist == a && a.albums.contains(al)))))
                        .collectList().toFuture();
                CompletableFuture<List<OAlbum>> stranger = s.fetch(new OArtist("Not in the session"), albums).toFuture();
                Disposable cancelled = s.fetch(artists.get(0), albums).subscribe();
                cancelled.dispose();
                assertThat(f.engine().statementCount() - before).as("nothing sent while the burst is subscribed").isZero();
                held.release();
                assertThat(results.get(60, TimeUnit.SECONDS)).hasSize(100)
                        .allSatisfy(r -> assertThat(r).endsWith(":2:true"));
                assertThatThrownBy(() -> stranger.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidRequestError.class)
                        .hasMessageContaining("not persistent in this session");
                assertThat(f.engine().statementCount() - before).as("statements for 100 coalesced fetches").isEqualTo(1);

                // Two relationships in one burst: one statement each; a fetch for a many-to-one emits its target.
                List<OAlbum> all = new ArrayList<>();
                artists.forEach(a -> all.addAll(a.albums));
                held.hold();
                before = f.engine().statementCount();
                CompletableFuture<Long> owners = Flux.fromIterable(all)
                        .flatMap(al -> s.fetch(al, artistOf).map(l -> l.size() == 1 && l.get(0) == al.artist))
                        .filter(ok -> ok).count().toFuture();
                CompletableFuture<Long> again = Flux.fromIterable(artists.subList(0, 10))
                        .flatMap(a -> s.fetch(a, albums)).count().toFuture();
                held.release();
                assertThat(owners.get(60, TimeUnit.SECONDS)).isEqualTo(200L);
                assertThat(again.get(60, TimeUnit.SECONDS)).isEqualTo(10L);
                assertThat(f.engine().statementCount() - before).as("one statement per relationship").isEqualTo(2);

                // A fetch while another operation holds the session fails with the concurrent-use error.
                Table artistTable = f.registry().mapper(OArtist.class).table();
                StepVerifier.create(s.execute(select(artistTable.c("name"))), 1)
                        .expectNextCount(1)
                        .then(() -> StepVerifier.create(s.fetch(artists.get(1), albums))
                                .expectError(ConcurrentSessionUseError.class).verify(T))
                        .thenCancel()
                        .verify(T);
                // A fetch still waiting when the session closes fails saying so, and sends nothing.
                held.hold();
                before = f.engine().statementCount();
                CompletableFuture<List<OAlbum>> late = s.fetch(artists.get(3), albums).toFuture();
                s.close().block(T);
                held.release();
                assertThatThrownBy(() -> late.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(InvalidRequestError.class)
                        .hasMessageContaining("closed before this fetch ran");
                assertThat(f.engine().statementCount() - before).isZero();
                // ...and the session, reopened by use as ever, serves the next fetch (alone: one statement).
                OArtist reloaded = s.execute(Orm.select(OArtist.class).where(name(f).eq(artists.get(1).name))).blockFirst(T);
                before = f.engine().statementCount();
                StepVerifier.create(s.fetch(reloaded, albums)).assertNext(l -> assertThat(l).hasSize(2))
                        .verifyComplete();
                assertThat(f.engine().statementCount() - before).isEqualTo(1);
            } finally {
                s.close().block(T);
            }
        }
    }

    @Test // O17: entities stream chunk by chunk with loaders per chunk (a cursor on PostgreSQL), held back by demand
    default void streamingEntities(TestDatabase db) {
        Fixture f = setUp(this, db);
        f.seed(artists(250, 2, 1));
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        Column<String> name = f.stringColumn(OArtist.class, "name");
        io.retort.sql.compile.Dialect dialect = f.engine().dialect().block(T);
        AsyncSession s = f.sessions().openSession();
        try {
            // Without loaders of their own: one statement, every backend, the identity map as ever.
            long before = f.engine().statementCount();
            List<OArtist> first = new ArrayList<>();
            StepVerifier.create(s.stream(Orm.select(OArtist.class).orderBy(name), 100), 0)
                    .thenRequest(150)
                    .recordWith(() -> first)
                    .expectNextCount(150)
                    .then(() -> assertThat(f.engine().statementCount() - before).isEqualTo(1))
                    .thenRequest(Long.MAX_VALUE)
                    .expectNextCount(100)
                    .verifyComplete();
            assertThat(first).hasSize(250).doesNotHaveDuplicates();
            assertThat(s.get(OArtist.class, first.get(0).id).block(T)).isSameAs(first.get(0));
            // Cancelled while its statement streams, outside a transaction: the connection goes, the
            // session stays usable at once.
            StepVerifier.create(s.stream(Orm.select(OArtist.class), 10).take(15)).expectNextCount(15).verifyComplete();
            assertThat(s.inTransaction()).isFalse();
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(T)).isEqualTo(250L);

            StepVerifier.create(s.stream(Orm.select(OArtist.class).options(joinedLoad(albums)), 100))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ArgumentError.class)
                            .hasMessageContaining("cannot stream").hasMessageContaining("selectinLoad"))
                    .verify(T);
            assertThatThrownBy(() -> s.stream(Orm.select(OArtist.class), 0)).isInstanceOf(ArgumentError.class);

            var q = Orm.select(OArtist.class).options(selectinLoad(albums).selectinLoad(tracks)).orderBy(name);
            if (!dialect.supportsCursors()) {
                StepVerifier.create(s.stream(q, 100))
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(InvalidRequestError.class)
                                .hasMessageContaining(dialect.name()).hasMessageContaining("cursor"))
                        .verify(T);
                assertThat(s.execute(q).count().block(T)).as("usable after the refusal").isEqualTo(250L);
                return;
            }
            // A cursor: the first chunk costs DECLARE, one FETCH and its two loaders; nothing more
            // is read while the subscriber still holds some of the chunk's entities.
            long b2 = f.engine().statementCount();
            List<OArtist> loaded = new ArrayList<>();
            StepVerifier.create(s.stream(q, 100), 0)
                    .thenRequest(60)
                    .recordWith(() -> loaded)
                    .expectNextCount(60)
                    .then(() -> assertThat(f.engine().statementCount() - b2).as("DECLARE, FETCH, two loaders").isEqualTo(4))
                    .thenRequest(Long.MAX_VALUE)
                    .expectNextCount(190)
                    .verifyComplete();
            assertThat(f.engine().statementCount() - b2).as("DECLARE, 3 FETCH, 6 loaders, CLOSE").isEqualTo(11);
            assertThat(loaded).hasSize(250).allSatisfy(a -> {
                assertThat(a.albums).hasSize(2);
                assertThat(a.albums).allSatisfy(al -> assertThat(al.tracks).hasSize(1));
            });
            // Cancelled between chunks: the transaction the stream began goes on and commits.
            assertThat(s.inTransaction()).isTrue();
            StepVerifier.create(s.stream(q, 100).take(150)).expectNextCount(150).verifyComplete();
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(T)).isEqualTo(250L);
            s.commit().block(T);
        } finally {
            s.close().block(T);
        }
    }

    @Test // F8: a session scope holds its connection; its own statements are not nested, a second session inside it is
    default void aSecondSessionInsideASessionScopeIsANestedAcquisition(TestDatabase db) {
        Fixture f = setUp(this, db);
        Engine strict = engine(db, EngineOptions.builder().maxPoolSize(2).echo(false)
                .nestedAcquire(EngineOptions.NestedAcquire.FAIL).build());
        SessionFactory sessions = SessionFactory.of(strict, f.registry());
        // The session's own statements, several of them, in its transaction: fine.
        StepVerifier.create(sessions.withTransaction(s -> s.execute(Orm.select(OArtist.class)).count()
                        .then(s.execute(Orm.select(OArtist.class)).count())))
                .expectNext(0L).expectComplete().verify(T);
        // A second session inside the first one's work, once the first holds a connection: refused.
        StepVerifier.create(sessions.withTransaction(s -> s.execute(Orm.select(OArtist.class)).count()
                        .then(sessions.withSession(other -> other.execute(Orm.select(OArtist.class)).count()))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.retort.error.InvalidRequestError.class)
                        .hasMessageContaining("nested acquisition"))
                .verify(T);
        // An engine scope inside a session's work is one too.
        StepVerifier.create(sessions.withSession(s -> s.execute(Orm.select(OArtist.class)).count()
                        .then(strict.connect(c -> c.executeRaw("SELECT 1").rows().count()).next())))
                .expectError(io.retort.error.InvalidRequestError.class)
                .verify(T);
        FaultKit.awaitPoolIdle(strict, Duration.ofSeconds(2));
    }

    @Test // F6, the race fixed in 54ff6ee: a session statement cancelled mid-way outside a transaction hands
          // back a connection the pool discards; were it returned first, the pool would keep it as healthy
    default void cancelledSessionStatementDiscardsItsConnection(TestDatabase db) throws Exception {
        Fixture f = setUp(this, db);
        Engine one = engine(db, EngineOptions.builder().maxPoolSize(1).echo(false).build());
        FaultKit.createBig(one, db.backend(), 100_000);
        Object before = one.connect(c -> Mono.just(FaultKit.driverConnection(c))).blockLast(T);
        AsyncSession s = SessionFactory.of(one, f.registry()).openSession();
        try {
            // A plain SELECT (the session reads in autocommit), cancelled with 99,999 rows to go: its
            // statement is certainly still running.
            StepVerifier.create(s.execute(select(FaultKit.BIG.id, FaultKit.BIG.pad).from(FaultKit.BIG)
                            .orderBy(FaultKit.BIG.id)), 1)
                    .expectNextCount(1)
                    .thenCancel()
                    .verify(T);
            FaultKit.awaitPoolIdle(one, Duration.ofSeconds(10));
            Object after = one.connect(c -> Mono.just(FaultKit.driverConnection(c))).blockLast(T);
            assertThat(after).as("the cancelled statement's connection was discarded, not pooled again").isNotSameAs(before);
            assertThat(s.inTransaction()).isFalse();
            assertThat(s.execute(Orm.select(OArtist.class)).count().block(T)).as("the session is usable at once").isZero();
        } finally {
            s.close().block(T);
        }
    }

    @Test // O17, L4: a detached stream of 200,000 entities keeps the heap flat; an attached one keeps its objects tracked
    default void detachedStreamKeepsTheHeapFlat(TestDatabase db) {
        Fixture f = setUp(this, db);
        // Artists named by 100 characters and a number, in one set-based INSERT.
        String fill = FaultKit.seriesInsert(db.backend(), "o_artist (name)", false, "x".repeat(100), 200_000);
        f.engine().connect(c -> c.executeRaw(fill).rowsAffected()).blockLast(T);
        Engine engine = engine(db, FaultKit.streamingOptions(driver()));
        AsyncSession s = SessionFactory.of(engine, f.registry()).openSession();
        try {
            OArtist[] last = new OArtist[1];
            FaultKit.HeapProbe probe = FaultKit.heapHalfWay(s.streamDetached(Orm.select(OArtist.class), 500), 100_000,
                    a -> last[0] = a);
            assertThat(probe.items()).isEqualTo(200_000);
            assertThat(last[0].name).startsWith("x".repeat(100)).hasSizeBetween(101, 106);
            assertThat(probe.retainedHalfWay()).as("heap retained half-way through 200,000 detached entities (bytes)")
                    .isLessThan(16L << 20);
            assertThat(s.contains(last[0])).as("a detached entity").isFalse();
            OArtist kept = s.stream(Orm.select(OArtist.class).limit(10), 5).blockFirst(T);
            assertThat(s.contains(kept)).as("an entity of an attached stream").isTrue();
        } finally {
            s.close().block(T);
        }
    }
}
