package io.retort.orm;

/**
 * Picks the shard of a new object added to a {@link ShardedSession} (O14; SQLAlchemy's
 * {@code shard_chooser}). Asked once, when the object joins the session with
 * {@link ShardedSession#add}; never for an object that references or belongs to an object already
 * in the session (a new report of a loaded location), which goes to that object's shard, since rows
 * related by a foreign key must live in one database.
 *
 * <pre>{@code
 * ShardChooser byContinent = entity -> entity instanceof WeatherLocation
 *         ? SHARD_OF_CONTINENT.get(((WeatherLocation) entity).continent)
 *         : "north_america";
 * }</pre>
 *
 * <p>Runs on the caller's thread and must not do I/O. Returning an id the factory does not know
 * fails the {@code add} with an {@link io.retort.error.ArgumentError} naming it.
 */
@FunctionalInterface
public interface ShardChooser {
    /** The id of the shard {@code entity} is to be inserted into. */
    String shardFor(Object entity);
}
