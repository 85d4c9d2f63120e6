package io.retort.examples.webflux;

import io.retort.engine.Engine;
import io.retort.examples.chinook.model.Album;
import io.retort.examples.chinook.model.Album_;
import io.retort.examples.chinook.model.Artist;
import io.retort.examples.chinook.model.Artist_;
import io.retort.examples.chinook.model.Track;
import io.retort.orm.SessionFactory;
import io.retort.sql.Select;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.util.List;

import static io.retort.examples.chinook.ChinookSchema.ALBUM;
import static io.retort.examples.chinook.ChinookSchema.ARTIST;
import static io.retort.orm.Load.selectinLoad;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.select;

/**
 * {@code /artists}: a Core query with an aggregate for the list, and the ORM with explicit eager
 * loading (three statements, whatever the number of albums) for one artist's discography.
 */
@RestController
@RequestMapping("/artists")
public class ArtistController {
    private final Engine engine;
    private final SessionFactory sessions;

    public ArtistController(Engine engine, SessionFactory sessions) {
        this.engine = engine;
        this.sessions = sessions;
    }

    /** One line of the artist list. */
    public record ArtistSummary(int id, String name, long albums) {
    }

    /** An artist with its albums and their tracks. */
    public record ArtistDetail(int id, String name, List<AlbumView> albums) {
        static ArtistDetail of(Artist a) {
            return new ArtistDetail(a.id, a.name, a.albums.stream().map(AlbumView::of).toList());
        }
    }

    /** An album in an artist's discography. */
    public record AlbumView(int id, String title, List<TrackView> tracks) {
        static AlbumView of(Album al) {
            return new AlbumView(al.id, al.title, al.tracks.stream().map(TrackView::of).toList());
        }
    }

    /** A track in an album. */
    public record TrackView(int id, String name, Integer milliseconds, BigDecimal unitPrice) {
        static TrackView of(Track t) {
            return new TrackView(t.id, t.name, t.milliseconds, t.unitPrice);
        }
    }

    /**
     * Artists by name, with their album counts: {@code ?prefix=} matches the start of the name
     * literally ({@code %} and {@code _} are not wildcards), {@code ?limit=} is 1 to 500.
     */
    @GetMapping
    public Flux<ArtistSummary> list(@RequestParam(name = "prefix", required = false) String prefix,
                                    @RequestParam(name = "limit", defaultValue = "50") int limit) {
        if (limit < 1 || limit > 500) {
            return Flux.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be between 1 and 500, got " + limit));
        }
        Select q = select(ARTIST.artistId, ARTIST.name, count(ALBUM.albumId).as("albums"))
                .from(ARTIST.leftJoin(ALBUM))
                .groupBy(ARTIST.artistId, ARTIST.name)
                .orderBy(ARTIST.name, ARTIST.artistId)
                .limit(limit);
        if (prefix != null && !prefix.isEmpty()) {
            q = q.where(ARTIST.name.startsWith(prefix, true)); // autoescape: the prefix is text, not a pattern
        }
        return engine.execute(q).map(r -> new ArtistSummary(r.get(ARTIST.artistId), r.get(ARTIST.name), r.get("albums", Long.class)));
    }

    /** One artist with every album and track, or 404. */
    @GetMapping("/{id}")
    public Mono<ArtistDetail> get(@PathVariable("id") int id) {
        return sessions.withSession(s -> s.get(Artist.class, id, selectinLoad(Artist_.albums).selectinLoad(Album_.tracks)))
                .map(ArtistDetail::of)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No artist with id " + id)));
    }
}
