package io.retort.spring;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import org.springframework.boot.r2dbc.ConnectionFactoryDecorator;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the transaction commands every connection receives (BEGIN, COMMIT, ROLLBACK), below
 * Boot's pool (a {@link ConnectionFactoryDecorator}): whoever sends them, Spring or Retort, is
 * counted, so a Spring transaction that Retort joined must show exactly Spring's one BEGIN and
 * one COMMIT or ROLLBACK. Everything else is passed to the driver's connection untouched.
 */
final class TransactionCommands implements ConnectionFactoryDecorator {
    final AtomicInteger begins = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();

    void reset() {
        begins.set(0);
        commits.set(0);
        rollbacks.set(0);
    }

    @Override
    public ConnectionFactory decorate(ConnectionFactory target) {
        return new ConnectionFactory() {
            @Override
            public Publisher<? extends Connection> create() {
                return Mono.from(target.create()).map(Counting::new);
            }

            @Override
            public ConnectionFactoryMetadata getMetadata() {
                return target.getMetadata();
            }
        };
    }

    /** A driver connection whose transaction commands are counted. */
    private final class Counting implements Connection, Wrapped<Connection> {
        private final Connection c;

        Counting(Connection c) {
            this.c = c;
        }

        @Override
        public Connection unwrap() {
            return c;
        }

        @Override
        public Publisher<Void> beginTransaction() {
            return Mono.from(c.beginTransaction()).doOnSubscribe(s -> begins.incrementAndGet());
        }

        @Override
        public Publisher<Void> beginTransaction(TransactionDefinition definition) {
            return Mono.from(c.beginTransaction(definition)).doOnSubscribe(s -> begins.incrementAndGet());
        }

        @Override
        public Publisher<Void> commitTransaction() {
            return Mono.from(c.commitTransaction()).doOnSubscribe(s -> commits.incrementAndGet());
        }

        @Override
        public Publisher<Void> rollbackTransaction() {
            return Mono.from(c.rollbackTransaction()).doOnSubscribe(s -> rollbacks.incrementAndGet());
        }

        @Override
        public Publisher<Void> close() {
            return c.close();
        }

        @Override
        public Batch createBatch() {
            return c.createBatch();
        }

        @Override
        public Publisher<Void> createSavepoint(String name) {
            return c.createSavepoint(name);
        }

        @Override
        public Statement createStatement(String sql) {
            return c.createStatement(sql);
        }

        @Override
        public boolean isAutoCommit() {
            return c.isAutoCommit();
        }

        @Override
        public ConnectionMetadata getMetadata() {
            return c.getMetadata();
        }

        @Override
        public IsolationLevel getTransactionIsolationLevel() {
            return c.getTransactionIsolationLevel();
        }

        @Override
        public Publisher<Void> releaseSavepoint(String name) {
            return c.releaseSavepoint(name);
        }

        @Override
        public Publisher<Void> rollbackTransactionToSavepoint(String name) {
            return c.rollbackTransactionToSavepoint(name);
        }

        @Override
        public Publisher<Void> setAutoCommit(boolean autoCommit) {
            return c.setAutoCommit(autoCommit);
        }

        @Override
        public Publisher<Void> setLockWaitTimeout(Duration timeout) {
            return c.setLockWaitTimeout(timeout);
        }

        @Override
        public Publisher<Void> setStatementTimeout(Duration timeout) {
            return c.setStatementTimeout(timeout);
        }

        @Override
        public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
            return c.setTransactionIsolationLevel(isolationLevel);
        }

        @Override
        public Publisher<Boolean> validate(ValidationDepth depth) {
            return c.validate(depth);
        }
    }
}
