package io.retort.orm;

import io.retort.dialect.h2.H2Dialect;
import io.retort.dialect.mariadb.MariaDbDialect;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.error.ArgumentError;
import io.retort.orm.InheritanceEntities.InCar;
import io.retort.orm.InheritanceEntities.InDepot;
import io.retort.orm.InheritanceEntities.InEngineer;
import io.retort.orm.InheritanceEntities.InLead;
import io.retort.orm.InheritanceEntities.InManager;
import io.retort.orm.InheritanceEntities.InStaff;
import io.retort.orm.InheritanceEntities.InTanker;
import io.retort.orm.InheritanceEntities.InTruck;
import io.retort.orm.InheritanceEntities.InVehicle;
import io.retort.sql.Sql;
import io.retort.sql.Statement;
import io.retort.sql.Table;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import jakarta.persistence.DiscriminatorColumn;
import jakarta.persistence.DiscriminatorType;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * O8 without a database: how the registry resolves hierarchies (tables, properties, discriminator
 * values) and refuses wrong mappings, the SQL text per dialect of queries for a hierarchy's classes
 * (discriminator criteria, joined chains, withPolymorphic, the selectinPolymorphic statement,
 * selectFrom and joins, bulk statements), and the flush plan of a hierarchy.
 */
class InheritanceTest {
    private static final Dialect PG = PostgresDialect.INSTANCE;
    private static final Dialect MARIADB = MariaDbDialect.INSTANCE;
    private static final Dialect H2 = H2Dialect.INSTANCE;
    private static final OrmRegistry R = InheritanceEntities.registry();

    private static String sql(Statement s, Dialect d) {
        return Compiler.compile(s, d).sql();
    }

    private static AsyncSession session() {
        return new AsyncSession(null, R, reactor.core.scheduler.Schedulers.immediate());
    }

    private static String query(EntitySelect<?> q, Dialect d) {
        return sql(new Loading(session()).new Prepared<>(q).core, d);
    }

    @Test // O8: single-table: one table with every class's columns (subclass ones nullable); properties inherited first
    void singleTableMapping() {
        Mapper<InStaff> staff = R.mapper(InStaff.class);
        Mapper<InLead> lead = R.mapper(InLead.class);
        Table t = staff.table();
        assertThat(lead.table()).isSameAs(t);
        assertThat(t.columns()).extracting(c -> c.name())
                .containsExactly("id", "name", "kind", "mentor_id", "budget", "language", "depot_id", "team_size");
        assertThat(t.c("language").spec().nullable()).as("@Column(nullable = false) on a subclass: NULL for the others").isTrue();
        assertThat(t.c("team_size").spec().nullable()).as("a primitive too").isTrue();
        assertThat(t.c("kind").spec().nullable()).isFalse();
        assertThat(lead.properties().subList(0, staff.properties().size())).isEqualTo(staff.properties());
        assertThat(lead.property("language")).isSameAs(R.mapper(InEngineer.class).property("language"));
        assertThat(lead.relationship("mentor")).isSameAs(staff.relationship("mentor"));
        assertThat(staff.discriminatorValues()).containsExactly("staff", "manager", "engineer", "lead");
        assertThat(R.mapper(InEngineer.class).discriminatorValues()).containsExactly("engineer", "lead");
        assertThat(lead.superMapper()).isSameAs(R.mapper(InEngineer.class));
        assertThat(lead.rootMapper()).isSameAs(staff);
        assertThat(lead.identityType()).isEqualTo(InStaff.class);
        assertThat(R.tables()).extracting(Table::name)
                .containsExactly("in_depot", "in_staff", "in_vehicle", "in_car", "in_truck", "in_tanker");
    }

