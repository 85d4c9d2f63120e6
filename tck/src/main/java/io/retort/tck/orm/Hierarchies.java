package io.retort.tck.orm;

import io.retort.orm.OrmRegistry;
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

/**
 * Inheritance hierarchies for the O8 suite: single-table staff (a concrete root, a two-level
 * subclass, a self-reference to the root, a one-to-many declared on a subclass) and joined-table
 * vehicles (an abstract root with a version counter, a two-level subclass chain, a subclass with
 * a many-to-one and the one-to-many that targets a subclass).
 */
public final class Hierarchies {
    private Hierarchies() {
    }

    /** Parents before children, so the tables create in order. */
    public static OrmRegistry registry() {
        return OrmRegistry.of(HDepot.class, HStaff.class, HManager.class, HEngineer.class, HLead.class,
                HVehicle.class, HCar.class, HTruck.class, HTanker.class);
    }

    @Entity
    @Table(name = "h_depot")
    public static class HDepot {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        public Integer id;
        @Column(length = 40)
        public String city;
        @OneToMany(mappedBy = "depot")
        public List<HTruck> trucks;

        public HDepot() {
        }

        public HDepot(String city) {
            this.city = city;
        }
    }

    /** Single-table root, concrete: discriminator column {@code kind}. */
    @Entity
    @Table(name = "h_staff")
    @DiscriminatorColumn(name = "kind", length = 20)
    @DiscriminatorValue("staff")
    public static class HStaff {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        public Integer id;
        @Column(nullable = false, length = 40)
        public String name;
        @ManyToOne
        @JoinColumn(name = "mentor_id")
        public HStaff mentor;

        public HStaff() {
        }

        public HStaff(String name) {
            this.name = name;
        }
    }

    @Entity
    @DiscriminatorValue("manager")
    public static class HManager extends HStaff {
        public Integer budget;
        @OneToMany(mappedBy = "mentor")
        public List<HStaff> mentees;

        public HManager() {
        }

        public HManager(String name, Integer budget) {
            super(name);
            this.budget = budget;
        }
    }

    @Entity
    @DiscriminatorValue("engineer")
    public static class HEngineer extends HStaff {
        @Column(length = 20)
        public String language;

        public HEngineer() {
        }

        public HEngineer(String name, String language) {
            super(name);
            this.language = language;
        }
    }

    @Entity
    @DiscriminatorValue("lead")
    public static class HLead extends HEngineer {
        public Integer teamSize;

        public HLead() {
        }

        public HLead(String name, String language, int teamSize) {
            super(name, language);
            this.teamSize = teamSize;
        }
    }

    /** Joined root, abstract: default discriminator column {@code dtype}, an optimistic version. */
    @Entity
    @Table(name = "h_vehicle")
    @Inheritance(strategy = InheritanceType.JOINED)
    public abstract static class HVehicle {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        public Integer id;
        @Column(length = 40)
        public String maker;
        @Version
        public Integer version;
    }

    @Entity
    @Table(name = "h_car")
    @DiscriminatorValue("car")
    public static class HCar extends HVehicle {
        public Integer seats;

        public HCar() {
        }

        public HCar(String maker, int seats) {
            this.maker = maker;
            this.seats = seats;
        }
    }

    /** No @DiscriminatorValue: the entity name, {@code HTruck}. */
    @Entity
    @Table(name = "h_truck")
    public static class HTruck extends HVehicle {
        public Integer payload;
        @ManyToOne
        @JoinColumn(name = "depot_id")
        public HDepot depot;

        public HTruck() {
        }

        public HTruck(String maker, int payload) {
            this.maker = maker;
            this.payload = payload;
        }
    }

    @Entity
    @Table(name = "h_tanker")
    @DiscriminatorValue("tanker")
    public static class HTanker extends HTruck {
        public Integer litres;

        public HTanker() {
        }

        public HTanker(String maker, int payload, int litres) {
            super(maker, payload);
            this.litres = litres;
        }
    }

    /** A fresh list, for collections set by hand. */
    public static <T> List<T> list() {
        return new ArrayList<>();
    }
}
