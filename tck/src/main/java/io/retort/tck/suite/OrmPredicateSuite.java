package io.retort.tck.suite;

import io.retort.error.ArgumentError;
import io.retort.orm.EntityAlias;
import io.retort.orm.EntityRow;
import io.retort.orm.EntitySelect;
import io.retort.orm.Orm;
import io.retort.orm.Relationship;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.Entities;
import io.retort.tck.orm.Entities.OAlbum;
import io.retort.tck.orm.Entities.OArtist;
import io.retort.tck.orm.Entities.OEmployee;
import io.retort.tck.orm.Entities.OPlaylist;
import io.retort.tck.orm.Entities.OTrack;
import io.retort.tck.suite.OrmSuite.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static io.retort.orm.Load.joinedLoad;
import static io.retort.sql.Sql.not;
import static io.retort.sql.Sql.or;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Relationship predicates (O16) on every backend: {@code any()}, {@code has()} and
 * {@code contains()} as correlated EXISTS, nested, negated, many-to-many, self-referential and
 * through entity aliases, checked against the rows each backend returns (parents without children
 * included) and the number of statements sent (one per query: a predicate never loads anything).
 */
@ExtendWith(TckOracle.class)
public interface OrmPredicateSuite extends TckBackend {
    Duration T = Duration.ofSeconds(60);

    /**
     * A fresh schema with three artists: "Full" (albums A1 with tracks Intro and Outro, A2 with
     * Song), "Quiet" (album Silent, no tracks) and "Nobody" (no albums); playlists Mix (Intro,
     * Song), One (Outro) and Empty; employees Adams &lt;- Edwards &lt;- {Peacock, Park}.
     */
    private static Fixture seeded(TckBackend b, TestDatabase db) {
        Fixture f = Fixture.on(b, db);
        OArtist full = artist("Full", album("A1", "Intro", "Outro"), album("A2", "Song"));
        OArtist quiet = artist("Quiet", album("Silent"));
        OArtist nobody = artist("Nobody");
        OPlaylist mix = new OPlaylist(1, "Mix");
        mix.tracks.add(full.albums.get(0).tracks.get(0));
        mix.tracks.add(full.albums.get(1).tracks.get(0));
        OPlaylist one = new OPlaylist(2, "One");
        one.tracks.add(full.albums.get(0).tracks.get(1));
        OPlaylist empty = new OPlaylist(3, "Empty");
        OEmployee adams = new OEmployee(1, "Adams");
        OEmployee edwards = new OEmployee(2, "Edwards");
        OEmployee peacock = new OEmployee(3, "Peacock");
        OEmployee park = new OEmployee(4, "Park");
        edwards.manager = adams;
        peacock.manager = edwards;
        park.manager = edwards;
        f.seed(full, quiet, nobody, mix, one, empty, adams, edwards, peacock, park);
        return f;
    }

    private static OArtist artist(String name, OAlbum... albums) {
        OArtist a = new OArtist(name);
        a.albums = new java.util.ArrayList<>(List.of(albums));
        return a;
    }

    private static OAlbum album(String title, String... tracks) {
        OAlbum a = new OAlbum(title);
        for (String t : tracks) {
            a.tracks.add(new OTrack(t, 1000));
        }
        return a;
    }

    /**
     * Runs {@code query} in a fresh session and returns each entity's name, asserting that it took
     * exactly one statement (the EXISTS rides in the query's WHERE; nothing is loaded lazily).
     */
    private static <E> List<String> names(Fixture f, EntitySelect<E> query, Function<E, String> name) {
        long before = f.engine().statementCount();
        List<String> out = f.sessions().inSession(s -> s.execute(query)).map(name).collectList().block(T);
        assertThat(f.engine().statementCount() - before).as("statements for %s", query.where()).isEqualTo(1);
        return out;
    }

