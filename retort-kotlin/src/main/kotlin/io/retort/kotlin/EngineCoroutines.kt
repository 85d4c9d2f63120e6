/*
 * X9: Kotlin coroutine extensions for the Core API (Engine, Connection).
 *
 * Naming: a suspending scope is a noun (`connection { }`, `transaction { }`, `nested { }`), a
 * stream is `flow(...)`, and a suspending form of a method that returns a Mono is `await` + its
 * name. None of them can be captured by a Java member: Kotlin resolves an applicable member
 * before an extension, and would turn the block into the member's java.util.function.Function,
 * where a suspend call does not compile; so the scopes do not reuse the Java names (`connect`,
 * `inTransaction`, `inNested`, `withSession`...). The one shared name, `AsyncSession.get<E>(id)`,
 * is safe: the Java `get` needs a Class first, so it never applies to such a call.
 */
@file:JvmName("EngineCoroutines")

package io.retort.kotlin

import io.r2dbc.spi.IsolationLevel
import io.retort.engine.Connection
import io.retort.engine.Engine
import io.retort.engine.Row
import io.retort.sql.Statement
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.reactive.asFlow
import kotlinx.coroutines.reactor.awaitSingleOrNull

/**
 * Runs [block] with a connection of this engine and returns its value; the connection goes back
 * to the pool when the block returns or throws. Statements run in autocommit unless the block
 * opens a transaction ([Connection.transaction]).
 *
 * ```kotlin
 * val names = engine.connection { c -> c.flow(select(ARTIST.name).from(ARTIST)).map { it.get(ARTIST.name) }.toList() }
 * ```
 *
 * Built on [Engine.connect]: the coroutine's context, with its `ReactorContext`, reaches the
 * statements (a statement observer sees it). Cancelling the caller cancels the scope: a statement
 * cut short invalidates the connection (see [Connection]), and the connection is released in the
 * background, after this function has thrown its `CancellationException`. Never blocks a thread.
 */
public suspend fun <T> Engine.connection(block: suspend (Connection) -> T): T =
    scope({ work -> connect(work) }, block)

/**
 * Runs [block] in a transaction and returns its value once the transaction has committed: COMMIT
 * when the block returns, ROLLBACK when it throws (the exception is then rethrown) or when the
 * calling coroutine is cancelled. The connection goes back to the pool in every case.
 *
 * ```kotlin
 * val id = engine.transaction { c ->
 *     c.execute(insert(ARTIST).set(ARTIST.name, "Nina Simone").returning(ARTIST.artistId)).awaitOne().get(ARTIST.artistId)
 * }
 * ```
 *
 * Built on [Engine.inTransaction]; [isolation] null leaves the server's default. On cancellation
 * this function throws at once and the rollback and release finish in the background (the engine's
 * `dispose()` waits for them). Never blocks a thread.
 */
public suspend fun <T> Engine.transaction(isolation: IsolationLevel? = null, block: suspend (Connection) -> T): T =
    scope({ work -> inTransaction(isolation, work) }, block)

/**
 * The rows of [statement], run in autocommit on a connection of its own, as a cold [Flow]: each
 * collection executes the statement once. The connection is released when the flow completes,
 * fails or its collector stops early (a `take(n)`, `first()`, a cancelled collector); stopping
 * early while rows still arrive closes that connection rather than returning it half-read
 * (see [Connection]). Built on [Engine.execute]; the collector's `ReactorContext` reaches the
 * statement.
 */
public fun Engine.flow(statement: Statement): Flow<Row> = execute(statement).asFlow()

/**
 * Closes the pool and its connections without blocking: the suspending form of [Engine.dispose]
 * (connections of cancelled scopes still being released are waited for first).
 */
public suspend fun Engine.awaitDispose() {
    dispose().awaitSingleOrNull()
}

/**
 * Runs [block] in a transaction on this connection: COMMIT when it returns, ROLLBACK when it throws
 * or the caller is cancelled. Inside a transaction already, the block joins it, and its failure
 * makes the outer transaction roll back ([Connection.inTransaction]'s rules). Returns the block's
 * value after the COMMIT.
 */
public suspend fun <T> Connection.transaction(isolation: IsolationLevel? = null, block: suspend (Connection) -> T): T =
    scope({ work -> inTransaction(isolation, work) }, block)

/**
 * Runs [block] inside a SAVEPOINT: released when the block returns, rolled back to when it throws
 * (the exception is rethrown; the enclosing transaction goes on) or the caller is cancelled.
 * Starts a transaction first when none is active. Built on [Connection.inNested].
 */
public suspend fun <T> Connection.nested(block: suspend (Connection) -> T): T =
    scope({ work -> inNested(work) }, block)

/**
 * The rows of [statement] on this connection as a cold [Flow] (one execution per collection),
 * inside the connection's transaction if one is open. A collector that stops while rows still
 * arrive invalidates the connection, as any cancelled statement does (see [Connection]); use
 * `Result.awaitFirstOrNull()` and friends, or a LIMIT, when only some rows are wanted.
 */
public fun Connection.flow(statement: Statement): Flow<Row> = execute(statement).rows().asFlow()

/**
 * The rows of a SELECT read through a server-side cursor, [chunkSize] rows per round trip, one list
 * per chunk: the suspending form of [Connection.cursor] (a transaction must be open; dialects
 * without cursors fail the flow). Between chunks the connection is free for other statements.
 */
public fun Connection.cursorFlow(select: Statement, chunkSize: Int): Flow<List<Row>> = cursor(select, chunkSize).asFlow()
