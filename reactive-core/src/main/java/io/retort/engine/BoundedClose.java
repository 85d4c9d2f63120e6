package io.retort.engine;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The close of a driver connection, ended within a bound and with its socket closed
 * (RELIABILITY F15, F17, F32). The engine's pool destroys connections with it (the broken ones
 * Retort invalidated, those whose pre-ping failed or hung, and idle or retired ones), and an
 * unpooled engine closes an invalidated connection with it.
 *
 * <p>The driver's {@code close()} is subscribed and waited for at most {@code wait}. A driver
 * whose close queues behind a lost answer (r2dbc-mysql 1.4.2: F15 silence, F17 a row length
 * announcing bytes that never come, F32 a pre-ping that never answers) would otherwise hold
 * the pool's destroy, and with it r2dbc-pool's report of the failed validation, for as long as
 * the silence lasts. When the wait runs out, or when the close ended and left the socket open
 * (r2dbc-postgresql 1.0.9 after a message it could not decode; checked {@link #GRACE} after
 * the close ended), the socket is closed through
 * {@link DriverSocket}; the driver's close goes on and ends with it. The signal is the close's
 * own (its error, if it failed), or completion when the wait ran out. Cancelling it does not
 * cancel the close.
 *
 * <p>A driver whose socket Retort cannot reach (H2, the JDBC bridge, another shape) is closed
 * with its plain {@code close()}, as before: bounding the wait without closing the socket would
 * only hide the leak.
 */
final class BoundedClose {
    private BoundedClose() {
    }

    /**
     * Closes {@code connection} as described above; its socket is that of the driver connection
     * under any wrappers ({@link Connection#physicalOf}).
     */
    static Mono<Void> of(io.r2dbc.spi.Connection connection, Duration wait) {
        io.r2dbc.spi.Connection driver = Connection.physicalOf(connection);
        if (!DriverSocket.reachable(driver)) {
            return Mono.from(connection.close());
        }
        return Mono.create(sink -> {
            AtomicBoolean done = new AtomicBoolean();
            Disposable timer = DeadlineTimer.SHARED.schedule(() -> {
                if (done.compareAndSet(false, true)) {
                    if (DriverSocket.closeIfOpen(driver)) {
                        SqlLog.LOG.debug("closing {} took longer than {}: closed its socket", driver, wait);
                    }
                    sink.success();
                }
            }, wait.toNanos());
            Mono.from(connection.close()).subscribe(null, e -> {
                if (done.compareAndSet(false, true)) {
                    timer.dispose();
                    sink.error(e);
                    checkLater(driver);
                }
            }, () -> {
                if (done.compareAndSet(false, true)) {
                    timer.dispose();
                    sink.success();
                    checkLater(driver);
                }
            });
        });
    }

    /**
     * How long a pool's destroy waits for a driver's close before closing the socket: a close
     * sends a goodbye and closes the channel, with no server round trip, so past this it is
     * waiting behind something that will not come.
     */
    static final Duration WAIT = Duration.ofMillis(500);

    /**
     * How long after a close ended its socket may still be closing: a driver may report the
     * close before its channel's close completes, and closing the socket under it then could
     * cut its goodbye (COM_QUIT, Terminate) short.
     */
    static final Duration GRACE = Duration.ofMillis(200);

    /** Closes the socket of a connection whose close ended, if it is still open after {@link #GRACE}. */
    private static void checkLater(io.r2dbc.spi.Connection driver) {
        DeadlineTimer.SHARED.schedule(() -> closeLeftOpen(driver), GRACE.toNanos());
    }

    private static void closeLeftOpen(io.r2dbc.spi.Connection driver) {
        if (DriverSocket.closeIfOpen(driver)) {
            SqlLog.LOG.debug("{} reported closed with its socket still open: closed the socket", driver);
        }
    }
}
