package io.retort.benchmarks;

import static io.retort.sql.ColumnOption.primaryKey;

import java.math.BigDecimal;
import java.time.LocalDateTime;

import io.retort.sql.Column;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;

/** The benchmark fixtures as Retort tables (created by {@link BenchDatabase}). */
public final class BenchTables {
    private BenchTables() {
    }

    public static final PointTable POINT = new PointTable();
    public static final StreamTable STREAM = new StreamTable();
    public static final InsertTable INSERT = new InsertTable();

    /** {@code bench_point(id int primary key, name varchar(64), price numeric(10,2))}. */
    public static final class PointTable extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(64));
        public final Column<BigDecimal> price = column("price", SqlTypes.numeric(10, 2));

        private PointTable() {
            super("bench_point");
        }
    }

    /**
     * {@code bench_stream(id int primary key, name varchar(64), price numeric(10,2), quantity int,
     * created_at timestamp, active boolean)}.
     */
    public static final class StreamTable extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(64));
        public final Column<BigDecimal> price = column("price", SqlTypes.numeric(10, 2));
        public final Column<Integer> quantity = column("quantity", SqlTypes.INTEGER);
        public final Column<LocalDateTime> createdAt = column("created_at", SqlTypes.TIMESTAMP);
        public final Column<Boolean> active = column("active", SqlTypes.BOOLEAN);

        private StreamTable() {
            super("bench_stream");
        }
    }

    /** {@code bench_insert(id int primary key, name varchar(64), price numeric(10,2), quantity int)}. */
    public static final class InsertTable extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(64));
        public final Column<BigDecimal> price = column("price", SqlTypes.numeric(10, 2));
        public final Column<Integer> quantity = column("quantity", SqlTypes.INTEGER);

        private InsertTable() {
            super("bench_insert");
        }
    }
}
