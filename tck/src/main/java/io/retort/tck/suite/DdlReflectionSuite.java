package io.retort.tck.suite;

import io.retort.engine.Engine;
import io.retort.error.CompileError;
import io.retort.error.DatabaseError;
import io.retort.schema.Inspector;
import io.retort.schema.ReflectedColumn;
import io.retort.schema.ReflectedForeignKey;
import io.retort.schema.ReflectedIndex;
import io.retort.schema.ReflectedPrimaryKey;
import io.retort.schema.ReflectedTable;
import io.retort.sql.Column;
import io.retort.sql.Constraint;
import io.retort.sql.Ddl;
import io.retort.sql.Sequence;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static io.retort.sql.ColumnOption.autoIncrement;
import static io.retort.sql.ColumnOption.comment;
import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.ColumnOption.references;
import static io.retort.sql.ColumnOption.serverDefault;
import static io.retort.sql.ColumnOption.unique;
import static io.retort.sql.Sql.commentOn;
import static io.retort.sql.Sql.createSequence;
import static io.retort.sql.Sql.dropIndex;
import static io.retort.sql.Sql.dropSequence;
import static io.retort.sql.Sql.dropTable;
import static io.retort.sql.Sql.insert;
import static io.retort.sql.Sql.select;
import static io.retort.tck.suite.SuiteSupport.TIMEOUT;
import static io.retort.tck.suite.SuiteSupport.createAll;
import static io.retort.tck.suite.SuiteSupport.dialect;
import static io.retort.tck.suite.SuiteSupport.rows;
import static io.retort.tck.suite.SuiteSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * C10 on the real servers (SQLAlchemy {@code test_ddl.py}, {@code test_reflection.py},
 * {@code test_sequence.py}): tables created by Retort DDL with keys, constraints, indexes, server
 * defaults and comments are read back by {@link Inspector} as declared; sequences are created,
 * advanced and dropped. Where the database keeps less (SQLite: no comments, no constraint names)
 * the tests assert what it does keep and that COMMENT ON is refused.
 */
@ExtendWith(TckOracle.class)
public interface DdlReflectionSuite extends TckBackend {

    /** A parent table exercising every column option. */
    final class Parent extends Table {
        public final Column<Integer> id = column("id", SqlTypes.INTEGER, primaryKey(), autoIncrement());
        public final Column<String> code = column("code", SqlTypes.varchar(20), notNull(), unique(), comment("Business code"));
        public final Column<LocalDateTime> created = column("created", SqlTypes.TIMESTAMP, serverDefault("CURRENT_TIMESTAMP"));
        public final Column<String> status = column("status", SqlTypes.varchar(10), notNull(), serverDefault("'new'"),
                comment("It's the status"));
        public final Column<BigDecimal> score = column("score", SqlTypes.numeric(10, 2));
        public final Column<Boolean> active = column("active", SqlTypes.BOOLEAN, notNull(), serverDefault("TRUE"));

        Parent() {
            super("parent");
            tableComment("Parent rows, 'quoted'");
            index("ix_parent_score", false, score);
            index("ux_parent_status_score", true, status, score);
        }
    }

    /** A child table with a foreign key (ON DELETE CASCADE), a composite PK and a named UNIQUE constraint. */
    final class Child extends Table {
        public final Column<Integer> parentId = column("parent_id", SqlTypes.INTEGER,
                references(null, "parent", "id", "CASCADE", null));
        public final Column<Integer> seq = column("seq", SqlTypes.INTEGER);
        public final Column<String> note = column("note", SqlTypes.varchar(50));

        Child() {
            super("child");
            constraint(Constraint.primaryKey(parentId, seq));
            constraint(Constraint.unique("uq_child_note", parentId, note));
        }
    }