    @Test // O16: any()/has() on one-to-many and many-to-one, nested, negated, OR-ed: the rows each backend returns
    default void relationshipAnyAndHas(TestDatabase db) {
        Fixture f = seeded(this, db);
        Relationship<OArtist, OAlbum> albums = f.rel(OArtist.class, "albums");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        Relationship<OAlbum, OArtist> artist = f.rel(OAlbum.class, "artist");
        Relationship<OTrack, OAlbum> album = f.rel(OTrack.class, "album");
        Column<String> artistName = f.stringColumn(OArtist.class, "name");
        Column<String> title = f.stringColumn(OAlbum.class, "title");
        Column<String> trackName = f.stringColumn(OTrack.class, "name");
        Function<Expression<Boolean>, EntitySelect<OArtist>> artists =
                w -> Orm.select(OArtist.class).where(w).orderBy(artistName);

        assertThat(names(f, artists.apply(albums.any()), a -> a.name)).containsExactly("Full", "Quiet");
        // NOT any(): the artist with no albums at all is in, as is nobody else
        assertThat(names(f, artists.apply(not(albums.any())), a -> a.name)).containsExactly("Nobody");
        assertThat(names(f, artists.apply(albums.any(title.eq("Silent"))), a -> a.name)).containsExactly("Quiet");
        assertThat(names(f, artists.apply(albums.any(title.eq("No such"))), a -> a.name)).isEmpty();
        // nested: artists with an album with a track named Intro; and with no album that has tracks
        assertThat(names(f, artists.apply(albums.any(tracks.any(trackName.eq("Intro")))), a -> a.name))
                .containsExactly("Full");
        assertThat(names(f, artists.apply(not(albums.any(tracks.any()))), a -> a.name))
                .containsExactly("Nobody", "Quiet");
        assertThat(names(f, artists.apply(or(albums.any(title.eq("Silent")), not(albums.any()))), a -> a.name))
                .containsExactly("Nobody", "Quiet");
        // AND of two predicates on different relationships of the same rows
        assertThat(names(f, artists.apply(albums.any(title.eq("A1")).and(albums.any(tracks.any(trackName.eq("Song"))))),
                a -> a.name)).containsExactly("Full");

        // has(): albums by artist name; tracks two levels up; albums with no tracks
        assertThat(names(f, Orm.select(OAlbum.class).where(artist.has(artistName.eq("Full"))).orderBy(title), a -> a.title))
                .containsExactly("A1", "A2");
        assertThat(names(f, Orm.select(OTrack.class).where(album.has(artist.has(artistName.eq("Full")))).orderBy(trackName),
                t -> t.name)).containsExactly("Intro", "Outro", "Song");
        assertThat(names(f, Orm.select(OAlbum.class).where(not(tracks.any())).orderBy(title), a -> a.title))
                .containsExactly("Silent");
        assertThat(names(f, Orm.select(OAlbum.class).where(artist.has()).orderBy(title), a -> a.title))
                .containsExactly("A1", "A2", "Silent");

        // with the same relationship eagerly joined, under a LIMIT (the parents are wrapped in a subquery)
        List<String> page = f.sessions().inSession(s -> s.execute(Orm.select(OArtist.class)
                        .where(not(albums.any(tracks.any()))).options(joinedLoad(albums)).orderBy(artistName).limit(2)))
                .map(a -> a.name + ":" + a.albums.size()).collectList().block(T);
        assertThat(page).containsExactly("Nobody:0", "Quiet:1");

        // a Core SELECT on a connection, no session: the same predicate, the same rows
        List<String> core = f.engine().connect(c -> c.execute(select(artistName).where(not(albums.any())).orderBy(artistName))
                .scalars(String.class)).collectList().block(T);
        assertThat(core).containsExactly("Nobody");
    }

    @Test // O16: many-to-many any() through the link table; contains(entity) by key on both collection kinds
    default void relationshipPredicatesManyToManyAndContains(TestDatabase db) {
        Fixture f = seeded(this, db);
        Relationship<OPlaylist, OTrack> playlistTracks = f.rel(OPlaylist.class, "tracks");
        Relationship<OAlbum, OTrack> tracks = f.rel(OAlbum.class, "tracks");
        Column<String> playlistName = f.stringColumn(OPlaylist.class, "name");
        Column<String> title = f.stringColumn(OAlbum.class, "title");
        Column<String> trackName = f.stringColumn(OTrack.class, "name");
        Function<Expression<Boolean>, EntitySelect<OPlaylist>> playlists =
                w -> Orm.select(OPlaylist.class).where(w).orderBy(playlistName);

        assertThat(names(f, playlists.apply(playlistTracks.any()), p -> p.name)).containsExactly("Mix", "One");
        assertThat(names(f, playlists.apply(not(playlistTracks.any())), p -> p.name)).containsExactly("Empty");
        assertThat(names(f, playlists.apply(playlistTracks.any(trackName.eq("Song"))), p -> p.name)).containsExactly("Mix");
        assertThat(names(f, playlists.apply(not(playlistTracks.any(trackName.eq("Song")))), p -> p.name))
                .containsExactly("Empty", "One");

        // The persistent tracks, loaded by key in their own session (contains reads only the key).
        List<OTrack> all = f.sessions().inSession(s -> s.execute(Orm.select(OTrack.class).orderBy(trackName)))
                .collectList().block(T);
        OTrack intro = all.get(0);
        OTrack outro = all.get(1);
        OTrack song = all.get(2);
        assertThat(intro.name).isEqualTo("Intro");
        assertThat(names(f, playlists.apply(playlistTracks.contains(intro)), p -> p.name)).containsExactly("Mix");
        assertThat(names(f, playlists.apply(playlistTracks.contains(outro)), p -> p.name)).containsExactly("One");
        assertThat(names(f, playlists.apply(not(playlistTracks.contains(song))), p -> p.name))
                .containsExactly("Empty", "One");
        assertThat(names(f, Orm.select(OAlbum.class).where(tracks.contains(song)).orderBy(title), a -> a.title))
                .containsExactly("A2");
        assertThat(names(f, Orm.select(OAlbum.class).where(not(tracks.contains(song))).orderBy(title), a -> a.title))
                .containsExactly("A1", "Silent");

        // A transient track has no key to look for: refused before any SQL.
        long before = f.engine().statementCount();
        assertThatThrownBy(() -> playlistTracks.contains(new OTrack("New", 1)))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("it is transient");
        assertThat(f.engine().statementCount()).isEqualTo(before);
    }

