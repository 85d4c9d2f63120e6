package io.retort.orm;

import io.retort.error.ArgumentError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * Session events (O11): listeners registered on a {@link SessionFactory#events()} apply to every
 * session it opens (also ones already open); those registered on an {@link AsyncSession#events()}
 * to that session only, after the factory's. Registration is thread-safe. No event does hidden
 * I/O: each fires where the session already is at that point.
 *
 * <pre>{@code
 * // e.g. stamp new objects, count commits, and hide archived albums from every ORM query
 * sessions.events()
 *     .beforeFlush(SessionListener.sync(ctx -> ctx.newObjects().forEach(audit::stamp)))
 *     .afterCommit(SessionListener.sync(s -> commits.incrementAndGet()))
 *     .onExecute((query, session) -> query.type() == Album.class
 *             ? ((EntitySelect<Album>) query).where(Album_.archived.isFalse()) : query);
 * }</pre>
 *
 * <ul>
 *   <li>{@link #beforeFlush}: before a flush that has something to do (new, dirty, deleted objects,
 *   collection changes, or an object flagged with {@link AsyncSession#flagDirty}). Objects added,
 *   changed or deleted by the listener join this flush: it is planned again afterwards.</li>
 *   <li>{@link #afterFlush}: after the flush's statements succeeded and the objects were marked
 *   clean (SQLAlchemy's after_flush_postexec point); its {@link FlushContext} lists what was
 *   flushed. Changes made here go to the next flush.</li>
 *   <li>{@link #afterCommit}: after the COMMIT, once the connection is back in the pool.</li>
 *   <li>{@link #afterRollback}: after the ROLLBACK of a begun transaction and BEFORE the objects
 *   are restored or expunged, so the listener still sees their pre-rollback state.</li>
 *   <li>{@link #afterTransactionCreate}: when the session's transaction actually begins (with
 *   the first statement that needs it, or {@link AsyncSession#begin}); never for plain reads in
 *   autocommit. A flush begins it on demand, so after its beforeFlush listeners ran. Savepoints
 *   ({@link AsyncSession#beginNested}) are not new transactions here.</li>
 *   <li>{@link #onExecute}: sees each top-level ORM query ({@link AsyncSession#execute(EntitySelect)},
 *   {@code stream}, a {@code get} that misses the identity map) and may return a replacement.</li>
 * </ul>
 *
 * A listener error fails the operation with that error. For flush listeners the session then
 * needs a {@link AsyncSession#rollback} like after any failed flush; afterCommit's error comes
 * after a COMMIT that happened. The session runs no statement inside afterCommit or afterRollback
 * (as SQLAlchemy): an operation there fails with a {@link ConcurrentSessionUseError}.
 * {@link AsyncSession#close} fires no events.
 */
public final class SessionEvents {
    /**
     * A hook on ORM queries, like SQLAlchemy's do_orm_execute: returns the query to run (the
     * same one, or an augmented copy, e.g. with an added criterion). It must return a query of the
     * same entity type. Synchronous: it runs before the query is sent and must not do I/O.
     */
    @FunctionalInterface
    public interface ExecuteHook extends BiFunction<EntitySelect<?>, AsyncSession, EntitySelect<?>> {
    }

    /** Carries a listener's error through the session's operators, so it can be told from a statement's. */
    static final class ListenerFailure extends RuntimeException {
        final String event;

        ListenerFailure(String event, Throwable cause) {
            super(cause);
            this.event = event;
        }
    }

    private final SessionEvents parent;
    private final AttributeEvents attributes;
    private final List<SessionListener<FlushContext>> beforeFlush = new CopyOnWriteArrayList<>();
    private final List<SessionListener<FlushContext>> afterFlush = new CopyOnWriteArrayList<>();
    private final List<SessionListener<AsyncSession>> afterCommit = new CopyOnWriteArrayList<>();
    private final List<SessionListener<AsyncSession>> afterRollback = new CopyOnWriteArrayList<>();
    private final List<SessionListener<AsyncSession>> afterTransactionCreate = new CopyOnWriteArrayList<>();
    private final List<ExecuteHook> execute = new CopyOnWriteArrayList<>();

    SessionEvents(SessionEvents parent, OrmRegistry registry) {
        this.parent = parent;
        this.attributes = new AttributeEvents(parent == null ? null : parent.attributes, registry);
    }

    /** Attribute events (collection append/remove/bulk replace, modified) at this level. */
    public AttributeEvents attributes() {
        return attributes;
    }

    /** Registers a listener run before each flush that has work; see the class comment. */
    public SessionEvents beforeFlush(SessionListener<FlushContext> listener) {
        beforeFlush.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Registers a listener run after each flush that had work; see the class comment. */
    public SessionEvents afterFlush(SessionListener<FlushContext> listener) {
        afterFlush.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Registers a listener run after each commit of a begun transaction. */
    public SessionEvents afterCommit(SessionListener<AsyncSession> listener) {
        afterCommit.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Registers a listener run after each rollback of a begun transaction, before objects are restored. */
    public SessionEvents afterRollback(SessionListener<AsyncSession> listener) {
        afterRollback.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Registers a listener run when the session's transaction actually begins. */
    public SessionEvents afterTransactionCreate(SessionListener<AsyncSession> listener) {
        afterTransactionCreate.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Registers a hook that sees, and may replace, every top-level ORM query before it runs. */
    public SessionEvents onExecute(ExecuteHook hook) {
        execute.add(java.util.Objects.requireNonNull(hook, "hook"));
        return this;
    }

    // ================================================================= dispatch (package-private)

    boolean hasFlushListeners() {
        return !beforeFlush.isEmpty() || !afterFlush.isEmpty() || attributes.hasModifiedListeners()
                || parent != null && parent.hasFlushListeners();
    }

    boolean hasBeforeFlush() {
        return !beforeFlush.isEmpty() || parent != null && parent.hasBeforeFlush();
    }

    boolean hasAfterFlush() {
        return !afterFlush.isEmpty() || parent != null && parent.hasAfterFlush();
    }

    boolean hasAfterTransactionCreate() {
        return !afterTransactionCreate.isEmpty() || parent != null && parent.hasAfterTransactionCreate();
    }

    boolean hasAfterCommit() {
        return !afterCommit.isEmpty() || parent != null && parent.hasAfterCommit();
    }

    boolean hasAfterRollback() {
        return !afterRollback.isEmpty() || parent != null && parent.hasAfterRollback();
    }

    Mono<Void> fireBeforeFlush(FlushContext ctx) {
        return fire("beforeFlush", ctx, this, e -> e.beforeFlush);
    }

    Mono<Void> fireAfterFlush(FlushContext ctx) {
        return fire("afterFlush", ctx, this, e -> e.afterFlush);
    }

    Mono<Void> fireAfterCommit(AsyncSession s) {
        return fire("afterCommit", s, this, e -> e.afterCommit);
    }

    Mono<Void> fireAfterRollback(AsyncSession s) {
        return fire("afterRollback", s, this, e -> e.afterRollback);
    }

    Mono<Void> fireAfterTransactionCreate(AsyncSession s) {
        return fire("afterTransactionCreate", s, this, e -> e.afterTransactionCreate);
    }

    private static <C> Mono<Void> fire(String event, C ctx, SessionEvents leaf,
                                       java.util.function.Function<SessionEvents, List<SessionListener<C>>> which) {
        List<SessionListener<C>> all = new java.util.ArrayList<>();
        collect(leaf, which, all);
        if (all.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(all).concatMap(l -> Mono.defer(() -> {
            Mono<Void> m = l.on(ctx);
            return m == null ? Mono.<Void>empty() : m;
        }).onErrorMap(e -> new ListenerFailure(event, e))).then();
    }

    private static <C> void collect(SessionEvents e, java.util.function.Function<SessionEvents, List<SessionListener<C>>> which,
                                    List<SessionListener<C>> out) {
        if (e.parent != null) {
            collect(e.parent, which, out); // the factory's listeners first
        }
        out.addAll(which.apply(e));
    }

    /** The query the execute hooks make of {@code query} (itself when there are none). */
    @SuppressWarnings("unchecked")
    <E> EntitySelect<E> applyExecuteHooks(EntitySelect<E> query, AsyncSession session) {
        EntitySelect<E> q = parent == null ? query : parent.applyExecuteHooks(query, session);
        for (ExecuteHook h : execute) {
            EntitySelect<?> next = h.apply(q, session);
            if (next == null || next.type() != q.type()) {
                throw new ArgumentError("An onExecute hook must return a query of " + q.type().getSimpleName()
                        + ", not " + (next == null ? "null" : "one of " + next.type().getSimpleName()));
            }
            q = (EntitySelect<E>) next;
        }
        return q;
    }

    /** A listener's own error, out of its carrier (other errors unchanged). */
    static Throwable unwrap(Throwable e) {
        return e instanceof ListenerFailure ? e.getCause() : e;
    }
}