    @Test // C10: reflect tables, columns, PK, FKs, indexes and comments of tables made by Retort DDL
    default void reflectsWhatDdlCreated(TestDatabase db) {
        Engine engine = engine(db);
        Dialect d = dialect(engine);
        // SQLite keeps neither comments (createAll leaves them out) nor constraint names.
        boolean comments = d.supportsComments();
        boolean constraintNames = db.backend() != Backend.SQLITE;
        Parent parent = new Parent();
        Child child = new Child();
        run(engine, createAll(parent, d));
        run(engine, createAll(child, d));
        Inspector inspector = Inspector.of(engine);

        assertThat(inspector.tableNames().collectList().block(TIMEOUT)).containsExactly("child", "parent");

        ReflectedTable p = inspector.table("parent").block(TIMEOUT);
        assertThat(p).isNotNull();
        assertThat(p.comment()).isEqualTo(comments ? "Parent rows, 'quoted'" : null);
        assertThat(p.columns()).extracting(ReflectedColumn::name).containsExactly("id", "code", "created", "status", "score", "active");
        assertThat(p.columns()).extracting(ReflectedColumn::typeFamily).containsExactly(SqlType.Kind.INTEGER,
                SqlType.Kind.STRING, SqlType.Kind.TIMESTAMP, SqlType.Kind.STRING, SqlType.Kind.DECIMAL, SqlType.Kind.BOOLEAN);
        assertThat(p.columns()).extracting(ReflectedColumn::nullable).containsExactly(false, false, true, false, true, false);
        assertThat(p.columns()).extracting(c -> c.defaultValue() != null).containsExactly(false, false, true, true, false, true);
        assertThat(p.columns()).extracting(ReflectedColumn::comment).containsExactlyElementsOf(comments
                ? Arrays.asList(null, "Business code", null, "It's the status", null, null) : Collections.nCopies(6, null));
        assertThat(p.columns()).extracting(ReflectedColumn::autoIncrement).containsExactly(true, false, false, false, false, false);
        assertThat(p.column("code").orElseThrow().dataType()).containsIgnoringCase("char").contains("20");
        assertThat(p.column("score").orElseThrow().dataType()).contains("10").contains("2");
        assertThat(p.column("status").orElseThrow().defaultValue()).contains("new");
        assertThat(p.primaryKey().columns()).containsExactly("id");
        assertThat(p.primaryKey().name() != null).as("the primary key has a name").isEqualTo(constraintNames);
        assertThat(p.foreignKeys()).isEmpty();
        assertThat(p.indexes()).contains(new ReflectedIndex("ix_parent_score", List.of("score"), false),
                new ReflectedIndex("ux_parent_status_score", List.of("status", "score"), true));
        assertThat(p.indexes()).as("the UNIQUE column is backed by a unique index")
                .anySatisfy(i -> assertThat(i.columns()).containsExactly("code").isNotNull())
                .filteredOn(i -> i.columns().equals(List.of("code"))).allMatch(ReflectedIndex::unique);
        if (!constraintNames) {
            assertThat(p.indexes()).as("SQLite's index for the UNIQUE column").filteredOn(i -> i.columns().equals(List.of("code")))
                    .singleElement().satisfies(i -> assertThat(i.name()).startsWith("sqlite_autoindex_parent_"));
        }

        ReflectedTable c = inspector.table("child").block(TIMEOUT);
        assertThat(c.comment()).isNull();
        assertThat(c.primaryKey().columns()).containsExactly("parent_id", "seq");
        assertThat(c.columns()).extracting(ReflectedColumn::nullable).containsExactly(false, false, true);
        assertThat(c.foreignKeys()).hasSize(1);
        ReflectedForeignKey fk = c.foreignKeys().get(0);
        assertThat(fk.name() != null).as("the foreign key has a name").isEqualTo(constraintNames);
        assertThat(fk.columns()).containsExactly("parent_id");
        assertThat(fk.referredTable()).isEqualTo("parent");
        assertThat(fk.referredColumns()).containsExactly("id");
        assertThat(fk.referredSchema()).isNull();
        assertThat(fk.onDelete()).isEqualTo("CASCADE");
        assertThat(fk.onUpdate()).isNull();
        assertThat(c.indexes()).anySatisfy(i -> {
            assertThat(i.columns()).containsExactly("parent_id", "note");
            assertThat(i.unique()).isTrue();
        });

        // COMMENT ON after the fact (MySQL/MariaDB: ALTER TABLE ... COMMENT / MODIFY COLUMN), and removal
        List<Ddl> commentChanges = List.of(commentOn(parent, "Changed"), commentOn(parent.score, "Score, 0-100"),
                commentOn(parent.code, null));
        if (comments) {
            int indexesBefore = inspector.indexes("parent").collectList().block(TIMEOUT).size();
            run(engine, commentChanges);
            ReflectedTable changed = inspector.table("parent").block(TIMEOUT);
            assertThat(changed.comment()).isEqualTo("Changed");
            assertThat(changed.columns()).extracting(ReflectedColumn::comment)
                    .containsExactly(null, null, null, "It's the status", "Score, 0-100", null);
            assertThat(changed.columns()).as("redefining a column for its comment keeps it as it was")
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("comment").isEqualTo(p.columns());
            assertThat(changed.indexes()).as("and adds no index").hasSize(indexesBefore);
        } else {
            // Asked for explicitly, a comment the database cannot keep is an error, not silently dropped.
            for (Ddl change : commentChanges) {
                assertThatThrownBy(() -> run(engine, change)).isInstanceOf(CompileError.class)
                        .hasMessageContaining(d.name()).hasMessageContaining("COMMENT ON");
            }
            assertThat(inspector.table("parent").block(TIMEOUT)).as("and nothing changed").isEqualTo(p);
        }

        // the defaults work: an INSERT naming only the required column gets them
        run(engine, insert(parent).set(parent.code, "A"));
        assertThat(rows(engine, select(parent.status, parent.active, parent.created))).singleElement().satisfies(r -> {
            assertThat(r.get(0)).isEqualTo("new");
            assertThat(r.get(1)).isEqualTo(true);
            assertThat(r.get(2)).isInstanceOf(LocalDateTime.class);
        });

        // an absent table reflects as nothing
        assertThat(inspector.table("no_such_table").blockOptional(TIMEOUT)).isEmpty();
        assertThat(inspector.primaryKey("no_such_table").block(TIMEOUT).columns()).isEmpty();
        assertThat(inspector.tableComment("no_such_table").blockOptional(TIMEOUT)).isEmpty();

        // DROP INDEX and DROP TABLE are seen by reflection
        run(engine, dropIndex(parent.indexes().get(0)));
        assertThat(inspector.indexes("parent").map(ReflectedIndex::name).collectList().block(TIMEOUT))
                .doesNotContain("ix_parent_score").contains("ux_parent_status_score");
        run(engine, dropTable(child), dropTable(parent));
        assertThat(inspector.tableNames().collectList().block(TIMEOUT)).isEmpty();
    }

