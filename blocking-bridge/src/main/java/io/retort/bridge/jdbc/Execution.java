package io.retort.bridge.jdbc;

import java.sql.BatchUpdateException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * One {@code Statement.execute()} or {@code Batch.execute()} subscription: runs the JDBC work
 * on the connection's lane and emits one {@link JdbcResult} per JDBC result, in order.
 *
 * <p>Plans:
 * <ul>
 *   <li>one text, one binding set (the usual case): one JDBC execution. Unless the text holds
 *       several statements, exactly one result is expected, so the result is emitted and the
 *       publisher completes at once; the result's cursor then owns the JDBC statement and
 *       closes it when read, cancelled or discarded.</li>
 *   <li>several binding sets on DML without RETURNING or generated keys: one JDBC batch
 *       ({@code addBatch}/{@code executeBatch}), one update-count result per set.</li>
 *   <li>several binding sets on a query or on DML returning rows, a compound text, or a
 *       {@code Batch} of texts: executed one after another; a result with rows must be
 *       consumed (or discarded) before the next is produced, since a JDBC statement has one
 *       open result set at a time.</li>
 * </ul>
 *
 * <p>Cancelling before a result was emitted cancels the running JDBC call
 * ({@code Statement.cancel()}) and closes the statement; results already emitted belong to
 * their subscriber.
 */
final class Execution {
    /** A value bound as SQL NULL, with the Java type it stands for. */
    static final class NullValue {
        final Class<?> type;

        NullValue(Class<?> type) {
            this.type = type;
        }
    }

    private final JdbcConnection connection;
    private final List<ParsedSql> texts;
    private final List<Object[]> bindings;
    private final String[] generatedColumns;
    private final int fetchSize;

    private FluxSink<JdbcResult> sink;
    private volatile boolean cancelled;
    private volatile Statement running;
    private Statement current;
    private ParsedSql currentSql;
    private List<Step> steps;
    private int step;
    private long startNanos;
    private boolean implicitTx;
    private boolean keysApi;

    /** One JDBC execution: a statement text and its binding set (null for none). */
    private static final class Step {
        final ParsedSql sql;
        final Object[] values;

        Step(ParsedSql sql, Object[] values) {
            this.sql = sql;
            this.values = values;
        }
    }

    /**
     * @param texts one text with {@code bindings} (a statement), or several with none (a batch)
     * @param bindings one Object[] per binding set (values, {@link NullValue}s); empty when the
     *     text has no parameters
     * @param generatedColumns null when generated values were not asked for; empty for "all"
     */
    Execution(JdbcConnection connection, List<ParsedSql> texts, List<Object[]> bindings, String[] generatedColumns,
              int fetchSize) {
        this.connection = connection;
        this.texts = texts;
        this.bindings = bindings;
        this.generatedColumns = generatedColumns;
        this.fetchSize = fetchSize;
    }

    /** The results, cold. */
    Flux<JdbcResult> results() {
        Mono<List<Object[]>> resolved = resolveLobs();
        return resolved.flatMapMany(values -> Flux.<JdbcResult>create(s -> {
                    sink = s;
                    s.onCancel(this::cancel);
                    connection.lane().execute(new Lane.Task() {
                        @Override
                        public void run() {
                            begin(values);
                        }

                        @Override
                        public void reject(Throwable cause) {
                            s.error(cause);
                        }
                    });
                }, FluxSink.OverflowStrategy.BUFFER))
                // A result emitted to a subscriber that already left is closed, not leaked.
                .doOnDiscard(JdbcResult.class, JdbcResult::discard);
    }

    /** Blob and Clob values are publishers: read them (without blocking) before going to the lane. */
    private Mono<List<Object[]>> resolveLobs() {
        boolean any = false;
        for (Object[] set : bindings) {
            for (Object v : set) {
                any |= Codecs.needsResolution(v);
            }
        }
        if (!any) {
            return Mono.just(bindings);
        }
        return Flux.fromIterable(bindings)
                .concatMap(set -> Flux.fromArray(set).concatMap(v -> v instanceof NullValue ? Mono.just(v) : Codecs.resolve(v))
                        .collectList().map(List::toArray))
                .collectList();
    }

    private void cancel() {
        cancelled = true;
        Statement s = running;
        if (s != null) {
            connection.cancelStatement(s);
        }
    }

    // ================================================================= lane side

    private void begin(List<Object[]> values) {
        if (cancelled) {
            return;
        }
        try {
            connection.beforeOperation();
            ParsedSql only = texts.size() == 1 ? texts.get(0) : null;
            if (only != null && values.size() > 1 && generatedColumns == null && only.pieces().size() == 1
                    && !only.returnsRows() && !only.compound()) {
                runBatch(only, values);
                return;
            }
            steps = new ArrayList<>();
            if (only != null) {
                List<Object[]> sets = values.isEmpty() ? java.util.Collections.singletonList(null) : values;
                for (Object[] set : sets) {
                    for (ParsedSql piece : only.pieces()) {
                        steps.add(new Step(piece, set));
                    }
                }
            } else {
                for (ParsedSql text : texts) {
                    for (ParsedSql piece : text.pieces()) {
                        steps.add(new Step(piece, null));
                    }
                }
            }
            step = 0;
            pump(startStep());
        } catch (SQLException | RuntimeException e) {
            fail(e);
        }
    }

