package io.retort.benchmarks;

import static io.retort.sql.Sql.insert;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.retort.benchmarks.BenchTables.InsertTable;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.sql.Column;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Inserting {@value #ROWS} rows (issue #4), on PostgreSQL: {@code bench_insert(id int primary key,
 * name varchar(64), price numeric(10,2), quantity int)}, emptied (TRUNCATE) before every
 * invocation, outside the measured region. Every variant starts from the same
 * {@value #ROWS} {@link Item} records, inserts them all in <b>one transaction</b> (BEGIN ... COMMIT:
 * what is compared is the protocol, not {@value #ROWS} commits), checks the row count and is
 * measured in rows per second:
 *
 * <ul>
 *   <li>{@code rawBatchAdd}: r2dbc-postgresql's {@code Statement.add()} batch of
 *       {@code INSERT ... VALUES ($1, $2, $3, $4)}, one binding per row;</li>
 *   <li>{@code rawMultiValues}: multi-row {@code VALUES ($1, ..., $4), ..., ($3997, ..., $4000)},
 *       {@value #VALUES_PAGE} rows a statement;</li>
 *   <li>{@code rawUnnest}: {@code INSERT ... SELECT * FROM unnest($1::int[], $2::varchar[],
 *       $3::numeric[], $4::int[])}, one array per column, {@value #ARRAY_PAGE} rows a statement;</li>
 *   <li>{@code rawCopy}: {@code COPY bench_insert (...) FROM STDIN} (text format) through
 *       r2dbc-postgresql's {@code PostgresqlConnection.copyIn}, the rows encoded in the measured
 *       region;</li>
 *   <li>{@code retortExecuteMany}: Retort's {@code connection.executeMany(insert(T), parameterSets)},
 *       the parameter-set maps built from the records in the measured region, along the path the
 *       parameter {@code path} picks: {@code copy} (the default PostgreSQL dialect: COPY FROM
 *       STDIN pages, see ExecuteMany), {@code unnest} (array binding) or {@code values}
 *       (multi-row VALUES pages, the implementation before issue #4).</li>
 * </ul>
 */
public class BulkInsertBenchmark extends BenchmarkSettings {

    public static final int ROWS = 100_000;
    public static final int VALUES_PAGE = 1000;
    public static final int ARRAY_PAGE = 10_000;
    static final int COPY_CHUNK = 1000;

    static final String INSERT_ONE = "INSERT INTO bench_insert (id, name, price, quantity) VALUES ($1, $2, $3, $4)";
    static final String INSERT_UNNEST = "INSERT INTO bench_insert (id, name, price, quantity) "
            + "SELECT * FROM unnest($1::int[], $2::varchar[], $3::numeric[], $4::int[])";
    static final String COPY = "COPY bench_insert (id, name, price, quantity) FROM STDIN";
    static final String INSERT_VALUES_PAGE = multiValues(VALUES_PAGE);

    static final InsertTable T = BenchTables.INSERT;

    /** One row to insert. */
    public record Item(int id, String name, BigDecimal price, int quantity) {
    }

    /** The rows, built once. */
    @State(Scope.Benchmark)
    public static class Data {
        List<Item> items;

        @Setup(Level.Trial)
        public void build() {
            items = items(ROWS);
        }
    }

    static List<Item> items(int n) {
        List<Item> l = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            l.add(new Item(i, "item-" + i, BigDecimal.valueOf((i * 37L) % 100_000, 2), i % 100));
        }
        return l;
    }

    /** One raw driver connection to {@code bench_insert}'s database for the trial; subclasses say when to empty it. */
    public abstract static class RawInsertConnection {
        Connection connection;

        @Setup(Level.Trial)
        public void open() {
            ConnectionFactory factory = BenchDatabase.connectionFactory();
            BenchDatabase.ensureInsertTable(factory);
            connection = BenchDatabase.connect(factory);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (connection != null) {
                Mono.from(connection.close()).block(BenchDatabase.TIMEOUT);
            }
        }
    }

    /** One raw connection for the trial; the table is emptied before each invocation. */
    @State(Scope.Thread)
    public static class Raw extends RawInsertConnection {
        @Setup(Level.Invocation)
        public void truncate() {
            BenchDatabase.truncateInsertTable(connection);
        }
    }

    /**
     * One Retort connection for the trial. {@code path} picks executemany's PostgreSQL form:
     * {@code copy} (the default dialect: COPY FROM STDIN), {@code unnest} (array binding,
     * {@code withCopyIn(false)}) or {@code values} (multi-row VALUES pages, neither).
     */
    @State(Scope.Thread)
    public static class Retort {
        @Param({"copy", "unnest", "values"})
        public String path;

        HeldConnection held;

        @Setup(Level.Trial)
        public void open() {
            held = openRetort(dialectFor(path));
        }

        @Setup(Level.Invocation)
        public void truncate() {
            truncateRetort(held);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    /** The PostgreSQL dialect whose executemany takes {@code path}: {@code copy}, {@code unnest} or {@code values}. */
    static PostgresDialect dialectFor(String path) {
        switch (path) {
            case "copy": return PostgresDialect.INSTANCE;
            case "unnest": return PostgresDialect.INSTANCE.withCopyIn(false);
            case "values": return PostgresDialect.INSTANCE.withCopyIn(false).withArrayInBinding(false);
            default: throw new IllegalArgumentException("path " + path);
        }
    }

    static HeldConnection openRetort(PostgresDialect dialect) {
        ConnectionFactory factory = BenchDatabase.connectionFactory();
        BenchDatabase.ensureInsertTable(factory);
        return HeldConnection.open(Engine.create(factory, EngineOptions.builder().pooled(false).dialect(dialect).build()));
    }

    static void truncateRetort(HeldConnection held) {
        held.connection().executeRaw("TRUNCATE TABLE bench_insert").rowsAffected().block(BenchDatabase.TIMEOUT);
    }

    // ------------------------------------------------------------------ raw

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long rawBatchAdd(Raw db, Data data) {
        Connection c = db.connection;
        return check(inTransaction(c, Mono.defer(() -> {
            Statement st = c.createStatement(INSERT_ONE);
            List<Item> items = data.items;
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    st.add();
                }
                Item it = items.get(i);
                st.bind(0, it.id()).bind(1, it.name()).bind(2, it.price()).bind(3, it.quantity());
            }
            return rowsUpdated(st);
        })));
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long rawMultiValues(Raw db, Data data) {
        Connection c = db.connection;
        return check(inTransaction(c, Flux.range(0, ROWS / VALUES_PAGE).concatMap(p -> {
            Statement st = c.createStatement(INSERT_VALUES_PAGE);
            int k = 0;
            for (Item it : data.items.subList(p * VALUES_PAGE, (p + 1) * VALUES_PAGE)) {
                st.bind(k++, it.id()).bind(k++, it.name()).bind(k++, it.price()).bind(k++, it.quantity());
            }
            return rowsUpdated(st);
        }).reduce(0L, Long::sum)));
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long rawUnnest(Raw db, Data data) {
        Connection c = db.connection;
        return check(inTransaction(c, Flux.range(0, ROWS / ARRAY_PAGE).concatMap(p -> {
            List<Item> page = data.items.subList(p * ARRAY_PAGE, (p + 1) * ARRAY_PAGE);
            Integer[] ids = new Integer[page.size()];
            String[] names = new String[page.size()];
            BigDecimal[] prices = new BigDecimal[page.size()];
            Integer[] quantities = new Integer[page.size()];
            for (int i = 0; i < page.size(); i++) {
                Item it = page.get(i);
                ids[i] = it.id();
                names[i] = it.name();
                prices[i] = it.price();
                quantities[i] = it.quantity();
            }
            return rowsUpdated(c.createStatement(INSERT_UNNEST).bind(0, ids).bind(1, names).bind(2, prices)
                    .bind(3, quantities));
        }).reduce(0L, Long::sum)));
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long rawCopy(Raw db, Data data) {
        PostgresqlConnection c = (PostgresqlConnection) db.connection;
        Flux<ByteBuf> stdin = Flux.range(0, (ROWS + COPY_CHUNK - 1) / COPY_CHUNK).map(p -> {
            ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(COPY_CHUNK * 40);
            StringBuilder line = new StringBuilder(64);
            for (Item it : data.items.subList(p * COPY_CHUNK, Math.min(ROWS, (p + 1) * COPY_CHUNK))) {
                line.setLength(0);
                line.append(it.id()).append('\t');
                copyText(line, it.name());
                line.append('\t').append(it.price().toPlainString()).append('\t').append(it.quantity()).append('\n');
                buf.writeCharSequence(line, StandardCharsets.UTF_8);
            }
            return buf;
        });
        return check(inTransaction(c, c.copyIn(COPY, stdin)));
    }

    // ------------------------------------------------------------------ Retort

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long retortExecuteMany(Retort db, Data data) {
        return retortInsert(db.held, data.items);
    }

    static long retortInsert(HeldConnection held, List<Item> items) {
        List<Map<Column<?>, Object>> sets = new ArrayList<>(items.size());
        for (Item it : items) {
            sets.add(Map.of(T.id, it.id(), T.name, it.name(), T.price, it.price(), T.quantity, it.quantity()));
        }
        return check(held.connection().inTransaction(c -> c.executeMany(insert(T), sets).rowsAffected())
                .single());
    }

    // ------------------------------------------------------------------ helpers

    static <T> Mono<T> inTransaction(Connection c, org.reactivestreams.Publisher<T> work) {
        return Mono.from(c.beginTransaction())
                .then(Mono.from(work))
                .flatMap(v -> Mono.from(c.commitTransaction()).thenReturn(v))
                .onErrorResume(e -> Mono.from(c.rollbackTransaction()).then(Mono.error(e)));
    }

    static Mono<Long> rowsUpdated(Statement st) {
        return Flux.from(st.execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
    }

    static long check(Mono<Long> inserted) {
        return check(inserted, ROWS);
    }

    static long check(Mono<Long> inserted, long expected) {
        Long n = inserted.block(java.time.Duration.ofMinutes(5));
        if (n == null || n != expected) {
            throw new IllegalStateException("expected " + expected + " rows inserted, got " + n);
        }
        return n;
    }

    /** {@code INSERT ... VALUES ($1, $2, $3, $4), ...} with {@code rows} rows. */
    static String multiValues(int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO bench_insert (id, name, price, quantity) VALUES ");
        for (int r = 0; r < rows; r++) {
            int b = r * 4;
            sb.append(r == 0 ? "" : ", ").append("($").append(b + 1).append(", $").append(b + 2).append(", $")
                    .append(b + 3).append(", $").append(b + 4).append(')');
        }
        return sb.toString();
    }

    /** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
    static void copyText(StringBuilder out, String s) {
        if (s == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\': out.append("\\\\"); break;
                case '\t': out.append("\\t"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                default: out.append(ch);
            }
        }
    }
}
