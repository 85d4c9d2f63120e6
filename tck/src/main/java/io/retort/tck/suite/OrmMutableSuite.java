package io.retort.tck.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.retort.engine.Engine;
import io.retort.orm.AsyncSession;
import io.retort.orm.OrmRegistry;
import io.retort.orm.SessionFactory;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.MutableEntities;
import io.retort.tck.orm.MutableEntities.MAddress;
import io.retort.tck.orm.MutableEntities.MDoc;
import io.retort.tck.orm.MutableEntities.MTagged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static io.retort.sql.Sql.createTable;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static io.retort.tck.suite.SuiteSupport.dialect;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * O15 on every backend: a mutable column value (byte[], a JSON document as a Map or a POJO, an
 * array on PostgreSQL) changed in place is written by the next flush, in exactly one UPDATE; an
 * untouched one is written by none; a rollback puts back the value from before the change. The
 * database is read back with plain SQL, on a connection of its own.
 */
@ExtendWith(TckOracle.class)
public interface OrmMutableSuite extends TckBackend {
    Duration MT = Duration.ofSeconds(60);

    /** An engine, a session factory on {@code registry} and its tables. */
    private static SessionFactory factory(Engine engine, OrmRegistry registry) {
        engine.connect(c -> Flux.fromIterable(registry.tables()).concatMap(t -> c.execute(createTable(t)).rowsAffected()))
                .blockLast(MT);
        return SessionFactory.of(engine, registry);
    }

