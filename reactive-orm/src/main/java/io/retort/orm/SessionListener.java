package io.retort.orm;

import reactor.core.publisher.Mono;

import java.util.function.Consumer;

/**
 * A session event listener (O11): given the event's context, it returns a {@code Mono<Void>} that
 * completes when it is done, or use {@link #sync} for a plain synchronous one. Listeners of one
 * event run one after the other, factory-wide ones first, each in the order registered; a
 * listener's error (thrown or signalled) fails the operation with that very error.
 *
 * <p>A reactive listener may do I/O, but on the session's connection only through the
 * {@link AsyncSession} its context hands it (for {@code beforeFlush}, {@code afterFlush} and
 * {@code afterTransactionCreate}): the session lets those nested operations through while the
 * listener runs. It must never block.
 *
 * @param <C> the event's context: {@link FlushContext} for flush events, the {@link AsyncSession}
 *            for the others
 */
@FunctionalInterface
public interface SessionListener<C> {
    /** Handles the event; a null return counts as an empty Mono. */
    Mono<Void> on(C context);

    /** A synchronous listener: {@code action} runs on the thread that signals the event. */
    static <C> SessionListener<C> sync(Consumer<? super C> action) {
        java.util.Objects.requireNonNull(action, "action");
        return c -> {
            action.accept(c);
            return Mono.empty();
        };
    }
}