    @Test // C10 on SQLite: rowid keys, keys without referred columns or names, the main database only
    default void sqliteCatalogSpecifics(TestDatabase db) {
        assumeTrue(db.backend() == Backend.SQLITE, "SQLite's own DDL forms (rowid aliases, WITHOUT ROWID, foreign"
                + " keys naming no columns) and TEMP shadowing exist only there");
        Engine engine = engine(db);
        engine.connect(c -> Flux.just(
                        "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)",
                        "CREATE TABLE ai (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)",
                        "CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID",
                        "CREATE TABLE d (id INTEGER PRIMARY KEY DESC, v TEXT)",
                        "CREATE TABLE b (id BIGINT PRIMARY KEY, v TEXT)",
                        "CREATE TABLE cp (x INTEGER, y TEXT, PRIMARY KEY (y, x))",
                        "CREATE TABLE k (a INTEGER REFERENCES p, c TEXT, q TEXT, r INTEGER,"
                                + " CONSTRAINT fk_code FOREIGN KEY (c) REFERENCES p (code) ON DELETE RESTRICT ON UPDATE SET NULL,"
                                + " FOREIGN KEY (q, r) REFERENCES cp ON DELETE SET DEFAULT,"
                                + " FOREIGN KEY (r) REFERENCES missing)",
                        "CREATE INDEX ix_k_expr ON k (lower(c), q)",
                        "CREATE TABLE sqlitefan (id INTEGER, anything)")
                .concatMap(sql -> c.executeRaw(sql).rowsAffected())).blockLast(TIMEOUT);
        Inspector inspector = Inspector.of(engine);

        assertThat(inspector.tableNames().collectList().block(TIMEOUT)).as("sqlite_sequence (made for AUTOINCREMENT)"
                + " is SQLite's own, a name merely starting with sqlite is not")
                .containsExactly("ai", "b", "cp", "d", "k", "p", "sqlitefan", "w");

        // Only a single-column key declared exactly INTEGER in a rowid table is the rowid, which SQLite generates.
        for (String t : List.of("p", "ai", "w", "d", "b", "cp")) {
            assertThat(inspector.columns(t).map(ReflectedColumn::autoIncrement).collectList().block(TIMEOUT)).as(t)
                    .containsExactly(t.equals("p") || t.equals("ai"), false);
        }
        ReflectedColumn untyped = inspector.columns("sqlitefan").collectList().block(TIMEOUT).get(1);
        assertThat(untyped.dataType()).isEmpty();
        assertThat(untyped.typeFamily()).isEqualTo(SqlType.Kind.OTHER);

        assertThat(inspector.primaryKey("cp").block(TIMEOUT)).as("key order, not table order; no name")
                .isEqualTo(new ReflectedPrimaryKey(null, List.of("y", "x")));

        // Declaration order, no names (not even the declared fk_code); a key naming no columns refers
        // to the parent's primary key, and to nothing when the parent does not exist.
        assertThat(inspector.foreignKeys("k").collectList().block(TIMEOUT)).containsExactly(
                new ReflectedForeignKey(null, List.of("a"), null, "p", List.of("id"), null, null),
                new ReflectedForeignKey(null, List.of("c"), null, "p", List.of("code"), "RESTRICT", "SET NULL"),
                new ReflectedForeignKey(null, List.of("q", "r"), null, "cp", List.of("y", "x"), "SET DEFAULT", null),
                new ReflectedForeignKey(null, List.of("r"), null, "missing", List.of(), null, null));

        // The primary key's own index is left out (also of a WITHOUT ROWID or non-INTEGER key), a
        // UNIQUE constraint's kept, an expression part dropped.
        assertThat(inspector.indexes("p").collectList().block(TIMEOUT))
                .containsExactly(new ReflectedIndex("sqlite_autoindex_p_1", List.of("code"), true));
        assertThat(inspector.indexes("w").collectList().block(TIMEOUT)).isEmpty();
        assertThat(inspector.indexes("b").collectList().block(TIMEOUT)).isEmpty();
        assertThat(inspector.indexes("k").collectList().block(TIMEOUT))
                .containsExactly(new ReflectedIndex("ix_k_expr", List.of("q"), false));
        assertThat(inspector.table("k").block(TIMEOUT).comment()).isNull();

        // A TEMP table of the same name does not shadow the main database's table.
        List<String> seen = engine.connect(c -> c.executeRaw("CREATE TEMP TABLE p (shadow TEXT)").rowsAffected()
                        .then(Inspector.of(c).columns("p").map(ReflectedColumn::name).collectList())
                        .flatMap(names -> c.executeRaw("DROP TABLE temp.p").rowsAffected().thenReturn(names)))
                .single().block(TIMEOUT);
        assertThat(seen).containsExactly("id", "code");
    }