    @Test // O8: joined: a table per class keyed by the root's key, which refers to the parent's table; default discriminator
    void joinedMapping() {
        Mapper<InTanker> tanker = R.mapper(InTanker.class);
        assertThat(tanker.tables()).extracting(Table::name).containsExactly("in_vehicle", "in_truck", "in_tanker");
        assertThat(tanker.table().columns()).extracting(c -> c.name()).containsExactly("id", "litres");
        assertThat(tanker.table().c("id").spec().references().table()).isEqualTo("in_truck");
        assertThat(R.mapper(InTruck.class).table().c("depot_id").spec().references().table()).isEqualTo("in_depot");
        assertThat(tanker.discriminatorColumn().name()).isEqualTo("dtype");
        assertThat(R.mapper(InTruck.class).discriminatorValue()).as("the entity name").isEqualTo("InTruck");
        assertThat(R.mapper(InVehicle.class).discriminatorValue()).as("abstract").isNull();
        assertThat(tanker.property(tanker.table().c("id"))).as("either key column names the identity")
                .isSameAs(tanker.identity().get(0));
        assertThat(R.mapper(InDepot.class).relationship("trucks").remoteColumns().get(0))
                .isSameAs(R.mapper(InTruck.class).table().c("depot_id"));
    }

    @Test // O8 (seed 1.2): a subclass query carries the discriminator criterion; the root's does not
    void singleTableQueryText() {
        assertThat(query(Orm.select(InStaff.class), PG)).isEqualTo("SELECT in_staff.id, in_staff.name, in_staff.kind,"
                + " in_staff.mentor_id, in_staff.budget, in_staff.language, in_staff.depot_id, in_staff.team_size FROM in_staff");
        assertThat(query(Orm.select(InEngineer.class).where(InEngineer_.language.eq("Go")), PG))
                .isEqualTo("SELECT in_staff.id, in_staff.name, in_staff.kind, in_staff.mentor_id, in_staff.language,"
                        + " in_staff.depot_id, in_staff.team_size FROM in_staff WHERE in_staff.kind = ANY($1)"
                        + " AND in_staff.language = $2");
        assertThat(query(Orm.select(InEngineer.class).where(InEngineer_.language.eq("Go")), MARIADB))
                .isEqualTo("SELECT id, name, kind, mentor_id, language, depot_id, team_size FROM in_staff"
                        + " WHERE kind IN (__[EXPANDING_0]) AND language = ?");
        assertThat(query(Orm.select(InManager.class), H2)).endsWith("FROM in_staff WHERE in_staff.kind IN (__[EXPANDING_0])");
        // selectFrom: a query whose columns never name the class still gets it (seed 1.2).
        assertThat(sql(Orm.selectRows(Sql.count()).selectFrom(InManager.class).statement(), PG))
                .isEqualTo("SELECT count(*) AS anon_1 FROM in_staff WHERE in_staff.kind = ANY($1)");
        // The related rows of a relationship to a subclass: the criterion goes into the EXISTS.
        assertThat(sql(Orm.selectRows(InDepot.class).where(InDepot_.engineers.any()).statement(), PG))
                .isEqualTo("SELECT in_depot.id, in_depot.city FROM in_depot WHERE EXISTS (SELECT 1 AS anon_1 FROM in_staff"
                        + " WHERE in_depot.id = in_staff.depot_id AND in_staff.kind = ANY($1))");
        // A join to an aliased subclass: the criterion goes into ON.
        EntityAlias<InManager> boss = Orm.aliased(InManager.class, "boss");
        assertThat(sql(Orm.selectRows(InDepot.class).join(boss, InDepot_.id.eq(boss.col(InStaff_.id))).statement(), PG))
                .isEqualTo("SELECT in_depot.id, in_depot.city FROM in_depot JOIN in_staff AS boss ON in_depot.id = boss.id"
                        + " AND boss.kind = ANY($1)");
    }

