package io.retort.engine;

import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.Wrapped;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.error.RetortException;
import io.retort.sql.Column;
import io.retort.sql.Insert;
import io.retort.sql.Statement;
import io.retort.sql.SqlType;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.ResultColumn;
import io.retort.sql.compile.StatementCache;
import io.retort.sql.compile.StatementTemplate;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One database connection checked out of an {@link Engine}, scoped by {@code engine.connect} or
 * {@code engine.inTransaction}. Statements compile through the engine's cache and run here;
 * results stream as {@code Flux<Row>}.
 *
 * <p>Transactions follow SQLAlchemy 1.4's rules: a transaction scope commits when its publisher
 * completes, rolls back on error and on cancel; a statement error inside a transaction makes
 * it inactive, so it can never commit (PostgreSQL aborts it anyway; MariaDB would otherwise
 * commit the statements that did succeed, RELIABILITY §0); an inner scope that fails makes the
 * outer one inactive until it is rolled back ({@link PendingRollbackError}). Savepoints
 * ({@link #inNested}) contain their own failures.
 *
 * <p>Not for concurrent use: operations on one connection run one after another, as on the
 * wire. Methods return cold publishers; nothing happens before subscription.
 */
public final class Connection {
    private enum TxState { NONE, ACTIVE, INACTIVE }

    private final Engine engine;
    private final io.r2dbc.spi.Connection raw;
    private final Dialect dialect;
    private volatile TxState tx = TxState.NONE;
    private volatile RetortException failure;
    private volatile int nestedDepth;
    private volatile boolean nestedFailed;
    private volatile boolean invalidated;
    private volatile boolean timeoutSet;
    private volatile int inFlight;
    private int savepoints;

    Connection(Engine engine, io.r2dbc.spi.Connection raw, Dialect dialect) {
        this.engine = engine;
        this.raw = raw;
        this.dialect = dialect;
    }

    /** The dialect statements are compiled for. */
    public Dialect dialect() {
        return dialect;
    }

    /** The driver connection, for what Retort does not cover; do not close it. */
    public io.r2dbc.spi.Connection unwrap() {
        return raw;
    }

    public boolean isInTransaction() {
        return tx != TxState.NONE;
    }

    // ================================================================= execution

    /** Executes a Core statement; compiled once per shape through the engine's cache. */
    public Result execute(Statement statement) {
        return run(() -> engine.cache().lookup(dialect, statement));
    }

    /** Executes a {@link StatementTemplate} execution (C3). */
    public Result execute(StatementTemplate.Bound bound) {
        return run(() -> engine.cache().lookup(dialect, bound));
    }

    private Result run(java.util.function.Supplier<StatementCache.Lookup> compile) {
        Flux<Row> rows = Flux.defer(() -> {
            StatementCache.Lookup lookup = compile.get();
            BoundStatement bound = lookup.bind();
            return stream(bound, lookup, lookup.compiled().resultColumns());
        });
        Mono<Long> count = Mono.defer(() -> {
            StatementCache.Lookup lookup = compile.get();
            return count(lookup.bind(), lookup);
        });
        return new Result(rows, count, "statement");
    }

    Flux<Row> stream(BoundStatement bound, StatementCache.Lookup lookup, List<ResultColumn> columns) {
        return Flux.defer(() -> {
            guard();
            io.r2dbc.spi.Statement st = prepare(bound, lookup);
            RowShape[] shape = new RowShape[1];
            inFlight++;
            return Flux.from(st.execute())
                    .concatMap(r -> r.map((row, meta) -> toRow(row, meta, columns, shape)))
                    .onErrorMap(e -> failed(e, bound))
                    .doOnCancel(this::cancelledMidStream)
                    .doFinally(s -> inFlight--);
        });
    }

    private Mono<Long> count(BoundStatement bound, StatementCache.Lookup lookup) {
        return Mono.defer(() -> {
            guard();
            io.r2dbc.spi.Statement st = prepare(bound, lookup);
            inFlight++;
            return Flux.from(st.execute())
                    .concatMap(r -> Flux.from(r.getRowsUpdated()))
                    .reduce(0L, Long::sum)
                    .onErrorMap(e -> failed(e, bound))
                    .doOnCancel(this::cancelledMidStream)
                    .doFinally(s -> inFlight--);
        });
    }

    private io.r2dbc.spi.Statement prepare(BoundStatement bound, StatementCache.Lookup lookup) {
        engine.log().statement(bound, lookup);
        io.r2dbc.spi.Statement st = raw.createStatement(bound.sql());
        bindAll(st, bound);
        return st;
    }

    static void bindAll(io.r2dbc.spi.Statement st, BoundStatement bound) {
        Object[] v = bound.values();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == null) {
                Class<?> t = bound.types()[i];
                st.bindNull(i, t == Object.class ? String.class : t);
            } else {
                st.bind(i, v[i]);
            }
        }
    }

    private Row toRow(io.r2dbc.spi.Row row, io.r2dbc.spi.RowMetadata meta, List<ResultColumn> columns, RowShape[] shape) {
        RowShape s = shape[0];
        if (s == null) {
            int n = meta.getColumnMetadatas().size();
            List<String> labels = new ArrayList<>(n);
            SqlType<?>[] types = new SqlType<?>[n];
            boolean known = columns.size() == n;
            for (int i = 0; i < n; i++) {
                labels.add(known ? columns.get(i).label() : meta.getColumnMetadata(i).getName());
                types[i] = known ? columns.get(i).type() : null;
            }
            shape[0] = s = new RowShape(labels, types);
        }
        Object[] values = new Object[s.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = TypeReader.read(row, i, s.type(i), s.label(i));
        }
        return new Row(s, values);
    }

    /** Executes many parameter sets of one INSERT as multi-row VALUES pages (C14); see {@link ExecuteMany}. */
    public Result executeMany(Insert insert, List<? extends Map<? extends Column<?>, ?>> parameterSets) {
        return ExecuteMany.insert(this, insert, parameterSets);
    }

    /**
     * Executes an UPDATE or DELETE template once per parameter set in one driver batch, emitting
     * each set's row count in order (C14).
     */
    public Flux<Long> executeMany(StatementTemplate template, List<? extends Map<String, ?>> parameterSets) {
        return ExecuteMany.batch(this, template, parameterSets);
    }

    /** One driver statement with a binding set per bound statement (same SQL), each set's row count in order. */
    Flux<Long> runBatch(List<BoundStatement> bounds, StatementCache.Lookup lookup) {
        return Flux.defer(() -> {
            guard();
            BoundStatement first = bounds.get(0);
            engine.log().statement(first, lookup);
            io.r2dbc.spi.Statement st = raw.createStatement(first.sql());
            for (int i = 0; i < bounds.size(); i++) {
                if (i > 0) {
                    st.add();
                }
                bindAll(st, bounds.get(i));
            }
            inFlight++;
            return Flux.from(st.execute())
                    .concatMap(r -> Mono.from(r.getRowsUpdated()).defaultIfEmpty(0L))
                    .onErrorMap(e -> failed(e, first))
                    .doOnCancel(this::cancelledMidStream)
                    .doFinally(sig -> inFlight--);
        });
    }

    /** Executes raw SQL text (trusted; no binds). */
    public Result executeRaw(String sql) {
        BoundStatement bound = new BoundStatement(sql, new Object[0], new Class<?>[0]);
        return new Result(stream(bound, null, List.of()), count(bound, null), sql);
    }

    Engine engine() {
        return engine;
    }

    // ================================================================= transactions

    /**
     * Runs {@code work} in a transaction: commit when it completes, rollback on error or cancel.
     * Inside a transaction already, the work joins it; if the inner work fails, the outer
     * transaction becomes inactive and must be rolled back.
     */
    public <T> Flux<T> inTransaction(Function<Connection, ? extends Publisher<T>> work) {
        return inTransaction(null, work);
    }

    /** {@link #inTransaction(Function)} with an isolation level (null for the default). */
    public <T> Flux<T> inTransaction(IsolationLevel isolation, Function<Connection, ? extends Publisher<T>> work) {
        return Flux.defer(() -> {
            if (tx != TxState.NONE) {
                return Flux.<T>from(work.apply(this)).doOnError(e -> markInactive(e, "an inner transaction scope failed"));
            }
            return Flux.usingWhen(begin(isolation).thenReturn(this), ignored -> work.apply(this), ignored -> commit(),
                    (ignored, e) -> rollback(), ignored -> rollback())
                    .onErrorMap(Connection::unwrapCleanupError);
        });
    }

    /**
     * Runs {@code work} inside a SAVEPOINT (begin_nested): released when it completes, rolled back
     * to on error or cancel without affecting the enclosing transaction. Starts a transaction when
     * none is active.
     */
    public <T> Flux<T> inNested(Function<Connection, ? extends Publisher<T>> work) {
        if (tx == TxState.NONE) {
            return inTransaction(c -> c.inNested(work));
        }
        return Flux.defer(() -> {
            guard();
            String name = "retort_sp_" + (++savepoints);
            boolean outerFailed = nestedFailed;
            return Flux.usingWhen(
                    Mono.from(raw.createSavepoint(name)).onErrorMap(e -> failed(e, null)).then(Mono.fromRunnable(() -> {
                        nestedDepth++;
                        nestedFailed = false;
                    })).thenReturn(name),
                    sp -> work.apply(this),
                    sp -> endNested(name, outerFailed, false),
                    (sp, e) -> endNested(name, outerFailed, true),
                    sp -> endNested(name, outerFailed, true))
                    .onErrorMap(Connection::unwrapCleanupError);
        });
    }

    /**
     * Reactor reports a failing commit/release after completion as "Async resource cleanup
     * failed after onComplete" wrapping the real error; callers want the real, typed error.
     */
    static Throwable unwrapCleanupError(Throwable e) {
        Throwable t = e;
        while (t.getClass() == RuntimeException.class && t.getCause() != null
                && String.valueOf(t.getMessage()).startsWith("Async resource cleanup failed")) {
            t = t.getCause();
        }
        return t;
    }

    private Mono<Void> endNested(String name, boolean outerFailed, boolean rollback) {
        boolean failedInside = nestedFailed;
        nestedDepth--;
        nestedFailed = outerFailed;
        if (rollback || failedInside) {
            Mono<Void> back = Mono.from(raw.rollbackTransactionToSavepoint(name)).onErrorMap(e -> failed(e, null));
            // A scope that completed although one of its statements failed must not look successful.
            return failedInside && !rollback
                    ? back.then(Mono.error(new PendingRollbackError("The savepoint scope completed after one of its"
                    + " statements failed; it was rolled back to the savepoint", failure)))
                    : back;
        }
        return Mono.from(raw.releaseSavepoint(name)).onErrorMap(e -> failed(e, null));
    }

    /** BEGIN with an optional isolation level. Prefer {@link #inTransaction}, which always ends it. */
    public Mono<Void> begin(IsolationLevel isolation) {
        return Mono.defer(() -> {
            if (tx != TxState.NONE) {
                return Mono.error(new InvalidRequestError("A transaction is already active on this connection"));
            }
            TransactionDefinition def = isolation == null ? null : IsolationDefinition.of(isolation);
            Publisher<Void> begin = def == null ? raw.beginTransaction() : raw.beginTransaction(def);
            return Mono.from(begin).onErrorMap(e -> failed(e, null)).then(Mono.fromRunnable(() -> {
                tx = TxState.ACTIVE;
                failure = null;
            }));
        });
    }

    /** COMMIT; an inactive transaction is rolled back instead and a PendingRollbackError is signalled. */
    public Mono<Void> commit() {
        return Mono.defer(() -> {
            if (tx == TxState.INACTIVE) {
                RetortException cause = failure;
                return rollback().then(Mono.error(new PendingRollbackError("This transaction is inactive due to an"
                        + " earlier error and was rolled back instead of committed. Original error: "
                        + (cause == null ? "unknown" : cause.getMessage()), cause)));
            }
            if (tx == TxState.NONE) {
                return Mono.empty();
            }
            return Mono.from(raw.commitTransaction()).onErrorMap(e -> failed(e, null))
                    .doFinally(s -> tx = TxState.NONE);
        });
    }

    /** ROLLBACK; always ends the transaction state, even if the server reports an error. */
    public Mono<Void> rollback() {
        return Mono.defer(() -> {
            if (tx == TxState.NONE) {
                return Mono.empty();
            }
            return Mono.from(raw.rollbackTransaction())
                    .onErrorMap(e -> ErrorTranslator.translate(e, "ROLLBACK", null))
                    .doFinally(s -> {
                        tx = TxState.NONE;
                        failure = null;
                    });
        });
    }

    /**
     * Sets a server-side statement timeout for this connection's later statements; a statement
     * running longer fails with a TimeoutError. Reset when the connection is released.
     */
    public Mono<Void> setStatementTimeout(Duration timeout) {
        String sql = dialectTimeoutSql(timeout);
        return executeRaw(sql).rowsAffected().doOnSuccess(n -> timeoutSet = !timeout.isZero()).then();
    }

    private String dialectTimeoutSql(Duration d) {
        long ms = d.toMillis();
        switch (dialect.name()) {
            case "postgresql": return "SET statement_timeout = " + ms;
            case "mariadb": return "SET SESSION max_statement_time = " + (ms / 1000.0);
            case "mysql": return "SET SESSION max_execution_time = " + ms;
            case "h2": return "SET QUERY_TIMEOUT " + ms;
            default: throw new InvalidRequestError("Statement timeouts are not supported on " + dialect.name());
        }
    }

    // ================================================================= state

    private void guard() {
        if (invalidated) {
            throw new InvalidRequestError("This connection was invalidated (cancelled mid-statement or lost)");
        }
        if (tx == TxState.INACTIVE && nestedDepth == 0) {
            throw new PendingRollbackError("This transaction is inactive due to an earlier error; roll it back before"
                    + " running more statements. Original error: " + (failure == null ? "unknown" : failure.getMessage()),
                    failure);
        }
    }

    private RetortException failed(Throwable e, BoundStatement bound) {
        RetortException t = ErrorTranslator.translate(e, bound == null ? null : bound.sql(),
                bound == null ? null : engine.log().parameters(bound.values()));
        markInactive(t, null);
        if (t instanceof io.retort.error.ConnectionLostError) {
            invalidate();
        }
        return t;
    }

    private void markInactive(Throwable e, String why) {
        if (tx == TxState.NONE) {
            return;
        }
        if (nestedDepth > 0) {
            nestedFailed = true;
        } else {
            tx = TxState.INACTIVE;
        }
        failure = e instanceof RetortException ? (RetortException) e : new InvalidRequestError(why, e);
    }

    private void cancelledMidStream() {
        markInactive(new InvalidRequestError("a statement was cancelled"), null);
        invalidate();
    }

    /** Closes the physical connection so the pool discards it instead of reusing it mid-result. */
    void invalidate() {
        if (invalidated) {
            return;
        }
        invalidated = true;
        io.r2dbc.spi.Connection physical = raw;
        while (physical instanceof Wrapped) {
            @SuppressWarnings("unchecked")
            Object inner = ((Wrapped<Object>) physical).unwrap();
            if (!(inner instanceof io.r2dbc.spi.Connection) || inner == physical) {
                break;
            }
            physical = (io.r2dbc.spi.Connection) inner;
        }
        if (physical != raw) {
            Mono.from(physical.close()).onErrorResume(x -> Mono.empty()).subscribe();
        }
    }

    /** Returns the connection to the pool: rolls back an open transaction, resets the timeout. */
    Mono<Void> release() {
        if (invalidated) {
            return Mono.from(raw.close()).onErrorResume(e -> Mono.empty());
        }
        Mono<Void> reset = Mono.empty();
        if (tx != TxState.NONE) {
            reset = rollback().onErrorResume(e -> {
                invalidate();
                return Mono.empty();
            });
        }
        if (timeoutSet) {
            reset = reset.then(Mono.defer(() -> executeRaw(dialectTimeoutSql(Duration.ZERO)).rowsAffected().then()))
                    .onErrorResume(e -> {
                        invalidate();
                        return Mono.empty();
                    });
        }
        return reset.then(Mono.defer(() -> Mono.from(raw.close()))).onErrorResume(e -> Mono.empty());
    }

    /** Release after the subscriber cancelled: a statement still running makes the connection unusable. */
    Mono<Void> releaseAfterCancel() {
        if (inFlight > 0) {
            invalidate();
        }
        return release();
    }

    /** A TransactionDefinition carrying only an isolation level. */
    private static final class IsolationDefinition implements TransactionDefinition {
        private final IsolationLevel level;

        private IsolationDefinition(IsolationLevel level) {
            this.level = level;
        }

        static IsolationDefinition of(IsolationLevel level) {
            return new IsolationDefinition(level);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getAttribute(io.r2dbc.spi.Option<T> option) {
            return option.equals(TransactionDefinition.ISOLATION_LEVEL) ? (T) level : null;
        }
    }
}
