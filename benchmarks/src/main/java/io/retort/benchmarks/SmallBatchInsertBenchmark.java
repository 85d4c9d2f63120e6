package io.retort.benchmarks;

import static io.retort.sql.Sql.insert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import io.retort.benchmarks.BenchTables.InsertTable;
import io.retort.benchmarks.BulkInsertBenchmark.Item;
import io.retort.sql.Column;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Mono;

/**
 * Small executemany batches on PostgreSQL: what a unit-of-work flush of a few new rows costs, and
 * whether COPY FROM STDIN (Retort's default for executemany there) is the right form for a few rows
 * too. Each operation inserts {@code rows} new rows of {@code bench_insert} in one transaction
 * (fresh ids; the table is emptied between iterations). Measured in batches per second:
 * <ul>
 *   <li>{@code rawBatchAdd}: the driver's {@code Statement.add()} batch of one-row INSERTs;</li>
 *   <li>{@code retortExecuteMany}: {@code executeMany(insert(T), sets)} along {@code path}:
 *       {@code copy} (the default dialect) or {@code unnest} (array binding, COPY off).</li>
 * </ul>
 */
public class SmallBatchInsertBenchmark extends BenchmarkSettings {

    @Param({"1", "4", "16", "64"})
    public int rows;

    /** The id to start the next batch at, so every batch inserts new keys. */
    int nextId = 1;

    /** One raw connection for the trial; the table is emptied before each iteration. */
    @State(Scope.Thread)
    public static class Raw extends BulkInsertBenchmark.RawInsertConnection {
        @Setup(Level.Iteration)
        public void truncate() {
            BenchDatabase.truncateInsertTable(connection);
        }
    }

    @State(Scope.Thread)
    public static class Retort {
        @Param({"copy", "unnest"})
        public String path;

        HeldConnection held;

        @Setup(Level.Trial)
        public void open() {
            held = BulkInsertBenchmark.openRetort(BulkInsertBenchmark.dialectFor(path));
        }

        @Setup(Level.Iteration)
        public void truncate() {
            BulkInsertBenchmark.truncateRetort(held);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (held != null) {
                held.close();
            }
        }
    }

    private List<Item> nextBatch() {
        List<Item> items = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            int id = nextId++;
            items.add(new Item(id, "item-" + id, java.math.BigDecimal.valueOf((id * 37L) % 100_000, 2), id % 100));
        }
        return items;
    }

    @Setup(Level.Iteration)
    public void restartIds() {
        nextId = 1;
    }

    @Benchmark
    public long rawBatchAdd(Raw db) {
        Connection c = db.connection;
        List<Item> items = nextBatch();
        return BulkInsertBenchmark.check(BulkInsertBenchmark.inTransaction(c, Mono.defer(() -> {
            Statement st = c.createStatement(BulkInsertBenchmark.INSERT_ONE);
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    st.add();
                }
                Item it = items.get(i);
                st.bind(0, it.id()).bind(1, it.name()).bind(2, it.price()).bind(3, it.quantity());
            }
            return BulkInsertBenchmark.rowsUpdated(st);
        })), rows);
    }

    @Benchmark
    public long retortExecuteMany(Retort db) {
        InsertTable t = BenchTables.INSERT;
        List<Map<Column<?>, Object>> sets = new ArrayList<>(rows);
        for (Item it : nextBatch()) {
            sets.add(Map.of(t.id, it.id(), t.name, it.name(), t.price, it.price(), t.quantity, it.quantity()));
        }
        return BulkInsertBenchmark.check(db.held.connection().inTransaction(c -> c.executeMany(insert(t), sets)
                .rowsAffected()).single(), rows);
    }
}
