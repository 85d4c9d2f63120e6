package io.retort.orm;

import java.util.List;

/**
 * The shards that may hold the row of a primary key, for {@link ShardedSession#get} (O14;
 * SQLAlchemy's {@code identity_chooser}). They are searched in the order given and the first that
 * has the row wins: first their identity maps (no I/O), then one SELECT per shard until one
 * answers. A key that tells its shard (a range, a prefix) lets this return one id, so a
 * {@code get} costs one statement; otherwise return every shard.
 *
 * <pre>{@code
 * IdentityChooser byRange = (type, key) -> ((Integer) key.get(0)) < 1_000_000 ? List.of("old") : List.of("new");
 * }</pre>
 *
 * <p>Runs on the caller's thread and must not do I/O. An empty list fails the {@code get} with an
 * {@link io.retort.error.InvalidRequestError} (there is nowhere to look); an unknown id with an
 * {@link io.retort.error.ArgumentError}.
 */
@FunctionalInterface
public interface IdentityChooser {
    /**
     * @param type       the entity class asked for
     * @param primaryKey the primary-key values in column order
     * @return the ids of the shards to search, in order
     */
    List<String> shardsFor(Class<?> type, List<Object> primaryKey);
}
