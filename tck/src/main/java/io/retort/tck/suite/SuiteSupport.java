package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.engine.Row;
import io.retort.sql.Ddl;
import io.retort.sql.Statement;
import io.retort.sql.Table;
import io.retort.sql.compile.Dialect;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.retort.sql.Sql.commentOn;
import static io.retort.sql.Sql.createIndex;
import static io.retort.sql.Sql.createTable;

/** Small blocking helpers shared by the suites (tests block; the code under test does not). */
final class SuiteSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private SuiteSupport() {
    }

    /** The engine's dialect (detected with a first connection if needed). */
    static Dialect dialect(Engine engine) {
        return engine.dialect().block(TIMEOUT);
    }

    /** Runs statements one after another on one connection (autocommit). */
    static void run(Engine engine, Statement... statements) {
        run(engine, List.of(statements));
    }

    static void run(Engine engine, List<? extends Statement> statements) {
        engine.connect(c -> Flux.fromIterable(statements).concatMap(s -> c.execute(s).rowsAffected())).blockLast(TIMEOUT);
    }

    /** All rows of a query. */
    static List<Row> rows(Engine engine, Statement query) {
        return engine.connect(c -> c.execute(query).rows()).collectList().block(TIMEOUT);
    }

    /** The first column of every row, as integers, in a sorted set. */
    static Set<Integer> ints(Engine engine, io.retort.sql.SelectBase query) {
        Set<Integer> out = new TreeSet<>();
        for (Row r : rows(engine, query)) {
            out.add(r.get(0, Integer.class));
        }
        return out;
    }

    /**
     * The DDL that creates {@code table} completely: CREATE TABLE, its indexes, and its comments as
     * COMMENT ON statements where the dialect does not write them inside CREATE TABLE. On a
     * database that keeps no comments (SQLite) they are left out, as SQLAlchemy's
     * {@code create_all} does: COMMENT ON would be refused there.
     */
    static List<Ddl> createAll(Table table, Dialect dialect) {
        List<Ddl> ddl = new ArrayList<>();
        ddl.add(createTable(table));
        for (io.retort.sql.Index i : table.indexes()) {
            ddl.add(createIndex(i));
        }
        if (dialect.supportsComments() && !dialect.inlineComments()) {
            if (table.tableComment() != null) {
                ddl.add(commentOn(table, table.tableComment()));
            }
            for (io.retort.sql.Column<?> c : table.columns()) {
                if (c.spec().comment() != null) {
                    ddl.add(commentOn(c, c.spec().comment()));
                }
            }
        }
        return ddl;
    }

    /** The set {@code from..to}. */
    static Set<Integer> range(int from, int to) {
        Set<Integer> s = new TreeSet<>();
        for (int i = from; i <= to; i++) {
            s.add(i);
        }
        return s;
    }

    /** A sorted set of the given numbers. */
    static Set<Integer> setOf(Integer... values) {
        return new TreeSet<>(List.of(values));
    }
}
