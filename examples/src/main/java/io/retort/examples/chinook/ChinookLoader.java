package io.retort.examples.chinook;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.retort.dialect.h2.H2Dialect;
import io.retort.dialect.mysql.MySqlDialect;
import io.retort.sql.Column;
import io.retort.sql.Index;
import io.retort.sql.SqlType;
import io.retort.sql.Table;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.StatementCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static io.retort.sql.Sql.commentOn;
import static io.retort.sql.Sql.createIndex;
import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.insert;

/**
 * Creates the Chinook tables ({@link ChinookSchema}) on an R2DBC connection (H2 by default;
 * PostgreSQL, MySQL or MariaDB given their dialect) and fills them from the bundled resource
 * {@value #RESOURCE}, without blocking:
 *
 * <pre>{@code
 * Mono<Map<String, Long>> counts = Mono.usingWhen(factory.create(), new ChinookLoader()::load, Connection::close);
 * }</pre>
 *
 * <p>The DDL is compiled from the Retort definitions by the loader's dialect: CREATE TABLE for
 * each table in dependency order (with its keys and foreign keys), COMMENT ON for table and column
 * comments (MySQL and MariaDB: column comments inside CREATE TABLE); after the data, CREATE INDEX for the declared foreign-key indexes. The rows are
 * sent as Retort multi-row INSERTs ({@code insert(table).values(rows)}, {@value #DEFAULT_ROWS_PER_INSERT}
 * rows per statement) with every value bound as a typed parameter, never inlined: the text
 * reaches the database exactly as it is in the resource, and r2dbc-h2 1.0.1, which splits a
 * statement's SQL at every {@code ;} (19 Chinook values contain one), gets no literal to split.
 *
 * <p>The resource is gzipped UTF-8 text, one section per table separated by an empty line: a
 * header line {@code table<TAB>column<TAB>...}, then one line per row with the values separated
 * by TAB, {@code \N} for NULL and {@code \\}, {@code \t}, {@code \n}, {@code \r} escapes in text
 * (PostgreSQL COPY text format). {@code chinook/README.md} says how it was made.
 *
 * <p>Each statement runs in the connection's current transaction mode (auto-commit by default);
 * the loader neither begins nor commits a transaction.
 */
public final class ChinookLoader {
    /** The classpath resource holding the rows. */
    public static final String RESOURCE = "/chinook/chinook-data.tsv.gz";
    /** Rows per multi-row INSERT unless told otherwise. */
    public static final int DEFAULT_ROWS_PER_INSERT = 500;

    private static final Logger LOG = LoggerFactory.getLogger(ChinookLoader.class);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Dialect dialect;
    private final StatementCache cache;
    private final int rowsPerInsert;

    /** An H2 loader with its own small statement cache and {@value #DEFAULT_ROWS_PER_INSERT} rows per INSERT. */
    public ChinookLoader() {
        this(H2Dialect.INSTANCE);
    }

    /** A loader for a database of {@code dialect}, with its own small statement cache. */
    public ChinookLoader(Dialect dialect) {
        this(dialect, new StatementCache(64), DEFAULT_ROWS_PER_INSERT);
    }

    /** An H2 loader compiling its INSERTs through {@code cache}, {@code rowsPerInsert} rows per statement. */
    public ChinookLoader(StatementCache cache, int rowsPerInsert) {
        this(H2Dialect.INSTANCE, cache, rowsPerInsert);
    }

    /** A loader for {@code dialect} compiling its INSERTs through {@code cache}, {@code rowsPerInsert} rows per statement. */
    public ChinookLoader(Dialect dialect, StatementCache cache, int rowsPerInsert) {
        if (rowsPerInsert < 1) {
            throw new IllegalArgumentException("rowsPerInsert must be positive, got " + rowsPerInsert);
        }
        this.dialect = dialect;
        this.cache = cache;
        this.rowsPerInsert = rowsPerInsert;
    }

