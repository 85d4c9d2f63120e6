package io.retort.orm;

import io.retort.sql.Column;

import java.util.List;

/**
 * Factories for loader options (O6, O7). Relationships load only when an option asks
 * ({@code selectinLoad}, {@code joinedLoad}, {@code immediateLoad}); otherwise a touched
 * collection raises {@link UnloadedAttributeException} — never hidden I/O.
 *
 * <pre>{@code
 * session.execute(Orm.select(Artist.class)
 *         .options(selectinLoad(Artist_.albums).selectinLoad(Album_.tracks)))
 * }</pre>
 */
public final class Load {
    private Load() {
    }

    /** One extra SELECT per relationship level: {@code WHERE fk IN (parent keys)} (= ANY on PostgreSQL). */
    public static LoaderOption selectinLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.SELECTIN);
    }

    /** A LEFT OUTER JOIN in the parent query; with LIMIT the parent query becomes a subquery. */
    public static LoaderOption joinedLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.JOINED);
    }

    /** One SELECT per parent, right after the parents load. */
    public static LoaderOption immediateLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.IMMEDIATE);
    }

    /** Never loads: an empty collection. */
    public static LoaderOption noLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.NOLOAD);
    }

    /** Touching it raises, even where a default would apply. */
    public static LoaderOption raiseLoad(Relationship<?, ?> r) {
        return LoaderOption.of(r, LoaderOption.Strategy.RAISE);
    }

    /** The wildcard {@code "*"}: every relationship of the entity loads with selectin. */
    public static LoaderOption selectinLoadAll() {
        return LoaderOption.of(null, LoaderOption.Strategy.SELECTIN);
    }

    /** The wildcard: every relationship not otherwise named raises when touched. */
    public static LoaderOption raiseLoadAll() {
        return LoaderOption.of(null, LoaderOption.Strategy.RAISE);
    }

    /** Leaves these columns out of the query; their fields stay unset (O7). */
    public static LoaderOption defer(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(columns), List.of(), List.of());
    }

    /** Loads columns that a previous option deferred. */
    public static LoaderOption undefer(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(), List.of(columns), List.of());
    }

    /** Loads only these columns (plus the primary key). */
    public static LoaderOption loadOnly(Column<?>... columns) {
        return new LoaderOption(List.of(), List.of(), List.of(), List.of(columns));
    }
}
