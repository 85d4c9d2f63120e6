package io.retort.schema;

import io.retort.engine.Connection;
import io.retort.engine.Engine;
import io.retort.engine.Row;
import io.retort.error.InvalidRequestError;
import io.retort.sql.Sql;
import io.retort.sql.TextClause;
import io.retort.sql.compile.Dialect;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads the schema the database has (C10, SQLAlchemy's {@code inspect(engine)}): table names,
 * columns (name, type text, nullability, default, comment), primary key, foreign keys, indexes and
 * the table comment, in the connection's current schema (PostgreSQL {@code current_schema()},
 * H2 {@code CURRENT_SCHEMA}) or database (MySQL/MariaDB {@code DATABASE()}; SQLite's
 * {@code main} database).
 *
 * <pre>{@code
 * Inspector inspector = Inspector.of(engine);
 * Flux<String> tables = inspector.tableNames();
 * Mono<ReflectedTable> artist = inspector.table("artist");
 * }</pre>
 *
 * <p>The catalog queries are per dialect (PostgreSQL {@code pg_catalog} with
 * {@code col_description}/{@code obj_description}; MySQL/MariaDB {@code information_schema}
 * {@code COLUMNS}, {@code TABLES}, {@code KEY_COLUMN_USAGE}, {@code STATISTICS}; H2
 * {@code INFORMATION_SCHEMA} with {@code REMARKS}; SQLite {@code sqlite_master} and the
 * table-valued pragma functions {@code pragma_table_info}, {@code pragma_foreign_key_list},
 * {@code pragma_index_list} and {@code pragma_index_info}), built with {@link Sql#text} and bound
 * parameters, so a table name is never spliced into SQL. Names are given and returned as they are
 * stored, except on H2, which folds unquoted names to upper case: there a name Retort writes
 * unquoted ({@code artist}) is looked up as {@code ARTIST} and reported back in lower case, as
 * SQLAlchemy normalises names.
 *
 * <p>SQLite keeps less than the servers: no comments (columns and tables reflect none), and no
 * names of primary or foreign key constraints (reported as null); a UNIQUE constraint is reported
 * as the unique index SQLite made for it, named {@code sqlite_autoindex_<table>_<n>}.
 *
 * <p>An inspector made {@linkplain #of(Engine) from an engine} takes a pooled connection per call
 * ({@link #table} uses one for all its queries); one made {@linkplain #of(Connection) from a
 * connection} runs on it, inside its transaction if one is active. Methods return cold
 * publishers. Immutable and thread-safe (a connection-bound inspector shares its connection's
 * rule: one operation at a time).
 */
public final class Inspector {
    private final Engine engine;
    private final Connection connection;

    private Inspector(Engine engine, Connection connection) {
        this.engine = engine;
        this.connection = connection;
    }

    /** An inspector that takes a connection from {@code engine} for each call. */
    public static Inspector of(Engine engine) {
        return new Inspector(Objects.requireNonNull(engine, "engine"), null);
    }

    /** An inspector that runs its queries on {@code connection}. */
    public static Inspector of(Connection connection) {
        return new Inspector(null, Objects.requireNonNull(connection, "connection"));
    }

    // ================================================================= public API

    /** The base tables of the current schema/database, sorted by name (views and sequences left out). */
    public Flux<String> tableNames() {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            return c.execute(cat.tableNames()).rows().map(r -> cat.normalize(str(r, 0)));
        });
    }

    /** The columns of {@code table} in table order; empty if there is no such table. */
    public Flux<ReflectedColumn> columns(String table) {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            return c.execute(cat.columns(cat.denormalize(table))).rows().map(cat::column);
        });
    }

    /**
     * The primary key of {@code table}; a key with no columns when the table has none (or does not
     * exist).
     */
    public Mono<ReflectedPrimaryKey> primaryKey(String table) {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            return c.execute(cat.primaryKey(cat.denormalize(table))).rows().collectList().map(rows -> {
                List<String> cols = new ArrayList<>();
                String name = null;
                for (Row r : rows) {
                    name = str(r, 0);
                    cols.add(cat.normalize(str(r, 1)));
                }
                return new ReflectedPrimaryKey(name == null ? null : cat.normalize(name), cols);
            });
        }).single();
    }

    /**
     * The foreign keys of {@code table}, ordered by constraint name (on SQLite, which keeps no
     * names, in declaration order, each named null).
     */
    public Flux<ReflectedForeignKey> foreignKeys(String table) {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            return c.execute(cat.foreignKeys(cat.denormalize(table))).rows().collectList()
                    .flatMapIterable(rows -> {
                        List<ReflectedForeignKey> out = new ArrayList<>();
                        group(rows, cat::foreignKeyGroup).forEach((key, parts) -> {
                            List<String> cols = new ArrayList<>();
                            List<String> refCols = new ArrayList<>();
                            for (Row r : parts) {
                                cols.add(cat.normalize(str(r, 1)));
                                String ref = str(r, 4);
                                if (ref != null) {
                                    refCols.add(cat.normalize(ref));
                                }
                            }
                            if (refCols.size() != cols.size()) {
                                // SQLite: the key names no columns and the referenced table, whose
                                // primary key it means, does not exist.
                                refCols.clear();
                            }
                            Row first = parts.get(0);
                            String schema = str(first, 2);
                            out.add(new ReflectedForeignKey(cat.normalize(str(first, 0)), cols,
                                    schema == null ? null : cat.normalize(schema), cat.normalize(str(first, 3)),
                                    refCols, cat.action(str(first, 5)), cat.action(str(first, 6))));
                        });
                        return out;
                    });
        });
    }

    /** The indexes of {@code table} other than the primary key's, ordered by name. */
    public Flux<ReflectedIndex> indexes(String table) {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            return c.execute(cat.indexes(cat.denormalize(table))).rows().collectList()
                    .flatMapIterable(rows -> {
                        List<ReflectedIndex> out = new ArrayList<>();
                        group(rows, (Row r) -> str(r, 0)).forEach((name, parts) -> {
                            List<String> cols = new ArrayList<>();
                            for (Row r : parts) {
                                cols.add(cat.normalize(str(r, 1)));
                            }
                            out.add(new ReflectedIndex(cat.normalize(name), cols, bool(parts.get(0).get(2))));
                        });
                        return out;
                    });
        });
    }

    /** The comment of {@code table}; empty when it has none (or does not exist). */
    public Mono<String> tableComment(String table) {
        return run(c -> {
            Catalog cat = Catalog.of(c.dialect());
            TextClause query = cat.tableComment(cat.denormalize(table));
            if (query == null) {
                return Mono.<String>empty();
            }
            // Read the whole (one-row) result: cancelling a row stream early invalidates the connection.
            return c.execute(query).all()
                    .mapNotNull(rows -> rows.isEmpty() ? null : emptyToNull(str(rows.get(0), 0)));
        }).singleOrEmpty();
    }

    /**
     * Everything about {@code table} read on one connection; empty when there is no such table in
     * the current schema.
     */
    public Mono<ReflectedTable> table(String table) {
        if (connection == null) {
            return engine.connect(c -> Inspector.of(c).table(table)).singleOrEmpty();
        }
        // One statement at a time on the connection: each query starts when the previous one ends.
        return columns(table).collectList().flatMap(cols -> {
            if (cols.isEmpty()) {
                return Mono.empty();
            }
            return tableComment(table).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
                    .flatMap(comment -> primaryKey(table)
                            .flatMap(pk -> foreignKeys(table).collectList()
                                    .flatMap(fks -> indexes(table).collectList()
                                            .map(ix -> new ReflectedTable(table, comment.orElse(null), cols, pk, fks, ix)))));
        });
    }

    // ================================================================= plumbing

    private <T> Flux<T> run(Function<Connection, ? extends org.reactivestreams.Publisher<T>> work) {
        if (connection != null) {
            return Flux.defer(() -> work.apply(connection));
        }
        return engine.connect(work);
    }

    /** The rows grouped by {@code key}, groups in first-seen order (a null key is a key too). */
    private static <K> Map<K, List<Row>> group(List<Row> rows, Function<Row, K> key) {
        Map<K, List<Row>> m = new LinkedHashMap<>();
        for (Row r : rows) {
            m.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    static String str(Row r, int i) {
        Object v = r.get(i);
        if (v == null) {
            return null;
        }
        if (v instanceof byte[]) {
            return new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8);
        }
        return v.toString();
    }

    static boolean bool(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Number) {
            return ((Number) v).longValue() != 0;
        }
        String s = v.toString().trim().toUpperCase(Locale.ROOT);
        return s.equals("YES") || s.equals("TRUE") || s.equals("T") || s.equals("1") || s.equals("Y");
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ================================================================= catalogs

    /** The catalog queries of one dialect and how to read their rows. */
    private abstract static class Catalog {
        final Dialect dialect;

        Catalog(Dialect dialect) {
            this.dialect = dialect;
        }

        static Catalog of(Dialect d) {
            switch (d.name()) {
                case "postgresql": return new Postgres(d);
                case "mysql": case "mariadb": return new MySql(d);
                case "h2": return new H2(d);
                case "sqlite": return new Sqlite(d);
                default: throw new InvalidRequestError("Schema reflection is not implemented for the " + d.name()
                        + " dialect (supported: postgresql, mysql, mariadb, h2, sqlite)");
            }
        }

        /** Rows of (table name). */
        abstract TextClause tableNames();

        /** Rows of (name, type text, nullable, default, comment, auto-increment). */
        abstract TextClause columns(String table);

        /** Rows of (constraint name, column), in key order. */
        abstract TextClause primaryKey(String table);

        /**
         * Rows of (name, column, referred schema or null, referred table, referred column, on delete,
         * on update), one constraint's rows together in key order, the constraints ordered by name.
         */
        abstract TextClause foreignKeys(String table);

        /** What tells one foreign key's rows from another's: the constraint name. */
        Object foreignKeyGroup(Row r) {
            return str(r, 0);
        }

        /** Rows of (index name, column, unique), ordered by name then position. */
        abstract TextClause indexes(String table);

        /** One row of (comment), or none; null when the database keeps no comments (nothing to ask). */
        abstract TextClause tableComment(String table);

        ReflectedColumn column(Row r) {
            return new ReflectedColumn(normalize(str(r, 0)), str(r, 1), bool(r.get(2)), defaultValue(str(r, 3)),
                    emptyToNull(str(r, 4)), bool(r.get(5)));
        }

        String defaultValue(String text) {
            return text;
        }

        /** A referential action, null for the default NO ACTION. */
        String action(String rule) {
            if (rule == null) {
                return null;
            }
            String r = rule.trim().toUpperCase(Locale.ROOT);
            return r.isEmpty() || r.equals("NO ACTION") || (r.equals("RESTRICT") && restrictIsDefault()) ? null : r;
        }

        /** Whether the catalog reports "no action given" as RESTRICT (which behaves the same). */
        boolean restrictIsDefault() {
            return false;
        }

        /** The name as the caller sees it, from the name as stored. */
        String normalize(String stored) {
            return stored;
        }

        /** The name as stored, from the name the caller gave. */
        String denormalize(String name) {
            return name;
        }
    }

    /** PostgreSQL: pg_catalog, scoped to {@code current_schema()}. */
    private static final class Postgres extends Catalog {
        private static final String REL = " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace";
        private static final String WHERE_REL = " WHERE n.nspname = current_schema() AND c.relname = :t";

        Postgres(Dialect d) {
            super(d);
        }

        @Override
        TextClause tableNames() {
            return Sql.text("SELECT c.relname::text" + REL
                    + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname");
        }

        @Override
        TextClause columns(String table) {
            return Sql.text("SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,"
                    + " pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
                    + " pg_catalog.col_description(c.oid, a.attnum::int),"
                    + " (a.attidentity <> '' OR coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')"
                    + REL + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
                    + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                    + WHERE_REL + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum").bind("t", table);
        }

        @Override
        TextClause primaryKey(String table) {
            return Sql.text("SELECT con.conname::text, a.attname::text" + REL
                    + " JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid"
                    + " CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)"
                    + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                    + WHERE_REL + " AND con.contype = 'p' ORDER BY k.ord").bind("t", table);
        }

        @Override
        TextClause foreignKeys(String table) {
            return Sql.text("SELECT con.conname::text, a.attname::text,"
                    + " CASE WHEN rn.nspname = current_schema() THEN NULL ELSE rn.nspname::text END,"
                    + " rc.relname::text, ra.attname::text,"
                    + " CASE con.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'"
                    + " WHEN 'd' THEN 'SET DEFAULT' END,"
                    + " CASE con.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'"
                    + " WHEN 'd' THEN 'SET DEFAULT' END"
                    + REL + " JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid"
                    + " JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid"
                    + " JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace"
                    + " CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)"
                    + " JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum"
                    + " JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refnum"
                    + WHERE_REL + " AND con.contype = 'f' ORDER BY con.conname, k.ord").bind("t", table);
        }

        @Override
        TextClause indexes(String table) {
            return Sql.text("SELECT i.relname::text, a.attname::text, ix.indisunique" + REL
                    + " JOIN pg_catalog.pg_index ix ON ix.indrelid = c.oid"
                    + " JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid"
                    + " CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
                    + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                    + WHERE_REL + " AND NOT ix.indisprimary ORDER BY i.relname, k.ord").bind("t", table);
        }

        @Override
        TextClause tableComment(String table) {
            return Sql.text("SELECT pg_catalog.obj_description(c.oid, 'pg_class')" + REL + WHERE_REL).bind("t", table);
        }
    }

    /** MySQL and MariaDB: information_schema, scoped to {@code DATABASE()}. */
    private static final class MySql extends Catalog {
        MySql(Dialect d) {
            super(d);
        }

        @Override
        TextClause tableNames() {
            return Sql.text("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
        }

        @Override
        TextClause columns(String table) {
            return Sql.text("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_COMMENT,"
                    + " CASE WHEN EXTRA LIKE '%auto_increment%' THEN 1 ELSE 0 END"
                    + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
                    + " ORDER BY ORDINAL_POSITION").bind("t", table);
        }

        @Override
        String defaultValue(String text) {
            // MariaDB 10.2.7+ reports "no default" of a nullable column as the text NULL
            // (a string default is quoted: 'NULL').
            return text == null || text.equals("NULL") ? null : text;
        }

        @Override
        TextClause primaryKey(String table) {
            return Sql.text("SELECT CONSTRAINT_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t AND CONSTRAINT_NAME = 'PRIMARY'"
                    + " ORDER BY ORDINAL_POSITION").bind("t", table);
        }

        @Override
        TextClause foreignKeys(String table) {
            return Sql.text("SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME,"
                    + " CASE WHEN k.REFERENCED_TABLE_SCHEMA = DATABASE() THEN NULL ELSE k.REFERENCED_TABLE_SCHEMA END,"
                    + " k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE"
                    + " FROM information_schema.KEY_COLUMN_USAGE k"
                    + " JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
                    + " AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME"
                    + " WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = :t AND k.REFERENCED_TABLE_NAME IS NOT NULL"
                    + " ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION").bind("t", table);
        }

        @Override
        boolean restrictIsDefault() {
            return true; // InnoDB reports the default (no action given) as RESTRICT
        }

        @Override
        TextClause indexes(String table) {
            return Sql.text("SELECT INDEX_NAME, COLUMN_NAME, CASE WHEN NON_UNIQUE = 0 THEN 1 ELSE 0 END"
                    + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
                    + " AND INDEX_NAME <> 'PRIMARY' AND COLUMN_NAME IS NOT NULL ORDER BY INDEX_NAME, SEQ_IN_INDEX")
                    .bind("t", table);
        }

        @Override
        TextClause tableComment(String table) {
            return Sql.text("SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = :t").bind("t", table);
        }
    }

    /** H2 2.x: INFORMATION_SCHEMA, scoped to {@code CURRENT_SCHEMA}; unquoted names fold to upper case. */
    private static final class H2 extends Catalog {
        H2(Dialect d) {
            super(d);
        }

        @Override
        String normalize(String stored) {
            if (stored == null) {
                return null;
            }
            String lower = stored.toLowerCase(Locale.ROOT);
            return stored.equals(stored.toUpperCase(Locale.ROOT)) && dialect.isLegalUnquoted(lower) ? lower : stored;
        }

        @Override
        String denormalize(String name) {
            return dialect.isLegalUnquoted(name) ? name.toUpperCase(Locale.ROOT) : name;
        }

        @Override
        TextClause tableNames() {
            return Sql.text("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                    + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
        }

        @Override
        TextClause columns(String table) {
            return Sql.text("SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, REMARKS, IS_IDENTITY,"
                    + " CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE"
                    + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND TABLE_NAME = :t"
                    + " ORDER BY ORDINAL_POSITION").bind("t", table);
        }

        @Override
        ReflectedColumn column(Row r) {
            String type = str(r, 1);
            String upper = type == null ? "" : type.toUpperCase(Locale.ROOT);
            if ((upper.startsWith("CHARACTER") || upper.startsWith("BINARY")) && r.get(6) != null
                    && ((Number) r.get(6)).longValue() < 1_000_000_000L) {
                type = type + "(" + r.get(6) + ")";
            } else if ((upper.equals("NUMERIC") || upper.equals("DECIMAL")) && r.get(7) != null) {
                type = type + "(" + r.get(7) + ", " + (r.get(8) == null ? 0 : r.get(8)) + ")";
            }
            return new ReflectedColumn(normalize(str(r, 0)), type, bool(r.get(2)), str(r, 3), emptyToNull(str(r, 4)),
                    bool(r.get(5)));
        }

        @Override
        boolean restrictIsDefault() {
            return true; // H2 reports the default (no action given) as RESTRICT
        }

        @Override
        TextClause primaryKey(String table) {
            return Sql.text("SELECT tc.CONSTRAINT_NAME, k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc"
                    + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA"
                    + " AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
                    + " WHERE tc.TABLE_SCHEMA = CURRENT_SCHEMA AND tc.TABLE_NAME = :t"
                    + " AND tc.CONSTRAINT_TYPE = 'PRIMARY KEY' ORDER BY k.ORDINAL_POSITION").bind("t", table);
        }

        @Override
        TextClause foreignKeys(String table) {
            return Sql.text("SELECT rc.CONSTRAINT_NAME, k.COLUMN_NAME,"
                    + " CASE WHEN u.TABLE_SCHEMA = CURRENT_SCHEMA THEN NULL ELSE u.TABLE_SCHEMA END,"
                    + " u.TABLE_NAME, u.COLUMN_NAME, rc.DELETE_RULE, rc.UPDATE_RULE"
                    + " FROM INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS rc"
                    + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA"
                    + " AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME"
                    + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE u ON u.CONSTRAINT_SCHEMA = rc.UNIQUE_CONSTRAINT_SCHEMA"
                    + " AND u.CONSTRAINT_NAME = rc.UNIQUE_CONSTRAINT_NAME AND u.ORDINAL_POSITION = k.POSITION_IN_UNIQUE_CONSTRAINT"
                    + " WHERE k.TABLE_SCHEMA = CURRENT_SCHEMA AND k.TABLE_NAME = :t"
                    + " ORDER BY rc.CONSTRAINT_NAME, k.ORDINAL_POSITION").bind("t", table);
        }

        @Override
        TextClause indexes(String table) {
            return Sql.text("SELECT i.INDEX_NAME, ic.COLUMN_NAME, ic.IS_UNIQUE FROM INFORMATION_SCHEMA.INDEXES i"
                    + " JOIN INFORMATION_SCHEMA.INDEX_COLUMNS ic ON ic.INDEX_SCHEMA = i.INDEX_SCHEMA"
                    + " AND ic.INDEX_NAME = i.INDEX_NAME AND ic.TABLE_NAME = i.TABLE_NAME"
                    + " WHERE i.TABLE_SCHEMA = CURRENT_SCHEMA AND i.TABLE_NAME = :t AND i.INDEX_TYPE_NAME <> 'PRIMARY KEY'"
                    + " ORDER BY i.INDEX_NAME, ic.ORDINAL_POSITION").bind("t", table);
        }

        @Override
        TextClause tableComment(String table) {
            return Sql.text("SELECT REMARKS FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                    + " AND TABLE_NAME = :t").bind("t", table);
        }
    }

    /**
     * SQLite 3.16+: {@code sqlite_master} and the table-valued pragma functions, in the
     * {@code main} database (a TEMP table of the same name would otherwise shadow it). SQLite keeps
     * no comments and no names of primary or foreign key constraints.
     */
    private static final class Sqlite extends Catalog {
        /** Table-valued pragma over the table {@code :t} of the main database. */
        private static String pragma(String name) {
            return "pragma_" + name + "(:t, 'main')";
        }

        Sqlite(Dialect d) {
            super(d);
        }

        @Override
        TextClause tableNames() {
            // Names starting with sqlite_ (any case) are SQLite's own; '_' is a LIKE wildcard, hence the escape.
            return Sql.text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
                    + " ORDER BY name");
        }

        @Override
        TextClause columns(String table) {
            // A single-column primary key declared exactly INTEGER is the rowid, generated by SQLite,
            // unless the table is WITHOUT ROWID or the key was declared DESC: those get an index of
            // origin 'pk', which a rowid alias never has.
            return Sql.text("SELECT c.name, c.type, c.\"notnull\" = 0, c.dflt_value, NULL,"
                    + " c.pk = 1 AND upper(c.type) = 'INTEGER'"
                    + " AND (SELECT count(*) FROM " + pragma("table_info") + " k WHERE k.pk > 0) = 1"
                    + " AND NOT EXISTS (SELECT 1 FROM " + pragma("index_list") + " i WHERE i.origin = 'pk')"
                    + " FROM " + pragma("table_info") + " c ORDER BY c.cid").bind("t", table);
        }

        @Override
        TextClause primaryKey(String table) {
            // pk is the column's 1-based position in the key; SQLite keeps no constraint name.
            return Sql.text("SELECT NULL, name FROM " + pragma("table_info") + " WHERE pk > 0 ORDER BY pk")
                    .bind("t", table);
        }

        @Override
        TextClause foreignKeys(String table) {
            // A key declared without referred columns ("to" is NULL) refers to the parent's primary
            // key, position by position. SQLite numbers keys from the last declared, so id DESC is
            // declaration order; column 7 (id) tells the keys apart, as they have no names.
            return Sql.text("SELECT NULL, f.\"from\", NULL, f.\"table\", coalesce(f.\"to\", p.name), f.on_delete,"
                    + " f.on_update, f.id FROM " + pragma("foreign_key_list") + " f"
                    + " LEFT JOIN pragma_table_info(f.\"table\", 'main') p ON f.\"to\" IS NULL AND p.pk = f.seq + 1"
                    + " ORDER BY f.id DESC, f.seq").bind("t", table);
        }

        @Override
        Object foreignKeyGroup(Row r) {
            return r.get(7);
        }

        @Override
        TextClause indexes(String table) {
            // Leaves out the primary key's index (origin 'pk') but keeps the autoindexes of UNIQUE
            // constraints (origin 'u'), as the other databases report those as unique indexes.
            // Expression parts have no name.
            return Sql.text("SELECT il.name, ii.name, il.\"unique\" FROM " + pragma("index_list") + " il"
                    + " JOIN pragma_index_info(il.name, 'main') ii"
                    + " WHERE il.origin <> 'pk' AND ii.name IS NOT NULL ORDER BY il.name, ii.seqno").bind("t", table);
        }

        @Override
        TextClause tableComment(String table) {
            return null;
        }
    }
}
