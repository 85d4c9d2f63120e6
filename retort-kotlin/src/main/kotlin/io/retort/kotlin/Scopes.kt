package io.retort.kotlin

import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.reactor.awaitSingleOrNull
import kotlinx.coroutines.reactor.mono
import org.reactivestreams.Publisher
import reactor.core.publisher.Flux
import reactor.core.publisher.Mono

/**
 * Runs [block] as the work of one of Retort's Reactor scopes and suspends until the scope has
 * ended, returning the block's value (the only one the scope emits).
 *
 * [open] is a Java scope (`Engine.inTransaction`, `SessionFactory.withTransaction`...) taking the
 * work as a function of the scoped resource. The block runs in `mono { }` with the caller's
 * coroutine context minus its Job (so its dispatcher, name and any `ReactorContext` carry over),
 * and `mono` adds the subscriber's Reactor context, so statements the block runs see both. The
 * value is returned only once the scope's publisher completes, that is after its COMMIT and its
 * release. Cancelling the caller cancels the subscription: the scope rolls back and releases in
 * the background (Retort's cancel path), and the block's coroutine is cancelled with it.
 */
@Suppress("UNCHECKED_CAST")
internal suspend fun <R, T> scope(open: (java.util.function.Function<R, Mono<T>>) -> Publisher<T>, block: suspend (R) -> T): T {
    val context = currentCoroutineContext().minusKey(Job)
    val scoped = open { resource -> mono(context) { block(resource) } }
    // singleOrEmpty waits for completion (it never cancels after the element, which would roll back).
    return Flux.from(scoped).singleOrEmpty().awaitSingleOrNull() as T
}
