/*
 * X9: Kotlin coroutine extensions for the ORM (SessionFactory, AsyncSession). Needs reactive-orm on
 * the class path (an optional dependency of this module); nothing here loads without it.
 */
@file:JvmName("OrmCoroutines")

package io.retort.kotlin

import io.r2dbc.spi.IsolationLevel
import io.retort.engine.Row
import io.retort.orm.AsyncSession
import io.retort.orm.BulkStatement
import io.retort.orm.EntityRow
import io.retort.orm.EntitySelect
import io.retort.orm.LoaderOption
import io.retort.orm.Relationship
import io.retort.orm.RowSelect
import io.retort.orm.SessionFactory
import io.retort.sql.Column
import io.retort.sql.Statement
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.reactive.asFlow
import kotlinx.coroutines.reactor.awaitSingle
import kotlinx.coroutines.reactor.awaitSingleOrNull

/**
 * Runs [block] with a new session and returns its value once the session is closed and its
 * connection back in the pool; anything not committed is rolled back then. Built on
 * [SessionFactory.withSession]; cancelling the caller closes the session in the background.
 *
 * ```kotlin
 * val artist: Artist? = sessions.session { s -> s.get<Artist>(22, selectinLoad(Artist_.albums)) }
 * ```
 */
public suspend fun <T> SessionFactory.session(block: suspend (AsyncSession) -> T): T =
    scope({ work -> withSession(work) }, block)

/**
 * Runs [block] in a session and commits when it returns; returns the block's value only after the
 * commit (flush included) has succeeded, so a caller never acts on a change that then failed to
 * commit: a failing commit throws its typed error instead. Rolls back when the block throws (the
 * exception is rethrown) or the caller is cancelled. Built on [SessionFactory.withTransaction].
 *
 * ```kotlin
 * val id = sessions.transaction { s -> Artist("Nina Simone").also { s.add(it); s.awaitFlush() }.id }
 * ```
 */
public suspend fun <T> SessionFactory.transaction(block: suspend (AsyncSession) -> T): T =
    scope({ work -> withTransaction(work) }, block)

/**
 * The entities of [query] from a session of their own, closed when the flow ends or its collector
 * stops: `sessions.flow(Orm.select(Artist::class.java))`. Built on [SessionFactory.inSession] and
 * [AsyncSession.execute] (eager loaders run before the first entity is emitted).
 */
public fun <E : Any> SessionFactory.flow(query: EntitySelect<E>): Flow<E> = inSession { s -> s.execute(query) }.asFlow()

/**
 * The entity of type [E] with primary key [id], or null: from the identity map without SQL when
 * present, else one SELECT ([AsyncSession.get]). A composite key is a `List` of its values. It
 * shares the Java method's name without being shadowed by it: that one takes the Class first.
 *
 * ```kotlin
 * val album = session.get<Album>(7, selectinLoad(Album_.tracks))
 * ```
 */
public suspend inline fun <reified E : Any> AsyncSession.get(id: Any, vararg options: LoaderOption): E? =
    get(E::class.java, id, *options).awaitSingleOrNull()

/** The entities of [query] as a cold [Flow], pending changes flushed first ([AsyncSession.execute]). */
public fun <E : Any> AsyncSession.flow(query: EntitySelect<E>): Flow<E> = execute(query).asFlow()

/**
 * The entities of [query] streamed [chunkSize] rows at a time with bounded memory
 * ([AsyncSession.stream]: eager loaders per chunk, which for loaders that send their own SQL needs
 * PostgreSQL's server-side cursors). The session is busy until the flow ends.
 */
public fun <E : Any> AsyncSession.flow(query: EntitySelect<E>, chunkSize: Int): Flow<E> = stream(query, chunkSize).asFlow()

/** One [EntityRow] per row of a multi-entity query ([AsyncSession.execute] of a [RowSelect]). */
public fun AsyncSession.flow(query: RowSelect): Flow<EntityRow> = execute(query).asFlow()

/** The rows of a Core statement run in the session's transaction ([AsyncSession.execute] of a [Statement]). */
public fun AsyncSession.flow(statement: Statement): Flow<Row> = execute(statement).asFlow()

/** Runs an ORM bulk UPDATE or DELETE and returns the number of rows matched ([AsyncSession.execute] of a [BulkStatement]). */
public suspend fun AsyncSession.awaitExecute(bulk: BulkStatement<*>): Long = execute(bulk).awaitSingle()

/** Flushes pending changes in one unit of work ([AsyncSession.flush]). */
public suspend fun AsyncSession.awaitFlush() {
    flush().awaitSingleOrNull()
}

/** Flushes and commits ([AsyncSession.commit]); the session begins a new transaction on next use. */
public suspend fun AsyncSession.awaitCommit() {
    commit().awaitSingleOrNull()
}

/** Rolls back and restores the objects as [AsyncSession.rollback] does; the session is usable again after. */
public suspend fun AsyncSession.awaitRollback() {
    rollback().awaitSingleOrNull()
}

/** Begins the session's transaction now ([AsyncSession.begin]); [isolation] null leaves the server's default. */
public suspend fun AsyncSession.awaitBegin(isolation: IsolationLevel? = null) {
    begin(isolation).awaitSingleOrNull()
}

/** Rolls back anything uncommitted and returns the connection ([AsyncSession.close]). */
public suspend fun AsyncSession.awaitClose() {
    close().awaitSingleOrNull()
}

/** Reloads [entity]'s columns, with `SELECT ... FOR UPDATE` when [forUpdate] ([AsyncSession.refresh]). */
public suspend fun AsyncSession.awaitRefresh(entity: Any, forUpdate: Boolean = false) {
    refresh(entity, forUpdate).awaitSingleOrNull()
}

/** Loads [column] and [more] columns of [entity] now with one SELECT by primary key ([AsyncSession.refresh] with columns). */
public suspend fun AsyncSession.awaitRefresh(entity: Any, column: Column<*>, vararg more: Column<*>) {
    refresh(entity, column, *more).awaitSingleOrNull()
}

/** The value of [column] on [entity], loading it first if its query left it out; null for SQL NULL ([AsyncSession.attribute]). */
public suspend fun <T> AsyncSession.awaitAttribute(entity: Any, column: Column<T>): T? = attribute(entity, column).awaitSingleOrNull()

/** Loads [relationship] of [entity] explicitly and returns its targets ([AsyncSession.fetch]). */
public suspend fun <S : Any, T> AsyncSession.awaitFetch(entity: S, relationship: Relationship<S, T>): List<T> =
    fetch(entity, relationship).awaitSingle()

/** Loads [relationship] for all [entities] with one IN query per chunk and returns the targets ([AsyncSession.fetchAll]). */
public suspend fun <S, T> AsyncSession.awaitFetchAll(entities: List<S>, relationship: Relationship<S, T>): List<T> =
    fetchAll(entities, relationship).awaitSingle()

/** Copies [detached]'s state onto the session's instance of the same identity and returns that instance ([AsyncSession.merge]). */
public suspend fun <E : Any> AsyncSession.awaitMerge(detached: E): E = merge(detached).awaitSingle()

/**
 * Runs [block] inside a SAVEPOINT ([AsyncSession.beginNested]): its failure rolls back to the
 * savepoint, expunges what it added and is rethrown; the session's transaction goes on. Pending
 * changes are flushed first, outside the savepoint.
 */
public suspend fun <T> AsyncSession.nested(block: suspend (AsyncSession) -> T): T =
    scope({ work -> beginNested(work) }, block)
