package io.retort.examples.webflux;

import io.retort.engine.Engine;
import io.retort.sql.Select;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

import java.math.BigDecimal;

import static io.retort.examples.chinook.ChinookSchema.ALBUM;
import static io.retort.examples.chinook.ChinookSchema.ARTIST;
import static io.retort.examples.chinook.ChinookSchema.GENRE;
import static io.retort.examples.chinook.ChinookSchema.TRACK;
import static io.retort.sql.Sql.select;

/**
 * {@code /tracks}: the whole catalogue (3,503 rows), streamed. As NDJSON each row is written as it
 * arrives and the HTTP connection's demand reaches the database: a client that stops reading
 * stops the query, and a client that disconnects cancels it and frees its connection.
 */
@RestController
@RequestMapping("/tracks")
public class TrackController {
    private final Engine engine;

    public TrackController(Engine engine) {
        this.engine = engine;
    }

    /** A track with its album, artist and genre names. */
    public record TrackRow(int id, String name, String album, String artist, String genre, int milliseconds,
                           BigDecimal unitPrice) {
    }

    /** Every track in id order, optionally of one genre ({@code ?genre=Rock}); NDJSON or a JSON array. */
    @GetMapping(produces = {MediaType.APPLICATION_NDJSON_VALUE, MediaType.APPLICATION_JSON_VALUE})
    public Flux<TrackRow> all(@RequestParam(name = "genre", required = false) String genre) {
        // Three columns are called "name": the artist's and the genre's get labels of their own.
        Select q = select(TRACK.trackId, TRACK.name, ALBUM.title, ARTIST.name.as("artist"), GENRE.name.as("genre"),
                        TRACK.milliseconds, TRACK.unitPrice)
                .from(TRACK.join(ALBUM).join(ARTIST).leftJoin(GENRE))
                .orderBy(TRACK.trackId);
        if (genre != null) {
            q = q.where(GENRE.name.eq(genre));
        }
        return engine.execute(q).map(r -> new TrackRow(r.get(TRACK.trackId), r.get(TRACK.name), r.get(ALBUM.title),
                r.get("artist", String.class), r.get("genre", String.class), r.get(TRACK.milliseconds), r.get(TRACK.unitPrice)));
    }
}
