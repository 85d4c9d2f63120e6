package io.retort.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import reactor.core.publisher.Sinks;

/**
 * One Retort connection kept open for a whole trial, the counterpart of the raw side's single
 * driver connection: {@code engine.connect(c -> ...)} scopes a connection to a publisher, so the
 * scope here is a publisher that completes only when the trial ends ({@link #close}). Statements
 * run on {@link #connection()} one at a time from the JMH thread, as on the raw side.
 */
public final class HeldConnection implements AutoCloseable {
    private final Engine engine;
    private final Connection connection;
    private final Sinks.Empty<Void> done;
    private final CountDownLatch scopeEnded;

    private HeldConnection(Engine engine, Connection connection, Sinks.Empty<Void> done, CountDownLatch scopeEnded) {
        this.engine = engine;
        this.connection = connection;
        this.done = done;
        this.scopeEnded = scopeEnded;
    }

    /** Opens one connection of {@code engine} and keeps its scope open until {@link #close}. */
    public static HeldConnection open(Engine engine) {
        Sinks.Empty<Void> done = Sinks.empty();
        CompletableFuture<Connection> got = new CompletableFuture<>();
        CountDownLatch scopeEnded = new CountDownLatch(1);
        engine.connect(c -> {
            got.complete(c);
            return done.asMono();
        }).subscribe(x -> { }, e -> {
            got.completeExceptionally(e);
            scopeEnded.countDown();
        }, scopeEnded::countDown);
        try {
            return new HeldConnection(engine, got.get(BenchDatabase.TIMEOUT.toSeconds(), TimeUnit.SECONDS), done,
                    scopeEnded);
        } catch (Exception e) {
            engine.close();
            throw new IllegalStateException("Cannot open a Retort connection: " + e, e);
        }
    }

    public Connection connection() {
        return connection;
    }

    public Engine engine() {
        return engine;
    }

    /** Ends the connection scope (the engine releases the connection) and disposes the engine. */
    @Override
    public void close() {
        done.tryEmitEmpty();
        try {
            scopeEnded.await(BenchDatabase.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.dispose().block(BenchDatabase.TIMEOUT);
    }
}
