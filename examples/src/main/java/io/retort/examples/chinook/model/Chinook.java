package io.retort.examples.chinook.model;

import io.retort.orm.OrmRegistry;

/** The Chinook entity registry: every mapped class of the sample database. */
public final class Chinook {
    private Chinook() {
    }

    /** A registry of the eleven Chinook entities (ten classes; playlist_track is the many-to-many link). */
    public static OrmRegistry registry() {
        return OrmRegistry.of(Artist.class, Album.class, Track.class, Genre.class, MediaType.class, Playlist.class,
                Employee.class, Customer.class, Invoice.class, InvoiceLine.class);
    }
}
