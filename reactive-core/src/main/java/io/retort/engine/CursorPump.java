package io.retort.engine;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives {@link Connection#cursor}'s FETCHes by demand: one at a time, the next only once the
 * previous has ended and the subscriber has asked for another chunk. Reactor's {@code concatMap}
 * would subscribe the next FETCH as soon as the previous one completed (without prefetch it still
 * requests the next source at once), sending it while the subscriber may be running statements of
 * its own between chunks. A chunk shorter than the chunk size is the last; an empty one is not
 * emitted. Cancelling disposes the FETCH in flight, if any.
 */
final class CursorPump {
    private final FluxSink<List<Row>> sink;
    private final Mono<List<Row>> fetch;
    private final int chunkSize;
    /** A FETCH is in flight (or being started): no second one. */
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean done;
    private final Disposable.Swap inFlight = Disposables.swap();

    CursorPump(FluxSink<List<Row>> sink, Mono<List<Row>> fetch, int chunkSize) {
        this.sink = sink;
        this.fetch = fetch;
        this.chunkSize = chunkSize;
        sink.onDispose(inFlight);
        sink.onRequest(n -> pump());
    }

    /**
     * Starts the next FETCH if there is demand and none is running. Called on every request and
     * after every chunk: whichever of the two comes last sees both the demand and the idle cursor.
     */
    private void pump() {
        if (done || sink.isCancelled() || sink.requestedFromDownstream() == 0 || !running.compareAndSet(false, true)) {
            return;
        }
        inFlight.update(fetch.subscribe(this::chunk, e -> {
            done = true;
            sink.error(e);
        }));
    }

    private void chunk(List<Row> rows) {
        boolean last = rows.size() < chunkSize;
        if (!rows.isEmpty()) {
            sink.next(rows);
        }
        if (last) {
            done = true;
            sink.complete();
            return;
        }
        running.set(false);
        pump();
    }
}
