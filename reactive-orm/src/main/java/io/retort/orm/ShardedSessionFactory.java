package io.retort.orm;

import io.retort.engine.Engine;
import io.retort.error.ArgumentError;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Makes {@link ShardedSession}s (O14, horizontal sharding; SQLAlchemy's {@code ShardedSession}
 * extension): one session over several databases (shards), each an {@link Engine} with the same
 * mapping, with three strategies deciding where objects go and where statements run:
 * a {@link ShardChooser} for new objects, an {@link IdentityChooser} for {@code get} by key and a
 * {@link QueryChooser} for queries and bulk statements. Rows from two shards may share a primary
 * key: their identity keys differ by the identity token, which is the shard's id (seed 1.2).
 * Thread-safe and immutable; one per application.
 *
 * <pre>{@code
 * ShardedSessionFactory sessions = ShardedSessionFactory.builder(registry)
 *         .shard("north_america", Engine.create("r2dbc:postgresql://…/weather_na"))
 *         .shard("asia", Engine.create("r2dbc:mariadb://…/weather_asia"))
 *         .shardChooser(o -> SHARD_OF.get(((WeatherLocation) o).continent))   // reports follow their location
 *         .queryChooser(q -> q.values(WeatherLocation_.continent)
 *                 .map(cs -> cs.stream().map(SHARD_OF::get).distinct().toList())
 *                 .orElse(List.of("north_america", "asia")))                  // not pinned: every shard
 *         .build();
 * }</pre>
 *
 * <p>The order shards are declared in is the order a session flushes and commits them, and the
 * default order of {@code get} and query fan-out.
 */
public final class ShardedSessionFactory {
    private final Map<String, SessionFactory> shards;
    private final List<String> ids;
    private final OrmRegistry registry;
    private final ShardChooser shardChooser;
    private final IdentityChooser identityChooser;
    private final QueryChooser queryChooser;

    private ShardedSessionFactory(Builder b) {
        this.shards = Collections.unmodifiableMap(new LinkedHashMap<>(b.shards));
        this.ids = List.copyOf(b.shards.keySet());
        this.registry = b.registry;
        this.shardChooser = b.shardChooser;
        this.identityChooser = b.identityChooser != null ? b.identityChooser : (type, key) -> ids;
        this.queryChooser = b.queryChooser != null ? b.queryChooser : q -> ids;
    }

    /** A builder of a factory mapping {@code registry}'s entities on every shard. */
    public static Builder builder(OrmRegistry registry) {
        return new Builder(Objects.requireNonNull(registry, "registry"));
    }

    /** The shard ids, in declaration order (flush, commit and default fan-out order). */
    public List<String> shardIds() {
        return ids;
    }

    /**
     * The session factory of shard {@code id}: its engine, and its events ({@link SessionFactory#events()}),
     * which apply to that shard's session of every sharded session.
     *
     * @throws ArgumentError naming the known ids if {@code id} is not one
     */
    public SessionFactory shard(String id) {
        SessionFactory f = shards.get(id);
        if (f == null) {
            throw unknownShard(id, "shard(id)");
        }
        return f;
    }

    /** The mapping every shard shares. */
    public OrmRegistry registry() {
        return registry;
    }

    SessionFactory shardOrNull(String id) {
        return shards.get(id);
    }

    ShardChooser shardChooser() {
        return shardChooser;
    }

    IdentityChooser identityChooser() {
        return identityChooser;
    }

    QueryChooser queryChooser() {
        return queryChooser;
    }

    ArgumentError unknownShard(String id, String who) {
        return new ArgumentError(who + " named shard '" + id + "', which this sharded session does not have; its shards are "
                + ids);
    }

    /** A new sharded session; no I/O until it is used. Close it when done. */
    public ShardedSession openSession() {
        return new ShardedSession(this);
    }

