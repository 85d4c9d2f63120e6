package io.retort.examples.webflux;

import io.retort.engine.Engine;
import io.retort.examples.webflux.ArtistController.ArtistDetail;
import io.retort.examples.webflux.ArtistController.ArtistSummary;
import io.retort.examples.webflux.PlaylistController.PlaylistView;
import io.retort.examples.webflux.PlaylistController.TrackRef;
import io.retort.examples.webflux.TrackController.TrackRow;
import io.retort.tck.env.Backend;
import io.retort.tck.env.ClassScratchDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.retort.examples.chinook.ChinookSchema.ALBUM;
import static io.retort.examples.chinook.ChinookSchema.PLAYLIST;
import static io.retort.examples.chinook.ChinookSchema.PLAYLIST_TRACK;
import static io.retort.examples.chinook.ChinookSchema.TRACK;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * E2's contract, run per database by a subclass that opens it ({@link #open}): the WebFlux
 * service started on a random port over a scratch database that the service loads with Chinook
 * at start-up, driven over HTTP with {@link WebTestClient}. Each test checks the answer, the
 * statements the request cost (Retort's statement listener) and that every connection is back
 * in the pool afterwards.
 */
@ExtendWith(ClassScratchDatabase.class) // declared first: it drops the database after Spring has closed the service
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ChinookApiContract.Observed.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS) // one service per database, closed after its class
abstract class ChinookApiContract {
    private static final Duration T = Duration.ofSeconds(30);

    @Autowired
    WebTestClient http;
    @Autowired
    Engine engine;
    @LocalServerPort
    int port;

    private final List<String> statements = new CopyOnWriteArrayList<>();
    private AutoCloseable listening;

    /** Called by each subclass's {@code @BeforeAll}: a scratch database the service will load. */
    static void open(Backend backend) {
        ClassScratchDatabase.open(backend);
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("chinook.url", () -> ClassScratchDatabase.current().r2dbcUrl());
        registry.add("chinook.max-pool-size", () -> "4");
    }

    /** Records every observation Spring's registry stops (Actuator adds handler beans to it). */
    static final class ObservationRecorder implements ObservationHandler<Observation.Context> {
        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Observed {
        @Bean
        ObservationRecorder observationRecorder() {
            return new ObservationRecorder();
        }
    }

    @Autowired
    ObservationRecorder observations;

    @BeforeEach
    void listen() {
        http = http.mutate().responseTimeout(T).build();
        listening = engine.onStatement(statements::add);
    }

    @AfterEach
    void poolIsIdle() throws Exception {
        listening.close();
        // A cancelled response releases its connection asynchronously: wait for it, bounded.
        long deadline = System.nanoTime() + T.toNanos();
        while (engine.poolStats().orElseThrow().acquired() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).as("connections still checked out").isZero();
    }

    // ------------------------------------------------------------------ Core endpoints

    @Test
    void artistsByPrefixTakeThePrefixLiterally() {
        List<ArtistSummary> led = http.get().uri("/artists?prefix=Led").exchange()
                .expectStatus().isOk()
                .expectBodyList(ArtistSummary.class).returnResult().getResponseBody();
        assertThat(led).containsExactly(new ArtistSummary(22, "Led Zeppelin", 14));
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0)).isEqualTo(artistListSql());