    @Test // O8: joined: the root's table alone; a subclass INNER JOINs its chain; withPolymorphic LEFT OUTER JOINs the rest
    void joinedQueryText() {
        assertThat(query(Orm.select(InVehicle.class), PG))
                .isEqualTo("SELECT in_vehicle.id, in_vehicle.maker, in_vehicle.version, in_vehicle.dtype FROM in_vehicle");
        assertThat(query(Orm.select(InTanker.class), MARIADB)).isEqualTo("SELECT in_vehicle.id, in_vehicle.maker,"
                + " in_vehicle.version, in_vehicle.dtype, in_truck.payload, in_truck.depot_id, in_tanker.litres FROM in_vehicle"
                + " JOIN in_truck ON in_truck.id = in_vehicle.id JOIN in_tanker ON in_tanker.id = in_vehicle.id");
        assertThat(query(Orm.select(InVehicle.class).options(Load.withPolymorphic(InCar.class)), PG))
                .isEqualTo("SELECT in_vehicle.id, in_vehicle.maker, in_vehicle.version, in_vehicle.dtype, in_car.seats"
                        + " FROM in_vehicle LEFT OUTER JOIN in_car ON in_car.id = in_vehicle.id");
        assertThat(query(Orm.select(InVehicle.class).options(Load.withPolymorphic(InTanker.class)), PG))
                .as("a class brings the tables between").contains("LEFT OUTER JOIN in_truck").contains("LEFT OUTER JOIN in_tanker")
                .doesNotContain("in_car");
        assertThat(query(Orm.select(InStaff.class).options(Load.selectinPolymorphic()), PG))
                .as("single-table: nothing to add").isEqualTo(query(Orm.select(InStaff.class), PG));
    }

    @Test // O8 (seed 1.2 selectin_polymorphic): one SELECT of the subclass table by key; one array on PostgreSQL
    void selectinPolymorphicStatementText() {
        Mapper<InTruck> trucks = R.mapper(InTruck.class);
        assertThat(sql(PolymorphicLoading.statement(trucks, List.of(1, 2)), PG)).isEqualTo("SELECT in_truck.id,"
                + " in_truck.payload, in_truck.depot_id FROM in_truck WHERE in_truck.id = ANY($1) ORDER BY in_truck.id");
        assertThat(sql(PolymorphicLoading.statement(trucks, List.of(1, 2)), MARIADB)).isEqualTo("SELECT id, payload,"
                + " depot_id FROM in_truck WHERE id IN (__[EXPANDING_0]) ORDER BY id");
    }

    @Test // O8: polymorphic options and joined loads that cannot apply fail with what to do
    void wrongOptionsAreRefused() {
        assertThatThrownBy(() -> query(Orm.select(InCar.class).options(Load.selectinPolymorphic(InTruck.class)), PG))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("InTruck is not a mapped subclass of it");
        assertThatThrownBy(() -> query(Orm.select(InDepot.class).options(Load.withPolymorphic()), PG))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("not mapped with inheritance");
        assertThatThrownBy(() -> query(Orm.select(InVehicle.class).options(Load.withPolymorphic(), Load.selectinPolymorphic()), PG))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("choose one");
        assertThatThrownBy(() -> query(Orm.select(InDepot.class).options(Load.joinedLoad(InDepot_.trucks)), PG))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("use selectinLoad");
    }

    @Test // O8/O9: a single-table subclass's bulk statement has the criterion; a joined subclass's is refused
    void bulkStatements() {
        assertThat(sql(BulkSync.forDialect(Orm.update(InEngineer.class).set(InEngineer_.language, "Go"), PG), PG))
                .isEqualTo("UPDATE in_staff SET language = $1 WHERE in_staff.kind = ANY($2)");
        assertThat(sql(BulkSync.forDialect(Orm.delete(InManager.class).where(InStaff_.name.eq("x")), MARIADB), MARIADB))
                .isEqualTo("DELETE FROM in_staff WHERE name = ? AND kind IN (__[EXPANDING_1])");
        assertThatThrownBy(() -> BulkSync.plan(Orm.update(InCar.class).set(InCar_.seats, 2)))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("JOINED");
        assertThatThrownBy(() -> BulkSync.plan(Orm.delete(InVehicle.class)))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("subclass tables");
    }

    @Test // O8/O4: a hierarchy flushes as one unit: a mentor inserted before its mentees whatever their classes
    void flushPlanOrdersAcrossClasses() {
        AsyncSession s = session();
        InManager boss = new InManager();
        boss.id = 1;
        InEngineer eve = new InEngineer();
        eve.id = 2;
        eve.mentor = boss;
        InLead leo = new InLead();
        leo.id = 3;
        leo.mentor = eve;
        s.add(leo);
        s.add(eve);
        s.add(boss);
        UnitOfWork.Plan plan = new UnitOfWork(s).plan();
        assertThat(plan.insertOrder()).containsExactly("InManager[1]", "InEngineer[2]", "InLead[3]");
        assertThat(plan.order).extracting(m -> m.type().getSimpleName()).containsExactly("InDepot", "InStaff", "InVehicle");
        assertThat(s.identityKey(boss)).isNull();
    }