    /** Runs {@code work} with a sharded session closed afterwards (every shard rolled back unless committed), on every outcome. */
    public <T> Flux<T> inSession(Function<ShardedSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), work, ShardedSession::close,
                (s, e) -> s.close(), ShardedSession::close).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * Runs {@code work} in a sharded session and commits when it completes (see
     * {@link ShardedSession#commit}: shard by shard, not atomically); rolls back every shard on
     * error or cancel.
     */
    public <T> Flux<T> inTransaction(Function<ShardedSession, ? extends Publisher<T>> work) {
        return Flux.usingWhen(Mono.fromSupplier(this::openSession), work, ShardedSessionFactory::commitAndClose,
                (s, e) -> rollbackAndClose(s), ShardedSessionFactory::rollbackAndClose).onErrorMap(SessionFactory::unwrap);
    }

    /** {@link #inSession} for one result, emitted once the session is closed. */
    public <T> Mono<T> withSession(Function<ShardedSession, ? extends Mono<T>> work) {
        return Mono.usingWhen(Mono.fromSupplier(this::openSession), work, ShardedSession::close,
                (s, e) -> s.close(), ShardedSession::close).onErrorMap(SessionFactory::unwrap);
    }

    /**
     * {@link #inTransaction} for one result: the value is emitted only after every shard committed;
     * a failed commit fails the Mono with its error ({@link PartialCommitError} when some shards had
     * committed).
     */
    public <T> Mono<T> withTransaction(Function<ShardedSession, ? extends Mono<T>> work) {
        return Mono.usingWhen(Mono.fromSupplier(this::openSession), work, ShardedSessionFactory::commitAndClose,
                (s, e) -> rollbackAndClose(s), ShardedSessionFactory::rollbackAndClose).onErrorMap(SessionFactory::unwrap);
    }

    private static Mono<Void> commitAndClose(ShardedSession s) {
        // As SessionFactory's: a failed commit is followed by close(), which rolls back whatever is
        // still open, before the error goes on.
        return s.commit()
                .onErrorResume(e -> s.close().onErrorResume(x -> Mono.empty()).then(Mono.error(e)))
                .then(s.close());
    }

    private static Mono<Void> rollbackAndClose(ShardedSession s) {
        return s.rollback().onErrorResume(x -> Mono.empty()).then(s.close());
    }

    /**
     * Builds a {@link ShardedSessionFactory}: shards by id (in the order that becomes the commit
     * order), and the strategies. Only {@link #shard} is required: without a shard chooser, new
     * objects are placed with {@code session.onShard(id).add(...)} (or follow an object they are
     * related to); the identity and query choosers default to every shard.
     */
    public static final class Builder {
        private final OrmRegistry registry;
        private final Map<String, SessionFactory> shards = new LinkedHashMap<>();
        private ShardChooser shardChooser;
        private IdentityChooser identityChooser;
        private QueryChooser queryChooser;

        private Builder(OrmRegistry registry) {
            this.registry = registry;
        }

        /** Adds shard {@code id} on {@code engine}. */
        public Builder shard(String id, Engine engine) {
            return shard(id, SessionFactory.of(Objects.requireNonNull(engine, "engine"), registry));
        }

        /**
         * Adds shard {@code id} with a session factory of its own (its events and fetch scheduler
         * apply to the shard's sessions).
         *
         * @throws ArgumentError if the id is blank or taken, or {@code factory} maps another
         *                       registry (the shards must agree on every mapping)
         */
        public Builder shard(String id, SessionFactory factory) {
            Objects.requireNonNull(factory, "factory");
            if (id == null || id.isBlank()) {
                throw new ArgumentError("A shard id must be a non-blank string (it is the identity token of the shard's rows)");
            }
            if (shards.containsKey(id)) {
                throw new ArgumentError("Shard '" + id + "' is declared twice; shard ids must be unique");
            }
            if (factory.registry() != registry) {
                throw new ArgumentError("Shard '" + id + "' has a session factory over another OrmRegistry than the sharded"
                        + " factory's; every shard must map the same registry (build each SessionFactory with it)");
            }
            shards.put(id, factory);
            return this;
        }

        /** How new objects pick their shard. */
        public Builder shardChooser(ShardChooser chooser) {
            this.shardChooser = Objects.requireNonNull(chooser, "chooser");
            return this;
        }

        /** Where {@code get} looks for a key (default: every shard, in declaration order). */
        public Builder identityChooser(IdentityChooser chooser) {
            this.identityChooser = Objects.requireNonNull(chooser, "chooser");
            return this;
        }

        /** Where queries and bulk statements run (default: every shard). */
        public Builder queryChooser(QueryChooser chooser) {
            this.queryChooser = Objects.requireNonNull(chooser, "chooser");
            return this;
        }

        /** @throws ArgumentError if no shard was declared */
        public ShardedSessionFactory build() {
            if (shards.isEmpty()) {
                throw new ArgumentError("A sharded session factory needs at least one shard: call shard(id, engine)");
            }
            return new ShardedSessionFactory(this);
        }
    }

    /** The ids in {@code chosen}, checked against this factory's and without repeats. */
    List<String> checked(List<String> chosen, String who) {
        if (chosen == null) {
            throw new ArgumentError(who + " returned null; it must return a list of shard ids");
        }
        List<String> out = new ArrayList<>(chosen.size());
        for (String id : chosen) {
            if (!shards.containsKey(id)) {
                throw unknownShard(id, who);
            }
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }
}