    /** Starts step {@link #step}; returns whether its first JDBC result is a result set. */
    private boolean startStep() throws SQLException {
        try {
            return startStepOnce();
        } catch (SQLException e) {
            if (!connection.refreshStaleSqliteSchema(e)) {
                throw e;
            }
            // A pooled SQLite connection compiled against a schema another connection has since
            // changed ("table t has 2 columns…"): its schema is reloaded now, so try once more.
            closeCurrent();
            return startStepOnce();
        }
    }

    private boolean startStepOnce() throws SQLException {
        Step st0 = steps.get(step);
        ParsedSql sql = st0.sql;
        Object[] set = st0.values;
        currentSql = sql;
        java.sql.Connection jdbc = connection.jdbc();
        boolean single = steps.size() == 1 && !sql.compound();
        if (single && generatedColumns == null && connection.shouldStreamInTransaction(sql, fetchSize)) {
            connection.beginImplicitTransaction();
            implicitTx = true;
        }
        Statement st;
        keysApi = generatedColumns != null && !(connection.product() == Product.SQLITE && !sql.returnsRows());
        if (generatedColumns != null && !keysApi) {
            // sqlite-jdbc's getGeneratedKeys() leaves a read transaction open (a stale schema for
            // the pooled connection's next user): ask SQLite itself with RETURNING (3.35+).
            st = jdbc.prepareStatement(sql.jdbcSql() + " RETURNING " + returningList());
        } else if (generatedColumns != null) {
            st = generatedColumns.length == 0
                    ? jdbc.prepareStatement(sql.jdbcSql(), Statement.RETURN_GENERATED_KEYS)
                    : jdbc.prepareStatement(sql.jdbcSql(), generatedColumns);
        } else if (set != null && sql.jdbcToParameter().length > 0) {
            st = jdbc.prepareStatement(sql.jdbcSql());
        } else {
            st = jdbc.createStatement();
            st.setEscapeProcessing(false);
        }
        current = st;
        configure(st);
        if (st instanceof PreparedStatement && set != null) {
            bindAll((PreparedStatement) st, sql, set);
        }
        startNanos = System.nanoTime();
        running = st;
        connection.enterDriver(st);
        try {
            if (cancelled) {
                return false;
            }
            if (st instanceof PreparedStatement) {
                return ((PreparedStatement) st).execute();
            }
            return st.execute(sql.jdbcSql());
        } finally {
            running = null;
            connection.exitDriver();
        }
    }

    private String returningList() {
        if (generatedColumns.length == 0) {
            return "*";
        }
        StringBuilder b = new StringBuilder();
        for (String c : generatedColumns) {
            b.append(b.length() > 0 ? ", " : "").append('"').append(c.replace("\"", "\"\"")).append('"');
        }
        return b.toString();
    }

    private int effectiveFetchSize() {
        return fetchSize >= 0 ? fetchSize : connection.factory().defaultFetchSize();
    }

    private void configure(Statement st) throws SQLException {
        int fs = effectiveFetchSize();
        if (fs > 0) {
            st.setFetchSize(fs);
        }
        int timeout = connection.queryTimeoutSeconds();
        if (timeout > 0) {
            st.setQueryTimeout(timeout);
        }
    }

    private void bindAll(PreparedStatement ps, ParsedSql sql, Object[] set) throws SQLException {
        int[] map = sql.jdbcToParameter();
        Product product = connection.product();
        for (int j = 0; j < map.length; j++) {
            Object v = set[map[j]];
            if (v instanceof NullValue) {
                Codecs.bind(ps, j + 1, null, ((NullValue) v).type, product);
            } else {
                Codecs.bind(ps, j + 1, v, null, product);
            }
        }
    }

    /** Emits the results of the current JDBC statement from {@code isResultSet} on, then moves on. */
    private void pump(boolean isResultSet) throws SQLException {
        boolean expectMore = currentSql.compound();
        for (;;) {
            if (cancelled) {
                finish();
                return;
            }
            boolean lastStep = step + 1 >= steps.size();
            if (keysApi && !isResultSet) {
                // Generated values: the update count plus the keys, read now (they are few).
                long count = updateCount(current);
                List<JdbcRow> keys = readAll(current.getGeneratedKeys());
                emit(JdbcResult.of(keys, count));
                if (!nextStep()) {
                    return;
                }
                isResultSet = startStep();
                continue;
            }
            if (isResultSet) {
                ResultSet rs = current.getResultSet();
                JdbcRowMetadata meta = JdbcRowMetadata.of(rs.getMetaData(), connection.product());
                boolean owns = lastStep && !expectMore;
                Statement st = current;
                boolean tx = implicitTx;
                Runnable onClose = owns
                        ? () -> {
                            if (tx) {
                                connection.endImplicitTransaction();
                            }
                        }
                        : this::resume;
                Cursor cursor = new Cursor(connection, st, rs, meta, owns, onClose, currentSql.source(), startNanos);
                connection.cursorOpened(cursor, tx);
                if (owns) {
                    current = null;
                    implicitTx = false;
                    emit(JdbcResult.of(cursor, -1));
                    sink.complete();
                    return;
                }
                emit(JdbcResult.of(cursor, -1));
                return; // resume() continues once the cursor is closed
            }
            long count = updateCount(current);
            if (count >= 0) {
                emit(JdbcResult.ofCount(count));
            }
            if (count < 0 || !expectMore) {
                // A single statement gives one result: asking drivers for more is unreliable.
                if (!nextStep()) {
                    return;
                }
                isResultSet = startStep();
                continue;
            }
            isResultSet = moreResults(current);
        }
    }