        // '%' and '_' are text here, not wildcards: no artist's name starts with either.
        http.get().uri("/artists?prefix={p}", "%").exchange().expectStatus().isOk().expectBodyList(ArtistSummary.class).hasSize(0);
        http.get().uri("/artists?prefix={p}", "_").exchange().expectStatus().isOk().expectBodyList(ArtistSummary.class).hasSize(0);
        List<ArtistSummary> all = http.get().uri("/artists?limit=500").exchange().expectStatus().isOk()
                .expectBodyList(ArtistSummary.class).returnResult().getResponseBody();
        assertThat(all).hasSize(275).extracting(ArtistSummary::id).doesNotHaveDuplicates();
        // Every album counted once (a LEFT JOIN: artists without albums are listed with 0).
        assertThat(all.stream().mapToLong(ArtistSummary::albums).sum()).isEqualTo(347);
        assertThat(all.stream().filter(a -> a.albums() == 0)).hasSize(71);
        assertThat(all).contains(new ArtistSummary(90, "Iron Maiden", 21));
    }

    /** The list query as this dialect's compiler renders it (the cache serves it after the first time). */
    abstract String artistListSql();

    @Test
    void badParametersAreProblemsAndCostNoStatement() {
        http.get().uri("/artists?limit=0").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").isEqualTo("limit must be between 1 and 500, got 0");
        http.get().uri("/playlists/abc").exchange().expectStatus().isBadRequest();
        assertThat(statements).isEmpty();
    }

    @Test
    void tracksStreamAsNdjsonInIdOrder() {
        Flux<TrackRow> body = http.get().uri("/tracks").accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .returnResult(TrackRow.class).getResponseBody();
        List<TrackRow> all = body.collectList().block(T);
        assertThat(all).hasSize(3503);
        assertThat(all.get(0)).isEqualTo(new TrackRow(1, "For Those About To Rock (We Salute You)",
                "For Those About To Rock We Salute You", "AC/DC", "Rock", 343719, new java.math.BigDecimal("0.99")));
        assertThat(all).extracting(TrackRow::id).isSorted().doesNotHaveDuplicates();
        assertThat(all.stream().filter(t -> t.genre() == null)).isEmpty();
        assertThat(statements).hasSize(1);

        List<TrackRow> jazz = http.get().uri("/tracks?genre=Jazz").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk().expectBodyList(TrackRow.class).returnResult().getResponseBody();
        assertThat(jazz).hasSize(130).extracting(TrackRow::genre).containsOnly("Jazz");
    }

    @Test
    void aClientThatStopsReadingCancelsTheQueryAndFreesItsConnection() {
        Flux<TrackRow> body = http.get().uri("/tracks").accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk()
                .returnResult(TrackRow.class).getResponseBody();
        StepVerifier.create(body.take(5))
                .expectNextCount(5)
                .verifyComplete();
        // poolIsIdle (after each test) waits for the release; the service still answers meanwhile.
        http.get().uri("/artists?prefix=AC/").exchange().expectStatus().isOk()
                .expectBodyList(ArtistSummary.class).contains(new ArtistSummary(1, "AC/DC", 2));
    }

    // ------------------------------------------------------------------ observability

    /**
     * X8 through WebFlux: each statement of a request is a {@code retort.statement} observation
     * whose parent is the request's own ({@code http.server.requests}), found in the Reactor
     * context the request's publisher was subscribed with; its SQL is the SQL sent.
     */
    @Test
    void eachStatementIsObservedUnderItsRequest() throws InterruptedException {
        observations.stopped.clear();
        http.get().uri("/artists/22").exchange().expectStatus().isOk();
        // The server stops its observation after the response is written: wait for it, bounded.
        long deadline = System.nanoTime() + T.toNanos();
        while (named("http.server.requests").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<Observation.Context> requests = named("http.server.requests");
        assertThat(requests).hasSize(1);
        List<Observation.Context> sent = named("retort.statement");
        assertThat(sent).hasSize(3);
        assertThat(sent).allSatisfy(c -> {
            assertThat(c.getParentObservation()).as("parent of %s", c.getContextualName()).isNotNull();
            assertThat(c.getParentObservation().getContextView()).isSameAs(requests.get(0));
            assertThat(c.getLowCardinalityKeyValue("db.operation.name").getValue()).isEqualTo("SELECT");
            assertThat(c.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SUCCESS");
        });
        assertThat(sent).extracting(c -> c.getHighCardinalityKeyValue("db.query.text").getValue())
                .containsExactlyElementsOf(statements.subList(statements.size() - 3, statements.size()));
    }

    private List<Observation.Context> named(String name) {
        return observations.stopped.stream().filter(c -> name.equals(c.getName())).toList();
    }

    // ------------------------------------------------------------------ ORM endpoints

    @Test
    void anArtistsDiscographyIsThreeStatementsWhateverItsSize() {
        ArtistDetail led = http.get().uri("/artists/22").exchange()
                .expectStatus().isOk()
                .expectBody(ArtistDetail.class).returnResult().getResponseBody();
        assertThat(led.name()).isEqualTo("Led Zeppelin");
        assertThat(led.albums()).hasSize(14);
        long tracks = engine.execute(select(count()).from(TRACK.join(ALBUM)).where(ALBUM.artistId.eq(22)))
                .map(r -> ((Number) r.get(0)).longValue()).blockLast(T);
        assertThat(led.albums().stream().mapToLong(a -> a.tracks().size()).sum()).isEqualTo(tracks).isEqualTo(114);
        assertThat(statements).as("artist, albums, tracks: %s", statements).hasSize(3 + 1);

        statements.clear();
        http.get().uri("/artists/9999").exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.detail").isEqualTo("No artist with id 9999");
        assertThat(statements).as("no artist, so no loaders ran").hasSize(1);
    }

    @Test
    void sessionsPerRequestRunSideBySide() {
        WebClient client = WebClient.create("http://localhost:" + port);
        List<Integer> ids = List.of(1, 22, 50, 90, 150, 1, 22, 50, 90, 150, 8, 12);
        Map<Integer, Integer> albums = Flux.fromIterable(ids)
                .flatMap(id -> client.get().uri("/artists/{id}", id).retrieve().bodyToMono(ArtistDetail.class), 12)
                .collectMap(ArtistDetail::id, a -> a.albums().size())
                .block(T);
        assertThat(albums).containsEntry(1, 2).containsEntry(22, 14).containsEntry(90, 21).hasSize(7);
        assertThat(statements).hasSize(ids.size() * 3);
    }

    @Test
    void aPlaylistIsCreatedReplacedAndDeletedWithItsLinks() {
        http.put().uri("/playlists/9001").bodyValue(Map.of("name", "Retort picks", "trackIds", List.of(3, 1, 2)))
                .exchange()
                .expectStatus().isCreated()
                .expectHeader().location("/playlists/9001")
                .expectBody(PlaylistView.class).isEqualTo(new PlaylistView(9001, "Retort picks", List.of(
                        new TrackRef(1, "For Those About To Rock (We Salute You)"), new TrackRef(2, "Balls to the Wall"),
                        new TrackRef(3, "Fast As a Shark"))));
        assertThat(links(9001)).isEqualTo(3);

        http.put().uri("/playlists/9001").bodyValue(Map.of("name", "Retort picks, revised", "trackIds", List.of(3, 4)))
                .exchange()
                .expectStatus().isOk();
        http.get().uri("/playlists/9001").exchange()
                .expectStatus().isOk()
                .expectBody(PlaylistView.class).isEqualTo(new PlaylistView(9001, "Retort picks, revised", List.of(
                        new TrackRef(3, "Fast As a Shark"), new TrackRef(4, "Restless and Wild"))));
        assertThat(links(9001)).isEqualTo(2);

        http.delete().uri("/playlists/9001").exchange().expectStatus().isNoContent();
        http.get().uri("/playlists/9001").exchange().expectStatus().isNotFound();
        http.delete().uri("/playlists/9001").exchange().expectStatus().isNotFound();
        assertThat(links(9001)).isZero();
        assertThat(playlists(9001)).isZero();
    }

    @Test
    void aRefusedPutWritesNothing() {
        http.put().uri("/playlists/9002").bodyValue(Map.of("name", "ghosts", "trackIds", List.of(1, 99999, 99998)))
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY)
                .expectBody().jsonPath("$.detail").isEqualTo("No tracks with ids [99999, 99998]");
        assertThat(playlists(9002)).isZero();

        int before = statements.size();
        http.put().uri("/playlists/9002").bodyValue(Map.of("name", "twice", "trackIds", List.of(1, 1)))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").isEqualTo("track 1 is listed twice");
        http.put().uri("/playlists/9002").bodyValue(Map.of("name", " ", "trackIds", List.of(1)))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").isEqualTo("name is required");
        assertThat(statements).as("validation sends nothing").hasSize(before);
        assertThat(playlists(9002)).isZero();
    }

    /**
     * Another transaction inserts playlist 9100 and commits while the PUT that creates it runs:
     * the PUT's commit fails on the primary key, the answer is a 409 (not a 201 for a playlist
     * that was never stored), and its connection goes back to the pool (checked after each test).
     */
    @Test
    void aCommitThatFailsIsAConflictAndLeaksNothing() {
        CompletableFuture<Void> commitTheOther = new CompletableFuture<>();
        CompletableFuture<Void> otherInserted = new CompletableFuture<>();
        Mono<Long> other = engine.inTransaction(c -> c.execute(insert(PLAYLIST)
                                .set(PLAYLIST.playlistId, 9100).set(PLAYLIST.name, "first")).rowsAffected()
                        .doOnNext(n -> otherInserted.complete(null))
                        // Bounded, so a test that never sees the PUT's INSERT fails instead of hanging.
                        .flatMap(n -> Mono.fromFuture(commitTheOther).timeout(Duration.ofSeconds(20)).thenReturn(n)))
                .single();
        CompletableFuture<Long> otherDone = other.toFuture();
        otherInserted.join();
        try (AutoCloseable release = engine.onStatement(sql -> {
            // PostgreSQL's flush sends new rows as COPY FROM STDIN, the others as INSERT.
            if (sql.startsWith("INSERT INTO playlist ") || sql.startsWith("COPY playlist ")) {
                commitTheOther.complete(null); // the PUT's INSERT is on its way: let the other one win
            }
        })) {
            http.put().uri("/playlists/9100").bodyValue(Map.of("name", "second", "trackIds", List.of(5)))
                    .exchange()
                    .expectStatus().isEqualTo(HttpStatus.CONFLICT)
                    .expectBody().jsonPath("$.detail").isEqualTo("The change conflicts with the data already stored");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(otherDone.join()).isEqualTo(1L);
        assertThat(engine.execute(select(PLAYLIST.name).where(PLAYLIST.playlistId.eq(9100))).map(r -> r.get(PLAYLIST.name))
                .collectList().block(T)).containsExactly("first");
        assertThat(links(9100)).isZero();
    }

    private long links(int playlist) {
        return engine.execute(select(count()).from(PLAYLIST_TRACK).where(PLAYLIST_TRACK.playlistId.eq(playlist)))
                .map(r -> ((Number) r.get(0)).longValue()).blockLast(T);
    }

    private long playlists(int playlist) {
        return engine.execute(select(count()).from(PLAYLIST).where(PLAYLIST.playlistId.eq(playlist)))
                .map(r -> ((Number) r.get(0)).longValue()).blockLast(T);
    }
}