    @Test // O8: the metamodel of a subclass has the inherited attributes, the very columns of the root's
    void metamodelOfSubclasses() {
        assertThat(InLead_.name).isSameAs(InStaff_.name);
        assertThat(InLead_.language).isSameAs(InEngineer_.language);
        assertThat(InLead_.mentor).isSameAs(InStaff_.mentor);
        assertThat(InTanker_.maker).isSameAs(InVehicle_.maker);
        assertThat(InTanker_.litres.table().name()).isEqualTo("in_tanker");
    }

    // ------------------------------------------------------------- mapping errors

    @Entity
    @Inheritance(strategy = InheritanceType.TABLE_PER_CLASS)
    static class TpcRoot {
        @Id
        Integer id;
    }

    @Entity
    static class TpcLeaf extends TpcRoot {
    }

    @Entity
    @DiscriminatorValue("a")
    static class DupRoot {
        @Id
        Integer id;
    }

    @Entity
    @DiscriminatorValue("a")
    static class DupLeaf extends DupRoot {
    }

    @Entity
    @DiscriminatorColumn(discriminatorType = DiscriminatorType.INTEGER)
    @DiscriminatorValue("1")
    static class IntRoot {
        @Id
        Integer id;
    }

    @Entity
    static class IntLeaf extends IntRoot {
    }

    @Entity
    static class IdRoot {
        @Id
        Integer id;
    }

    @Entity
    static class IdLeaf extends IdRoot {
        @Id
        Integer other;
    }

    @Entity
    static class LoneRoot {
        @Id
        Integer id;
    }

    @Entity
    @Inheritance(strategy = InheritanceType.JOINED)
    static class LoneLeaf extends LoneRoot {
    }

    @Entity
    @jakarta.persistence.Table(name = "own")
    static class TableLeaf extends LoneRoot {
    }

    @Entity
    @DiscriminatorColumn(discriminatorType = DiscriminatorType.CHAR)
    @DiscriminatorValue("xy")
    static class CharRoot {
        @Id
        Integer id;
    }

    @Entity
    abstract static class AbstractRoot {
        @Id
        Integer id;
    }

    @Entity
    @DiscriminatorValue("z")
    abstract static class AbstractLeaf extends AbstractRoot {
    }

    @Test // O8: wrong mappings fail at registration with the class and the fix
    void mappingErrors() {
        assertThatThrownBy(() -> OrmRegistry.of(TpcRoot.class, TpcLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("TABLE_PER_CLASS), which Retort does not support");
        assertThatThrownBy(() -> OrmRegistry.of(DupRoot.class, DupLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("DupLeaf and").hasMessageContaining("both have the discriminator value \"a\"");
        assertThatThrownBy(() -> OrmRegistry.of(IntRoot.class, IntLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("IntLeaf needs a @DiscriminatorValue").hasMessageContaining("INTEGER");
        assertThatThrownBy(() -> OrmRegistry.of(IdRoot.class, IdLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("IdLeaf.other is an @Id").hasMessageContaining("remove the @Id");
        assertThatThrownBy(() -> OrmRegistry.of(LoneLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("extends the entity").hasMessageContaining("not in this registry");
        assertThatThrownBy(() -> OrmRegistry.of(LoneRoot.class, LoneLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("declared once, on the hierarchy's root");
        assertThatThrownBy(() -> OrmRegistry.of(LoneRoot.class, TableLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("SINGLE_TABLE subclass").hasMessageContaining("remove @Table");
        assertThatThrownBy(() -> OrmRegistry.of(CharRoot.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("is CHAR");
        assertThatThrownBy(() -> OrmRegistry.of(AbstractRoot.class, AbstractLeaf.class)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("AbstractLeaf is abstract but has @DiscriminatorValue");
    }
}
