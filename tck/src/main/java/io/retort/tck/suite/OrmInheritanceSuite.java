package io.retort.tck.suite;

import io.retort.error.ArgumentError;
import io.retort.orm.AsyncSession;
import io.retort.orm.Mapper;
import io.retort.orm.Orm;
import io.retort.orm.OrmRegistry;
import io.retort.orm.PolymorphicIdentityError;
import io.retort.orm.StaleDataError;
import io.retort.orm.UnloadedAttributeException;
import io.retort.sql.Column;
import io.retort.sql.Sql;
import io.retort.sql.Table;
import io.retort.tck.TckBackend;
import io.retort.tck.TckOracle;
import io.retort.tck.env.TestDatabase;
import io.retort.tck.orm.HCar_;
import io.retort.tck.orm.HDepot_;
import io.retort.tck.orm.HEngineer_;
import io.retort.tck.orm.HManager_;
import io.retort.tck.orm.HStaff_;
import io.retort.tck.orm.HTanker_;
import io.retort.tck.orm.HTruck_;
import io.retort.tck.orm.HVehicle_;
import io.retort.tck.orm.Hierarchies;
import io.retort.tck.orm.Hierarchies.HCar;
import io.retort.tck.orm.Hierarchies.HDepot;
import io.retort.tck.orm.Hierarchies.HEngineer;
import io.retort.tck.orm.Hierarchies.HLead;
import io.retort.tck.orm.Hierarchies.HManager;
import io.retort.tck.orm.Hierarchies.HStaff;
import io.retort.tck.orm.Hierarchies.HTanker;
import io.retort.tck.orm.Hierarchies.HTruck;
import io.retort.tck.orm.Hierarchies.HVehicle;
import io.retort.tck.suite.OrmSuite.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static io.retort.orm.Load.selectinLoad;
import static io.retort.orm.Load.selectinPolymorphic;
import static io.retort.orm.Load.withPolymorphic;
import static io.retort.sql.Sql.select;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ORM inheritance (O8) on every backend: single-table (the discriminator criterion on queries of a
 * subclass, also through selectFrom and joins), joined-table (INNER JOIN of a subclass's tables;
 * the root's table alone, then withPolymorphic or selectinPolymorphic with an exact statement
 * count), one identity map per hierarchy, rows whose discriminator names no class or a class
 * outside the one asked for (typed errors, the session usable afterwards), the flush across a
 * hierarchy's tables (read back with plain SQL), the root's version counter, relationships to and
 * from subclasses, and bulk statements. The oracle checks the pool is idle after each test.
 */
@ExtendWith(TckOracle.class)
public interface OrmInheritanceSuite extends TckBackend {
    Duration IN_WAIT = Duration.ofSeconds(60);

    /** The backend's engine on {@code db} with the hierarchies' tables. */
    private static Fixture hierarchyFixture(TckBackend b, TestDatabase db) {
        return Fixture.on(b, db, Hierarchies.registry());
    }

    /** Ann (staff), Max (manager, mentor of Eve and Leo), Eve (engineer), Leo (lead). */
    private static Map<String, HStaff> seedStaff(Fixture f) {
        HStaff ann = new HStaff("Ann");
        HManager max = new HManager("Max", 1000);
        HEngineer eve = new HEngineer("Eve", "Java");
        HLead leo = new HLead("Leo", "Go", 4);
        eve.mentor = max;
        leo.mentor = max;
        f.seed(ann, max, eve, leo);
        Map<String, HStaff> out = new LinkedHashMap<>();
        for (HStaff s : List.of(ann, max, eve, leo)) {
            out.put(s.name, s);
        }
        return out;
    }

    /** Two cars, a truck and a tanker at one depot. */
    private static void seedVehicles(Fixture f) {
        HDepot depot = new HDepot("Oslo");
        HTruck truck = new HTruck("Volvo", 10);
        HTanker tanker = new HTanker("Scania", 20, 30000);
        truck.depot = depot;
        tanker.depot = depot;
        f.seed(depot, new HCar("Fiat", 4), new HCar("Saab", 5), truck, tanker);
    }

    /**
     * The table each statement that starts with (or, as H2's {@code FROM FINAL TABLE (INSERT ...)},
     * contains) one of {@code verbs} names after it, in order. PostgreSQL loads rows without
     * RETURNING with {@code COPY table FROM STDIN}.
     */
    private static List<String> tablesOf(List<String> sql, String... verbs) {
        List<String> out = new ArrayList<>();
        for (String q : sql) {
            for (String verb : verbs) {
                int at = q.indexOf(verb);
                if (at >= 0) {
                    out.add(q.substring(at + verb.length()).split("[ (]")[0]);
                    break;
                }
            }
        }
        return out;
    }

