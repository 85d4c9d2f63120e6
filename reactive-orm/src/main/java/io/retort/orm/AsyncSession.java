package io.retort.orm;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.engine.Row;
import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.error.RetortException;
import io.retort.orm.internal.UnloadedList;
import io.retort.sql.Column;
import io.retort.sql.Select;
import io.retort.sql.Expression;
import io.retort.sql.Sql;
import io.retort.sql.SqlType;
import io.retort.sql.Statement;
import io.r2dbc.spi.IsolationLevel;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The async ORM session (O2–O7): an identity map, a unit of work flushed in dependency order,
 * and explicit eager loading. {@link #add} and {@link #delete} only record intent (no I/O).
 * Reading a relationship never runs SQL: load it with a loader option or {@link #fetch}.
 *
 * <p>Connection and transaction are both taken lazily. The first statement acquires a pooled
 * connection, which the session keeps until {@link #commit}, {@link #rollback} or {@link #close}.
 * The transaction begins with the first statement that needs one: a flush, a Core statement that
 * is not a plain SELECT, a locking read ({@code FOR UPDATE}), {@link #beginNested}, or an explicit
 * {@link #begin}. Plain reads before that run in autocommit, one round trip each, with no
 * {@code BEGIN} before them and no {@code ROLLBACK} after them. Under READ COMMITTED (PostgreSQL's
 * and H2's default) that is what they would see inside a transaction too, since every statement
 * takes a fresh snapshot; under REPEATABLE READ (MySQL's and MariaDB's default), call
 * {@link #begin} first when several reads must share one snapshot. (A design change from
 * SQLAlchemy's autobegin, which sends BEGIN before the first read: here it would cost two of the
 * three round trips of a fresh session's {@code get}.)
 *
 * <p>After a failed flush every operation but {@link #rollback} and {@link #close} fails with a
 * {@link PendingRollbackError} naming the original failure (SQLAlchemy's rule; on MariaDB a later
 * commit would otherwise persist half a flush). Not shareable: a second operation while one is
 * running fails at once with {@link ConcurrentSessionUseError}. Objects keep their values after
 * commit (no expiry, since reloading would be hidden I/O).
 */
public final class AsyncSession {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncSession.class);

    private final Engine engine;
    private final OrmRegistry registry;
    // Not final: reserve() replaces them with larger copies before a large load.
    private Map<IdentityKey, InstanceState> identityMap = new HashMap<>();
    private Map<Object, InstanceState> states = new IdentityHashMap<>();
    /** The same states in the order they joined the session: flush plans must be deterministic. */
    private java.util.Set<InstanceState> ordered = new java.util.LinkedHashSet<>();
    private final AtomicBoolean busy = new AtomicBoolean();
    /**
     * F35: held while a loader takes a row into the session, and while close() or a cancel ends an
     * epoch. A cancel frees the session before the cancelled operation's work has stopped (on the
     * JDBC bridge a worker thread may still be delivering the row it read), so these are what keep
     * that tail out of the objects close() clears and out of the next operation's session.
     */
    private final java.util.concurrent.locks.ReentrantLock rowLock = new java.util.concurrent.locks.ReentrantLock();
    /** Replaced by close() and by every cancel of an operation: loaders take rows only in the epoch they started in. */
    private volatile Object epoch = new Object();
    private final Loading loading = new Loading(this);
    private final UnitOfWork unitOfWork = new UnitOfWork(this);
    private final FetchBatcher fetches;
    private Connection connection;
    private RetortException failure;
    /** What {@link #failure} ended: "flush" or "commit" (for the message of the PendingRollbackError). */
    private String failedDuring = "flush";
    private boolean closed;
    /** Undo steps of in-memory changes made for this transaction outside a flush (O9 bulk DELETE); run in reverse on rollback. */
    private final List<Runnable> rollbackSteps = new ArrayList<>();
    /** O11: this session's listeners, after the factory's. */
    private final SessionEvents events;
    /** A flush (with its listeners) is under way: autoflush inside it is skipped, an explicit flush refused. */
    private boolean flushing;
    /** How many listeners that may use the session are running: their nested operations pass the busy guard. */
    private int listening;
    /** The event whose listeners run now and may not use the session (afterCommit, afterRollback), or null. */
    private String noStatementsIn;
    /**
     * O14: the identity token stamped into every identity key this session makes (its shard's id),
     * or null when unsharded. Seed 1.2: two rows with the same primary key from two databases are
     * two identities.
     */
    private final Object identityToken;
    /** O14: the sharded session this one is a shard of (it vets objects joining here), or null. */
    private final ShardedSession shardOwner;
    /** This session as {@link SessionOwnership} records it: weak, so a claim never keeps a session alive. */
    private final java.lang.ref.WeakReference<AsyncSession> self = new java.lang.ref.WeakReference<>(this);

    AsyncSession(Engine engine, OrmRegistry registry, Scheduler fetchScheduler) {
        this(engine, registry, fetchScheduler, null);
    }

    AsyncSession(Engine engine, OrmRegistry registry, Scheduler fetchScheduler, SessionEvents factoryEvents) {
        this(engine, registry, fetchScheduler, factoryEvents, null, null);
    }

    AsyncSession(Engine engine, OrmRegistry registry, Scheduler fetchScheduler, SessionEvents factoryEvents,
                 Object identityToken, ShardedSession shardOwner) {
        this.engine = engine;
        this.registry = registry;
        this.fetches = new FetchBatcher(this, fetchScheduler);
        this.events = new SessionEvents(factoryEvents, registry);
        this.identityToken = identityToken;
        this.shardOwner = shardOwner;
    }

    /**
     * The identity token of this session's identity keys (O14): the shard's id for a shard's session
     * ({@link ShardedSession#onShard}), null for a plain session.
     */
    public Object identityToken() {
        return identityToken;
    }

    /** The identity key of {@code mapper}'s row with primary key {@code key} in this session (its token included). */
    IdentityKey keyOf(Mapper<?> mapper, List<Object> key) {
        return new IdentityKey(mapper.identityType(), key, identityToken);
    }

    public OrmRegistry registry() {
        return registry;
    }

    /**
     * This session's event registry (O11): listeners registered here apply to this session only,
     * and run after the factory's ({@link SessionFactory#events()}). See {@link SessionEvents}.
     */
    public SessionEvents events() {
        return events;
    }

    /**
     * Marks column attribute {@code attribute} (the Java field's name) of {@code entity} modified,
     * so the next flush writes it in its UPDATE even if its value equals the loaded one (a mutable
     * value changed in place, say), and fires its modified event then. Naming a loaded
     * relationship flags the object dirty ({@link #flagDirty}). No I/O.
     *
     * @throws InvalidRequestError naming the attribute if it is not loaded (a deferred column the
     *                             query left out, an unloaded relationship): the flush would
     *                             have nothing to write; or if the object is not in this session
     * @throws ArgumentError       if the entity has no such attribute
     */
    public void flagModified(Object entity, String attribute) {
        InstanceState st = stateIn(entity);
        List<Property> props = st.mapper.properties();
        for (int i = 0; i < props.size(); i++) {
            if (props.get(i).name().equals(attribute) && !props.get(i).isHidden()) {
                if (!st.isLoaded(i)) {
                    throw new InvalidRequestError("Can't flag attribute '" + attribute + "' of " + describe(entity)
                            + " modified; it is not loaded (load it first, e.g. session.refresh(entity, column))");
                }
                st.force(i);
                return;
            }
        }
        Relationship<?, ?> r = st.mapper.relationships().get(attribute);
        if (r == null) {
            throw new ArgumentError(st.mapper.type().getSimpleName() + " has no attribute '" + attribute + "'");
        }
        Object v = r.accessor.get(entity);
        boolean loaded = st.status == InstanceState.Status.PENDING || (r.isCollection()
                ? !(v instanceof UnloadedList) && (v != null || st.collections.containsKey(r.name()))
                : st.references.containsKey(r.name()) || v != null);
        if (!loaded) {
            throw new InvalidRequestError("Can't flag attribute '" + attribute + "' of " + describe(entity)
                    + " modified; it is not loaded (load it with a loader option or session.fetch)");
        }
        st.flaggedDirty = true;
    }

    /**
     * Marks {@code entity} dirty without naming an attribute (SQLAlchemy's flag_dirty): the next
     * flush has work, fires {@code beforeFlush} and lists the object in its dirty set, though it
     * sends no UPDATE for the object if nothing changed. No I/O.
     */
    public void flagDirty(Object entity) {
        stateIn(entity).flaggedDirty = true;
    }

    /**
     * Replaces the members of {@code owner}'s collection {@code collection} (a bulk replace, O11):
     * bulk-replace listeners may rewrite the values first, then remove fires for each member left
     * out and append for each new one; the field then holds Retort's collection with the values
     * (the same list object when it already did). Writing a new list to the field directly is a
     * change the flush sees too, but fires no events. No I/O: the collection must be loaded (or
     * the owner new).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <S, T> void replaceCollection(S owner, Relationship<S, T> collection, Collection<? extends T> values) {
        InstanceState st = stateIn(owner);
        if (!collection.isCollection() || !collection.source().isInstance(owner)) {
            throw new ArgumentError(collection.source().getSimpleName() + "." + collection.name()
                    + " is not a collection of " + owner.getClass().getSimpleName());
        }
        Object v = collection.accessor.get(owner);
        if (v instanceof UnloadedList) {
            throw new InvalidRequestError("Can't replace " + collection.source().getSimpleName() + "." + collection.name()
                    + " of " + describe(owner) + ": it is not loaded (load it with a loader option or session.fetch)");
        }
        List<Object> next = new ArrayList<>(values);
        events.attributes().fireBulkReplace(owner, collection, next);
        io.retort.orm.internal.LoadedList list;
        if (v instanceof io.retort.orm.internal.LoadedList) {
            list = (io.retort.orm.internal.LoadedList) v;
        } else {
            // A plain collection (or none): Retort's list takes its members quietly, then the replace fires.
            list = new io.retort.orm.internal.LoadedList(v == null ? List.of() : (Collection<?>) v);
            list.bind(collectionHook(), owner, collection);
            collection.accessor.set(owner, list);
        }
        list.replaceWith(next);
        if (st.status != InstanceState.Status.PENDING) {
            st.flaggedDirty = true; // membership may be unchanged; the replace still counts as a change of the object
        }
    }

    /** Where this session's collections report appends and removes (O11). */
    io.retort.orm.internal.CollectionHook collectionHook() {
        return events.attributes().hook;
    }

    // ================================================================= state without I/O

    /** Adds a new object (and, by save-update cascade, objects it references) to be inserted at flush. */
    public void add(Object entity) {
        checkOpen();
        InstanceState st = states.get(entity);
        if (st == null) {
            addPending(entity);
        } else if (st.status == InstanceState.Status.DELETED) {
            st.status = InstanceState.Status.PERSISTENT;
        }
    }

    public void addAll(Collection<?> entities) {
        entities.forEach(this::add);
    }

    /** Marks a persistent object for deletion at flush (a pending one is simply expunged). */
    public void delete(Object entity) {
        checkOpen();
        InstanceState st = states.get(entity);
        if (st == null) {
            throw new DetachedInstanceError("Instance " + describe(entity) + " is not persisted in this session"
                    + DETACHED_HINT + "; delete cannot proceed");
        }
        if (st.status == InstanceState.Status.PENDING) {
            forget(st);
        } else {
            st.status = InstanceState.Status.DELETED;
        }
    }

    /** Removes an object from the session without touching the database. */
    public void expunge(Object entity) {
        InstanceState st = states.get(entity);
        if (st != null) {
            forget(st);
        }
    }

    /**
     * Removes every object from the session without touching the database (SQLAlchemy's
     * {@code expunge_all}): pending objects are not inserted, changes not flushed are not written,
     * and a later rollback leaves the removed objects alone. The transaction and connection stay as
     * they are. For a long-lived session reading many objects (the identity map holds each object
     * it loaded until then, as it must to flush changes made to it), call it between batches, or
     * read with {@link #streamDetached}.
     *
     * @throws ConcurrentSessionUseError if an operation runs on the session (a stream, a flush)
     */
    public void expungeAll() {
        if (busy.get() && listening == 0) {
            throw new ConcurrentSessionUseError("expungeAll while another operation runs on this session");
        }
        releaseAll();
        identityMap.clear();
        states.clear();
        ordered.clear();
        // The undo steps restore removed objects' values or membership: removed objects are no longer the session's.
        rollbackSteps.clear();
    }

    /** Whether the session tracks {@code entity}. */
    public boolean contains(Object entity) {
        return states.containsKey(entity);
    }

    /**
     * Whether {@code entity} has column changes not yet flushed, is new or deleted, or was flagged
     * with {@link #flagModified} or {@link #flagDirty}.
     */
    public boolean isModified(Object entity) {
        InstanceState st = states.get(entity);
        return st != null && (st.status != InstanceState.Status.PERSISTENT || st.flaggedDirty
                || !st.changedProperties().isEmpty());
    }

    /**
     * The identity key of a persistent object (class, primary key, identity token), or null for an
     * object this session does not hold or has not flushed yet.
     */
    public IdentityKey identityKey(Object entity) {
        InstanceState st = states.get(entity);
        return st == null ? null : st.key;
    }

    /**
     * The identity token of a persistent object (seed 1.2, O14): its shard's id when this session is
     * a shard of a {@link ShardedSession}, else null; also null for an object this session does not
     * hold or has not flushed yet.
     */
    public Object identityToken(Object entity) {
        IdentityKey k = identityKey(entity);
        return k == null ? null : k.token();
    }

    // ================================================================= queries

    /**
     * The entity with primary key {@code id}: from the identity map without SQL when present (and not
     * expired). For a class of an inheritance hierarchy (O8) the identity map is the root's: an
     * object of another class of the hierarchy with that key makes this complete empty, without SQL.
     */
    public <E> Mono<E> get(Class<E> type, Object id, LoaderOption... options) {
        Mapper<E> m = registry.mapper(type);
        List<Object> key = id instanceof List ? new ArrayList<>((List<?>) id) : List.of(id);
        if (key.size() != m.identity().size()) {
            return Mono.error(new ArgumentError(type.getSimpleName() + " has a " + m.identity().size()
                    + "-column key; got " + key.size() + " values"));
        }
        InstanceState hit = identityMap.get(keyOf(m, key));
        if (hit != null && !type.isInstance(hit.entity) && hit.status != InstanceState.Status.DELETED && !hit.expired) {
            return Mono.empty(); // O8: the row is another class of the hierarchy (SQLAlchemy answers None too)
        }
        if (hit != null && options.length == 0 && hit.status != InstanceState.Status.DELETED && !hit.expired) {
            return Mono.just(type.cast(hit.entity));
        }
        EntitySelect<E> q = Orm.select(type).options(options);
        for (int i = 0; i < key.size(); i++) {
            q = q.where(eq(m.identity().get(i).column(), key.get(i)));
        }
        return execute(q).next();
    }

    /**
     * O14: whether this session's identity map answers {@link #get} for {@code key} of {@code type}
     * without SQL (a live, unexpired object of the hierarchy), so a sharded get looks there first.
     */
    boolean holdsIdentity(Class<?> type, List<Object> key) {
        Mapper<?> m = registry.mapper(type);
        if (key.size() != m.identity().size()) {
            return false;
        }
        InstanceState hit = identityMap.get(keyOf(m, key));
        return hit != null && hit.status != InstanceState.Status.DELETED && !hit.expired;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Expression<Boolean> eq(Column c, Object v) {
        return c.eq((Expression) Sql.param(v, (SqlType) c.type()));
    }

    /** Runs an ORM query; pending changes are flushed first (autoflush) so the query sees them. */
    public <E> Flux<E> execute(EntitySelect<E> query) {
        // Entities are complete (eager loaders done) before the first is emitted, so the session is
        // free again by then: a subscriber may use it for the next operation right away.
        return guarded(Flux.defer(() -> {
            EntitySelect<E> q = events.applyExecuteHooks(query, this);
            return flushInternal().thenMany(connection(q.lock() != null).flatMapMany(c -> loading.execute(q, c)));
        }).collectList()).flatMapMany(Flux::fromIterable);
    }

    /**
     * Streams an ORM query (O17): entities are emitted as their rows are read, {@code chunkSize}
     * rows at a time, each chunk's eager loaders run before its entities are emitted, and the next
     * chunk is read only when the subscriber has taken them. Memory stays bounded by a chunk, not
     * the result, and a slow subscriber holds back the reading. Pending changes are flushed first.
     *
     * <p>Loaders that send their own SQL ({@code selectinLoad}, {@code immediateLoad}) run on the
     * session's connection between chunks, which needs a server-side cursor: on PostgreSQL the
     * rows come through one ({@code DECLARE ... CURSOR}, {@code FETCH FORWARD chunkSize}), and the
     * session's transaction begins first if it has not. Other dialects refuse such a stream with an
     * {@link InvalidRequestError} naming the dialect (use {@link #execute(EntitySelect)}); joined
     * many-to-one loads, {@code noLoad} and {@code raiseLoad} stream anywhere. A joined collection
     * cannot stream (a parent's rows could fall into two chunks): an {@link ArgumentError} says to
     * use {@code selectinLoad}.
     *
     * <p>The session is busy until the stream ends: another operation meanwhile fails with
     * {@link ConcurrentSessionUseError}. Cancelling between chunks leaves the session and its
     * transaction usable (a cursor left open closes with the transaction); cancelling while a
     * chunk is being read costs the connection, as for any statement cut short.
     */
    public <E> Flux<E> stream(EntitySelect<E> query, int chunkSize) {
        return stream(query, chunkSize, false);
    }

    /**
     * {@link #stream(EntitySelect, int)} for results too large to keep: each chunk's objects that
     * were not in the session before leave it (as by {@link #expunge}) once the chunk's entities
     * have all been emitted, so the session's memory stays bounded by a chunk however long the
     * stream. Streamed entities arrive detached: complete (their loaders ran), but later changes to
     * them are not tracked, and identity holds within a chunk only (an object two chunks share is
     * loaded once per chunk). Objects the session held before the stream stay in it.
     */
    public <E> Flux<E> streamDetached(EntitySelect<E> query, int chunkSize) {
        return stream(query, chunkSize, true);
    }

    private <E> Flux<E> stream(EntitySelect<E> original, int chunkSize, boolean detach) {
        if (chunkSize < 1) {
            throw new ArgumentError("stream's chunk size must be at least 1, not " + chunkSize);
        }
        return guarded(Flux.defer(() -> {
            EntitySelect<E> query = events.applyExecuteHooks(original, this);
            Loading.Prepared<E> prepared = loading.prepareStream(query);
            boolean cursor = prepared.needsCursor();
            return flushInternal().thenMany(connection(false).flatMapMany(held -> {
                if (cursor && !held.dialect().supportsCursors()) {
                    return Flux.error(new InvalidRequestError("stream(" + query.type().getSimpleName() + ") with loaders"
                            + " that run their own queries (selectinLoad, immediateLoad) needs a server-side cursor to run"
                            + " them between chunks, and the " + held.dialect().name() + " dialect has none: use execute(),"
                            + " or stream with joined many-to-one loads only"));
                }
                return connection(cursor || query.lock() != null).flatMapMany(c -> loading.stream(prepared, c, chunkSize, detach));
            }));
        }), true);
    }

    /**
     * Runs a multi-entity query (O13): one {@link EntityRow} per row, its entities identity-mapped
     * (the same instances as any other query of this session returns). Autoflushes first.
     */
    public Flux<EntityRow> execute(RowSelect query) {
        return guarded(Flux.defer(() -> flushInternal().thenMany(connection(false)
                .flatMapMany(c -> loading.rows(query, c)))).collectList()).flatMapMany(Flux::fromIterable);
    }

    /**
     * Runs an ORM bulk UPDATE or DELETE (O9) and emits the number of rows matched. Pending changes
     * are flushed first; the statement runs in the session's transaction (begun if need be); then
     * the session's objects are synchronized as {@link BulkStatement#synchronize} says (see
     * {@link SynchronizeSession}; EVALUATE by default). Nothing is loaded. Wrong use (an
     * unevaluable criterion under EVALUATE, a primary key in SET, a DELETE that would skip ORM
     * cascades) fails before anything is sent; a failed statement leaves the objects as they
     * were, and {@link #rollback} also undoes the synchronization of earlier bulk statements.
     */
    public Mono<Long> execute(BulkStatement<?> bulk) {
        return guarded(Flux.defer(() -> {
            BulkSync.Plan plan = BulkSync.plan(bulk);
            // connection(true) is chosen after the flush, which may have begun the transaction itself.
            return flushInternal().then(Mono.defer(() -> connection(true))).flatMap(c -> BulkSync.execute(this, plan, c));
        })).last();
    }

    /**
     * Runs a Core statement in the session's transaction. A plain SELECT runs in autocommit when no
     * transaction has begun yet; anything else (DML, text, a locking SELECT) begins it first, so
     * {@link #rollback} undoes it.
     */
    public Flux<Row> execute(Statement statement) {
        boolean plainRead = statement instanceof Select && ((Select) statement).lock() == null
                || statement instanceof io.retort.sql.CompoundSelect;
        return guarded(Flux.defer(() -> flushInternal().thenMany(connection(!plainRead)
                .flatMapMany(c -> c.execute(statement).rows()))));
    }

    /**
     * Loads {@code relationship} of {@code entity} explicitly (O6) and emits its targets (the
     * collection's members, or the many-to-one target as a one-element list). Fetches subscribed
     * together are coalesced (O18): {@code Flux.fromIterable(artists).flatMap(a -> session.fetch(a,
     * Artist_.albums))} sends one IN query for all the artists, not one per artist; see
     * {@link FetchBatcher} for when a fetch joins a batch.
     */
    @SuppressWarnings("unchecked")
    public <S, T> Mono<List<T>> fetch(S entity, Relationship<S, T> relationship) {
        java.util.Objects.requireNonNull(entity, "entity");
        java.util.Objects.requireNonNull(relationship, "relationship");
        return fetches.fetch(entity, relationship).map(l -> (List<T>) (List<?>) l);
    }

    /**
     * Runs one coalesced batch of fetches (see {@link FetchBatcher}) as one session operation: per
     * relationship, one selectin load for the distinct persistent entities asked for. Each fetch's
     * outcome is recorded on it (a fetch for an object this session does not hold fails alone);
     * the batcher delivers them once the session is free. Fails as a whole only when the session
     * is busy with another operation.
     */
    Mono<Void> loadBatch(Map<Relationship<?, ?>, List<FetchBatcher.Pending>> batch) {
        return guarded(Mono.defer(() -> {
            Mono<Void> chain = Mono.empty();
            for (Map.Entry<Relationship<?, ?>, List<FetchBatcher.Pending>> g : batch.entrySet()) {
                Relationship<?, ?> r = g.getKey();
                List<FetchBatcher.Pending> live = new ArrayList<>();
                // Distinct by identity, in the order asked for: the IN list (and the SQL log) is deterministic.
                java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
                List<Object> parents = new ArrayList<>();
                for (FetchBatcher.Pending p : g.getValue()) {
                    if (p.cancelled) {
                        continue;
                    }
                    InstanceState st = states.get(p.entity);
                    if (st == null || st.status != InstanceState.Status.PERSISTENT) {
                        p.fail(new DetachedInstanceError("Instance " + describe(p.entity)
                                + " is not persistent in this session; fetch needs a loaded object" + DETACHED_HINT));
                    } else if (!r.source().isInstance(p.entity)) {
                        p.fail(new ArgumentError(r + " is not a relationship of " + p.entity.getClass().getSimpleName()));
                    } else {
                        live.add(p);
                        if (seen.add(p.entity)) {
                            parents.add(p.entity);
                        }
                    }
                }
                if (live.isEmpty()) {
                    continue;
                }
                chain = chain.then(connection(false)
                        .flatMap(c -> loading.selectin(r, parents, c))
                        .doOnSuccess(loaded -> live.forEach(p -> p.succeed(targetsOf(p.entity, r))))
                        .onErrorResume(e -> {
                            live.forEach(p -> p.fail(e));
                            return Mono.empty();
                        })
                        .then());
            }
            return chain;
        }));
    }

    /** What {@code r} holds on {@code entity} after a load, as the list {@link #fetch} emits. */
    private static List<Object> targetsOf(Object entity, Relationship<?, ?> r) {
        Object v = r.accessor.get(entity);
        if (v instanceof List) {
            return new ArrayList<>((List<?>) v);
        }
        return v == null ? List.of() : List.of(v);
    }

    /** Loads {@code relationship} for several entities with one IN query per chunk (O18's batching). */
    @SuppressWarnings("unchecked")
    public <S, T> Mono<List<T>> fetchAll(List<S> entities, Relationship<S, T> relationship) {
        return guarded(Flux.defer(() -> {
            for (S e : entities) {
                InstanceState st = states.get(e);
                if (st == null || st.status != InstanceState.Status.PERSISTENT) {
                    return Flux.error(new DetachedInstanceError("Instance " + describe(e)
                            + " is not persistent in this session; fetch needs a loaded object" + DETACHED_HINT));
                }
            }
            return connection(false).flatMapMany(c -> loading.selectin(relationship, new ArrayList<>(entities), c)
                    .flatMapIterable(l -> (List<T>) (List<?>) l));
        })).collectList();
    }

    /**
     * Reloads the object's columns from the database, discarding unflushed changes to them
     * (optionally {@code FOR UPDATE}, seed 1.2). Columns deferred in the mapping stay unloaded
     * unless they were loaded before.
     */
    public Mono<Void> refresh(Object entity) {
        return refresh(entity, false);
    }

    /** {@link #refresh(Object)}, with {@code SELECT ... FOR UPDATE} when {@code forUpdate}. */
    public Mono<Void> refresh(Object entity, boolean forUpdate) {
        return guarded(Flux.defer(() -> {
            InstanceState st = persistentState(entity);
            List<Integer> which = new ArrayList<>();
            List<Property> all = st.mapper.properties();
            for (int i = 0; i < all.size(); i++) {
                if (!all.get(i).isDeferred() || st.loaded[i]) {
                    which.add(i);
                }
            }
            return reload(st, which, forUpdate);
        })).then();
    }

    /**
     * Loads these columns of a persistent object now, with one SELECT by primary key: the
     * explicit load of deferred columns (SQLAlchemy's {@code refresh(obj, attribute_names)}),
     * also for ones deferred with raiseload. Unflushed changes to them are discarded.
     */
    public Mono<Void> refresh(Object entity, Column<?>... columns) {
        return guarded(Flux.defer(() -> {
            if (columns.length == 0) {
                throw new ArgumentError("refresh(entity, columns) needs at least one column; refresh(entity) reloads them all");
            }
            InstanceState st = persistentState(entity);
            List<Integer> which = new ArrayList<>();
            for (Column<?> c : columns) {
                which.add(propertyIndex(st, c));
            }
            return reload(st, which, false);
        })).then();
    }

    /**
     * Whether {@code column} of {@code entity} holds a loaded value: false for a column its query
     * left out ({@code defer}, {@code loadOnly}, {@link Deferred}) until it is loaded or set and
     * flushed. A new (pending) object's columns count as loaded.
     */
    public boolean isLoaded(Object entity, Column<?> column) {
        InstanceState st = stateIn(entity);
        return st.isLoaded(propertyIndex(st, column));
    }

    /**
     * The value of {@code column} on {@code entity}, loading it first when its query left it out:
     * the explicit counterpart of SQLAlchemy's deferred-column load on attribute access (Retort
     * never loads behind a field read). A loaded column answers without I/O; an unloaded one
     * costs one SELECT by primary key; one left out with raiseload ({@link Load#deferRaiseload},
     * {@link Deferred#raiseload}) fails with {@link UnloadedAttributeException} naming the option
     * that would have loaded it. Completes empty for SQL NULL.
     */
    @SuppressWarnings("unchecked")
    public <T> Mono<T> attribute(Object entity, Column<T> column) {
        return Mono.defer(() -> {
            InstanceState st = stateIn(entity);
            int i = propertyIndex(st, column);
            if (st.isLoaded(i)) {
                return Mono.justOrEmpty((T) st.value(i));
            }
            if (st.raises(i)) {
                String type = st.mapper.type().getSimpleName();
                String attr = st.mapper.properties().get(i).name();
                if (st.mapper.hierarchy() != null && st.mapper.properties().get(i).column().table() != st.mapper.rootMapper().table()) {
                    String root = st.mapper.rootMapper().type().getSimpleName();
                    return Mono.error(new UnloadedAttributeException(type + "." + attr + " is in the " + type
                            + " table, which the query for the hierarchy's classes did not load: add the option"
                            + " selectinPolymorphic(" + type + ".class) or withPolymorphic(" + type + ".class) to the query for "
                            + root + ", query " + type + " itself, or load it explicitly with session.refresh(entity, column)"));
                }
                return Mono.error(new UnloadedAttributeException(type + "." + attr + " is deferred with raiseload: load it"
                        + " with the query, undefer(" + type + "_." + attr + "), or explicitly with session.refresh(entity, column)"));
            }
            return refresh(entity, column).then(Mono.fromSupplier(() -> (T) st.value(i)));
        });
    }

    private InstanceState stateIn(Object entity) {
        InstanceState st = states.get(entity);
        if (st == null) {
            throw new DetachedInstanceError("Instance " + describe(entity) + " is not in this session" + DETACHED_HINT);
        }
        return st;
    }

    private InstanceState persistentState(Object entity) {
        InstanceState st = states.get(entity);
        if (st == null || st.key == null) {
            throw new DetachedInstanceError("Instance " + describe(entity) + " is not persistent in this session"
                    + (st == null ? DETACHED_HINT : " (it is pending: flush it first)"));
        }
        return st;
    }

    private static int propertyIndex(InstanceState st, Column<?> column) {
        Property p = st.mapper.property(column);
        if (p == null) {
            throw new ArgumentError(column + " is not a column of " + st.mapper.type().getSimpleName());
        }
        return st.mapper.properties().indexOf(p);
    }

    /** SELECT the properties {@code which} of {@code st}'s row by primary key and take them as loaded and clean. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Flux<Void> reload(InstanceState st, List<Integer> which, boolean forUpdate) {
        Mapper<Object> m = st.mapper;
        List<Expression<?>> cols = new ArrayList<>();
        for (int i : which) {
            cols.add(m.properties().get(i).column());
        }
        io.retort.sql.Select q = Sql.select(cols).from(m.from()); // O8: a joined subclass's tables, joined
        for (int i = 0; i < m.identity().size(); i++) {
            q = q.where(eq(m.identity().get(i).column(), st.key.key().get(i)));
        }
        if (forUpdate) {
            q = q.forUpdate();
        }
        io.retort.sql.Select stmt = q;
        return connection(forUpdate).flatMapMany(c -> c.execute(stmt).one()).doOnNext(row -> {
            for (int k = 0; k < which.size(); k++) {
                int i = which.get(k);
                Object v = row.get(k);
                st.setValue(i, v);
                st.snapshot(i, v);
                st.markLoaded(i);
            }
            st.expired = false;
        }).thenMany(Flux.empty());
    }

    /**
     * Marks the object's columns stale: the next query that returns it overwrites them (no I/O
     * now; {@link #get} then queries instead of answering from the identity map). The object
     * stays in the session with its identity.
     */
    public void expire(Object entity) {
        InstanceState st = states.get(entity);
        if (st != null && st.snapshot != null) {
            st.expired = true;
        }
    }

    /**
     * Copies the state of a detached or transient object onto the session's instance with the
     * same identity (loading it if needed) and returns that instance; a new identity is added.
     * Merge cascades along the relationships: a referenced or member object that is not in this
     * session is merged the same way (so a detached reference becomes the session's instance of
     * that row, never a second INSERT of it), each object once per call. A collection set on
     * {@code detached} replaces the instance's (whose members are loaded first if they were not,
     * so the ones left out are removed, and deleted where delete-orphan says so); collections
     * left unset on {@code detached} are not changes (O12).
     */
    public <E> Mono<E> merge(E detached) {
        return mergeOne(detached, new IdentityHashMap<>());
    }

    @SuppressWarnings("unchecked")
    private <E> Mono<E> mergeOne(E detached, Map<Object, Object> merged) {
        Object done = merged.get(detached);
        if (done != null) {
            return Mono.just((E) done);
        }
        if (states.containsKey(detached)) {
            return Mono.just(detached); // already this session's object
        }
        Mapper<E> m = (Mapper<E>) registry.mapper(detached.getClass());
        List<Object> key = new ArrayList<>();
        for (Property p : m.identity()) {
            key.add(p.get(detached));
        }
        Mono<E> target = key.contains(null) ? Mono.just(detached)
                : get(m.type(), key.size() == 1 ? key.get(0) : key).map(existing -> {
                    for (Property p : m.properties()) {
                        if (!p.isId() && !p.isHidden()) {
                            p.set(existing, p.get(detached));
                        }
                    }
                    return existing;
                }).defaultIfEmpty(detached);
        return target.flatMap(t -> {
            // Recorded before the relationships are followed, so a back-reference finds it.
            merged.put(detached, t);
            return mergeRelationships(m, detached, t, merged).then(Mono.fromCallable(() -> {
                if (t == detached) {
                    add(detached); // a new identity: its references are the session's instances by now
                }
                return t;
            }));
        });
    }

    @SuppressWarnings("unchecked")
    private <E> Mono<Void> mergeRelationships(Mapper<E> m, E detached, E target, Map<Object, Object> merged) {
        return Flux.fromIterable(m.relationships().values()).concatMap(r -> {
            Object v = r.accessor.get(detached);
            if (!r.isCollection()) {
                if (v == null) {
                    r.accessor.set(target, null);
                    return Mono.empty();
                }
                return mergeOne(v, merged).doOnNext(x -> r.accessor.set(target, x)).then();
            }
            if (v == null || v instanceof UnloadedList) {
                return Mono.empty(); // unset: not a change (O12)
            }
            List<Object> members = new ArrayList<>((java.util.Collection<Object>) v);
            InstanceState st = states.get(target);
            // The merged collection replaces the row's: its current members are loaded first (an
            // explicit part of merge, like the get above) so that the ones left out are orphans.
            Mono<?> current = st != null && st.status == InstanceState.Status.PERSISTENT && !st.collections.containsKey(r.name())
                    ? fetch(target, (Relationship<E, Object>) r) : Mono.empty();
            return current.thenMany(Flux.fromIterable(members).concatMap(x -> mergeOne(x, merged))).collectList()
                    .doOnNext(list -> r.accessor.set(target, new ArrayList<>(list))).then();
        }).then();
    }

    // ================================================================= transaction

    /** Flushes pending changes in one unit of work. */
    public Mono<Void> flush() {
        return guarded(Mono.defer(() -> {
            if (flushing) {
                return Mono.error(new InvalidRequestError("Session is already flushing: a flush listener may not flush"));
            }
            return flushInternal();
        }));
    }

    /** Flushes and commits; the session then starts a new transaction on next use. */
    public Mono<Void> commit() {
        return guarded(Flux.defer(() -> {
            if (flushing || listening > 0) {
                return Mono.error(new InvalidRequestError("A session event listener may not commit its session"));
            }
            return flushInternal().then(Mono.defer(() -> {
                if (connection == null) {
                    return Mono.empty();
                }
                Connection c = connection;
                boolean begun = c.isInTransaction();
                // A failed COMMIT (the connection lost, a deferred constraint) ends nothing the
                // caller can see: the session keeps its connection and needs a rollback (F11),
                // rather than running its next statement in a new transaction on a new connection.
                return c.commit().doOnError(e -> {
                    if (failure == null) {
                        failure = e instanceof RetortException ? (RetortException) e
                                : new InvalidRequestError(String.valueOf(e.getMessage()), e);
                        failedDuring = "commit";
                    }
                }).then(Mono.defer(() -> {
                    connection = null;
                    for (InstanceState s : ordered) {
                        s.forgetTxStart();
                        s.insertedInTx = false;
                    }
                    rollbackSteps.clear();
                    return c.close();
                })).then(begun && events.hasAfterCommit() ? withoutStatements("afterCommit", events.fireAfterCommit(this))
                        : Mono.empty());
            }));
        })).then().onErrorMap(SessionEvents::unwrap);
    }

    /**
     * Begins the session's transaction now (acquiring its connection), rather than with the first
     * statement that writes: the reads that follow then share the transaction (and, under
     * REPEATABLE READ, its snapshot). Fails with {@link InvalidRequestError} if one is active.
     */
    public Mono<Void> begin() {
        return begin(null);
    }

    /** {@link #begin()} with an isolation level for this transaction (null for the server's default). */
    public Mono<Void> begin(IsolationLevel isolation) {
        return guarded(Mono.defer(() -> {
            checkUsable();
            if (inTransaction()) {
                return Mono.error(new InvalidRequestError("A transaction is already begun on this Session"));
            }
            return connection(true, isolation).then();
        }));
    }

    /**
     * O14: the dialect of this session's database: its connection's when it holds one, else the
     * engine's (known once the engine has connected; learning it takes a connection briefly).
     */
    Mono<io.retort.sql.compile.Dialect> dialect() {
        Connection held = connection;
        return held != null ? Mono.just(held.dialect()) : engine.dialect();
    }

    /** O14: whether the session holds a connection (a failed COMMIT leaves it held; a COMMIT that happened released it). */
    boolean holdsConnection() {
        return connection != null;
    }

    /** Whether the session's transaction has begun (plain reads alone do not begin it). */
    public boolean inTransaction() {
        Connection c = connection;
        return c != null && c.isInTransaction();
    }

    /**
     * Rolls back: new objects are expunged, modified objects get their values from before the
     * transaction back (F23), and the session is usable again after a failed flush.
     */
    public Mono<Void> rollback() {
        return Mono.defer(() -> {
            if (!busy.compareAndSet(false, true)) {
                return Mono.error(new ConcurrentSessionUseError("rollback while another operation runs on this session"));
            }
            Connection c = connection;
            connection = null;
            boolean begun = c != null && c.isInTransaction();
            // The release rolls back, and runs to its end even if this rollback is cancelled: the
            // connection has left the session, so nothing else would ever return it (F35).
            Mono<Void> end = c == null ? Mono.empty() : c.close();
            if (begun && events.hasAfterRollback()) {
                // Before the objects are restored or expunged (seed 1.2): the listener sees their pre-rollback state.
                end = end.then(withoutStatements("afterRollback", events.fireAfterRollback(this)));
            }
            // Release before the completion signal goes downstream, so the caller's next operation
            // never sees the session busy.
            Runnable done = () -> {
                for (int i = rollbackSteps.size() - 1; i >= 0; i--) {
                    rollbackSteps.get(i).run();
                }
                rollbackSteps.clear();
                restoreAfterRollback();
                failure = null;
                busy.set(false);
            };
            return end.doOnTerminate(done).doOnCancel(done).onErrorMap(SessionEvents::unwrap);
        });
    }

    private void restoreAfterRollback() {
        for (InstanceState s : new ArrayList<>(ordered)) {
            if (s.status == InstanceState.Status.PENDING || s.insertedInTx) {
                for (int i = 0; i < s.mapper.properties().size(); i++) {
                    if (s.mapper.properties().get(i).isGenerated()) {
                        s.setValue(i, null);
                    }
                }
                forget(s);
                continue;
            }
            if (s.status == InstanceState.Status.DELETED) {
                s.status = InstanceState.Status.PERSISTENT;
            }
            s.restoreTxStart();
            s.clearFlags();
            rekey(s); // a primary key changed by a rolled-back flush is the old one again
        }
    }

    /**
     * Runs {@code work} inside a SAVEPOINT (begin_nested): its failure rolls back to the savepoint
     * and expunges what it added; the session's transaction goes on. Pending changes made before
     * are flushed first, outside the savepoint (as SQLAlchemy's begin_nested does), so a failure
     * inside cannot take them with it.
     */
    public <T> Flux<T> beginNested(Function<AsyncSession, ? extends Publisher<T>> work) {
        // The outer flush is not inside the doOnError below: its failure must leave the session
        // needing a rollback, like any failed flush.
        return Flux.defer(() -> flushInternal().thenMany(Flux.defer(() -> {
            Map<Object, InstanceState> before = new IdentityHashMap<>(states);
            return connection(true).flatMapMany(c -> c.inNested(conn -> Flux.from(work.apply(this))
                    .concatWith(Flux.defer(() -> flushInternal().thenMany(Flux.empty())))))
                    .doOnError(e -> {
                        failure = null;
                        for (InstanceState s : new ArrayList<>(ordered)) {
                            if (!before.containsKey(s.entity)) {
                                forget(s);
                            }
                        }
                    });
        })));
    }

    /** Rolls back anything uncommitted and returns the connection; the session can be reopened by use. */
    public Mono<Void> close() {
        return Mono.defer(() -> {
            fetches.failWaiting(() -> new InvalidRequestError("The session was closed before this fetch ran"));
            Connection c = connection;
            connection = null;
            closed = true;
            rowLock.lock();
            try {
                // An operation still loading rows (not guarded by busy: close() always runs) stops
                // taking them from here on, with an InvalidRequestError if it was not cancelled.
                epoch = new Object();
                releaseAll();
                identityMap.clear();
                states.clear();
                ordered.clear();
            } finally {
                rowLock.unlock();
            }
            rollbackSteps.clear();
            failure = null;
            // As in rollback(): the release rolls back and cannot be cut off half-way by a cancel.
            return c == null ? Mono.empty() : c.close();
        });
    }

    // ================================================================= internals

    private Mono<Void> flushInternal() {
        checkUsable();
        if (flushing) {
            return Mono.empty(); // autoflush inside a flush listener: the flush under way takes the changes
        }
        UnitOfWork.Plan plan = plan();
        if (plan.isEmpty() && plan.dirty.isEmpty()) {
            return Mono.empty();
        }
        Mono<Void> work;
        if (!events.hasFlushListeners()) {
            work = send(plan);
        } else {
            Mono<UnitOfWork.Plan> planned = events.hasBeforeFlush()
                    ? withStatements(events.fireBeforeFlush(FlushContext.of(this, plan))).then(Mono.fromSupplier(this::plan))
                    : Mono.just(plan);
            work = planned.map(this::fireModified).flatMap(p -> send(p).then(Mono.defer(() -> events.hasAfterFlush()
                    ? withStatements(events.fireAfterFlush(FlushContext.of(this, p))) : Mono.empty())));
        }
        // Cleared before the signal goes downstream (not in doFinally): the caller's next flush may start at once.
        // Flushing also while BEGIN's afterTransactionCreate listeners run: their queries must not autoflush this plan again.
        Mono<Void> flush = Mono.defer(() -> {
            flushing = true;
            return work;
        }).doOnTerminate(() -> flushing = false).doOnCancel(this::flushCancelled);
        return flush.onErrorMap(e -> {
            Throwable own = SessionEvents.unwrap(e);
            RetortException t = own instanceof RetortException ? (RetortException) own
                    : new InvalidRequestError(e instanceof SessionEvents.ListenerFailure
                    ? "A " + ((SessionEvents.ListenerFailure) e).event + " listener failed: " + own : String.valueOf(own.getMessage()), own);
            failure = t;
            failedDuring = "flush";
            LOG.debug("flush failed; the session needs a rollback", t);
            // A listener's own error goes to the caller as it is; others as the typed error.
            return e instanceof SessionEvents.ListenerFailure ? own : t;
        });
    }

    /**
     * A flush cut off by a cancel (a timeout, a failing sibling, a disposed chain): inside a
     * transaction some of its statements may have run while their objects are not yet marked
     * flushed, so the next flush would send them again (a duplicate INSERT, found by the F35
     * session storm). As after a failed flush, the session needs a rollback, whichever operation
     * (flush, commit, or a query's autoflush) was cancelled.
     */
    private void flushCancelled() {
        if (flushing) {
            flushing = false;
            Connection c = connection;
            if (c != null && c.isInTransaction() && failure == null) {
                failure = new InvalidRequestError("A flush was cancelled while it ran; some of its statements may"
                        + " have run");
                failedDuring = "a cancelled flush";
            }
        }
    }

    /**
     * Plans a flush under the row lock: close() (not refused while an operation runs) clears the
     * collections the plan reads, from another thread (F35: an ArrayIndexOutOfBoundsException in
     * the session storm).
     */
    private UnitOfWork.Plan plan() {
        rowLock.lock();
        try {
            return unitOfWork.plan();
        } finally {
            rowLock.unlock();
        }
    }

    /** Sends a planned flush; a plan with only flagDirty objects sends nothing (and begins no transaction). */
    private Mono<Void> send(UnitOfWork.Plan plan) {
        if (plan.isEmpty()) {
            return Mono.fromRunnable(() -> plan.dirty.forEach(InstanceState::clearFlags));
        }
        // The epoch the plan was made in: a close() since then expunged its objects.
        Object started = epoch;
        return Mono.defer(() -> {
            if (epoch != started) {
                return Mono.error(new InvalidRequestError("The session was closed while this flush ran: nothing"
                        + " was sent"));
            }
            return connection(true).flatMap(c -> unitOfWork.execute(plan, c)).doOnSuccess(v -> {
                // F35: the end of a flush that was cancelled (or outlived by close()) may arrive on
                // the driver's thread while the next operation uses the objects; it must not mark
                // or re-file them. A cancelled flush in a transaction needs a rollback anyway.
                rowLock.lock();
                try {
                    if (epoch == started) {
                        unitOfWork.markClean(plan);
                    }
                } finally {
                    rowLock.unlock();
                }
            });
        });
    }

    /**
     * Fires modified attribute events for the plan's dirty objects (O11), then plans again if any
     * fired, since a listener may have changed more.
     */
    private UnitOfWork.Plan fireModified(UnitOfWork.Plan plan) {
        if (!events.attributes().hasModifiedListeners()) {
            return plan;
        }
        boolean fired = false;
        for (InstanceState st : plan.dirty) {
            List<Integer> changed = st.changedProperties();
            if (!changed.isEmpty()) {
                events.attributes().fireModified(st, changed);
                fired = true;
            }
        }
        return fired ? plan() : plan;
    }

    /** Runs listeners that may use this session: their operations pass the busy guard meanwhile. */
    private Mono<Void> withStatements(Mono<Void> listeners) {
        return Mono.defer(() -> {
            listening++;
            // Before the signal goes downstream: the operation's next step must not find the guard open.
            return listeners.doOnTerminate(() -> listening--).doOnCancel(() -> listening--);
        });
    }

    /** Runs listeners during which the session sends nothing (afterCommit, afterRollback). */
    private Mono<Void> withoutStatements(String event, Mono<Void> listeners) {
        return Mono.defer(() -> {
            String outer = noStatementsIn;
            noStatementsIn = event;
            return listeners.doOnTerminate(() -> noStatementsIn = outer).doOnCancel(() -> noStatementsIn = outer);
        });
    }

    /**
     * The session's connection, acquired on first use; with {@code transactional}, inside the
     * session's transaction, begun now if it has not been.
     */
    /** This session as a holder of its engine's connections, for nested-acquisition checks (RELIABILITY F8). */
    private final java.util.function.BooleanSupplier connectionHolder = this::holdsConnection;

    /** {@code ctx} marked as running inside this session's scope: another checkout there is a nested one. */
    reactor.util.context.Context markHolding(reactor.util.context.Context ctx) {
        return engine.markHolding(ctx, connectionHolder);
    }

    private Mono<Connection> connection(boolean transactional) {
        return connection(transactional, null);
    }

    private Mono<Connection> connection(boolean transactional, IsolationLevel isolation) {
        Connection held = connection;
        if (held != null && (!transactional || held.isInTransaction())) {
            return Mono.just(held);
        }
        // Keep the connection as soon as it is acquired, so close() releases it even if the
        // subscriber cancels while BEGIN is in flight.
        Mono<Connection> acquired = held != null ? Mono.just(held) : engine.open(connectionHolder).map(this::adopt);
        if (!transactional) {
            return acquired;
        }
        Mono<Connection> begun = acquired.flatMap(c -> c.begin(isolation).thenReturn(c).onErrorResume(e -> {
            connection = null;
            return c.close().then(Mono.error(e));
        }));
        if (!events.hasAfterTransactionCreate()) {
            return begun;
        }
        // O11: on demand, only when BEGIN was actually sent; the listener's own errors come through as they are.
        return begun.flatMap(c -> withStatements(events.fireAfterTransactionCreate(this)).onErrorMap(SessionEvents::unwrap)
                .thenReturn(c));
    }

    /**
     * Makes {@code c} the session's connection, unless another operation's checkout got there
     * first: a cancelled operation frees the session before its cancel has reached its checkout,
     * so a connection on its way to it can land while the next operation acquires its own
     * (found by the F35 session storm). The session keeps one; the other goes back to the pool,
     * where overwriting it would have lost it for good.
     */
    private synchronized Connection adopt(Connection c) {
        Connection current = connection;
        if (current != null && current != c) {
            c.close().subscribe(null, e -> LOG.debug("returning a surplus connection failed", e));
            return current;
        }
        connection = c;
        return c;
    }

    private void checkOpen() {
        if (closed && states.isEmpty() && connection == null) {
            closed = false; // a closed session is reusable, like SQLAlchemy's
        }
    }

    private void checkUsable() {
        if (failure != null) {
            throw new PendingRollbackError("This Session's transaction has been rolled back due to a previous exception"
                    + " during " + failedDuring + ". To begin a new transaction with this Session, first issue Session.rollback()."
                    + " Original exception was: " + failure.getMessage(), failure);
        }
    }

    private <T> Flux<T> guarded(Flux<T> op) {
        return guarded(op, false);
    }

    /**
     * @param readOnly the operation only reads: cancelled while no statement of it ran (the
     *                 connection is still valid), it leaves the transaction as it was. Otherwise a
     *                 cancel inside a transaction requires a rollback, as the operation may have
     *                 been cut between two of its writes.
     */
    private <T> Flux<T> guarded(Flux<T> op, boolean readOnly) {
        return Flux.defer(() -> {
            if (listening > 0 && busy.get()) {
                return op; // a listener's operation inside the one that fired it: that one holds the session
            }
            if (!busy.compareAndSet(false, true)) {
                if (noStatementsIn != null) {
                    return Flux.error(new ConcurrentSessionUseError("The session runs no statements inside its "
                            + noStatementsIn + " listeners"));
                }
                return Flux.error(new ConcurrentSessionUseError("This session is already running an operation;"
                        + " concurrent operations on one session are not permitted (use one session per flow)"));
            }
            // Free the session before the terminal signal reaches the subscriber, so a chained
            // operation (flush().then(commit())) is not mistaken for a concurrent one. A cancel is
            // handled in doFinally, which runs after the cancel has reached the statement: the
            // statement must mark its connection unusable (and ask the server to stop) before the
            // connection is handed back, or the pool takes it back as healthy and the server's
            // late cancel hits the next statement run on it (SQLSTATE 57014 in a TCK run).
            return op.doOnTerminate(() -> busy.set(false)).doFinally(signal -> {
                if (signal != reactor.core.publisher.SignalType.CANCEL) {
                    return;
                }
                endEpoch();
                // A statement cancelled mid-stream costs the connection (the engine discards it), and
                // with it the transaction: the session must be rolled back before further use (F6).
                Connection c = connection;
                if (c != null && c.isInTransaction() && readOnly && !c.isInvalidated()) {
                    // Cut between two reads: nothing was lost, the transaction goes on.
                    busy.set(false);
                    return;
                }
                if (c != null && c.isInTransaction()) {
                    if (failure == null) {
                        failure = new InvalidRequestError("An operation was cancelled while it ran; its connection and"
                                + " transaction were discarded");
                        failedDuring = "a cancelled operation";
                    }
                } else if (c != null) {
                    // No transaction to lose: hand the connection back (the engine discards it if the
                    // cancelled statement left it unusable) and take a fresh one with the next statement.
                    connection = null;
                    c.close().subscribe(null, e -> LOG.debug("releasing a connection after a cancel failed", e));
                }
                busy.set(false);
            });
        });
    }

    private <T> Mono<T> guarded(Mono<T> op) {
        return Mono.defer(() -> {
            if (listening > 0 && busy.get()) {
                return op; // a listener's operation inside the one that fired it: that one holds the session
            }
            if (!busy.compareAndSet(false, true)) {
                if (noStatementsIn != null) {
                    return Mono.error(new ConcurrentSessionUseError("The session runs no statements inside its "
                            + noStatementsIn + " listeners"));
                }
                return Mono.error(new ConcurrentSessionUseError("This session is already running an operation;"
                        + " concurrent operations on one session are not permitted (use one session per flow)"));
            }
            // doOnSuccess/doOnError run before the signal goes downstream: the session is free when the
            // subscriber sees the result.
            return op.doOnSuccess(v -> busy.set(false)).doOnError(e -> busy.set(false)).doOnCancel(() -> {
                endEpoch();
                busy.set(false);
            });
        });
    }

    /**
     * A cancelled operation gives the session up: waits for a row it is taking in on another
     * thread (microseconds of in-memory work), then makes sure it takes no more (F35).
     */
    private void endEpoch() {
        rowLock.lock();
        try {
            epoch = new Object();
        } finally {
            rowLock.unlock();
        }
    }

    /** The current epoch: a loader keeps the one it started in (see {@link Loading}). */
    Object epoch() {
        return epoch;
    }

    java.util.concurrent.locks.ReentrantLock rowLock() {
        return rowLock;
    }

    /** B14: why a session may not hold an object, and the fix. */
    private static final String DETACHED_HINT = " (it was never added, or was expunged, or its session was closed):"
            + " merge it into this session (session.merge) first";

    private static String describe(Object entity) {
        return entity.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(entity));
    }

    Collection<InstanceState> states() {
        return new ArrayList<>(ordered);
    }

    InstanceState stateOf(IdentityKey key) {
        return identityMap.get(key);
    }

    InstanceState stateOfEntity(Object entity) {
        return states.get(entity);
    }

    /**
     * Makes room for {@code more} instances about to be registered (a loader's rows are all in
     * hand): one copy into maps of the final size instead of a chain of doublings, which took a
     * fifth of the CPU time of loading 10,000 children into a fresh session.
     */
    void reserve(int more) {
        int need = states.size() + more;
        if (more < 256 || need <= 2 * states.size()) {
            return; // small, or at most one doubling: growing as usual costs no more
        }
        IdentityHashMap<Object, InstanceState> s = new IdentityHashMap<>(need);
        s.putAll(states);
        states = s;
        int capacity = (int) Math.min(Integer.MAX_VALUE, need * 4L / 3 + 1);
        HashMap<IdentityKey, InstanceState> m = new HashMap<>(capacity);
        m.putAll(identityMap);
        identityMap = m;
        java.util.LinkedHashSet<InstanceState> o = new java.util.LinkedHashSet<>(capacity);
        o.addAll(ordered);
        ordered = o;
    }

    /** How many objects the session tracks: a mark for {@link #forgetSince}. */
    int trackedCount() {
        return ordered.size();
    }

    /** Forgets every object that joined the session after {@link #trackedCount} returned {@code mark}. */
    void forgetSince(int mark) {
        if (ordered.size() <= mark) {
            return;
        }
        List<InstanceState> recent = new ArrayList<>(ordered.size() - mark);
        int i = 0;
        for (InstanceState st : ordered) {
            if (i++ >= mark) {
                recent.add(st);
            }
        }
        recent.forEach(this::forget);
    }

    void register(InstanceState st) {
        SessionOwnership.claim(st.entity, self);
        states.put(st.entity, st);
        ordered.add(st);
        if (st.key != null) {
            identityMap.put(st.key, st);
        }
    }

    InstanceState addPending(Object entity) {
        Mapper<?> m = registry.mapper(entity.getClass());
        if (shardOwner != null) {
            // O14: an object belongs to one shard; reaching it from this shard's objects must not copy it here.
            shardOwner.checkJoining(this, entity);
        }
        AsyncSession owner = SessionOwnership.owner(entity);
        if (owner != null && owner != this && owner.contains(entity)) {
            // B14: two sessions flushing one object would INSERT its row twice.
            throw new AlreadyAttachedError("Object " + describe(entity) + " is already attached to another open session;"
                    + " expunge it from that session (or close it) first, or merge a copy into this one (session.merge)");
        }
        InstanceState st = new InstanceState(entity, m, InstanceState.Status.PENDING);
        if (m.hierarchy() != null) {
            // O8: the class decides the discriminator, whatever a mapped field holds.
            st.setValue(m.properties().indexOf(m.hierarchy().discriminator), m.discriminatorValue());
        }
        List<Object> key = st.identityValues();
        if (!key.contains(null)) {
            InstanceState other = identityMap.get(keyOf(m, key));
            if (other != null && other.entity != entity) {
                // O4 (seed 1.4): a new instance with an already mapped key warns; the database's IntegrityError follows.
                LOG.warn("New instance {} with identity key {} conflicts with persistent instance {}", describe(entity),
                        key, describe(other.entity));
            }
        }
        SessionOwnership.claim(entity, self);
        states.put(entity, st);
        ordered.add(st);
        return st;
    }

    /** Records an in-memory change to undo if the transaction rolls back (O9); cleared at commit. */
    void onRollback(Runnable undo) {
        rollbackSteps.add(undo);
    }

    /** Drops this session's ownership claims (B14) before its maps are cleared. */
    private void releaseAll() {
        for (Object entity : states.keySet()) {
            SessionOwnership.release(entity, self);
        }
    }

    /**
     * How many updated objects flushes have re-filed in the identity map (those whose UPDATE set a
     * primary-key column), for tests that check a flush of other changes does not re-key.
     */
    volatile long flushRekeys;

    /** B13: re-files a persistent object under its current primary key, when a flush or a rollback changed it. */
    void rekey(InstanceState st) {
        if (st.key == null) {
            return;
        }
        List<Object> now = st.identityValues();
        if (now.equals(st.key.key())) {
            return;
        }
        if (identityMap.get(st.key) == st) {
            identityMap.remove(st.key);
        }
        st.key = keyOf(st.mapper, now);
        identityMap.put(st.key, st);
    }

    void identify(InstanceState st) {
        identityMap.put(st.key, st);
    }

    void forget(InstanceState st) {
        SessionOwnership.release(st.entity, self);
        states.remove(st.entity);
        ordered.remove(st);
        if (st.key != null && identityMap.get(st.key) == st) {
            identityMap.remove(st.key);
        }
    }
}
