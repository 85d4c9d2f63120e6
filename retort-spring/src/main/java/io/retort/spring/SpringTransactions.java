package io.retort.spring;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.engine.ExternalTransactions;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;
import org.springframework.r2dbc.connection.ConnectionHolder;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * Lets a Retort {@link io.retort.engine.Engine} join Spring's reactive transactions: inside a
 * transaction that Spring's {@code R2dbcTransactionManager} runs over the same
 * {@link ConnectionFactory} ({@code @Transactional} methods, {@code TransactionalOperator}),
 * Retort's statements run on the transaction's connection, obtained with
 * {@link ConnectionFactoryUtils#getConnection} from the subscriber's Reactor context and left to the
 * transaction manager to close when the transaction ends (see {@code SpringLease}). Retort then sends no BEGIN, COMMIT or
 * ROLLBACK of its own (see {@link ExternalTransactions}): Spring commits or rolls back, and
 * Retort's writes and those of Spring's {@code DatabaseClient} see each other. Outside a Spring
 * transaction the engine checks out its own connections as usual.
 *
 * <pre>{@code
 * Engine engine = Engine.create(connectionPool, options, new SpringTransactions(connectionPool));
 * }</pre>
 * {@link RetortAutoConfiguration} does this for Spring Boot's {@code ConnectionFactory}.
 */
public final class SpringTransactions implements ExternalTransactions {
    private final ConnectionFactory connectionFactory;

    /** Joins transactions whose manager runs over {@code connectionFactory} (the one the engine uses). */
    public SpringTransactions(ConnectionFactory connectionFactory) {
        this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
    }

    @Override
    public Mono<Lease> current() {
        // No transaction context (the usual case outside @Transactional): empty, and Retort uses its own connection.
        return TransactionSynchronizationManager.forCurrentTransaction()
                .onErrorResume(NoTransactionException.class, e -> Mono.empty())
                .flatMap(sync -> {
                    // Only a transaction that holds a connection of this factory; a synchronization
                    // without one (another resource's transaction, SUPPORTS) is not joined.
                    Object holder = sync.isActualTransactionActive() ? sync.getResource(connectionFactory) : null;
                    if (!(holder instanceof ConnectionHolder)) {
                        return Mono.empty();
                    }
                    return ConnectionFactoryUtils.getConnection(connectionFactory).map(SpringLease::new);
                });
    }

    @Override
    public String toString() {
        return "SpringTransactions[" + connectionFactory + "]";
    }

    /**
     * The transaction's connection, lent to one Retort scope. Giving it back does nothing, as with
     * Spring's own DatabaseClient inside a transaction: the transaction manager closes it when the
     * transaction ends. {@code ConnectionFactoryUtils.releaseConnection} must not be called for
     * it: it counts the holder's references down and, at zero, detaches the connection from the
     * holder, after which the manager's COMMIT fails ("Active Connection is required") and the
     * next statement of the transaction gets a fresh connection outside it (spring-r2dbc 6.2; the
     * transaction manager itself holds no reference).
     */
    private record SpringLease(Connection connection) implements Lease {
        @Override
        public Mono<Void> release() {
            return Mono.empty();
        }
    }
}