    @Test // C10: an Inspector bound to a connection runs its queries on it, also inside a transaction
    default void inspectorOnAConnection(TestDatabase db) {
        Engine engine = engine(db);
        Parent parent = new Parent();
        run(engine, createAll(parent, dialect(engine)));
        Optional<ReflectedTable> t = engine.connect(c -> Inspector.of(c).table("parent")).next().blockOptional(TIMEOUT);
        assertThat(t).isPresent();
        assertThat(t.get().columns()).hasSize(6);
        assertThat(engine.inTransaction(c -> Inspector.of(c).columns("parent")).count().block(TIMEOUT)).isEqualTo(6);
    }

    @Test // C10, seed 1.4 "MariaDB sequences": CREATE SEQUENCE, next values, use in INSERT, DROP; MySQL refuses
    default void sequences(TestDatabase db) {
        assertThatThrownBy(() -> Compiler.compile(createSequence(Sequence.named("s")),
                io.retort.dialect.mysql.MySqlDialect.INSTANCE)).isInstanceOf(CompileError.class);
        Engine engine = engine(db);
        assumeTrue(dialect(engine).supportsSequences(), "the dialect has no sequences");
        Sequence seq = new Sequence(null, "order_seq", 100, 5);
        Sequence quoted = new Sequence(null, "Mixed Seq", 1, 1);
        run(engine, createSequence(seq), createSequence(quoted));
        List<Long> next = engine.connect(c -> reactor.core.publisher.Flux.range(0, 3)
                .concatMap(i -> c.execute(select(seq.nextValue().as("v"))).scalars(Long.class))).collectList().block(TIMEOUT);
        assertThat(next).containsExactly(100L, 105L, 110L);
        assertThat(rows(engine, select(quoted.nextValue().as("v"))).get(0).get(0)).isEqualTo(1L);

        Table t = Table.builder("seq_user").column("id", SqlTypes.BIGINT, primaryKey()).column("name", SqlTypes.varchar(10)).build();
        run(engine, io.retort.sql.Sql.createTable(t));
        run(engine, insert(t).set(t.c("id", SqlTypes.BIGINT), seq.nextValue()).set(t.c("name", SqlTypes.varchar(10)), "x"));
        assertThat(rows(engine, select(t.c("id", SqlTypes.BIGINT))).get(0).get(0)).isEqualTo(115L);

        run(engine, dropSequence(seq), dropSequence(quoted));
        StepVerifier.create(engine.connect(c -> c.execute(select(seq.nextValue().as("v"))).rows()))
                .expectError(DatabaseError.class).verify(TIMEOUT);
    }
}
