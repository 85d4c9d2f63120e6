package io.retort.bridge.jdbc;

import io.r2dbc.spi.Batch;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Several SQL texts without parameters, run one after another on one connection, one result
 * per statement in order. (A query in a batch returns its rows, which JDBC's own
 * {@code addBatch} cannot, so the texts run as separate JDBC statements.)
 */
final class JdbcBatch implements Batch {
    private final JdbcConnection connection;
    private final List<ParsedSql> texts = new ArrayList<>();

    JdbcBatch(JdbcConnection connection) {
        this.connection = connection;
    }

    @Override
    public JdbcBatch add(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql must not be null");
        }
        texts.add(connection.factory().parse(sql));
        return this;
    }

    @Override
    public Flux<JdbcResult> execute() {
        if (texts.isEmpty()) {
            return Flux.empty();
        }
        connection.requireOpen();
        return new Execution(connection, new ArrayList<>(texts), List.of(), null, -1).results();
    }
}