    /**
     * Creates the tables, loads the rows and creates the indexes. The Mono emits the number of
     * rows inserted per table (table name to count, in load order) once everything is done.
     * The tables must not exist yet.
     */
    public Mono<Map<String, Long>> load(Connection connection) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return createTables(connection)
                    .then(insertData(connection))
                    .flatMap(counts -> createIndexes(connection).thenReturn(counts))
                    .doOnNext(counts -> LOG.info("Loaded Chinook ({} rows in {} tables) in {} ms",
                            counts.values().stream().mapToLong(Long::longValue).sum(), counts.size(),
                            (System.nanoTime() - start) / 1_000_000));
        });
    }

    /** CREATE TABLE (and COMMENT ON, for the comments) for every table, in dependency order. */
    public Mono<Void> createTables(Connection connection) {
        return Flux.fromIterable(ChinookSchema.TABLES)
                .concatMap(table -> Flux.fromIterable(tableDdl(table)))
                .concatMap(sql -> executeDdl(connection, sql))
                .then();
    }

    /** The declared indexes (CREATE INDEX), best created after the data. */
    public Mono<Void> createIndexes(Connection connection) {
        return Flux.fromIterable(ChinookSchema.TABLES)
                .concatMapIterable(Table::indexes)
                .map(index -> sql(createIndex(index)))
                .concatMap(sql -> executeDdl(connection, sql))
                .then();
    }

    /** Inserts the resource's rows into the (empty) tables; emits the rows inserted per table. */
    public Mono<Map<String, Long>> insertData(Connection connection) {
        return readResource()
                .flatMapMany(data -> Flux.fromIterable(ChinookSchema.TABLES)
                        .concatMap(table -> insertRows(connection, table, data.get(table))))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
    }

    private Mono<Map.Entry<String, Long>> insertRows(Connection connection, Table table,
                                                     List<Map<Column<?>, Object>> rows) {
        if (rows == null) {
            return Mono.error(new IllegalStateException(RESOURCE + " has no rows for table " + table.name()));
        }
        int chunks = (rows.size() + rowsPerInsert - 1) / rowsPerInsert;
        return Flux.range(0, chunks)
                .map(i -> rows.subList(i * rowsPerInsert, Math.min(rows.size(), (i + 1) * rowsPerInsert)))
                .concatMap(chunk -> executeUpdate(connection, insert(table).values(chunk)))
                .reduce(0L, Long::sum)
                .map(n -> Map.entry(table.name(), n));
    }

    private List<String> tableDdl(Table table) {
        List<String> ddl = new ArrayList<>();
        ddl.add(sql(createTable(table)));
        if (table.tableComment() != null) {
            ddl.add(sql(commentOn(table, table.tableComment())));
        }
        // MySQL and MariaDB have no COMMENT ON COLUMN: their CREATE TABLE carries the column comments.
        boolean inlineColumnComments = dialect instanceof MySqlDialect;
        for (Column<?> c : table.columns()) {
            if (c.spec().comment() != null && !inlineColumnComments) {
                ddl.add(sql(commentOn(c, c.spec().comment())));
            }
        }
        return ddl;
    }

    private String sql(io.retort.sql.Statement ddl) {
        return Compiler.compile(ddl, dialect).sql();
    }

    private static Mono<Void> executeDdl(Connection connection, String sql) {
        if (sql.indexOf(';') >= 0) {
            // DDL carries its comments as literals; r2dbc-h2 1.0.1 would cut the statement there.
            return Mono.error(new IllegalArgumentException("r2dbc-h2 splits SQL at ';', so this DDL would break: " + sql));
        }
        return Flux.defer(() -> {
                    LOG.debug("{}", sql);
                    return connection.createStatement(sql).execute();
                })
                .concatMap(Result::getRowsUpdated)
                .then();
    }

    private Mono<Long> executeUpdate(Connection connection, io.retort.sql.Statement stmt) {
        return Flux.defer(() -> {
                    BoundStatement bound = cache.lookup(dialect, stmt).bind();
                    Statement s = connection.createStatement(bound.sql());
                    Object[] values = bound.values();
                    for (int i = 0; i < values.length; i++) {
                        if (values[i] == null) {
                            s.bindNull(i, bound.types()[i]);
                        } else {
                            s.bind(i, values[i]);
                        }
                    }
                    return s.execute();
                })
                .concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum);
    }

    // ----------------------------------------------------------------- the resource

    /**
     * Reads and decodes {@value #RESOURCE} (on the bounded-elastic scheduler: it is classpath
     * I/O): the rows of each table as column-to-value maps, values typed as the columns say.
     */
    public static Mono<Map<Table, List<Map<Column<?>, Object>>>> readResource() {
        return Mono.fromCallable(() -> {
            InputStream in = ChinookLoader.class.getResourceAsStream(RESOURCE);
            if (in == null) {
                throw new IllegalStateException("Resource " + RESOURCE + " is missing from the classpath");
            }
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(in, 1 << 16), StandardCharsets.UTF_8))) {
                return parse(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + RESOURCE, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static Map<Table, List<Map<Column<?>, Object>>> parse(BufferedReader reader) throws IOException {
        Map<Table, List<Map<Column<?>, Object>>> data = new HashMap<>();
        List<Column<?>> columns = null;
        List<Map<Column<?>, Object>> rows = null;
        int lineNo = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNo++;
            if (line.isEmpty()) {
                columns = null;
                continue;
            }
            String[] fields = line.split("\t", -1);
            if (columns == null) {
                Table table = ChinookSchema.table(fields[0]);
                columns = new ArrayList<>(fields.length - 1);
                for (int i = 1; i < fields.length; i++) {
                    columns.add(table.c(fields[i]));
                }
                if (columns.size() != table.columns().size()) {
                    throw new IllegalStateException(RESOURCE + " line " + lineNo + ": table " + table.name()
                            + " has columns " + table.columns().stream().map(Column::name).toList()
                            + ", the resource gives " + columns.stream().map(Column::name).toList());
                }
                rows = new ArrayList<>();
                if (data.put(table, Collections.unmodifiableList(rows)) != null) {
                    throw new IllegalStateException(RESOURCE + " line " + lineNo + ": table " + table.name() + " twice");
                }
                continue;
            }
            if (fields.length != columns.size()) {
                throw new IllegalStateException(RESOURCE + " line " + lineNo + ": " + fields.length
                        + " values for " + columns.size() + " columns");
            }
            Map<Column<?>, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i++) {
                row.put(columns.get(i), value(columns.get(i).type(), fields[i], lineNo));
            }
            rows.add(Collections.unmodifiableMap(row));
        }
        return data;
    }

    private static Object value(SqlType<?> type, String field, int lineNo) {
        if (field.equals("\\N")) {
            return null;
        }
        switch (type.kind()) {
            case INTEGER:
                return type.javaType() == Long.class ? Long.valueOf(field)
                        : type.javaType() == Short.class ? (Object) Short.valueOf(field) : Integer.valueOf(field);
            case DECIMAL: return new BigDecimal(field);
            case TIMESTAMP: return LocalDateTime.parse(field, TIMESTAMP);
            case STRING: return unescape(field, lineNo);
            default: throw new IllegalStateException("No decoding for column type " + type);
        }
    }

    /** Undoes the COPY text escapes {@code \\ \t \n \r}; any other backslash sequence is an error. */
    static String unescape(String field, int lineNo) {
        int slash = field.indexOf('\\');
        if (slash < 0) {
            return field;
        }
        StringBuilder b = new StringBuilder(field.length());
        b.append(field, 0, slash);
        for (int i = slash; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            char next = ++i < field.length() ? field.charAt(i) : '\0';
            switch (next) {
                case '\\': b.append('\\'); break;
                case 't': b.append('\t'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                default:
                    throw new IllegalStateException(RESOURCE + " line " + lineNo + ": bad escape in '" + field + "'");
            }
        }
        return b.toString();
    }
}
