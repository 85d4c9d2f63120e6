package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Column;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One ORM session over several databases (O14, horizontal sharding; SQLAlchemy's
 * {@code ShardedSession}): made by a {@link ShardedSessionFactory}, it holds one
 * {@link AsyncSession} per shard it has used (opened on first use, no I/O until then) and routes
 * every operation to the shard it concerns. Together their identity maps are the session's: an
 * object's identity key carries its shard's id as identity token (seed 1.2), so two rows with the
 * same primary key from two shards are two objects, side by side ({@link #identityKey},
 * {@link #identityToken}).
 *
 * <ul>
 * <li>New objects: {@link #add} places an object with the shard of an object it is related to
 * (rows related by a foreign key live in one database), else where the {@link ShardChooser} says.
 * Objects that join by cascade (children in a new parent's collection, a new parent of a child)
 * join the shard of the object they were reached from.</li>
 * <li>Reads: {@link #get} tries the shards of the {@link IdentityChooser} in order;
 * {@link #execute(EntitySelect)} runs the query on the shards of the {@link QueryChooser} (each on
 * its own connection, concurrently) and merges their entities by its ORDER BY, LIMIT and OFFSET
 * ({@link ShardMerge}; without ORDER BY, one shard after the other in the chooser's order);
 * {@link #stream} merges the shards' streams lazily. Loader options ({@code selectinLoad},
 * {@code joinedLoad}) and {@link #fetch} load relationships on the object's own shard.</li>
 * <li>Writes: {@link #flush} flushes each used shard; {@link #execute(BulkStatement)} runs a bulk
 * UPDATE or DELETE on the chosen shards, each synchronizing its own objects (FETCH uses RETURNING
 * on the shards whose database has it and a SELECT of the keys first on the others).</li>
 * <li>One shard explicitly: {@link #onShard} gives the shard's own {@link AsyncSession} (Core
 * statements, {@code streamDetached}, {@code merge}, {@code begin}, events), whose objects are
 * this session's. {@code merge} and {@code begin} are not offered here: a detached object's shard
 * is not known without asking every shard for its key, and a transaction begun ahead of use
 * would be one connection per shard, which the caller should choose; the query chooser sees the
 * whole statement ({@link ShardQuery#statement}) but {@link ShardQuery#values} reads only WHERE.</li>
 * </ul>
 *
 * <p><b>Not atomic across shards.</b> Each shard has its own transaction. {@link #commit} flushes
 * every shard first (nothing commits if any flush fails), then commits the shards one after the
 * other in declaration order: a two-phase commit is not attempted (R2DBC has no XA, and MariaDB's
 * and PostgreSQL's prepared transactions need server settings). If a later shard's COMMIT fails
 * after earlier ones succeeded, the commit fails with a {@link PartialCommitError} naming the
 * shards that committed and the ones rolled back. Design for it: keep a unit of work on one shard
 * where possible, or make cross-shard work idempotent.
 *
 * <p>Never hidden I/O, as everywhere in the ORM. Not shareable between concurrent flows: each
 * shard's session refuses a second concurrent operation ({@link ConcurrentSessionUseError}).
 * Errors of use are typed and name the problem: an unknown shard id ({@link ArgumentError}), an
 * object of one shard reaching another or a chooser with nowhere to look
 * ({@link InvalidRequestError}).
 */
public final class ShardedSession {
    private final ShardedSessionFactory factory;
    /** The shards' sessions opened so far, by id (declaration order is the factory's, not this map's). */
    private final Map<String, AsyncSession> open = new LinkedHashMap<>();

    ShardedSession(ShardedSessionFactory factory) {
        this.factory = factory;
    }

    /** The factory that made this session: its shards and strategies. */
    public ShardedSessionFactory factory() {
        return factory;
    }

    /** The mapping every shard shares. */
    public OrmRegistry registry() {
        return factory.registry();
    }

    /**
     * The session of shard {@code id} (opened now if this session has not used the shard yet; no
     * I/O): to run anything on that shard alone, e.g. {@code onShard("asia").execute(select(...))}, a
     * Core statement, {@code stream}, {@code merge}, or {@code add} of an object meant for that
     * shard. Objects it loads or adds are part of this sharded session, and it is flushed, committed,
     * rolled back and closed with it.
     *
     * @throws ArgumentError naming the shards if {@code id} is not one
     */
    public AsyncSession onShard(String id) {
        AsyncSession s = open.get(id);
        if (s != null) {
            return s;
        }
        SessionFactory f = factory.shardOrNull(id);
        if (f == null) {
            throw factory.unknownShard(id, "onShard(\"" + id + "\")");
        }
        s = f.openShardSession(id, this);
        open.put(id, s);
        return s;
    }

    /** The ids of the shards this session has used (opened a session on), in declaration order. */
    public List<String> usedShards() {
        List<String> out = new ArrayList<>();
        for (String id : factory.shardIds()) {
            if (open.containsKey(id)) {
                out.add(id);
            }
        }
        return out;
    }

    // ================================================================= objects (no I/O)

    /** The id of the shard holding {@code entity} (pending or persistent), or null if no shard of this session does. */
    public String shardOf(Object entity) {
        return ShardPlacement.shardOf(open, entity);
    }

    /** Whether a shard of this session holds {@code entity}. */
    public boolean contains(Object entity) {
        return shardOf(entity) != null;
    }

    /**
     * The identity key of a persistent object: class, primary key and identity token, which is
     * the id of the shard the row is in. Null for an object not held here or not flushed yet.
     */
    public IdentityKey identityKey(Object entity) {
        String shard = shardOf(entity);
        return shard == null ? null : open.get(shard).identityKey(entity);
    }

    /** The identity token (the shard id) of a persistent object; null as for {@link #identityKey}. */
    public String identityToken(Object entity) {
        IdentityKey k = identityKey(entity);
        return k == null ? null : (String) k.token();
    }

    /** Whether {@code entity} has changes not yet flushed (see {@link AsyncSession#isModified}). */
    public boolean isModified(Object entity) {
        String shard = shardOf(entity);
        return shard != null && open.get(shard).isModified(entity);
    }

    /**
     * Adds a new object to be inserted at the next flush, into a shard chosen now: an object already
     * here stays where it is; an object related to objects already in a shard (a many-to-one target,
     * a collection member, or an object holding it in a relationship) joins that shard; any other is
     * placed by the {@link ShardChooser}. Objects it references join the same shard by cascade at
     * flush. No I/O.
     *
     * @throws InvalidRequestError if its related objects are in two shards, or it needs the shard
     *                             chooser and none is configured
     * @throws ArgumentError       if the chooser names an unknown shard
     */
    public void add(Object entity) {
        String shard = shardOf(entity);
        if (shard == null) {
            shard = relatedShard(entity);
        }
        if (shard == null) {
            ShardChooser chooser = factory.shardChooser();
            if (chooser == null) {
                throw new InvalidRequestError("No shard for new " + describe(entity) + ": it is related to no object of"
                        + " this session and the factory has no shard chooser; add it with onShard(id).add(entity), or"
                        + " configure ShardedSessionFactory.Builder.shardChooser");
            }
            shard = chooser.shardFor(entity);
            if (shard == null) {
                throw new InvalidRequestError("The shard chooser returned no shard for new " + describe(entity)
                        + "; it must return one of " + factory.shardIds());
            }
            factory.checked(List.of(shard), "The shard chooser (for " + describe(entity) + ")");
        }
        onShard(shard).add(entity);
    }

    /** {@link #add} for each object, in order. */
    public void addAll(Collection<?> entities) {
        entities.forEach(this::add);
    }

    /** Marks an object of this session for deletion at its shard's next flush (a pending one is simply expunged). */
    public void delete(Object entity) {
        owner(entity, "delete").delete(entity);
    }

    /** Removes an object from its shard's session without touching the database; nothing if no shard holds it. */
    public void expunge(Object entity) {
        String shard = shardOf(entity);
        if (shard != null) {
            open.get(shard).expunge(entity);
        }
    }

    /** Removes every object from every shard's session ({@link AsyncSession#expungeAll}); no I/O. */
    public void expungeAll() {
        open.values().forEach(AsyncSession::expungeAll);
    }

    /** Marks an object's columns stale (see {@link AsyncSession#expire}); no I/O. */
    public void expire(Object entity) {
        owner(entity, "expire").expire(entity);
    }

    // ================================================================= reads

    /**
     * The entity with primary key {@code id}: the {@link IdentityChooser}'s shards are searched in
     * order, their identity maps first (no SQL when one holds it), then one SELECT per shard until
     * one finds the row (later shards are not asked). Completes empty if none has it.
     *
     * @throws InvalidRequestError (as the Mono's error) when the identity chooser returns no shard
     * @throws ArgumentError       (as the Mono's error) when it names an unknown one
     */
    public <E> Mono<E> get(Class<E> type, Object id, LoaderOption... options) {
        return Mono.defer(() -> {
            List<Object> key = id instanceof List ? new ArrayList<>((List<?>) id) : java.util.Collections.singletonList(id);
            String who = "The identity chooser (for get(" + type.getSimpleName() + ", " + id + "))";
            List<String> shards = factory.checked(factory.identityChooser().shardsFor(type, List.copyOf(key)), who);
            if (shards.isEmpty()) {
                return Mono.error(new InvalidRequestError(who + " returned no shard, so there is nowhere to look; return"
                        + " the shards that may hold the key (every shard when unsure)"));
            }
            List<String> order = new ArrayList<>();
            for (String s : shards) {
                AsyncSession held = open.get(s);
                if (held != null && held.holdsIdentity(type, key)) {
                    order.add(s); // an identity-map hit answers without SQL: try it first
                }
            }
            for (String s : shards) {
                if (!order.contains(s)) {
                    order.add(s);
                }
            }
            return getFrom(order, 0, type, id, options);
        });
    }

    private <E> Mono<E> getFrom(List<String> shards, int i, Class<E> type, Object id, LoaderOption[] options) {
        if (i == shards.size()) {
            return Mono.empty();
        }
        // Sequential, not a fan-out: the first shard that has the row ends the search, and later
        // shards are never asked (as SQLAlchemy's identity_chooser loop).
        return onShard(shards.get(i)).get(type, id, options)
                .switchIfEmpty(Mono.defer(() -> getFrom(shards, i + 1, type, id, options)));
    }

    /**
     * Runs an ORM query on the {@link QueryChooser}'s shards and emits their entities as one
     * result. Pending changes of those shards are flushed first (autoflush), one shard after the
     * other; then the queries run concurrently, each on its shard's connection, and the entities
     * are emitted once every shard has answered (so the session is free when the first arrives,
     * as with {@link AsyncSession#execute(EntitySelect)}).
     *
     * <p>ORDER BY, LIMIT and OFFSET hold for the whole result ({@link ShardMerge}): the shards'
     * entities are merged by the ORDER BY, each shard sent {@code LIMIT limit + offset} and no
     * OFFSET, the merge then skipping {@code offset} and keeping {@code limit}. The merge compares
     * the ORDER BY columns' attribute values (strings by code point, NULLs lowest unless the term
     * says {@code nullsFirst()}/{@code nullsLast()}), and each shard is asked to sort the same way
     * (binary string collation, explicit NULL placement), also when the query runs on one shard, so
     * the order does not depend on where the rows are. Over several shards an ORDER BY term must be
     * a mapped column attribute of the class that the query loads, of a kind every database orders
     * alike (numbers, strings, booleans, dates and times), else the query fails with an
     * {@link ArgumentError}; a shard whose rows do not come in the merge's order fails it with an
     * {@link InvalidRequestError}. Without ORDER BY the shards' entities come one shard after the
     * other in the chooser's order, LIMIT and OFFSET applying to that sequence. A shard may load up
     * to {@code limit + offset} objects into the session for the {@code limit} emitted.
     *
     * <p>A shard's failure fails the query once the other shards have answered (their sessions
     * are left usable), with the other failures suppressed.
     */
    public <E> Flux<E> execute(EntitySelect<E> query) {
        return Flux.defer(() -> {
            ShardMerge<E> merge = ShardMerge.of(registry(), query);
            ShardQuery chosen = ShardQuery.of(query);
            List<String> ids = chosenShards(chosen);
            merge.check(ids.size());
            boolean alone = ids.size() == 1;
            return fanOut(ids, s -> s.dialect().flatMap(d -> s.execute(merge.shardQuery(d, alone)).collectList()))
                    .flatMapMany(lists -> {
                        List<Flux<E>> sources = new ArrayList<>();
                        for (int i = 0; i < lists.size(); i++) {
                            if (!alone) {
                                merge.checkOrder(ids.get(i), lists.get(i)); // all or nothing, as execute is
                            }
                            sources.add(Flux.fromIterable(lists.get(i)));
                        }
                        return merge.merge(ids, sources);
                    });
        });
    }

    /**
     * Streams an ORM query over the {@link QueryChooser}'s shards (O14 with O17): each shard
     * streams it as {@link AsyncSession#stream(EntitySelect, int)} does, {@code chunkSize} rows at
     * a time with each chunk's loaders run, and the shards' entities are merged lazily as
     * {@link #execute(EntitySelect)} describes (same ORDER BY, LIMIT and OFFSET, same checks). The
     * merge holds one entity per shard and asks a shard for its next one only when it emitted the
     * last, so a shard reads its next chunk only when the merge needs it and no shard is read
     * further than the subscriber's demand requires; without ORDER BY a later shard is queried only
     * once the earlier ones are done, and not at all once LIMIT is reached. Entities past the
     * LIMIT that a shard's statement still has (at most {@code limit + offset} per shard) are read
     * and dropped rather than cancelled, which would cost the connection.
     *
     * <p>Pending changes are flushed first, shard by shard. Every chosen shard's session is busy
     * until the stream ends (another operation on it fails with
     * {@link ConcurrentSessionUseError}). The per-shard rules of {@code stream} apply: loaders that
     * send SQL need a server-side cursor (PostgreSQL) and fail on other dialects with an
     * {@link InvalidRequestError}; cancelling between chunks leaves a shard's session usable,
     * cancelling while a chunk is being read costs that shard its connection. A shard's failure
     * fails the stream at once and cancels the others.
     *
     * @throws ArgumentError if {@code chunkSize} is below 1
     */
    public <E> Flux<E> stream(EntitySelect<E> query, int chunkSize) {
        if (chunkSize < 1) {
            throw new ArgumentError("stream's chunk size must be at least 1, not " + chunkSize);
        }
        return Flux.defer(() -> {
            ShardMerge<E> merge = ShardMerge.of(registry(), query);
            List<String> ids = chosenShards(ShardQuery.of(query));
            merge.check(ids.size());
            boolean alone = ids.size() == 1;
            List<AsyncSession> sessions = new ArrayList<>();
            List<Flux<E>> sources = new ArrayList<>();
            for (String id : ids) {
                AsyncSession s = onShard(id);
                sessions.add(s);
                sources.add(s.dialect().flatMapMany(d -> s.stream(merge.shardQuery(d, alone), chunkSize)));
            }
            // Flushed one after the other first, as for execute: a flush's cascade consults the other shards' sessions.
            return Flux.fromIterable(sessions).concatMap(AsyncSession::flush).thenMany(merge.merge(ids, sources));
        });
    }

    /**
     * Runs a multi-entity query (O13) on the {@link QueryChooser}'s shards; as
     * {@link #execute(EntitySelect)}, rows emitted once every shard has answered. Its rows come one
     * shard after the other in the chooser's order, LIMIT and OFFSET applying to that sequence
     * (each shard is sent {@code LIMIT limit + offset}). A row query cannot be merged by an ORDER BY
     * (its terms may be any expression): over several shards one fails with an
     * {@link ArgumentError}; run it on one shard with {@link #onShard}, or order an entity query.
     */
    public Flux<EntityRow> execute(RowSelect query) {
        return Flux.defer(() -> {
            List<String> ids = chosenShards(ShardQuery.of(query));
            io.retort.sql.Select core = query.statement();
            if (ids.size() == 1) {
                return fanOut(ids, s -> s.execute(query).collectList()).flatMapIterable(lists -> lists.get(0));
            }
            if (!core.orderBy().isEmpty()) {
                throw new ArgumentError("A row query with ORDER BY cannot run on " + ids.size() + " shards " + ids
                        + ": its rows would be ordered per shard only, and the merge reads ORDER BY values from entity"
                        + " attributes; run it on one shard with onShard(id), or order an entity query (select(type))");
            }
            Long limit = constant(core.limit(), "LIMIT");
            Long offset = constant(core.offset(), "OFFSET");
            RowSelect perShard = query;
            if (limit != null) {
                long skip = offset == null ? 0 : offset;
                perShard = perShard.limit(Long.MAX_VALUE - skip < limit ? Long.MAX_VALUE : skip + limit);
            }
            if (offset != null) {
                perShard = perShard.offset(0); // the offset applies to the concatenation
            }
            RowSelect sent = perShard;
            return fanOut(ids, s -> s.execute(sent).collectList()).flatMapIterable(lists -> {
                List<EntityRow> all = new ArrayList<>();
                lists.forEach(all::addAll);
                int from = (int) Math.min(all.size(), offset == null ? 0 : offset);
                int to = limit == null ? all.size() : (int) Math.min(all.size(), from + limit);
                return all.subList(from, to);
            });
        });
    }

    /** A row query's LIMIT or OFFSET as a number (RowSelect binds them as parameters), or null. */
    private static Long constant(io.retort.sql.Expression<?> e, String clause) {
        if (e == null) {
            return null;
        }
        if (e instanceof io.retort.sql.BindParam<?> p && p.value() instanceof Number n) {
            return n.longValue();
        }
        throw new ArgumentError("A row query's " + clause + " across shards must be a number, not " + e);
    }

    /**
     * Runs an ORM bulk UPDATE or DELETE (O9) on the {@link QueryChooser}'s shards, each in its
     * shard's transaction, and emits the total rows matched. Each shard synchronizes its own
     * objects as the statement's {@link SynchronizeSession} says; with FETCH, a shard whose database
     * has RETURNING for the statement uses it and the others SELECT the keys first (seed 1.4: the
     * strategy degrades per shard, not for the whole statement). A failure on one shard fails the
     * whole once the others have finished; every shard's transaction stays open: roll back.
     */
    public Mono<Long> execute(BulkStatement<?> bulk) {
        return Mono.defer(() -> {
            BulkSync.plan(bulk); // wrong use fails here, before any shard sends anything
            return fanOut(chosenShards(ShardQuery.of(bulk)), s -> s.execute(bulk)).map(counts -> {
                long n = 0;
                for (Long c : counts) {
                    n += c;
                }
                return n;
            });
        });
    }

    /**
     * Loads {@code relationship} of {@code entity} on the entity's shard (see
     * {@link AsyncSession#fetch}: fetches subscribed together are coalesced, per shard).
     */
    public <S, T> Mono<List<T>> fetch(S entity, Relationship<S, T> relationship) {
        return Mono.defer(() -> owner(entity, "fetch").fetch(entity, relationship));
    }

    /** Reloads the object's columns from its shard (see {@link AsyncSession#refresh(Object)}). */
    public Mono<Void> refresh(Object entity) {
        return Mono.defer(() -> owner(entity, "refresh").refresh(entity));
    }

    /** {@link #refresh(Object)}, with {@code SELECT ... FOR UPDATE} on its shard when {@code forUpdate}. */
    public Mono<Void> refresh(Object entity, boolean forUpdate) {
        return Mono.defer(() -> owner(entity, "refresh").refresh(entity, forUpdate));
    }

    /** A column's value, loaded from the object's shard if it is not (see {@link AsyncSession#attribute}). */
    public <T> Mono<T> attribute(Object entity, Column<T> column) {
        return Mono.defer(() -> owner(entity, "attribute").attribute(entity, column));
    }

    // ================================================================= transaction

    /**
     * Flushes every used shard, one after the other in declaration order. A failure stops there:
     * the shards flushed before it hold their changes in open transactions, the failed one needs a
     * rollback, so {@link #rollback} the session.
     */
    public Mono<Void> flush() {
        return Flux.defer(() -> Flux.fromIterable(usedSessions())).concatMap(AsyncSession::flush).then();
    }

    /**
     * Flushes every used shard, then commits them one after the other in declaration order (see the
     * class comment: not atomic). Nothing commits if a flush fails (the session then needs a
     * {@link #rollback}). If a COMMIT fails, that shard and every later one are rolled back (their
     * objects restored as by a rollback) and the session is usable again; the error is the
     * COMMIT's own when no shard had committed, else a {@link PartialCommitError} naming the shards
     * that committed and the ones rolled back.
     */
    public Mono<Void> commit() {
        return Mono.defer(() -> {
            List<String> shards = usedShards();
            List<Throwable> afterCommit = new ArrayList<>();
            return Flux.fromIterable(shards).concatMap(id -> open.get(id).flush())
                    .then(Mono.defer(() -> commitFrom(shards, 0, afterCommit)))
                    .then(Mono.defer(() -> afterCommit.isEmpty() ? Mono.<Void>empty() : Mono.error(firstOf(afterCommit))));
        });
    }

    private Mono<Void> commitFrom(List<String> shards, int i, List<Throwable> afterCommit) {
        if (i == shards.size()) {
            return Mono.empty();
        }
        String id = shards.get(i);
        AsyncSession s = open.get(id);
        return s.commit()
                .onErrorResume(e -> {
                    if (!s.holdsConnection()) {
                        // The COMMIT happened; an afterCommit listener (or the release) failed after it.
                        // The shard counts as committed and the others still commit; the error follows.
                        afterCommit.add(e);
                        return Mono.empty();
                    }
                    List<String> rest = shards.subList(i, shards.size());
                    Mono<Void> rollback = Flux.fromIterable(rest)
                            .concatMap(r -> open.get(r).rollback().onErrorResume(x -> {
                                e.addSuppressed(x);
                                return Mono.empty();
                            })).then();
                    Throwable reported = i == 0 ? e : new PartialCommitError(shards.subList(0, i), id, rest, e);
                    afterCommit.forEach(reported::addSuppressed);
                    afterCommit.clear();
                    return rollback.then(Mono.error(reported));
                })
                .then(Mono.defer(() -> commitFrom(shards, i + 1, afterCommit)));
    }

    /**
     * Rolls back every used shard (see {@link AsyncSession#rollback}); all are rolled back even if
     * one fails, whose error is then emitted (with the others suppressed).
     */
    public Mono<Void> rollback() {
        return eachShard(AsyncSession::rollback);
    }

    /** Whether any shard's transaction has begun. */
    public boolean inTransaction() {
        for (AsyncSession s : open.values()) {
            if (s.inTransaction()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes every shard's session (rolling back anything uncommitted, returning connections) and
     * forgets them; the session can be used again, opening shards anew.
     */
    public Mono<Void> close() {
        return eachShard(AsyncSession::close).doFinally(s -> open.clear());
    }

    // ================================================================= internals

    /** Runs {@code op} on every used shard, one after the other, all of them even if one fails. */
    private Mono<Void> eachShard(Function<AsyncSession, Mono<Void>> op) {
        return Mono.defer(() -> {
            List<Throwable> errors = new ArrayList<>();
            return Flux.fromIterable(usedSessions())
                    .concatMap(s -> op.apply(s).onErrorResume(e -> {
                        errors.add(e);
                        return Mono.empty();
                    }))
                    .then(Mono.defer(() -> errors.isEmpty() ? Mono.<Void>empty() : Mono.error(firstOf(errors))));
        });
    }

    /** The shards the query chooser picks for {@code query}, checked; an error naming the chooser when it picks none. */
    private List<String> chosenShards(ShardQuery query) {
        String who = "The query chooser (for " + query.statement().getClass().getSimpleName() + " of "
                + (query.entity() == null ? "rows" : query.entity().getSimpleName()) + ")";
        List<String> shards = factory.checked(factory.queryChooser().shardsFor(query), who);
        if (shards.isEmpty()) {
            throw new InvalidRequestError(who + " returned no shard; return the shards the statement must run on (every"
                    + " shard when unsure)");
        }
        return shards;
    }

    /**
     * Runs {@code op} on each of {@code shards}: their pending changes flushed first, one shard
     * after the other (a flush's cascade consults the other shards' sessions, which must not change
     * meanwhile), then {@code op} on all shards at once. Emits the results in the chooser's order,
     * once all are in; errors are delayed until every shard is done (none is cancelled
     * mid-statement), then the first is emitted with the others suppressed.
     */
    private <T> Mono<List<T>> fanOut(List<String> shards, Function<AsyncSession, Mono<T>> op) {
        return Mono.defer(() -> {
            List<AsyncSession> sessions = new ArrayList<>();
            for (String s : shards) {
                sessions.add(onShard(s));
            }
            return Flux.fromIterable(sessions).concatMap(AsyncSession::flush)
                    .thenMany(Flux.fromIterable(sessions).flatMapSequentialDelayError(op, sessions.size(), 1))
                    .collectList()
                    .onErrorMap(Exceptions::isMultiple, e -> firstOf(Exceptions.unwrapMultiple(e)));
        });
    }

    private static Throwable firstOf(List<Throwable> errors) {
        Throwable first = errors.get(0);
        for (int i = 1; i < errors.size(); i++) {
            if (errors.get(i) != first) {
                first.addSuppressed(errors.get(i));
            }
        }
        return first;
    }

    private List<AsyncSession> usedSessions() {
        List<AsyncSession> out = new ArrayList<>();
        for (String id : usedShards()) {
            out.add(open.get(id));
        }
        return out;
    }

    private AsyncSession owner(Object entity, String operation) {
        String shard = shardOf(entity);
        if (shard == null) {
            throw new InvalidRequestError(operation + ": " + describe(entity) + " is not in any shard of this sharded"
                    + " session (load it through the session, or add it first)");
        }
        return open.get(shard);
    }

    /** The one shard of the objects {@code entity} is related to, or null (see {@link ShardPlacement#relatedShard}). */
    private String relatedShard(Object entity) {
        return ShardPlacement.relatedShard(factory.registry(), open, entity);
    }

    /** Called by a shard's session before {@code entity} joins it (see {@link ShardPlacement#checkJoining}). */
    void checkJoining(AsyncSession joining, Object entity) {
        ShardPlacement.checkJoining(open, joining, entity);
    }

    static String describe(Object entity) {
        return entity.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(entity));
    }
}
