package io.retort.orm;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.DiscriminatorColumn;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.util.ArrayList;
import java.util.List;

/** Two hierarchies for the O8 unit tests: single-table staff, joined-table vehicles. */
final class InheritanceEntities {
    private InheritanceEntities() {
    }

    static OrmRegistry registry() {
        return OrmRegistry.of(InDepot.class, InStaff.class, InManager.class, InEngineer.class, InLead.class,
                InVehicle.class, InCar.class, InTruck.class, InTanker.class);
    }

    @Entity
    @Table(name = "in_depot")
    static class InDepot {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Integer id;
        String city;
        @OneToMany(mappedBy = "depot")
        List<InTruck> trucks = new ArrayList<>();
        @OneToMany(mappedBy = "depot")
        List<InEngineer> engineers = new ArrayList<>();
    }

    /** Single-table root (concrete), discriminator {@code kind}. */
    @Entity
    @Table(name = "in_staff")
    @DiscriminatorColumn(name = "kind", length = 20)
    @DiscriminatorValue("staff")
    static class InStaff {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Integer id;
        @Column(nullable = false, length = 40)
        String name;
        @ManyToOne
        @JoinColumn(name = "mentor_id")
        InStaff mentor;
    }

    @Entity
    @DiscriminatorValue("manager")
    static class InManager extends InStaff {
        Integer budget;
        @OneToMany(mappedBy = "mentor")
        List<InStaff> mentees = new ArrayList<>();
    }

    @Entity
    @DiscriminatorValue("engineer")
    static class InEngineer extends InStaff {
        @Column(nullable = false, length = 20)
        String language;
        @ManyToOne
        @JoinColumn(name = "depot_id")
        InDepot depot;
    }

    @Entity
    @DiscriminatorValue("lead")
    static class InLead extends InEngineer {
        int teamSize;
    }

    /** Joined root (abstract), default discriminator column {@code dtype}, a version counter. */
    @Entity
    @Table(name = "in_vehicle")
    @Inheritance(strategy = InheritanceType.JOINED)
    abstract static class InVehicle {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        Integer id;
        String maker;
        @Version
        Integer version;
    }

    @Entity
    @Table(name = "in_car")
    @DiscriminatorValue("car")
    static class InCar extends InVehicle {
        Integer seats;
    }

    /** No @DiscriminatorValue: the entity name, "InTruck". */
    @Entity
    @Table(name = "in_truck")
    static class InTruck extends InVehicle {
        Integer payload;
        @ManyToOne(cascade = CascadeType.PERSIST)
        @JoinColumn(name = "depot_id")
        InDepot depot;
    }

    @Entity
    @Table(name = "in_tanker")
    @DiscriminatorValue("tanker")
    static class InTanker extends InTruck {
        Integer litres;
    }
}
