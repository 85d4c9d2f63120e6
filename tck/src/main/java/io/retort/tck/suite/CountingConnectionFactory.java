package io.retort.tck.suite;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A driver's connection factory that counts the connections it hands out: the physical connects
 * of an engine's pool, read without a server-side counter (which other tests on the same server
 * would move too). Everything else goes to the driver's factory unchanged.
 */
public final class CountingConnectionFactory implements ConnectionFactory {
    private final ConnectionFactory driver;
    private final AtomicLong opened = new AtomicLong();

    /** Counts the connections {@code driver} opens through this factory. */
    public CountingConnectionFactory(ConnectionFactory driver) {
        this.driver = driver;
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.from(driver.create()).doOnNext(c -> opened.incrementAndGet());
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return driver.getMetadata();
    }

    /** Connections opened so far. */
    public long opened() {
        return opened.get();
    }

    /** The driver's factory underneath. */
    public ConnectionFactory driver() {
        return driver;
    }
}