    private static MDoc sample() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("n", 1);
        attrs.put("tags", List.of("a", "b"));
        return new MDoc(1, "doc", new byte[] {1, 2, 3}, attrs, new MAddress("Oslo", "Main St 1"));
    }

    /** Runs {@code work} in a committed transaction and returns the SQL it sent, in order. */
    private static List<String> statements(Engine engine, SessionFactory sessions, Function<AsyncSession, Mono<?>> work) {
        List<String> sql = new CopyOnWriteArrayList<>();
        try (AutoCloseable log = engine.onStatement(sql::add)) {
            sessions.withTransaction(s -> work.apply(s).then(Mono.just(true))).block(MT);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return sql;
    }

    private static Object column(Engine engine, Table t, String column, int id) {
        return engine.execute(select(t.c(column)).from(t).where(t.c("id", io.retort.sql.SqlTypes.INTEGER).eq(id))).map(r -> r.get(0)).blockLast(MT);
    }

    /**
     * A JSON column read as text by plain SQL (a Core table of its own that types it as JSON text,
     * so no converter of the ORM's mapping is involved), parsed: backends differ in spacing and key order.
     */
    private static Object json(Engine engine, Table t, String column, int id) {
        Table text = Table.builder(t.name()).column("id", io.retort.sql.SqlTypes.INTEGER)
                .column(column, io.retort.sql.SqlTypes.JSON).build();
        try {
            return new ObjectMapper().readValue((String) column(engine, text, column, id), Object.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test // in-place byte[] change: one UPDATE of that column, seen by plain SQL
    default void mutableBytesChangedInPlaceIsOneUpdate(TestDatabase db) {
        Engine engine = engine(db);
        SessionFactory sessions = factory(engine, MutableEntities.registry());
        sessions.withTransaction(s -> Mono.fromRunnable(() -> s.add(sample()))).block(MT);
        Table t = sessions.registry().mapper(MDoc.class).table();

        List<String> sql = statements(engine, sessions, s -> s.get(MDoc.class, 1).flatMap(d -> {
            d.data[1] = 42; // in place: the field still holds the same array
            return s.flush();
        }));
        assertThat(sql).as("SELECT, then the UPDATE").hasSize(2);
        assertThat(sql.get(1)).startsWith("UPDATE").contains("data").doesNotContain("attrs").doesNotContain("address");
        assertThat((byte[]) column(engine, t, "data", 1)).containsExactly(1, 42, 3);
    }

    @Test // nothing changed, or a field set to an equal copy: no UPDATE
    default void mutableUnchangedIsNoUpdate(TestDatabase db) {
        Engine engine = engine(db);
        SessionFactory sessions = factory(engine, MutableEntities.registry());
        sessions.withTransaction(s -> Mono.fromRunnable(() -> s.add(sample()))).block(MT);

        List<String> sql = statements(engine, sessions, s -> s.get(MDoc.class, 1).flatMap(d -> {
            d.data = d.data.clone();
            d.attrs = new LinkedHashMap<>(d.attrs);
            d.address.lines.add("x");
            d.address.lines.remove("x");
            return s.flush();
        }));
        assertThat(sql).as("the SELECT only").hasSize(1);
    }

    @Test // JSON documents changed in place (a Map entry, a POJO's nested list): one UPDATE, read back equal
    default void mutableJsonDocumentChangedInPlaceIsOneUpdate(TestDatabase db) {
        Engine engine = engine(db);
        SessionFactory sessions = factory(engine, MutableEntities.registry());
        sessions.withTransaction(s -> Mono.fromRunnable(() -> s.add(sample()))).block(MT);
        Table t = sessions.registry().mapper(MDoc.class).table();

        List<String> sql = statements(engine, sessions, s -> s.get(MDoc.class, 1).flatMap(d -> {
            d.attrs.put("n", 2);
            d.address.lines.add("Floor 2");
            return s.flush();
        }));
        assertThat(sql).hasSize(2);
        assertThat(sql.get(1)).startsWith("UPDATE").contains("attrs").contains("address").doesNotContain("data");
        assertThat(json(engine, t, "attrs", 1)).isEqualTo(Map.of("n", 2, "tags", List.of("a", "b")));
        assertThat(json(engine, t, "address", 1)).isEqualTo(Map.of("city", "Oslo", "lines", List.of("Main St 1", "Floor 2")));

        MDoc back = sessions.withSession(s -> s.get(MDoc.class, 1)).block(MT);
        assertThat(back.attrs).isEqualTo(Map.of("n", 2, "tags", List.of("a", "b")));
        assertThat(back.address.lines).containsExactly("Main St 1", "Floor 2");
        assertThat(back.address.city).isEqualTo("Oslo");
    }

    @Test // rollback puts back the value from before the in-place change; the next change is still seen
    default void mutableRollbackRestoresTheValueBeforeTheInPlaceChange(TestDatabase db) {
        Engine engine = engine(db);
        SessionFactory sessions = factory(engine, MutableEntities.registry());
        sessions.withTransaction(s -> Mono.fromRunnable(() -> s.add(sample()))).block(MT);
        Table t = sessions.registry().mapper(MDoc.class).table();

        AsyncSession s = sessions.openSession();
        try {
            MDoc d = s.begin().then(s.get(MDoc.class, 1)).block(MT);
            d.data[0] = 9;
            d.attrs.put("n", 7);
            s.flush().block(MT);
            s.rollback().block(MT);
            assertThat(d.data).as("restored").containsExactly(1, 2, 3);
            assertThat(d.attrs).containsEntry("n", 1);
            assertThat((byte[]) column(engine, t, "data", 1)).as("the database kept it").containsExactly(1, 2, 3);

            long before = engine.statementCount();
            s.begin().block(MT);
            d.data[2] = 8; // the restored value is not the snapshot: this change is seen too
            s.flush().then(s.commit()).block(MT);
            assertThat(engine.statementCount() - before).as("one UPDATE").isEqualTo(1);
        } finally {
            s.close().block(MT);
        }
        assertThat((byte[]) column(engine, t, "data", 1)).containsExactly(1, 2, 8);
        assertThat(json(engine, t, "attrs", 1)).isEqualTo(Map.of("n", 1, "tags", List.of("a", "b")));
    }

    @Test // String[] (an ARRAY column) changed in place: one UPDATE
    default void mutableArrayChangedInPlaceIsOneUpdate(TestDatabase db) {
        Engine engine = engine(db);
        assumeTrue(dialect(engine).name().equals("postgresql"),
                "ARRAY columns are PostgreSQL's here (H2's driver reads arrays as Object[]; see TypesSuite)");
        SessionFactory sessions = factory(engine, MutableEntities.arrayRegistry());
        sessions.withTransaction(s -> Mono.fromRunnable(() -> s.add(new MTagged(1, "a", "b")))).block(MT);
        Table t = sessions.registry().mapper(MTagged.class).table();

        List<String> sql = statements(engine, sessions, s -> s.get(MTagged.class, 1).flatMap(m -> {
            m.tags[0] = "z";
            return s.flush();
        }));
        assertThat(sql).hasSize(2);
        assertThat(sql.get(1)).startsWith("UPDATE");
        assertThat((Object[]) column(engine, t, "tags", 1)).containsExactly("z", "b");
        assertThat(statements(engine, sessions, s -> s.get(MTagged.class, 1).flatMap(m -> s.flush()))).as("untouched").hasSize(1);
    }
}