    @Test // O16: a self-referential relationship (aliased inside the subquery) and predicates correlated to an EntityAlias
    default void relationshipPredicatesSelfReferentialAndAliases(TestDatabase db) {
        Fixture f = seeded(this, db);
        Relationship<OEmployee, OEmployee> reports = f.rel(OEmployee.class, "reports");
        Relationship<OEmployee, OEmployee> manager = f.rel(OEmployee.class, "manager");
        Column<String> lastName = f.stringColumn(OEmployee.class, "lastName");
        Column<Integer> id = f.registry().mapper(OEmployee.class).column("id", Integer.class);
        Function<Expression<Boolean>, EntitySelect<OEmployee>> employees =
                w -> Orm.select(OEmployee.class).where(w).orderBy(lastName);

        assertThat(names(f, employees.apply(reports.any()), e -> e.lastName)).containsExactly("Adams", "Edwards");
        assertThat(names(f, employees.apply(not(reports.any())), e -> e.lastName)).containsExactly("Park", "Peacock");
        assertThat(names(f, employees.apply(manager.has()), e -> e.lastName)).containsExactly("Edwards", "Park", "Peacock");
        assertThat(names(f, employees.apply(not(manager.has())), e -> e.lastName)).containsExactly("Adams");

        EntityAlias<OEmployee> r = Orm.aliased(OEmployee.class, "r");
        assertThat(names(f, employees.apply(reports.any(r, r.col(lastName).eq("Park"))), e -> e.lastName))
                .containsExactly("Edwards");
        // two levels: whoever has a report who has reports (inside, the plain table names r's reports)
        assertThat(names(f, employees.apply(reports.any(r, reports.of(r).any())), e -> e.lastName))
                .containsExactly("Adams");
        assertThat(names(f, employees.apply(reports.any(r, reports.of(r).any(lastName.eq("Peacock")))), e -> e.lastName))
                .containsExactly("Adams");
        assertThat(names(f, employees.apply(reports.any(r, reports.of(r).any(lastName.eq("Adams")))), e -> e.lastName))
                .isEmpty();
        OEmployee park = f.sessions().inSession(s -> s.get(OEmployee.class, 4)).blockLast(T);
        assertThat(names(f, employees.apply(reports.contains(park)), e -> e.lastName)).containsExactly("Edwards");

        // correlated to the alias of a multi-entity row: employees whose manager also manages Park
        EntityAlias<OEmployee> boss = Orm.aliased(OEmployee.class, "boss");
        @SuppressWarnings({"unchecked", "rawtypes"}) // the foreign key is a hidden, untyped column
        Expression<Boolean> reportsToBoss = ((Column) manager.localColumns().get(0)).eq((Expression) boss.col(id));
        long before = f.engine().statementCount();
        List<String> pairs = f.sessions().inSession(s -> s.execute(Orm.selectRows(OEmployee.class, boss)
                        .join(boss.table(), reportsToBoss)
                        .where(reports.of(boss).contains(park), reports.of(boss).any(lastName.ne("Park")))
                        .orderBy(lastName)))
                .map((EntityRow row) -> row.get(OEmployee.class).lastName + "->" + row.get(boss).lastName)
                .collectList().block(T);
        assertThat(f.engine().statementCount() - before).isEqualTo(1);
        assertThat(pairs).containsExactly("Park->Edwards", "Peacock->Edwards");
    }
}
