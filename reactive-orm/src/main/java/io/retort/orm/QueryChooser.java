package io.retort.orm;

import java.util.List;

/**
 * The shards an ORM query or bulk statement runs on in a {@link ShardedSession} (O14;
 * SQLAlchemy's {@code query_chooser}, later {@code execute_chooser}). The statement runs on each
 * of them and the results are merged (a query's entities by its ORDER BY, ties and a query
 * without ORDER BY in the order of the ids returned; a bulk statement's row counts summed). The
 * default runs on every shard.
 *
 * <p>{@link ShardQuery#values} reads the values a query compares a column with, which is how a
 * chooser narrows a query to the shards that can hold its rows:
 *
 * <pre>{@code
 * QueryChooser byContinent = q -> q.values(WeatherLocation_.continent)
 *         .map(continents -> continents.stream().map(SHARD_OF_CONTINENT::get).distinct().toList())
 *         .orElse(ALL_SHARDS);      // no "continent = ..." in the WHERE clause: ask every shard
 * }</pre>
 *
 * <p>Runs on the caller's thread and must not do I/O. An empty list fails the statement with an
 * {@link io.retort.error.InvalidRequestError} (return every shard when unsure); an unknown id with
 * an {@link io.retort.error.ArgumentError}.
 */
@FunctionalInterface
public interface QueryChooser {
    /** The ids of the shards {@code query} runs on, in the order their results are merged. */
    List<String> shardsFor(ShardQuery query);
}
