package io.retort.engine;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's factory as the pool sees it, with a connect that outlives its subscriber: when
 * the pool gives up on a connect (its connect timeout, F5) the driver's connect goes on, and
 * the connection, if it still arrives, is closed. The R2DBC spec says cancelling
 * {@code create()} must close what it opened, but r2dbc-mysql 1.4 and r2dbc-mariadb 1.3 stop
 * answering and leave the socket open (until the server's own handshake timeout, 10 s on
 * MariaDB), so a slow server would collect half-open connections. A connect still running
 * {@code giveUpAfter} past the cancel is cancelled after all.
 */
final class LateConnects implements ConnectionFactory {
    private static final int WAITING = 0;
    private static final int DELIVERED = 1;
    private static final int CANCELLED = 2;

    private final ConnectionFactory driver;
    private final Duration giveUpAfter;

    LateConnects(ConnectionFactory driver, Duration giveUpAfter) {
        this.driver = driver;
        this.giveUpAfter = giveUpAfter;
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.create(sink -> {
            AtomicInteger state = new AtomicInteger(WAITING);
            Disposable connecting = Mono.from(driver.create()).subscribe(c -> {
                if (state.compareAndSet(WAITING, DELIVERED)) {
                    sink.success(c);
                } else {
                    close(c); // arrived after its subscriber left
                }
            }, e -> {
                if (state.compareAndSet(WAITING, DELIVERED)) {
                    sink.error(e);
                }
            });
            sink.onCancel(() -> {
                if (state.compareAndSet(WAITING, CANCELLED)) {
                    DeadlineTimer.SHARED.schedule(connecting::dispose, giveUpAfter.toNanos());
                }
            });
        });
    }

    private static void close(Connection c) {
        Mono.from(c.close()).onErrorResume(e -> Mono.empty()).subscribe();
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return driver.getMetadata();
    }
}
