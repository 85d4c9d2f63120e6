package io.retort.engine;

import reactor.core.publisher.Mono;

/**
 * SPI through which an {@link Engine} joins transactions that another framework manages (Spring's
 * {@code R2dbcTransactionManager} behind {@code @Transactional} or {@code TransactionalOperator};
 * {@code retort-spring} implements it). Given to {@link Engine#create(io.r2dbc.spi.ConnectionFactory,
 * EngineOptions, ExternalTransactions)}; an engine without one never calls anything here.
 *
 * <p>Before every checkout the engine asks {@link #current()}. When it answers with a
 * {@link Lease}, Retort runs the scope on that connection, which already is in the external
 * transaction, and follows SQLAlchemy's "conservative" join ({@code join_transaction_mode}):
 * <ul>
 *   <li>beginning a transaction ({@code engine.inTransaction}, {@link Connection#begin},
 *       an ORM session's autobegin) sends no BEGIN: the scope runs inside the outer transaction;</li>
 *   <li>committing that scope sends no COMMIT (an ORM session's commit still flushes first): the
 *       owner commits the outer transaction;</li>
 *   <li>rolling it back (explicitly, on error, on cancel) sends no ROLLBACK: the error reaches
 *       the owner, which rolls back. Work that must be undone on its own goes in
 *       {@link Connection#inNested} (a SAVEPOINT, which works as usual);</li>
 *   <li>releasing the scope hands the connection back through {@link Lease#release()}; it is
 *       never closed, and a cancelled statement makes only Retort's view of it unusable (no server
 *       cancel request is sent: the owner goes on using the connection).</li>
 * </ul>
 * When {@link #current()} is empty the engine checks out its own connection as usual.
 */
public interface ExternalTransactions {

    /**
     * The external transaction the subscriber runs in, found in the subscriber's Reactor context
     * (so build it with {@code Mono.deferContextual} or an equivalent), or empty when it runs in
     * none. Called on every checkout: it must be cheap when there is no transaction, and must not
     * block.
     */
    Mono<Lease> current();

    /** The connection an external transaction lends to one Retort scope. */
    interface Lease {
        /** The connection, already in the external transaction. */
        io.r2dbc.spi.Connection connection();

        /**
         * Gives the connection back to the transaction's owner, which must not close it while its
         * transaction runs. Called once, when the scope ends (completion, error or cancel), maybe
         * from a publisher subscribed without the original Reactor context, so it must not need it.
         * Errors are logged and ignored.
         */
        Mono<Void> release();
    }
}
