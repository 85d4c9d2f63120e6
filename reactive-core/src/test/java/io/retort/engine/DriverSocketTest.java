package io.retort.engine;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DriverSocket} and {@link BoundedClose} where Retort cannot reach a socket: a driver
 * without a reactor-netty connection (r2dbc-h2, whose connection does have a {@code client}
 * field) and shapes that do not match. Each degrades to the driver's own close, never throws.
 * Reaching and closing real sockets (r2dbc-mysql, r2dbc-postgresql, r2dbc-mariadb) is
 * NetworkFaultSuite's, against real servers through a fault proxy (F15, F17, F32).
 */
class DriverSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test // F15/F17: r2dbc-h2 holds a client but no socket: nothing to reach, and the plain close still closes it
    void aDriverWithoutASocketGetsItsOwnClose() {
        ConnectionFactory f = ConnectionFactories.get("r2dbc:h2:mem:///driver_socket_test?options=DB_CLOSE_DELAY=-1");
        io.r2dbc.spi.Connection c = Mono.from(f.create()).block(WAIT);
        assertThat(c).isNotNull();
        assertThat(DriverSocket.reachable(c)).isFalse();
        assertThat(DriverSocket.isOpen(c)).isNull();
        assertThat(DriverSocket.closeIfOpen(c)).isFalse();

        StepVerifier.create(BoundedClose.of(c, Duration.ofMillis(50))).expectComplete().verify(WAIT);
        // Closed by its own close(): it refuses statements now.
        StepVerifier.create(Flux.defer(() -> c.createStatement("SELECT 1").execute()))
                .expectError().verify(WAIT);
    }

    @Test // a shape that does not match: no 'client' field, a null client, a client without a socket
    void otherShapesAreNotReachedAndNeverThrow() {
        assertThat(DriverSocket.reachable(new NoClient())).isFalse();
        assertThat(DriverSocket.reachable(new WithClient(null))).isFalse();
        assertThat(DriverSocket.reachable(new WithClient(new Object()))).isFalse();
        assertThat(DriverSocket.isOpen(new WithClient("not a client"))).isNull();
        assertThat(DriverSocket.closeIfOpen(new WithClient(new WithClient(null)))).isFalse();
    }

    @Test // BoundedClose of an unreachable connection is its plain close: its error too, not hidden by a bound
    void anUnreachableConnectionsCloseIsPassedThrough() {
        StepVerifier.create(BoundedClose.of(new FailingClose(), Duration.ofMillis(10)))
                .expectErrorMessage("close failed").verify(WAIT);
    }

    /** A connection with no {@code client} field. */
    private static class NoClient extends Unusable {
    }

    /** A connection whose {@code client} is anything. */
    private static final class WithClient extends Unusable {
        @SuppressWarnings("unused") // read reflectively
        private final Object client;

        WithClient(Object client) {
            this.client = client;
        }
    }

    /** A connection whose close fails. */
    private static final class FailingClose extends Unusable {
        @Override
        public Mono<Void> close() {
            return Mono.error(new IllegalStateException("close failed"));
        }
    }

    /** An SPI connection that supports nothing but close (enough for DriverSocket, which reads only fields). */
    private static class Unusable implements io.r2dbc.spi.Connection {
        @Override
        public Mono<Void> beginTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> beginTransaction(io.r2dbc.spi.TransactionDefinition definition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> close() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> commitTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.r2dbc.spi.Batch createBatch() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> createSavepoint(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.r2dbc.spi.Statement createStatement(String sql) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isAutoCommit() {
            return true;
        }

        @Override
        public io.r2dbc.spi.ConnectionMetadata getMetadata() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.r2dbc.spi.IsolationLevel getTransactionIsolationLevel() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> releaseSavepoint(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> rollbackTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> rollbackTransactionToSavepoint(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> setAutoCommit(boolean autoCommit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> setLockWaitTimeout(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> setStatementTimeout(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Void> setTransactionIsolationLevel(io.r2dbc.spi.IsolationLevel level) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<Boolean> validate(io.r2dbc.spi.ValidationDepth depth) {
            throw new UnsupportedOperationException();
        }
    }
}
