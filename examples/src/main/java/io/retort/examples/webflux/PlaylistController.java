package io.retort.examples.webflux;

import io.retort.examples.chinook.model.Playlist;
import io.retort.examples.chinook.model.Playlist_;
import io.retort.examples.chinook.model.Track;
import io.retort.examples.chinook.model.Track_;
import io.retort.orm.Orm;
import io.retort.orm.SessionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.retort.orm.Load.selectinLoad;

/**
 * {@code /playlists/{id}}: the ORM's unit of work behind PUT (create or replace, many-to-many
 * included) and DELETE, one session and one transaction per request. Playlist ids are chosen by
 * the client (Chinook's keys are plain integers), which makes PUT the natural verb.
 */
@RestController
@RequestMapping("/playlists")
public class PlaylistController {
    /** The most tracks one request may put in a playlist. */
    public static final int MAX_TRACKS = 1000;

    private final SessionFactory sessions;

    public PlaylistController(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** The body of a PUT: the playlist's name and its tracks' ids. */
    public record PlaylistRequest(String name, List<Integer> trackIds) {
    }

    /** A playlist with its tracks, in track id order. */
    public record PlaylistView(int id, String name, List<TrackRef> tracks) {
        static PlaylistView of(Playlist p) {
            return new PlaylistView(p.id, p.name, p.tracks.stream()
                    .sorted(Comparator.comparing(t -> t.id))
                    .map(t -> new TrackRef(t.id, t.name))
                    .toList());
        }
    }

    /** A track in a playlist. */
    public record TrackRef(int id, String name) {
    }

    /** One playlist with its tracks (two statements), or 404. */
    @GetMapping("/{id}")
    public Mono<PlaylistView> get(@PathVariable("id") int id) {
        return sessions.withSession(s -> s.get(Playlist.class, id, selectinLoad(Playlist_.tracks)))
                .map(PlaylistView::of)
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /**
     * Creates the playlist (201, with its Location) or replaces its name and tracks (200). Unknown
     * track ids are a 422 naming them, and nothing is written; a bad body is a 400.
     */
    @PutMapping("/{id}")
    public Mono<ResponseEntity<PlaylistView>> put(@PathVariable("id") int id, @RequestBody PlaylistRequest body) {
        List<Integer> ids;
        try {
            ids = validate(body);
        } catch (ResponseStatusException e) {
            return Mono.error(e);
        }
        return sessions.withTransaction(s -> {
                    Mono<List<Track>> found = ids.isEmpty() ? Mono.just(List.of())
                            : s.execute(Orm.select(Track.class).where(Track_.id.in(ids))).collectList();
                    return found.flatMap(tracks -> {
                        Map<Integer, Track> byId = new LinkedHashMap<>();
                        tracks.forEach(t -> byId.put(t.id, t));
                        List<Integer> missing = ids.stream().filter(i -> !byId.containsKey(i)).toList();
                        if (!missing.isEmpty()) {
                            return Mono.error(new ResponseStatusException(HttpStatus.UNPROCESSABLE_ENTITY,
                                    "No tracks with ids " + missing));
                        }
                        List<Track> wanted = new ArrayList<>(ids.stream().map(byId::get).toList());
                        return s.get(Playlist.class, id, selectinLoad(Playlist_.tracks))
                                .map(p -> {
                                    p.name = body.name();
                                    p.tracks = wanted; // replaced, not mutated: the flush diffs old and new links
                                    return Map.entry(p, false);
                                })
                                .switchIfEmpty(Mono.fromSupplier(() -> {
                                    Playlist p = new Playlist();
                                    p.id = id;
                                    p.name = body.name();
                                    p.tracks = wanted;
                                    s.add(p);
                                    return Map.entry(p, true);
                                }))
                                // The view is taken before the commit; the commit's failure fails the request.
                                .map(saved -> Map.entry(PlaylistView.of(saved.getKey()), saved.getValue()));
                    });
                })
                // Emitted after the commit: a 201 is never sent for a playlist that failed to commit.
                .map(saved -> saved.getValue()
                        ? ResponseEntity.created(URI.create("/playlists/" + id)).body(saved.getKey())
                        : ResponseEntity.ok(saved.getKey()));
    }

    /** Deletes the playlist and its track links (204), or 404. */
    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<Void>> delete(@PathVariable("id") int id) {
        return sessions.withTransaction(s -> s.get(Playlist.class, id, selectinLoad(Playlist_.tracks))
                        .doOnNext(s::delete))
                .map(deleted -> ResponseEntity.noContent().<Void>build())
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    private static List<Integer> validate(PlaylistRequest body) {
        if (body == null || body.name() == null || body.name().isBlank()) {
            throw badRequest("name is required");
        }
        if (body.name().length() > 120) {
            throw badRequest("name is longer than 120 characters (" + body.name().length() + ")");
        }
        if (body.trackIds() == null) {
            throw badRequest("trackIds is required (an empty list for an empty playlist)");
        }
        if (body.trackIds().size() > MAX_TRACKS) {
            throw badRequest("at most " + MAX_TRACKS + " tracks per playlist, got " + body.trackIds().size());
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer i : body.trackIds()) {
            if (i == null) {
                throw badRequest("trackIds contains null");
            }
            if (!seen.add(i)) {
                throw badRequest("track " + i + " is listed twice");
            }
        }
        return List.copyOf(body.trackIds());
    }

    private static ResponseStatusException badRequest(String why) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, why);
    }

    private static ResponseStatusException notFound(int id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No playlist with id " + id);
    }
}