    /** Closes the current statement and advances; false when there is nothing left (and the publisher completed). */
    private boolean nextStep() throws SQLException {
        closeCurrent();
        step++;
        if (step >= steps.size() || cancelled) {
            finish();
            return false;
        }
        return true;
    }

    /** A cursor of a statement with more results was closed: continue with them (lane). */
    private void resume() {
        try {
            if (cancelled || connection.isClosing()) {
                finish();
                return;
            }
            if (currentSql.compound()) {
                pump(moreResults(current));
            } else if (nextStep()) {
                pump(startStep());
            }
        } catch (SQLException | RuntimeException e) {
            fail(e);
        }
    }

    private boolean moreResults(Statement st) throws SQLException {
        running = st;
        connection.enterDriver(st);
        try {
            return st.getMoreResults();
        } finally {
            running = null;
            connection.exitDriver();
        }
    }

    private void runBatch(ParsedSql sql, List<Object[]> sets) throws SQLException {
        currentSql = sql;
        PreparedStatement ps;
        try {
            ps = connection.jdbc().prepareStatement(sql.jdbcSql());
        } catch (SQLException e) {
            if (!connection.refreshStaleSqliteSchema(e)) {
                throw e;
            }
            ps = connection.jdbc().prepareStatement(sql.jdbcSql());
        }
        current = ps;
        configure(ps);
        for (Object[] set : sets) {
            bindAll(ps, sql, set);
            ps.addBatch();
        }
        startNanos = System.nanoTime();
        long[] counts;
        running = ps;
        connection.enterDriver(ps);
        try {
            counts = executeBatch(ps);
        } finally {
            running = null;
            connection.exitDriver();
        }
        closeCurrent();
        for (long c : counts) {
            emit(JdbcResult.ofCount(c));
        }
        finish();
    }

    private static long[] executeBatch(PreparedStatement ps) throws SQLException {
        try {
            return ps.executeLargeBatch();
        } catch (SQLFeatureNotSupportedException | UnsupportedOperationException | AbstractMethodError e) {
            int[] small = ps.executeBatch();
            long[] out = new long[small.length];
            for (int i = 0; i < small.length; i++) {
                out[i] = small[i];
            }
            return out;
        }
    }

    private static long updateCount(Statement st) throws SQLException {
        try {
            return st.getLargeUpdateCount();
        } catch (SQLFeatureNotSupportedException | UnsupportedOperationException | AbstractMethodError e) {
            return st.getUpdateCount();
        }
    }

    private List<JdbcRow> readAll(ResultSet rs) throws SQLException {
        List<JdbcRow> rows = new ArrayList<>();
        if (rs == null) {
            return rows;
        }
        try (rs) {
            JdbcRowMetadata meta = JdbcRowMetadata.of(rs.getMetaData(), connection.product());
            while (rs.next()) {
                rows.add(JdbcRow.read(rs, meta, connection.product()));
            }
        }
        return rows;
    }

    private void emit(JdbcResult r) {
        if (cancelled) {
            r.discard();
            return;
        }
        sink.next(r);
    }

    private void closeCurrent() {
        Statement st = current;
        current = null;
        if (st != null) {
            try {
                st.close();
            } catch (SQLException ignored) {
                // closing a statement that failed or was cancelled
            }
        }
    }

    private void finish() {
        closeCurrent();
        if (implicitTx) {
            implicitTx = false;
            connection.endImplicitTransaction();
        }
        sink.complete();
    }

    private void fail(Throwable e) {
        closeCurrent();
        if (implicitTx) {
            implicitTx = false;
            connection.endImplicitTransaction();
        }
        if (cancelled) {
            sink.complete();
            return;
        }
        Throwable t = e;
        if (e instanceof BatchUpdateException && e.getCause() instanceof SQLException
                && ((SQLException) e).getSQLState() == null) {
            t = e.getCause();
        }
        String sql = currentSql == null ? null : currentSql.source();
        sink.error(t instanceof SQLException ? connection.translate((SQLException) t, sql, startNanos)
                : JdbcExceptions.translate(t instanceof RuntimeException ? connection.driverFailed((RuntimeException) t) : t, sql));
    }
}
