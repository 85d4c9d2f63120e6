package io.retort.engine;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
    /**
     * Chunks asked for and not yet handed to the sink. Counted here, not read from the sink: the
     * sink lowers its own count only after the subscriber's onNext returns, so a FETCH that ended
     * meanwhile on another thread would see a request already served and read a chunk ahead, which
     * a cancel between chunks would then cut short (and the session's connection with it).
     */
    private final AtomicLong demand = new AtomicLong();
    private volatile boolean done;
    private final Disposable.Swap inFlight = Disposables.swap();

    CursorPump(FluxSink<List<Row>> sink, Mono<List<Row>> fetch, int chunkSize) {
        this.sink = sink;
        this.fetch = fetch;
        this.chunkSize = chunkSize;
        sink.onDispose(inFlight);
        // The sink reports each request once (those made before this registration as one sum).
        sink.onRequest(n -> {
            demand.accumulateAndGet(n, Operators::addCap);
            pump();
        });
    }

    /**
     * Starts the next FETCH if there is demand and none is running. Called on every request and
     * after every chunk: whichever of the two comes last sees both the demand and the idle cursor.
     */
    private void pump() {
        if (done || sink.isCancelled() || demand.get() == 0 || !running.compareAndSet(false, true)) {
            return;
        }
        // Registered before it is subscribed: its chunk, and so the next pump() on the thread that
        // delivers it, can only come after. Stored after subscribing (a swap's update() disposes
        // what it replaces), a caller descheduled in between could put this FETCH back over the
        // next one, still running, and dispose that: its chunk would never come and the stream
        // would stall for good. The FETCH replaced here has delivered (running was false).
        Fetch next = new Fetch();
        if (inFlight.replace(next)) {
            fetch.subscribe(next);
        } // else the subscriber cancelled meanwhile (inFlight disposed): send nothing
    }

    private void chunk(List<Row> rows) {
        boolean last = rows.size() < chunkSize;
        if (!rows.isEmpty()) {
            if (demand.get() != Long.MAX_VALUE) {
                demand.decrementAndGet();
            }
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

    /** One FETCH's subscriber; disposing it (a cancel) cancels the FETCH if it still runs. */
    private final class Fetch extends BaseSubscriber<List<Row>> {
        @Override
        protected void hookOnNext(List<Row> rows) {
            chunk(rows);
        }

        @Override
        protected void hookOnError(Throwable e) {
            done = true;
            sink.error(e);
        }
    }
}