    private static <T> T inSession(Fixture f, Function<AsyncSession, T> work) {
        AsyncSession s = f.sessions().openSession();
        try {
            return work.apply(s);
        } finally {
            s.close().block(IN_WAIT);
        }
    }

    private static List<String> describe(List<? extends Object> objects) {
        List<String> out = new ArrayList<>();
        for (Object o : objects) {
            out.add(o.getClass().getSimpleName() + ":" + (o instanceof HStaff ? ((HStaff) o).name : ((HVehicle) o).maker));
        }
        return out;
    }

    /** The rows of {@code t} as "col=value,..." strings ordered by the first column, read with plain SQL. */
    private static List<String> rows(Fixture f, Table t) {
        Map<Integer, String> out = new TreeMap<>();
        f.engine().execute(select(t.columns().toArray(new Column<?>[0])).from(t)).doOnNext(r -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < t.columns().size(); i++) {
                Object v = r.get(i);
                sb.append(i == 0 ? "" : ",").append(t.columns().get(i).name()).append('=')
                        .append(v instanceof Number ? String.valueOf(((Number) v).longValue()) : v);
            }
            out.put(((Number) r.get(0)).intValue(), sb.toString());
        }).blockLast(IN_WAIT);
        return new ArrayList<>(out.values());
    }

    @Test // O8: single-table: the root returns each row as its class; a subclass query adds the discriminator criterion
    default void inheritanceSingleTableQueriesReturnConcreteClasses(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedStaff(f);
        List<String> sent = f.recordSql();
        inSession(f, s -> {
            List<HStaff> all = s.execute(Orm.select(HStaff.class).orderBy(HStaff_.name)).collectList().block(IN_WAIT);
            assertThat(describe(all)).containsExactly("HStaff:Ann", "HEngineer:Eve", "HLead:Leo", "HManager:Max");
            HLead leo = (HLead) all.get(2);
            assertThat(leo.language).isEqualTo("Go");
            assertThat(leo.teamSize).isEqualTo(4);
            assertThat(((HManager) all.get(3)).budget).isEqualTo(1000);
            assertThat(sent.get(0)).doesNotContain("WHERE");
            sent.clear();
            List<HEngineer> engineers = s.execute(Orm.select(HEngineer.class).orderBy(HEngineer_.name)).collectList()
                    .block(IN_WAIT);
            assertThat(describe(engineers)).containsExactly("HEngineer:Eve", "HLead:Leo");
            assertThat(engineers.get(0)).isSameAs(all.get(1));
            assertThat(sent).hasSize(1);
            assertThat(sent.get(0)).contains("WHERE").contains("kind");
            // The criterion applies also with other criteria, and to a query whose columns never name the class.
            List<HManager> rich = s.execute(Orm.select(HManager.class).where(HManager_.budget.gt(10))).collectList()
                    .block(IN_WAIT);
            assertThat(describe(rich)).containsExactly("HManager:Max");
            Long managers = s.execute(Orm.selectRows(Sql.count()).selectFrom(HManager.class)).next()
                    .map(r -> ((Number) r.get(0)).longValue()).block(IN_WAIT);
            assertThat(managers).as("selectFrom(HManager) counts managers only (seed 1.2)").isEqualTo(1L);
            Long engineerCount = s.execute(Orm.selectRows(Sql.count()).selectFrom(HEngineer.class)).next()
                    .map(r -> ((Number) r.get(0)).longValue()).block(IN_WAIT);
            assertThat(engineerCount).isEqualTo(2L);
            return null;
        });
    }

    @Test // O8 (seed 1.2): a join to a single-table subclass matches rows of that class only (the criterion goes into ON)
    default void inheritanceJoinToSubclassIsDiscriminated(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedStaff(f);
        seedVehicles(f);
        @SuppressWarnings("unchecked")
        Column<Integer> mentorId = (Column<Integer>) f.registry().mapper(HStaff.class).table().c("mentor_id");
        inSession(f, s -> {
            io.retort.orm.EntityAlias<HManager> boss = Orm.aliased(HManager.class, "boss");
            List<String> managed = s.execute(Orm.selectRows(HStaff.class).join(boss, mentorId.eq(boss.col(HStaff_.id)))
                    .orderBy(HStaff_.name)).map(r -> r.get(HStaff.class).name).collectList().block(IN_WAIT);
            assertThat(managed).containsExactly("Eve", "Leo");
            // Max's row is the mentor row of both, but it is no lead: without the criterion in ON both would match.
            io.retort.orm.EntityAlias<HLead> lead = Orm.aliased(HLead.class, "lead");
            List<String> ledByLead = s.execute(Orm.selectRows(HStaff.class).join(lead, mentorId.eq(lead.col(HStaff_.id))))
                    .map(r -> r.get(HStaff.class).name).collectList().block(IN_WAIT);
            assertThat(ledByLead).isEmpty();
            // A joined subclass joined by class brings its table chain: depots with a tanker.
            @SuppressWarnings("unchecked")
            Column<Integer> depotId = (Column<Integer>) f.registry().mapper(HTruck.class).table().c("depot_id");
            List<String> depots = s.execute(Orm.select(HDepot.class).join(HTanker.class, depotId.eq(HDepot_.id)))
                    .map(d -> d.city).collectList().block(IN_WAIT);
            assertThat(depots).containsExactly("Oslo");
            return null;
        });
    }

    @Test // O8: joined: the root's table alone, then selectinPolymorphic = root query + one SELECT per subclass table, exactly
    default void inheritanceJoinedSelectinPolymorphicLoadsSubclassTables(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedVehicles(f);
        List<String> sent = f.recordSql();
        inSession(f, s -> {
            List<HVehicle> plain = s.execute(Orm.select(HVehicle.class).orderBy(HVehicle_.maker)).collectList().block(IN_WAIT);
            assertThat(describe(plain)).containsExactly("HCar:Fiat", "HCar:Saab", "HTanker:Scania", "HTruck:Volvo");
            assertThat(sent).hasSize(1);
            assertThat(sent.get(0)).doesNotContain("JOIN");
            HCar fiat = (HCar) plain.get(0);
            assertThat(fiat.seats).as("the car table was not read").isNull();
            assertThatThrownBy(() -> s.attribute(fiat, HCar_.seats).block(IN_WAIT))
                    .isInstanceOf(UnloadedAttributeException.class).hasMessageContaining("selectinPolymorphic(HCar.class)");
            return null;
        });
        sent.clear();
        inSession(f, s -> {
            List<HVehicle> all = s.execute(Orm.select(HVehicle.class).orderBy(HVehicle_.maker)
                    .options(selectinPolymorphic())).collectList().block(IN_WAIT);
            // vehicles, then h_car, h_truck, h_tanker: one each (4 keys at most, one chunk everywhere)
            assertThat(sent).hasSize(4);
            assertThat(sent.get(1)).contains("h_car").doesNotContain("h_vehicle");
            assertThat(sent.get(2)).contains("h_truck");
            assertThat(sent.get(3)).contains("h_tanker");
            assertThat(((HCar) all.get(0)).seats).isEqualTo(4);
            HTanker scania = (HTanker) all.get(2);
            assertThat(scania.payload).isEqualTo(20);
            assertThat(scania.litres).isEqualTo(30000);
            assertThat(s.attribute(scania, HTanker_.litres).block(IN_WAIT)).isEqualTo(30000);
            assertThat(s.isModified(scania)).isFalse();
            return null;
        });
        sent.clear();
        inSession(f, s -> {
            // Only the classes asked for (and the tables between): a tanker brings h_truck too; cars stay unloaded.
            List<HVehicle> some = s.execute(Orm.select(HVehicle.class).orderBy(HVehicle_.maker)
                    .options(selectinPolymorphic(HTanker.class))).collectList().block(IN_WAIT);
            assertThat(sent).hasSize(3);
            assertThat(((HCar) some.get(0)).seats).isNull();
            assertThat(((HTruck) some.get(3)).payload).isEqualTo(10);
            assertThat(((HTanker) some.get(2)).litres).isEqualTo(30000);
            return null;
        });
    }

    @Test // O8: joined: withPolymorphic LEFT OUTER JOINs the subclass tables (one statement); a subclass query INNER JOINs its chain
    default void inheritanceJoinedWithPolymorphicAndSubclassQueries(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedVehicles(f);
        List<String> sent = f.recordSql();
        inSession(f, s -> {
            List<HVehicle> all = s.execute(Orm.select(HVehicle.class).orderBy(HVehicle_.maker).options(withPolymorphic()))
                    .collectList().block(IN_WAIT);
            assertThat(sent).hasSize(1);
            assertThat(sent.get(0)).contains("LEFT OUTER JOIN");
            assertThat(((HCar) all.get(1)).seats).isEqualTo(5);
            assertThat(((HTanker) all.get(2)).litres).isEqualTo(30000);
            assertThat(((HTruck) all.get(3)).payload).isEqualTo(10);
            sent.clear();
            List<HTruck> trucks = s.execute(Orm.select(HTruck.class).orderBy(HTruck_.payload)).collectList().block(IN_WAIT);
            assertThat(describe(trucks)).containsExactly("HTruck:Volvo", "HTanker:Scania");
            assertThat(trucks.get(1)).isSameAs(all.get(2));
            assertThat(sent).hasSize(1);
            assertThat(sent.get(0)).contains("JOIN h_truck");
            List<HTanker> tankers = s.execute(Orm.select(HTanker.class).where(HTanker_.litres.gt(100))).collectList()
                    .block(IN_WAIT);
            assertThat(describe(tankers)).containsExactly("HTanker:Scania");
            return null;
        });
    }

    @Test // O8/O3: one identity map per hierarchy: a subclass query and a root query give the same instance
    default void inheritanceIdentityIsSharedAcrossTheHierarchy(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        Map<String, HStaff> seeded = seedStaff(f);
        int maxId = seeded.get("Max").id;
        List<String> sent = f.recordSql();
        inSession(f, s -> {
            HManager max = s.execute(Orm.select(HManager.class)).next().block(IN_WAIT);
            HStaff again = s.execute(Orm.select(HStaff.class).where(HStaff_.id.eq(maxId))).next().block(IN_WAIT);
            assertThat(again).isSameAs(max);
            assertThat(s.identityKey(max).type()).isEqualTo(HStaff.class);
            sent.clear();
            assertThat(s.get(HStaff.class, maxId).block(IN_WAIT)).isSameAs(max);
            assertThat(s.get(HManager.class, maxId).block(IN_WAIT)).isSameAs(max);
            assertThat(s.get(HEngineer.class, maxId).blockOptional(IN_WAIT))
                    .as("the key is a manager's: no engineer, and no SQL to find out").isEmpty();
            assertThat(sent).isEmpty();
            return null;
        });
    }

    @Test // O8 (seed 1.4): unknown discriminator values and rows of a class outside the one asked for are errors; the session goes on
    default void inheritanceDiscriminatorErrors(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedStaff(f);
        seedVehicles(f);
        Mapper<HStaff> staff = f.registry().mapper(HStaff.class);
        Map<Column<?>, Object> bogus = new LinkedHashMap<>();
        bogus.put(staff.table().c("name"), "Bob");
        bogus.put(staff.discriminatorColumn(), "intern");
        f.engine().inTransaction(c -> c.execute(Sql.insert(staff.table()).values(bogus)).rowsAffected()).blockLast(IN_WAIT);
        inSession(f, s -> {
            assertThatThrownBy(() -> s.execute(Orm.select(HStaff.class)).collectList().block(IN_WAIT))
                    .isInstanceOf(PolymorphicIdentityError.class).hasMessageContaining("'intern'")
                    .hasMessageContaining("names no mapped class");
            // The session is usable: a query that does not meet the row works.
            assertThat(s.execute(Orm.select(HEngineer.class)).collectList().block(IN_WAIT)).hasSize(2);
            return null;
        });
        // Joined: a car's key given a truck row by hand; the INNER JOIN of a truck query finds a row whose
        // discriminator says car.
        Mapper<HCar> cars = f.registry().mapper(HCar.class);
        Table truckTable = f.registry().mapper(HTruck.class).table();
        Integer carId = f.engine().execute(select(cars.identity().get(0).column()).from(cars.table())
                .orderBy(cars.identity().get(0).column())).map(r -> ((Number) r.get(0)).intValue()).blockFirst(IN_WAIT);
        Map<Column<?>, Object> fake = new LinkedHashMap<>();
        fake.put(truckTable.c("id"), carId);
        fake.put(truckTable.c("payload"), 1);
        f.engine().inTransaction(c -> c.execute(Sql.insert(truckTable).values(fake)).rowsAffected()).blockLast(IN_WAIT);
        inSession(f, s -> {
            assertThatThrownBy(() -> s.execute(Orm.select(HTruck.class)).collectList().block(IN_WAIT))
                    .isInstanceOf(PolymorphicIdentityError.class).hasMessageContaining("'car'")
                    .hasMessageContaining("HCar, which is not HTruck or a subclass of it");
            List<HVehicle> all = s.execute(Orm.select(HVehicle.class)).collectList().block(IN_WAIT);
            assertThat(all).hasSize(4);
            return null;
        });
    }

    @Test // O8/O4: flush across a joined hierarchy: parent rows first with keys flowing down; updates per table; deletes children first
    default void inheritanceJoinedFlushOrder(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        List<String> sent = f.recordSql();
        HDepot depot = new HDepot("Bergen");
        HTanker tanker = new HTanker("MAN", 7, 9000);
        tanker.depot = depot;
        HCar car = new HCar("Kia", 2);
        f.seed(tanker, car, depot);
        assertThat(tanker.id).isNotNull();
        assertThat(tanker.version).isEqualTo(1);
        // The depot first (a truck refers to it), then per class the root row, then its own tables, keys flowing down.
        assertThat(tablesOf(sent, "INSERT INTO ", "COPY ")).as("%s", sent)
                .containsExactly("h_depot", "h_vehicle", "h_truck", "h_tanker", "h_vehicle", "h_car");
        Mapper<HVehicle> v = f.registry().mapper(HVehicle.class);
        assertThat(rows(f, v.table())).containsExactlyInAnyOrder(
                "id=" + tanker.id + ",maker=MAN,version=1,dtype=tanker", "id=" + car.id + ",maker=Kia,version=1,dtype=car");
        assertThat(rows(f, f.registry().mapper(HTruck.class).table())).containsExactly(
                "id=" + tanker.id + ",payload=7,depot_id=" + depot.id);
        assertThat(rows(f, f.registry().mapper(HTanker.class).table())).containsExactly("id=" + tanker.id + ",litres=9000");
        sent.clear();
        inSession(f, s -> {
            HTanker t = s.execute(Orm.select(HTanker.class)).next().block(IN_WAIT);
            HCar c = s.execute(Orm.select(HCar.class)).next().block(IN_WAIT);
            t.litres = 9500; // h_tanker only, and the root's version
            c.maker = "Kia2"; // h_vehicle only
            sent.clear();
            s.commit().block(IN_WAIT);
            assertThat(sent).hasSize(3);
            assertThat(sent).filteredOn(q -> q.contains("h_tanker")).singleElement().asString().startsWith("UPDATE h_tanker SET litres");
            assertThat(sent).filteredOn(q -> q.startsWith("UPDATE h_vehicle")).hasSize(2);
            assertThat(sent).noneMatch(q -> q.contains("h_truck"));
            assertThat(t.version).isEqualTo(2);
            return null;
        });
        assertThat(rows(f, v.table())).contains("id=" + tanker.id + ",maker=MAN,version=2,dtype=tanker",
                "id=" + car.id + ",maker=Kia2,version=2,dtype=car");
        assertThat(rows(f, f.registry().mapper(HTanker.class).table())).containsExactly("id=" + tanker.id + ",litres=9500");
        sent.clear();
        inSession(f, s -> {
            s.execute(Orm.select(HVehicle.class)).collectList().block(IN_WAIT).forEach(s::delete);
            s.commit().block(IN_WAIT);
            return null;
        });
        assertThat(tablesOf(sent, "DELETE FROM ")).containsExactly("h_tanker", "h_car", "h_truck", "h_vehicle");
        assertThat(f.rows(v.table())).isZero();
        assertThat(f.rows(f.registry().mapper(HTruck.class).table())).isZero();
    }

    @Test // O8/O10: the root's version counter guards a change of a subclass column; a stale one fails and the session recovers
    default void inheritanceVersionOnRootGuardsSubclassChanges(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedVehicles(f);
        Mapper<HVehicle> v = f.registry().mapper(HVehicle.class);
        inSession(f, s -> {
            HCar fiat = s.execute(Orm.select(HCar.class).where(HCar_.seats.eq(4))).next().block(IN_WAIT);
            // Another writer bumps the version.
            @SuppressWarnings("unchecked")
            Column<Integer> version = (Column<Integer>) v.table().c("version");
            f.engine().inTransaction(c -> c.execute(Sql.update(v.table()).set(version, Sql.param(5))
                    .where(HVehicle_.id.eq(fiat.id))).rowsAffected()).blockLast(IN_WAIT);
            fiat.seats = 2;
            assertThatThrownBy(() -> s.commit().block(IN_WAIT)).isInstanceOf(StaleDataError.class)
                    .hasMessageContaining("h_vehicle");
            s.rollback().block(IN_WAIT);
            s.refresh(fiat).block(IN_WAIT);
            assertThat(fiat.seats).isEqualTo(4);
            assertThat(fiat.version).isEqualTo(5);
            fiat.seats = 3;
            s.commit().block(IN_WAIT);
            assertThat(fiat.version).isEqualTo(6);
            return null;
        });
        assertThat(rows(f, f.registry().mapper(HCar.class).table())).anyMatch(r -> r.endsWith(",seats=3"));
    }

    @Test // O8/O5: relationships to and from subclasses load with the existing loaders and build the right classes
    default void inheritanceRelationshipsAcrossHierarchies(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedStaff(f);
        seedVehicles(f);
        List<String> sent = f.recordSql();
        inSession(f, s -> {
            // A many-to-one to the single-table root builds the mentor as the manager it is.
            List<HStaff> staff = s.execute(Orm.select(HStaff.class).where(HStaff_.name.in("Eve", "Leo"))
                    .options(selectinLoad(HStaff_.mentor))).collectList().block(IN_WAIT);
            assertThat(staff).allSatisfy(e -> assertThat(e.mentor).isInstanceOf(HManager.class));
            assertThat(staff.get(0).mentor).isSameAs(staff.get(1).mentor);
            // A one-to-many declared on a subclass, loaded from a query for the root: for the managers among the rows.
            List<HStaff> all = s.execute(Orm.select(HStaff.class).options(selectinLoad(HManager_.mentees))).collectList()
                    .block(IN_WAIT);
            HManager max = (HManager) all.stream().filter(x -> x instanceof HManager).findFirst().orElseThrow();
            assertThat(max.mentees).extracting(x -> x.name).containsExactlyInAnyOrder("Eve", "Leo");
            // A one-to-many to a joined subclass: trucks and tankers, each its class, with their own columns.
            sent.clear();
            HDepot depot = s.execute(Orm.select(HDepot.class).options(selectinLoad(HDepot_.trucks))).next().block(IN_WAIT);
            assertThat(sent).hasSize(2);
            assertThat(sent.get(1)).contains("JOIN h_truck");
            assertThat(describe(depot.trucks)).containsExactlyInAnyOrder("HTruck:Volvo", "HTanker:Scania");
            assertThat(depot.trucks).allSatisfy(t -> assertThat(t.depot).isSameAs(depot));
            assertThat(depot.trucks).extracting(t -> t.payload).containsExactlyInAnyOrder(10, 20);
            // session.fetch of a subclass's collection.
            HManager fresh = (HManager) s.get(HStaff.class, max.id).block(IN_WAIT);
            assertThat(s.fetch(fresh, HManager_.mentees).block(IN_WAIT)).hasSize(2);
            return null;
        });
    }

    @Test // O8/O9: a bulk UPDATE of a single-table subclass touches its rows only; a joined subclass's is refused
    default void inheritanceBulkStatementsOnHierarchies(TestDatabase db) {
        Fixture f = hierarchyFixture(this, db);
        seedStaff(f);
        seedVehicles(f);
        inSession(f, s -> {
            List<HStaff> all = s.execute(Orm.select(HStaff.class)).collectList().block(IN_WAIT);
            Long matched = s.execute(Orm.update(HEngineer.class).set(HEngineer_.language, "Rust")).block(IN_WAIT);
            assertThat(matched).isEqualTo(2L);
            assertThat(all).filteredOn(x -> x instanceof HEngineer).allSatisfy(e -> assertThat(((HEngineer) e).language)
                    .isEqualTo("Rust"));
            Long renamed = s.execute(Orm.update(HManager.class).set(HStaff_.name, "Maxine")).block(IN_WAIT);
            assertThat(renamed).isEqualTo(1L);
            assertThat(describe(all)).contains("HManager:Maxine", "HStaff:Ann");
            assertThatThrownBy(() -> s.execute(Orm.update(HCar.class).set(HCar_.seats, 9)).block(IN_WAIT))
                    .isInstanceOf(ArgumentError.class).hasMessageContaining("JOINED");
            s.commit().block(IN_WAIT);
            return null;
        });
        Table staff = f.registry().mapper(HStaff.class).table();
        assertThat(rows(f, staff)).anyMatch(r -> r.contains("name=Ann") && r.contains("language=null"))
                .anyMatch(r -> r.contains("name=Maxine"))
                .filteredOn(r -> r.contains("language=Rust")).hasSize(2);
    }
}
