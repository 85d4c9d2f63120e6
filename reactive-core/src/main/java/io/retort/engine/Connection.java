package io.retort.engine;

import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.Wrapped;
import io.retort.error.ArgumentError;
import io.retort.error.CancelledError;
import io.retort.error.CompileError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.error.RetortException;
import io.retort.error.TimeoutError;
import io.retort.sql.Column;
import io.retort.sql.Insert;
import io.retort.sql.SelectBase;
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
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * ({@link #inNested}) contain their own failures. A connection lent by a transaction another
 * framework manages ({@link ExternalTransactions}, e.g. Spring's) joins it: its transaction scopes
 * send no BEGIN, COMMIT or ROLLBACK; savepoints work as usual.
 *
 * <p>Cancellation: cancelling a statement while it runs (a {@code take(n)}, a timeout, a failing
 * {@code zip} sibling, a disposed subscriber) <em>invalidates</em> the connection: the driver's
 * conversation is in an unknown state (rows still arriving, a query still running on the
 * server), so the physical connection is closed and the pool discards it instead of handing a
 * half-read connection to the next borrower (RELIABILITY F2/F3; jOOQ #20112, r2dbc-postgresql
 * #661). A transaction on it is then inactive: the server rolls it back when the connection
 * closes. Cancelling between statements rolls back and keeps the connection. The result helpers
 * that need only some rows ({@link Result#first()}, {@link Result#one()}...) read the rest instead
 * of cancelling, so they never cost a connection.
 *
 * <p>Not for concurrent use: operations on one connection run one after another, as on the
 * wire. Methods return cold publishers; nothing happens before subscription.
 */
public final class Connection {
    private enum TxState { NONE, ACTIVE, INACTIVE }

    /**
     * Longest wait for the clean-up of a cancelled or released scope (a rollback, a session
     * reset) before the connection is given up as broken and closed: clean-up must never hang a
     * release, or the pool slot is lost (pekko-persistence-r2dbc PR #488).
     */
    static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(10);

    private final Engine engine;
    private final io.r2dbc.spi.Connection raw;
    private final io.r2dbc.spi.Connection physical;
    private final Dialect dialect;
    private volatile TxState tx = TxState.NONE;
    private volatile RetortException failure;
    private volatile int nestedDepth;
    private volatile boolean nestedFailed;
    private volatile boolean invalidated;
    private volatile boolean statementTimeoutSet;
    private volatile String lockTimeoutReset;
    /**
     * Text SQL began a transaction this connection did not (BEGIN, START TRANSACTION) and none
     * ended it: the release rolls it back, so the next borrower never runs inside it (F26;
     * r2dbc-pool only rolls back what began through its API).
     */
    private volatile boolean textTransaction;
    /**
     * Text SQL turned autocommit off ({@code SET autocommit=0} on MariaDB/MySQL, {@code SET
     * AUTOCOMMIT OFF} on H2), or set it to a value we cannot read: every statement since then is in
     * an implicit transaction the driver does not track. The release rolls back and turns
     * autocommit on again (F26), so the next borrower neither inherits the uncommitted rows nor
     * runs with autocommit off.
     */
    private volatile boolean textAutocommitOff;
    /** Whether text SQL can turn the session's autocommit off on this dialect (see {@link #noteAutocommitText}). */
    private final boolean autocommitSettable;
    /** The driver cuts SQL text at every {@code ;} ({@link #refuseSplitText}); known once per connection. */
    private final boolean splitsAtSemicolons;
    /** Statements and transaction commands started and not yet terminated. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Names this connection's cursors apart (a cursor's name is visible to the whole session). */
    private final AtomicInteger cursorIds = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    /**
     * Set once the release has reset the session and hands the connection back: from then on a
     * statement is the caller's use after close, refused with a typed error (the release's own
     * reset statements run before it).
     */
    private volatile boolean handedBack;
    /** Whether this checkout already asked if its first statement must learn the thread id (see {@link ServerCancel}). */
    private volatile boolean threadIdChecked;
    /**
     * The clean-up work started by cancelled scopes (rollback to a savepoint, rollback), chained
     * so that it runs in order and the release of the connection waits for it: Reactor runs the
     * {@code asyncCancel} callbacks of nested {@code usingWhen} scopes concurrently, so without
     * this the connection could go back to the pool while its rollback is still on the wire.
     */
    private volatile Mono<Void> pendingCleanup = Mono.empty();
    private int savepoints;
    /**
     * Non-null when the connection belongs to a transaction another framework manages
     * ({@link ExternalTransactions}): BEGIN, COMMIT and ROLLBACK are then the owner's, and the
     * release hands the connection back to it.
     */
    private final ExternalTransactions.Lease lease;

    Connection(Engine engine, io.r2dbc.spi.Connection raw, Dialect dialect) {
        this(engine, raw, dialect, null);
    }

    Connection(Engine engine, io.r2dbc.spi.Connection raw, Dialect dialect, ExternalTransactions.Lease lease) {
        this.engine = engine;
        this.raw = raw;
        this.physical = physicalOf(raw);
        this.splitsAtSemicolons = SPLITS_AT_SEMICOLONS.get(physical.getClass());
        this.dialect = dialect;
        this.lease = lease;
        String d = dialect.name();
        this.autocommitSettable = d.equals("mariadb") || d.equals("mysql") || d.equals("h2");
    }

    /** The driver's own connection under any pool wrappers. */
    static io.r2dbc.spi.Connection physicalOf(io.r2dbc.spi.Connection c) {
        io.r2dbc.spi.Connection p = c;
        while (p instanceof Wrapped) {
            @SuppressWarnings("unchecked")
            Object inner = ((Wrapped<Object>) p).unwrap();
            if (!(inner instanceof io.r2dbc.spi.Connection) || inner == p) {
                break;
            }
            p = (io.r2dbc.spi.Connection) inner;
        }
        return p;
    }

    /** The dialect statements are compiled for. */
    public Dialect dialect() {
        return dialect;
    }

    /** The driver connection, for what Retort does not cover; do not close it. */
    public io.r2dbc.spi.Connection unwrap() {
        return raw;
    }

    /** Whether a transaction scope of this connection is open (begun here, or joined: see {@link #isExternallyManaged()}). */
    public boolean isInTransaction() {
        return tx != TxState.NONE;
    }

    /**
     * Whether this connection was lent by a transaction another framework manages (Spring's,
     * through {@link ExternalTransactions}): its transaction scopes send no BEGIN, COMMIT or
     * ROLLBACK, the owner ends the transaction.
     */
    public boolean isExternallyManaged() {
        return lease != null;
    }

    /**
     * Whether this connection was invalidated: a statement was cancelled while it ran or the
     * connection was lost. It runs no more statements and is closed, not pooled, on release.
     */
    public boolean isInvalidated() {
        return invalidated;
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
            return start(lookup.bind(), lookup, lookup.compiled().resultColumns());
        });
        Mono<Long> count = Mono.defer(() -> {
            StatementCache.Lookup lookup = compile.get();
            return count(lookup.bind(), lookup);
        });
        return new Result(rows, count, "statement");
    }

    Flux<Row> stream(BoundStatement bound, StatementCache.Lookup lookup, List<ResultColumn> columns) {
        return Flux.defer(() -> start(bound, lookup, columns));
    }

    /** Sends the statement now (called at subscription) and streams its rows. */
    private Flux<Row> start(BoundStatement bound, StatementCache.Lookup lookup, List<ResultColumn> columns) {
        io.r2dbc.spi.Statement st = prepare(bound, lookup);
        RowShape[] shape = new RowShape[1];
        return tracked(offload(Flux.from(st.execute())).concatMap(r -> r.map((row, meta) -> toRow(row, meta, lookup, columns, shape))),
                bound, lookup, true);
    }

    private Mono<Long> count(BoundStatement bound, StatementCache.Lookup lookup) {
        return Mono.defer(() -> {
            io.r2dbc.spi.Statement st = prepare(bound, lookup);
            return tracked(offload(Flux.from(st.execute())).concatMap(r -> Flux.from(r.getRowsUpdated())), bound, lookup, false)
                    .reduce(0L, Long::sum);
        });
    }

    /** On a blocking driver, runs the driver's work on a thread that may block (see {@link Engine#blockingDriver()}). */
    private <T> Flux<T> offload(Flux<T> driverWork) {
        return engine.blockingDriver() ? driverWork.subscribeOn(Schedulers.boundedElastic()) : driverWork;
    }

    private Mono<Void> offload(Mono<Void> driverWork) {
        return engine.blockingDriver() ? driverWork.subscribeOn(Schedulers.boundedElastic()) : driverWork;
    }

    /**
     * A statement's publisher with the engine's bookkeeping: errors typed, driver buffers dropped
     * on cancel released, a cancel that arrives while it runs invalidates the connection (see the
     * class comment), and the engine's {@link StatementObserver}s told. {@code emitsRows}: the
     * publisher emits the statement's rows, else its update counts.
     */
    private <T> Flux<T> tracked(Flux<T> statement, BoundStatement bound, StatementCache.Lookup lookup, boolean emitsRows) {
        inFlight.incrementAndGet();
        Flux<T> run = statement;
        if (!threadIdChecked) {
            threadIdChecked = true;
            ServerCancel cancel = engine.serverCancel();
            // Once per physical connection, on drivers that do not tell it (r2dbc-mysql): the id a
            // KILL QUERY needs cannot be asked for once the statement to kill is running. Not on a
            // lent connection, which is never killed (see cancelledMidStatement).
            if (lease == null && cancel.mustLearnThreadId(physical)) {
                run = cancel.learnThreadId(raw, physical).thenMany(statement);
            }
        }
        // Rows the driver prefetched and drops on cancel go to TrackedStatement's discard hook (see DriverBuffers).
        return new TrackedStatement<>(run, this, bound, lookup != null && lookup.hit(), emitsRows);
    }

    /** True inside an explicit transaction that no statement has failed yet. */
    boolean inActiveTransaction() {
        return tx == TxState.ACTIVE;
    }

    /** A statement tracked by {@link #tracked} ended: completed, failed or cancelled. */
    void statementEnded() {
        inFlight.decrementAndGet();
    }

    /**
     * Checks state and binds, logs, and hands the statement to the driver. Everything here runs
     * before anything is sent, so its errors leave the transaction as it was.
     */
    private io.r2dbc.spi.Statement prepare(BoundStatement bound, StatementCache.Lookup lookup) {
        guard();
        BindCheck.check(bound);
        refuseSplitText(bound.sql());
        if (tx == TxState.NONE) {
            noteTransactionText(bound.sql());
        }
        noteAutocommitText(bound.sql());
        engine.log().statement(bound, lookup);
        io.r2dbc.spi.Statement st;
        try {
            st = raw.createStatement(bound.sql());
        } catch (IllegalStateException e) {
            // Closed by another thread since guard() (a session closed while one of its operations
            // ran): r2dbc-pool's untyped "The connection is closed", said as what it is.
            if (handedBack) {
                throw closedError();
            }
            throw e;
        }
        bindAll(st, bound);
        int fetchSize = engine.options().fetchSize();
        if (fetchSize > 0) {
            st.fetchSize(fetchSize);
        }
        return st;
    }

    /** Driver classes that cut SQL text at every {@code ;} (see {@link #refuseSplitText}). */
    private static final ClassValue<Boolean> SPLITS_AT_SEMICOLONS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return type.getName().startsWith("io.r2dbc.h2.");
        }
    };

    /**
     * r2dbc-h2 (1.0.1) cuts every statement's text at each {@code ;}, even one inside a string
     * literal or a comment, and runs the pieces as statements of their own: {@code SELECT 'a;b'}
     * fails with a syntax error, and a literal holding {@code ;DROP TABLE t;} hands the DROP to
     * the driver as a statement. Such text is refused before it reaches that driver (a trailing
     * {@code ;} is harmless: the driver drops the empty piece). Values Retort binds never appear in
     * the text, so only SQL text with a {@code ;} of its own is affected: raw or {@code text()}
     * SQL, DDL comments and defaults.
     */
    private void refuseSplitText(String sql) {
        if (!splitsAtSemicolons || sql.indexOf(';') < 0) {
            return;
        }
        int end = sql.length();
        while (end > 0 && (sql.charAt(end - 1) == ';' || Character.isWhitespace(sql.charAt(end - 1)))) {
            end--;
        }
        if (sql.lastIndexOf(';', end - 1) >= 0) {
            throw new io.retort.error.ArgumentError("r2dbc-h2 cannot run SQL text with a ';' inside it: the driver cuts the"
                    + " text at every ';', even in a string literal or comment, and runs the pieces as separate statements."
                    + " Bind the value as a parameter (text(\"... :v\").bind(\"v\", value)), or reach H2 through the JDBC"
                    + " bridge. Text: " + (sql.length() > 200 ? sql.substring(0, 200) + "..." : sql));
        }
    }

    /**
     * Notes text SQL (outside a transaction of this connection) that begins or ends a transaction
     * on its own, by its first keyword: only the first few characters are read.
     */
    private void noteTransactionText(String sql) {
        int i = skipSpace(sql, 0);
        if (i == sql.length() || "BbSsCcRrEe".indexOf(sql.charAt(i)) < 0) {
            return;
        }
        // regionMatches, not substring + toUpperCase: no allocation on the path of every SELECT.
        if (sql.regionMatches(true, i, "BEGIN", 0, 5) || sql.regionMatches(true, i, "START TRANSACTION", 0, 17)) {
            textTransaction = true;
        } else if (sql.regionMatches(true, i, "COMMIT", 0, 6) || sql.regionMatches(true, i, "END", 0, 3)
                || sql.regionMatches(true, i, "ROLLBACK", 0, 8) && !sql.regionMatches(true, i, "ROLLBACK TO", 0, 11)) {
            textTransaction = false;
        }
    }

    /**
     * Notes text SQL that sets the session's autocommit ({@link #textAutocommitOff}), in any
     * transaction state: {@code SET [SESSION | LOCAL | @@[SESSION. | LOCAL.]]autocommit [= | TO]
     * value}. Only on dialects where the setting exists (MariaDB, MySQL, H2): PostgreSQL refuses
     * it. 1, ON and TRUE turn it on; any other value (0, OFF, FALSE, a variable) counts as off,
     * since a release that resets in doubt costs two statements and one that does not leaks a
     * transaction. Only the first assignment of a SET is read.
     */
    private void noteAutocommitText(String sql) {
        if (!autocommitSettable) {
            return;
        }
        int n = sql.length();
        int i = skipSpace(sql, 0);
        if (!sql.regionMatches(true, i, "SET", 0, 3) || i + 3 >= n || !Character.isWhitespace(sql.charAt(i + 3))) {
            return;
        }
        i = skipSpace(sql, i + 3);
        if (sql.regionMatches(true, i, "@@", 0, 2)) {
            i += 2;
            if (sql.regionMatches(true, i, "SESSION.", 0, 8)) {
                i += 8;
            } else if (sql.regionMatches(true, i, "LOCAL.", 0, 6)) {
                i += 6;
            }
        } else if (sql.regionMatches(true, i, "SESSION", 0, 7) && i + 7 < n && Character.isWhitespace(sql.charAt(i + 7))) {
            i = skipSpace(sql, i + 7);
        } else if (sql.regionMatches(true, i, "LOCAL", 0, 5) && i + 5 < n && Character.isWhitespace(sql.charAt(i + 5))) {
            i = skipSpace(sql, i + 5);
        }
        if (!sql.regionMatches(true, i, "AUTOCOMMIT", 0, 10)) {
            return;
        }
        i += 10;
        if (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
            return; // another variable whose name starts with autocommit
        }
        i = skipSpace(sql, i);
        if (i < n && sql.charAt(i) == '=') {
            i = skipSpace(sql, i + 1);
        } else if (sql.regionMatches(true, i, "TO", 0, 2) && i + 2 < n && Character.isWhitespace(sql.charAt(i + 2))) {
            i = skipSpace(sql, i + 2);
        }
        int end = i;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '\'')) {
            end++;
        }
        String value = sql.substring(i, end).replace("'", "").toUpperCase(java.util.Locale.ROOT);
        boolean on = value.equals("1") || value.equals("ON") || value.equals("TRUE");
        textAutocommitOff = !on;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Turns autocommit on again after text SQL turned it off, as the dialect spells it. */
    private String autocommitOnSql() {
        return "h2".equals(dialect.name()) ? "SET AUTOCOMMIT TRUE" : "SET autocommit = 1";
    }

    /** Binds every value; a driver that still refuses one (an exotic type) raises a typed error naming the SQL. */
    private void bindAll(io.r2dbc.spi.Statement st, BoundStatement bound) {
        try {
            bindValues(st, bound);
        } catch (RuntimeException e) {
            throw engine.redactedBindError(e, bound);
        }
    }

    static void bindValues(io.r2dbc.spi.Statement st, BoundStatement bound) {
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

    private Row toRow(io.r2dbc.spi.Row row, io.r2dbc.spi.RowMetadata meta, StatementCache.Lookup lookup,
                      List<ResultColumn> columns, RowShape[] shape) {
        RowShape s = shape[0];
        if (s == null && lookup != null && columns.size() == meta.getColumnMetadatas().size()) {
            // A compiled statement's rows always have its result columns: one shape for all its executions.
            shape[0] = s = lookup.compiled().derived(RowShape.OF_STATEMENT);
        }
        if (s == null) {
            // Text SQL (no compiled columns), or a driver that returned other columns: the driver's names, types unknown.
            int n = meta.getColumnMetadatas().size();
            List<String> labels = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                labels.add(meta.getColumnMetadata(i).getName());
            }
            shape[0] = s = new RowShape(labels, new SqlType<?>[n]);
        }
        Object[] values = new Object[s.size()];
        for (int i = 0; i < values.length; i++) {
            Class<?> plain = s.plainTarget(i);
            values[i] = plain != null ? TypeReader.readPlain(row, i, plain, s) : TypeReader.read(row, i, s.type(i), s.label(i));
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
            for (BoundStatement b : bounds) {
                BindCheck.check(b);
            }
            refuseSplitText(first.sql());
            engine.log().statement(first, lookup);
            io.r2dbc.spi.Statement st = raw.createStatement(first.sql());
            for (int i = 0; i < bounds.size(); i++) {
                if (i > 0) {
                    st.add();
                }
                bindAll(st, bounds.get(i));
            }
            return tracked(offload(Flux.from(st.execute())).concatMap(r -> Mono.from(r.getRowsUpdated()).defaultIfEmpty(0L)),
                    first, lookup, false);
        });
    }

    /** Whether this connection's driver can run PostgreSQL's COPY FROM STDIN ({@link CopyIn}). */
    boolean supportsCopyIn() {
        return CopyIn.supported(physical);
    }

    /**
     * Runs {@code sql}, a {@code COPY ... FROM STDIN}, with {@code data} (text format) as its
     * input, with a statement's bookkeeping: logged, errors typed, a cancel mid-way invalidates
     * the connection. Emits the number of rows copied.
     */
    Mono<Long> copyIn(String sql, byte[] data) {
        return Flux.defer(() -> {
            guard();
            BoundStatement bound = plain(sql);
            engine.log().statement(bound, null);
            return tracked(offload(Flux.from(CopyIn.run(physical, sql, data))), bound, null, false);
        }).single();
    }

    /**
     * Reads a SELECT through a server-side cursor, {@code chunkSize} rows per round trip, emitting
     * each chunk as a list once it is read (PostgreSQL: {@code DECLARE ... NO SCROLL CURSOR FOR},
     * then {@code FETCH FORWARD n}). Unlike {@link #execute}, the connection is free between chunks:
     * while the subscriber holds one it may run other statements here (the ORM loads each chunk's
     * relationships this way, O17). The next FETCH is sent only when the previous one has ended and
     * the subscriber has asked for another chunk, so a slow subscriber holds back the reading and at
     * most one chunk is in memory on its account. Rows are typed like the SELECT's own.
     *
     * <p>The cursor lives in the current transaction, which must have begun; it is closed after
     * the last chunk, or by the transaction's end if the subscriber cancels first. On a dialect
     * without cursors ({@link Dialect#supportsCursors}) the Flux fails with a {@link CompileError}
     * naming it.
     */
    public Flux<List<Row>> cursor(Statement select, int chunkSize) {
        return Flux.defer(() -> {
            if (!(select instanceof SelectBase)) {
                throw new ArgumentError("cursor() reads a SELECT, not a " + select.getClass().getSimpleName());
            }
            if (chunkSize < 1) {
                throw new ArgumentError("A cursor's chunk size must be at least 1, not " + chunkSize);
            }
            if (!dialect.supportsCursors()) {
                throw CompileError.unsupported(dialect.name(), "server-side cursors (DECLARE ... CURSOR, FETCH)");
            }
            if (!isInTransaction() && lease == null) {
                throw new InvalidRequestError("A cursor lives in a transaction: begin one before cursor()");
            }
            StatementCache.Lookup lookup = engine.cache().lookup(dialect, select);
            BoundStatement query = lookup.bind();
            String name = "retort_cursor_" + cursorIds.incrementAndGet();
            BoundStatement declare = new BoundStatement("DECLARE " + name + " NO SCROLL CURSOR FOR " + query.sql(),
                    query.values(), query.types());
            BoundStatement fetch = plain("FETCH FORWARD " + chunkSize + " FROM " + name);
            List<ResultColumn> columns = lookup.compiled().resultColumns();
            Flux<List<Row>> chunks = Flux.create(sink -> new CursorPump(sink, stream(fetch, lookup, columns).collectList(),
                    chunkSize));
            return count(declare, null).thenMany(chunks).concatWith(count(plain("CLOSE " + name), null).then(Mono.empty()));
        });
    }

    /** Trusted SQL text without binds. */
    private static BoundStatement plain(String sql) {
        return new BoundStatement(sql, new Object[0], new Class<?>[0]);
    }

    /**
     * Executes raw SQL text (trusted; no binds).
     *
     * @throws io.retort.error.ArgumentError if the text holds more than one statement (B19; see
     *                                       {@link io.retort.sql.TextClause#requireOneStatement})
     */
    public Result executeRaw(String sql) {
        io.retort.sql.TextClause.requireOneStatement(sql, dialect().mysqlTextSyntax());
        return oneStatement(sql);
    }

    /** {@link #executeRaw} for text known to be one statement. */
    private Result oneStatement(String sql) {
        BoundStatement bound = plain(sql);
        return new Result(stream(bound, null, List.of()), count(bound, null), sql);
    }

    /**
     * Runs a script of several statements (DDL, a migration, a seed file), one after another on
     * this connection, and emits the rows they affected in total. {@link #executeRaw} takes one
     * statement only (B19); this splits the script first ({@link io.retort.sql.TextClause#splitStatements}:
     * at each {@code ;} outside literals, quoted names, comments and, except on MySQL, dollar
     * quotes) and sends each statement on its own, so no driver ever sees two in one string.
     * The first failing statement ends the script with its typed error; those before it stay
     * applied unless the script runs in a transaction ({@code inTransaction}; MySQL and MariaDB
     * commit DDL at once regardless).
     *
     * @throws io.retort.error.ArgumentError (at once) when the statements cannot be told apart
     */
    public Mono<Long> executeScript(String script) {
        List<String> statements = io.retort.sql.TextClause.splitStatements(script, dialect().mysqlTextSyntax());
        return Flux.fromIterable(statements).concatMap(sql -> oneStatement(sql).rowsAffected()).reduce(0L, Long::sum);
    }

    Engine engine() {
        return engine;
    }

    // ================================================================= transactions

    /**
     * Runs {@code work} in a transaction: commit when it completes, rollback on error or cancel.
     * Inside a transaction already, the work joins it; if the inner work fails, the outer
     * transaction becomes inactive and must be rolled back.
     *
     * <p>Emits what {@code work} emits; the last element arrives before the COMMIT, so consume
     * the whole publisher ({@code single()}, {@code collectList()}, {@code then()}): an operator
     * that cancels after the first element ({@code next()}, {@code take(1)}) cancels the
     * transaction, which rolls it back.
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
                    // The work's error is what the caller needs to see; a rollback that fails too
                    // (the connection is gone) only invalidates the connection.
                    (ignored, e) -> quietly(rollback()),
                    ignored -> afterCancel(rollback()))
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
                    trackedCommand(offload(Mono.from(raw.createSavepoint(name)))).then(Mono.fromRunnable(() -> {
                        nestedDepth++;
                        nestedFailed = false;
                    })).thenReturn(name),
                    sp -> work.apply(this),
                    sp -> endNested(name, outerFailed, false),
                    (sp, e) -> quietly(endNested(name, outerFailed, true)),
                    sp -> afterCancel(endNested(name, outerFailed, true)))
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
        return Mono.defer(() -> {
            boolean failedInside = nestedFailed;
            nestedDepth--;
            nestedFailed = outerFailed;
            if (invalidated) {
                // The connection is being closed: the server discards the whole transaction.
                return Mono.empty();
            }
            if (rollback || failedInside) {
                Mono<Void> back = offload(Mono.from(raw.rollbackTransactionToSavepoint(name))).onErrorMap(e -> failed(e, null));
                // A scope that completed although one of its statements failed must not look successful.
                return failedInside && !rollback
                        ? back.then(Mono.error(new PendingRollbackError("The savepoint scope completed after one of its"
                        + " statements failed; it was rolled back to the savepoint", failure)))
                        : back;
            }
            return trackedCommand(offload(Mono.from(raw.releaseSavepoint(name)))).onErrorMap(e -> failed(e, null));
        });
    }

    /** BEGIN with an optional isolation level. Prefer {@link #inTransaction}, which always ends it. */
    public Mono<Void> begin(IsolationLevel isolation) {
        return Mono.defer(() -> {
            guard();
            if (tx != TxState.NONE) {
                return Mono.error(new InvalidRequestError("A transaction is already active on this connection"));
            }
            if (lease != null) {
                // The external transaction is already open: join it (its isolation level applies).
                tx = TxState.ACTIVE;
                failure = null;
                return Mono.empty();
            }
            TransactionDefinition def = isolation == null ? null : IsolationDefinition.of(isolation);
            Publisher<Void> begin = def == null ? raw.beginTransaction() : raw.beginTransaction(def);
            return trackedCommand(offload(Mono.from(begin))).onErrorMap(e -> failed(e, null)).then(Mono.fromRunnable(() -> {
                tx = TxState.ACTIVE;
                failure = null;
            }));
        });
    }

    /**
     * COMMIT; an inactive transaction (a statement failed, a statement was cancelled, the
     * connection was lost) is rolled back instead and a PendingRollbackError is signalled.
     */
    public Mono<Void> commit() {
        return Mono.defer(() -> {
            if (tx == TxState.INACTIVE) {
                RetortException cause = failure;
                return rollback().onErrorResume(e -> Mono.empty())
                        .then(Mono.error(new PendingRollbackError("This transaction is inactive due to an earlier error"
                                + " and was rolled back instead of committed. Original error: "
                                + (cause == null ? "unknown" : cause.getMessage()), cause)));
            }
            if (tx == TxState.NONE) {
                return Mono.empty();
            }
            if (lease != null) {
                // The scope ends; the owner commits the outer transaction.
                tx = TxState.NONE;
                return Mono.empty();
            }
            // A COMMIT cancelled in flight has an unknown outcome: the connection is invalidated.
            // Bounded (F15): on a silent link the answer never comes, and the cancel that ends
            // the wait invalidates the connection like any cancelled command.
            Duration limit = engine.options().commitTimeout();
            Mono<Void> sent = Deadline.within(trackedCommand(offload(Mono.from(raw.commitTransaction()))), limit,
                    () -> new TimeoutError("COMMIT was sent but not answered within " + limit + ": the transaction's"
                            + " outcome is unknown (it may have committed); the connection was closed", "COMMIT", null,
                            null, 0, null));
            return sent.onErrorMap(e -> commitFailed(e)).doFinally(s -> tx = TxState.NONE);
        });
    }

    /**
     * Types a COMMIT's failure. One that lost the connection (or timed out) while COMMIT was in
     * flight cannot tell whether the server committed: the error says so, since a caller that
     * retries the transaction may then apply it twice.
     */
    private RetortException commitFailed(Throwable e) {
        RetortException t = e instanceof TimeoutError ? (TimeoutError) e : failed(e, COMMIT);
        if (t instanceof io.retort.error.ConnectionLostError) {
            io.retort.error.ConnectionLostError lost = (io.retort.error.ConnectionLostError) t;
            return new io.retort.error.ConnectionLostError("The connection was lost while COMMIT was in flight: the"
                    + " transaction's outcome is unknown (it may have committed). " + t.getMessage(), "COMMIT", null,
                    lost.sqlState(), lost.vendorCode(), lost, lost.sqlStateSynthesised());
        }
        return t;
    }

    private static final BoundStatement COMMIT = plain("COMMIT");

    /**
     * ROLLBACK; always ends the transaction state, even if the server reports an error. On an
     * invalidated connection nothing is sent: closing the connection rolls back on the server.
     */
    public Mono<Void> rollback() {
        return Mono.defer(() -> {
            if (tx == TxState.NONE) {
                return Mono.empty();
            }
            if (invalidated || lease != null) {
                // Invalidated: closing the connection rolls back. Joined: the error that ended
                // the scope reaches the owner, which rolls back the outer transaction.
                tx = TxState.NONE;
                failure = null;
                return Mono.empty();
            }
            return offload(Mono.from(raw.rollbackTransaction()))
                    .onErrorMap(e -> ErrorTranslator.translate(e, "ROLLBACK", null))
                    .doFinally(s -> {
                        tx = TxState.NONE;
                        failure = null;
                    });
        });
    }

    /**
     * Sets a server-side statement timeout for this connection's later statements; a statement
     * running longer fails with a {@link io.retort.error.TimeoutError} (PostgreSQL 57014,
     * MariaDB 1969), and the connection stays usable (on PostgreSQL a transaction is aborted and
     * must be rolled back). {@link Duration#ZERO} removes it. Reset when the connection is
     * released.
     */
    public Mono<Void> setStatementTimeout(Duration timeout) {
        return Mono.defer(() -> executeRaw(dialectTimeoutSql(timeout)).rowsAffected()
                .doOnSuccess(n -> statementTimeoutSet = !timeout.isZero()).then());
    }

    /**
     * Sets how long this connection's statements wait for a row lock before failing with a
     * {@link io.retort.error.LockTimeoutError} (PostgreSQL {@code lock_timeout}, 55P03; MariaDB
     * {@code innodb_lock_wait_timeout} in whole seconds, at least 1, error 1205; H2
     * {@code LOCK_TIMEOUT}). Reset when the connection is released.
     */
    public Mono<Void> setLockTimeout(Duration timeout) {
        return Mono.defer(() -> {
            long ms = timeout.toMillis();
            switch (dialect.name()) {
                case "postgresql":
                    return setLock("SET lock_timeout = " + ms, Mono.just("SET lock_timeout = DEFAULT"));
                case "mariadb":
                case "mysql":
                    return setLock("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, (ms + 999) / 1000),
                            Mono.just("SET SESSION innodb_lock_wait_timeout = DEFAULT"));
                case "h2":
                    // H2 has no DEFAULT for session settings: remember the value to restore.
                    return setLock("SET LOCK_TIMEOUT " + ms, executeRaw("SELECT LOCK_TIMEOUT()").all()
                            .map(rows -> "SET LOCK_TIMEOUT " + rows.get(0).get(0)));
                default:
                    return Mono.error(new InvalidRequestError("Lock timeouts are not supported on " + dialect.name()));
            }
        });
    }

    private Mono<Void> setLock(String sql, Mono<String> resetSql) {
        Mono<String> reset = lockTimeoutReset != null ? Mono.just(lockTimeoutReset) : resetSql;
        return reset.flatMap(r -> executeRaw(sql).rowsAffected().doOnSuccess(n -> lockTimeoutReset = r)).then();
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

    private String statementTimeoutResetSql() {
        switch (dialect.name()) {
            case "postgresql": return "SET statement_timeout = DEFAULT";
            case "mariadb": return "SET SESSION max_statement_time = DEFAULT";
            case "mysql": return "SET SESSION max_execution_time = DEFAULT";
            default: return dialectTimeoutSql(Duration.ZERO);
        }
    }

    // ================================================================= state

    private void guard() {
        if (handedBack) {
            throw closedError();
        }
        if (invalidated && tx != TxState.NONE) {
            // SQLAlchemy's "can't reconnect until invalid transaction is rolled back" (F11): the
            // caller must learn that its transaction is gone before anything else runs.
            throw new PendingRollbackError("This connection was lost or invalidated inside a transaction, which is gone;"
                    + " roll it back before running more statements. Original error: "
                    + (failure == null ? "unknown" : failure.getMessage()), failure);
        }
        if (invalidated) {
            throw new InvalidRequestError("This connection was invalidated (a statement was cancelled while it ran,"
                    + " or the connection was lost); it runs no more statements"
                    + (failure == null ? "" : ". Original error: " + failure.getMessage()), failure);
        }
        if (tx == TxState.INACTIVE && nestedDepth == 0) {
            throw new PendingRollbackError("This transaction is inactive due to an earlier error; roll it back before"
                    + " running more statements. Original error: " + (failure == null ? "unknown" : failure.getMessage()),
                    failure);
        }
    }

    /** A statement on a connection already returned to the pool: the caller's use after close. */
    private InvalidRequestError closedError() {
        return new InvalidRequestError("This connection was closed (returned to the pool) and runs no more statements;"
                + " if a session owns it, the session was closed or rolled back while this operation ran");
    }

    RetortException failed(Throwable e, BoundStatement bound) {
        RetortException t = engine.translate(e, bound, statementTimeoutSet);
        if (t instanceof io.retort.error.ConnectionLostError) {
            // First, so a lost connection inside a savepoint fails the whole transaction.
            invalidate();
        }
        markInactive(t, null);
        return t;
    }

    private void markInactive(Throwable e, String why) {
        if (tx == TxState.NONE) {
            return;
        }
        boolean alreadyInactive = tx == TxState.INACTIVE && failure != null;
        if (nestedDepth > 0 && !invalidated) {
            nestedFailed = true;
        } else {
            tx = TxState.INACTIVE;
        }
        if (!alreadyInactive) {
            // Keep the original failure: on PostgreSQL every later statement fails only because
            // the transaction is aborted, which would hide the cause.
            failure = e instanceof RetortException ? (RetortException) e : new InvalidRequestError(why, e);
        }
    }

    /**
     * A statement ({@code bound}), or a transaction command (null), was cancelled while it ran:
     * the connection is invalidated, and a statement is stopped on the server too
     * ({@link ServerCancel}: a PostgreSQL CancelRequest, a MariaDB/MySQL KILL QUERY). Only here,
     * where the connection is closed anyway: a late cancel or KILL can then never hit a later
     * statement, which a reused connection would run. A client-side timeout ({@code timeout(...)}
     * on a statement's publisher) cancels it, so it arrives here as well (F19).
     */
    void cancelledMidStatement(BoundStatement bound) {
        // Not on a lent connection: its owner goes on using it, and a late cancel request could
        // hit the owner's next statement; the driver drains the cancelled one.
        if (!invalidated && bound != null && lease == null) {
            engine.serverCancel().request(physical);
        }
        invalidate();
        markInactive(new CancelledError("A statement was cancelled by its subscriber while it ran; the connection"
                + " was closed", bound == null ? null : bound.sql(), null, null, 0, null), null);
    }

    /** A transaction command (BEGIN, COMMIT, SAVEPOINT) that invalidates the connection if cancelled in flight. */
    private Mono<Void> trackedCommand(Mono<Void> command) {
        return Mono.defer(() -> {
            inFlight.incrementAndGet();
            return command.doOnCancel(() -> cancelledMidStatement(null)).doFinally(s -> inFlight.decrementAndGet());
        });
    }

    /** Clean-up on an error path: its own failure must not replace the error being reported. */
    private Mono<Void> quietly(Mono<Void> cleanup) {
        return cleanup.timeout(CLEANUP_TIMEOUT).onErrorResume(e -> {
            invalidate();
            return Mono.empty();
        });
    }

    /** Clean-up of a cancelled scope: chained after earlier clean-up, and awaited by the release. */
    private synchronized Mono<Void> afterCancel(Mono<Void> cleanup) {
        Mono<Void> next = pendingCleanup.then(quietly(cleanup)).cache();
        pendingCleanup = next;
        return next;
    }

    /**
     * Marks the connection unusable: it runs no more statements, and on release it is closed
     * instead of pooled ({@link Engine} refuses it in r2dbc-pool's {@code preRelease}, so the
     * pool destroys it). Closing it ends the server's work for a subscriber that left and rolls
     * back its transaction. The close happens once, at release (a scope releases right after
     * its cancel): closing here as well made r2dbc-mysql log a failed second close as an ERROR.
     */
    void invalidate() {
        if (invalidated) {
            return;
        }
        invalidated = true;
        if (lease == null) {
            // A lent connection is not ours to discard: its owner releases it.
            engine.markUnusable(physical);
        }
    }

    /**
     * Returns a connection obtained with {@link Engine#open()} to the pool, rolling back any open
     * transaction. Scoped connections ({@code engine.connect}) are released automatically.
     * Idempotent. Once subscribed, the return runs to its end even if the subscriber cancels (a
     * timeout, a failing sibling, a disposed chain): the connection is marked released at once,
     * so a return cut off during its rollback would have lost it for good (RELIABILITY F35).
     */
    public Mono<Void> close() {
        return Mono.deferContextual(ctx -> {
            Sinks.Empty<Void> done = Sinks.empty();
            // release() never fails; the error branch only keeps the subscriber from waiting forever.
            release().contextWrite(ctx).subscribe(null, e -> done.tryEmitEmpty(), done::tryEmitEmpty);
            return done.asMono();
        });
    }

    /**
     * Returns the connection to the pool: rolls back an open transaction and resets session
     * settings made through this API; an invalidated connection (or one whose reset failed) is
     * closed and dropped by the pool instead. Idempotent; never fails.
     */
    Mono<Void> release() {
        return Mono.defer(() -> {
            if (!released.compareAndSet(false, true)) {
                return Mono.empty();
            }
            Mono<Void> reset = invalidated ? null : resetSession();
            // Nothing to reset is the common case: no clean-up chain (and no timer) at all.
            // trackRelease ends it quietly if it fails: the pool logs and discards such a connection.
            Mono<Void> close;
            try {
                // After a reset the pool return is subscribed on the reset's thread: counted on
                // its own too, so the count covers the pool's work after its signal there
                // (see QuietRelease).
                close = reset == null ? closeOrReturn()
                        : quietly(reset).then(Mono.defer(() -> engine.trackRelease(closeOrReturn())));
            } catch (RuntimeException e) {
                close = Mono.error(e); // a driver whose close() throws: still quiet
            }
            return engine.trackRelease(close);
        });
    }

    /**
     * Hands the connection back: to the pool, which destroys an invalidated one; unpooled, it is
     * closed; lent by an external transaction, to its owner (never closed). On a blocking driver (H2) the close of an invalidated connection waits for its
     * running statement, so it runs on a thread that may block.
     */
    private Mono<Void> closeOrReturn() {
        handedBack = true;
        if (lease != null) {
            return lease.release();
        }
        if (!invalidated) {
            return Mono.from(raw.close());
        }
        // Closing a broken connection may never finish: r2dbc-mysql queues its COM_QUIT behind
        // the exchange whose answer was lost (F15), so its close waits as long as the silence.
        // The engine's close of it is bounded and ends by closing the socket (BoundedClose); it
        // goes on in the background (counted, so Engine.dispose waits for it a while), and the
        // scope waits for it at most INVALIDATED_CLOSE_WAIT, so the caller's error is never held
        // by it. r2dbc-pool has returned the slot's permit before it closes the connection.
        Mono<Void> close = engine.closeInvalidated(raw);
        Sinks.Empty<Void> closed = Sinks.empty();
        engine.trackRelease(close.subscribeOn(Schedulers.boundedElastic())
                .doFinally(s -> closed.tryEmitEmpty())).subscribe();
        return closed.asMono().timeout(INVALIDATED_CLOSE_WAIT, Mono.fromRunnable(() -> SqlLog.LOG.debug(
                "closing an invalidated connection of {} takes longer than {}; going on without it", engine,
                INVALIDATED_CLOSE_WAIT)));
    }

    /** How long a scope waits for the close of its invalidated connection before it goes on (see closeOrReturn). */
    static final Duration INVALIDATED_CLOSE_WAIT = Duration.ofMillis(500);

    /** What returning the connection must undo first, or null when it made no changes. */
    private Mono<Void> resetSession() {
        if (tx == TxState.NONE && !statementTimeoutSet && lockTimeoutReset == null && !textTransaction
                && !textAutocommitOff) {
            return null;
        }
        Mono<Void> reset = tx != TxState.NONE ? rollback()
                // As text too: the driver does not know of it (the bridge's rollbackTransaction would skip it).
                : textTransaction && !textAutocommitOff && lease == null
                        ? Mono.defer(() -> executeRaw("ROLLBACK").rowsAffected().then())
                : Mono.empty();
        if (textAutocommitOff && lease == null) {
            // ROLLBACK first: on MariaDB/MySQL turning autocommit on commits the open transaction.
            // (A lent connection is its owner's: turning autocommit on would commit the owner's work.)
            reset = reset.then(Mono.defer(() -> executeRaw("ROLLBACK").rowsAffected().then()))
                    .then(Mono.defer(() -> executeRaw(autocommitOnSql()).rowsAffected().then()))
                    .doOnSuccess(v -> {
                        textAutocommitOff = false;
                        textTransaction = false;
                    });
        }
        if (statementTimeoutSet) {
            reset = reset.then(Mono.defer(() -> executeRaw(statementTimeoutResetSql()).rowsAffected().then()))
                    .doOnSuccess(v -> statementTimeoutSet = false);
        }
        String lockReset = lockTimeoutReset;
        if (lockReset != null) {
            reset = reset.then(Mono.defer(() -> executeRaw(lockReset).rowsAffected().then()))
                    .doOnSuccess(v -> lockTimeoutReset = null);
        }
        return reset;
    }

    /**
     * Release after the subscriber cancelled the scope: waits for the clean-up of cancelled
     * inner scopes (their rollback), then releases. A statement still running at this point
     * (started outside the scope's chain) makes the connection unusable.
     */
    Mono<Void> releaseAfterCancel() {
        return engine.trackRelease(Mono.defer(() -> pendingCleanup.onErrorResume(e -> Mono.empty()).then(Mono.defer(() -> {
            if (inFlight.get() > 0) {
                invalidate();
            }
            return release();
        }))));
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
