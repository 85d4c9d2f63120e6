/* X9: suspending and Flow forms of Result's helpers, and reified Row access. */
@file:JvmName("ResultCoroutines")

package io.retort.kotlin

import io.retort.engine.Result
import io.retort.engine.Row
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.reactive.asFlow
import kotlinx.coroutines.reactor.awaitSingle
import kotlinx.coroutines.reactor.awaitSingleOrNull

/** Every row as a cold [Flow] ([Result.rows]); stopping early cancels the statement (see [Result]). */
public fun Result.flow(): Flow<Row> = rows().asFlow()

/**
 * Exactly one row ([Result.one]): throws `NoResultFoundError` when there is none and
 * `MultipleResultsFoundError` when there are more (after reading them, so the connection stays usable).
 */
public suspend fun Result.awaitOne(): Row = one().awaitSingle()

/** At most one row ([Result.oneOrNone]): null when there is none, `MultipleResultsFoundError` when there are more. */
public suspend fun Result.awaitOneOrNull(): Row? = oneOrNone().awaitSingleOrNull()

/** The first row or null ([Result.first]); the rest are read and discarded, so give large queries a LIMIT. */
public suspend fun Result.awaitFirstOrNull(): Row? = first().awaitSingleOrNull()

/** The number of rows inserted, updated or deleted ([Result.rowsAffected]). */
public suspend fun Result.awaitRowsAffected(): Long = rowsAffected().awaitSingle()

/**
 * The first column of the first row as a [T], or null when there is no row or the value is SQL NULL
 * ([Result.scalar]): `c.execute(select(count()).from(TRACK)).awaitScalar<Long>()`. Kotlin's `Int`,
 * `Long`... ask for their boxed Java classes, to which Retort's numeric reads widen or narrow exactly.
 */
public suspend inline fun <reified T : Any> Result.awaitScalar(): T? = scalar(T::class.javaObjectType).awaitSingleOrNull()

/**
 * The first column of each row as a [T] ([Result.scalars]), as a cold [Flow]. A SQL NULL fails the
 * flow (Reactor streams carry no nulls): select non-null values, or read [Row]s.
 */
public inline fun <reified T : Any> Result.scalarFlow(): Flow<T> = scalars(T::class.javaObjectType).asFlow()

/**
 * Each row as a record of type [R] ([Result.into]), components matched to labels by name. Kotlin
 * classes qualify when they are JVM records: `@JvmRecord data class Track(val trackId: Int, val name: String)`.
 */
public inline fun <reified R : Record> Result.into(): Flow<R> = into(R::class.java).asFlow()

/** The value labelled [label], as a [T] ([Row.get] with a type), or null for SQL NULL. */
public inline fun <reified T : Any> Row.value(label: String): T? = get(label, T::class.javaObjectType)

/** The value at [index] (0-based), as a [T] ([Row.get] with a type), or null for SQL NULL. */
public inline fun <reified T : Any> Row.value(index: Int): T? = get(index, T::class.javaObjectType)
