package io.retort.tck.suite;

import io.retort.error.IntegrityError;
import io.retort.orm.AsyncSession;
import io.retort.orm.Relationship;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static io.retort.orm.Load.selectinLoad;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session factory's transaction scopes and what a commit writes, on every backend:
 * {@code withTransaction} emits its value only after the commit (the connection is back in the
 * pool by then); a commit that fails is a typed error and leaks no connection, in the Mono and
 * the Flux scope alike; a {@code next()} on the Flux scope cancels it, which rolls back; and a
 * deleted many-to-many owner takes its association rows with it, loaded or not, in one DELETE
 * per association table.
 */
@ExtendWith(TckOracle.class)
public interface OrmTransactionSuite extends TckBackend {
    Duration TX_WAIT = Duration.ofSeconds(60);

    private static Fixture fixture(TckBackend b, TestDatabase db) {
        return Fixture.on(b, db);
    }

    /** Connections checked out once the pool has counted the returns under way (bounded wait). */
    private static int checkedOut(Fixture f) {
        long deadline = System.nanoTime() + TX_WAIT.toNanos();
        int n;
        while ((n = f.engine().poolStats().orElseThrow(() -> new AssertionError("the TCK's engines are pooled")).acquired()) > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return n;
    }

    @Test // withTransaction/withSession: one value, emitted once the session has committed and closed
    default void withTransactionEmitsOnlyAfterTheCommit(TestDatabase db) {
        Fixture f = fixture(this, db);
        // The session's own state tells: it holds its transaction until the commit has completed.
        AtomicReference<AsyncSession> session = new AtomicReference<>();
        AtomicReference<Boolean> openAtValue = new AtomicReference<>();
        StepVerifier.create(f.sessions().withTransaction(s -> {
                            session.set(s);
                            s.add(new OPlaylist(1, "Committed"));
                            return Mono.just("stored");
                        })
                        .doOnNext(v -> openAtValue.set(session.get().inTransaction())))
                .expectNext("stored")
                .verifyComplete();
        assertThat(openAtValue.get()).as("transaction still open when the value arrived").isFalse();
        assertThat(f.playlistNames()).containsExactly("Committed");

        // The Flux scope emits while the transaction is still open.
        AtomicReference<Boolean> openInFlux = new AtomicReference<>();
        f.sessions().inTransaction(s -> {
                    session.set(s);
                    s.add(new OPlaylist(2, "Streamed"));
                    return s.flush().thenReturn("flushed");
                })
                .doOnNext(v -> openInFlux.set(session.get().inTransaction()))
                .blockLast(TX_WAIT);
        assertThat(openInFlux.get()).isTrue();
        assertThat(f.playlistNames()).containsExactly("Committed", "Streamed");

        StepVerifier.create(f.sessions().withSession(s -> s.get(OPlaylist.class, 1)).map(p -> p.name))
                .expectNext("Committed")
                .verifyComplete();
        StepVerifier.create(f.sessions().withSession(s -> s.get(OPlaylist.class, 99)))
                .verifyComplete();
    }

    @Test // a commit that fails (its flush hits a constraint) is the typed error, and the connection goes back
    default void aFailedCommitIsTypedAndLeaksNoConnection(TestDatabase db) {
        Fixture f = fixture(this, db);
        f.seed(new OPlaylist(1, "First"));

        StepVerifier.create(f.sessions().withTransaction(s -> {
                    s.add(new OPlaylist(1, "Duplicate"));
                    return Mono.just("never emitted");
                }))
                .expectError(IntegrityError.class)
                .verify(TX_WAIT);
        assertThat(checkedOut(f)).as("after a failed withTransaction commit").isZero();

        StepVerifier.create(f.sessions().inTransaction(s -> {
                    s.add(new OPlaylist(1, "Duplicate"));
                    return Flux.just("emitted before the commit");
                }))
                .expectNext("emitted before the commit")
                .expectError(IntegrityError.class)
                .verify(TX_WAIT);
        assertThat(checkedOut(f)).as("after a failed inTransaction commit").isZero();

        assertThat(f.playlistNames()).containsExactly("First");
        f.seed(new OPlaylist(2, "Second")); // the pool and the factory still work
        assertThat(f.playlistNames()).containsExactly("First", "Second");
    }

    @Test // next() cancels the Flux scope once it has its element: the transaction rolls back (as documented)
    default void nextOnTheFluxScopeRollsBack(TestDatabase db) {
        Fixture f = fixture(this, db);
        StepVerifier.create(f.sessions().inTransaction(s -> {
                    s.add(new OPlaylist(1, "Cancelled"));
                    return s.flush().thenMany(Flux.just(1, 2));
                }).next())
                .expectNext(1)
                .verifyComplete();
        StepVerifier.create(f.sessions().withTransaction(s -> {
                    s.add(new OPlaylist(2, "Kept"));
                    return s.flush().thenReturn(1);
                }))
                .expectNext(1)
                .verifyComplete();
        assertThat(f.playlistNames()).containsExactly("Kept");
    }

    @Test // O4/O5: deleting a many-to-many owner deletes its association rows first, loaded or not
    default void aDeletedManyToManyOwnerTakesItsLinks(TestDatabase db) {
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
        OPlaylist one = new OPlaylist(2, "One");
        one.tracks.add(album.tracks.get(1));
        OPlaylist rest = new OPlaylist(3, "Rest");
        rest.tracks.add(album.tracks.get(2));
        f.seed(artist, mix, one, rest);
        Table links = f.rel(OPlaylist.class, "tracks").secondary();
        Relationship<OPlaylist, OTrack> tracks = f.rel(OPlaylist.class, "tracks");
        assertThat(f.rows(links)).isEqualTo(4);

        // Not loaded: the links go by the playlist's key, in one statement.
        List<String> sql = new CopyOnWriteArrayList<>();
        try (AutoCloseable log = f.engine().onStatement(sql::add)) {
            f.sessions().withTransaction(s -> s.get(OPlaylist.class, 1).doOnNext(s::delete)).block(TX_WAIT);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(sql).hasSize(3);
        assertThat(sql.get(1)).startsWith("DELETE FROM " + links.name() + " WHERE");
        assertThat(sql.get(2)).startsWith("DELETE FROM o_playlist WHERE");
        assertThat(f.rows(links)).isEqualTo(2);
        assertThat(f.playlistNames()).containsExactly("One", "Rest");
        assertThat(f.rows(f.registry().mapper(OTrack.class).table())).as("the tracks stay").isEqualTo(3);

        // Loaded, and two owners in one flush: still one DELETE for the association table.
        long before = f.engine().statementCount();
        f.sessions().withTransaction(s -> s.execute(io.retort.orm.Orm.select(OPlaylist.class).options(selectinLoad(tracks)))
                .doOnNext(s::delete).then(Mono.just(true))).block(TX_WAIT);
        assertThat(f.engine().statementCount() - before).as("SELECT, selectin, DELETE links, DELETE playlists").isEqualTo(4);
        assertThat(f.rows(links)).isZero();
        assertThat(f.playlistNames()).isEmpty();
        assertThat(f.rows(f.registry().mapper(OTrack.class).table())).isEqualTo(3);
    }
}
