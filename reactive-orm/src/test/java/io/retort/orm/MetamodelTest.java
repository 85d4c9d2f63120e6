package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import jakarta.persistence.Basic;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The run-time metamodel (O1): handles looked up by class and name are the objects the
 * application's registry maps, whether the registry was built before or after. Each test uses
 * its own entity classes, since mappers are published once per class for the whole JVM.
 */
class MetamodelTest {

    // --- metamodel first: Singer -> Record -> Studio (Studio reachable only through Record)

    @Entity
    static class MmSinger {
        @Id
        Integer id;
        String name;
        @OneToMany(mappedBy = "singer")
        List<MmRecord> records;
    }

    @Entity
    static class MmRecord {
        @Id
        Integer id;
        String title;
        @ManyToOne
        MmSinger singer;
        @ManyToOne
        MmStudio studio;
    }

    @Entity
    static class MmStudio {
        @Id
        Long id;
        String city;
    }

    // --- registry first

    @Entity
    static class MmBand {
        @Id
        Integer id;
        String name;
        @OneToMany(mappedBy = "band")
        List<MmGig> gigs;
    }

    @Entity
    static class MmGig {
        @Id
        Integer id;
        @ManyToOne
        MmBand band;
    }

    // --- errors

    @Embeddable
    static class MmPlace {
        String city;
    }

    @Entity
    static class MmLone {
        @Id
        Integer id;
        String name;
        @Embedded
        MmPlace place;
    }

    @Entity
    static class MmNotes {
        @Id
        Integer id;
        String title;
        @Basic(fetch = FetchType.LAZY)
        String body;
        @Deferred(raiseload = true)
        String secret;
    }

    @Entity
    static class MmDeferredId {
        @Id
        @Deferred
        Integer id;
    }

    @Entity
    static class MmBroken {
        @Id
        Integer id;
        Object payload;
    }

    // --- concurrency: a chain A -> B -> C, first touched from several threads at once

    @Entity
    static class MmA {
        @Id
        Integer id;
        @ManyToOne
        MmB b;
    }

    @Entity
    static class MmB {
        @Id
        Integer id;
        @ManyToOne
        MmC c;
        @OneToMany(mappedBy = "b")
        List<MmA> as;
    }

    @Entity
    static class MmC {
        @Id
        Integer id;
        String label;
    }

    @Test // before any registry: a lookup maps the class and all it reaches; a registry built later uses the same objects
    void metamodelBeforeRegistry() {
        assertThat(Metamodel.isMapped(MmSinger.class)).isFalse();
        Column<String> before = Metamodel.column(MmSinger.class, "name", String.class);
        Relationship<MmSinger, MmRecord> records = Metamodel.relationship(MmSinger.class, "records", MmRecord.class);
        assertThat(Metamodel.isMapped(MmRecord.class)).isTrue();
        assertThat(Metamodel.isMapped(MmStudio.class)).as("reachable through MmRecord.studio").isTrue();

        OrmRegistry registry = OrmRegistry.of(MmStudio.class, MmSinger.class, MmRecord.class);
        assertThat(registry.mapper(MmSinger.class).column("name", String.class)).isSameAs(before);
        assertThat(registry.mapper(MmSinger.class).relationship("records")).isSameAs(records);
        assertThat(registry.mapper(MmSinger.class)).isSameAs(Metamodel.mapper(MmSinger.class));
        assertThat(Metamodel.column(MmSinger.class, "name", String.class)).isSameAs(before);
        assertThat(Metamodel.column(MmStudio.class, "city", String.class))
                .isSameAs(registry.mapper(MmStudio.class).column("city", String.class));
        assertThat(records.remoteColumns()).containsExactly(registry.mapper(MmRecord.class).table().c("singer_id"));
        assertThat(registry.mapper(MmSinger.class).property(before).name()).isEqualTo("name");
        assertThat(registry.tables()).extracting(t -> t.name()).containsExactly("mm_studio", "mm_singer", "mm_record");
    }

    @Test // after a registry: lookups (and the generated MmBand_) return its objects; later registries share its mappers
    void registryBeforeMetamodel() {
        OrmRegistry registry = OrmRegistry.of(MmBand.class, MmGig.class);
        Column<String> name = registry.mapper(MmBand.class).column("name", String.class);
        assertThat(Metamodel.column(MmBand.class, "name", String.class)).isSameAs(name);
        assertThat(Metamodel.relationship(MmBand.class, "gigs", MmGig.class))
                .isSameAs(registry.mapper(MmBand.class).relationship("gigs"));
        Relationship<MmGig, MmBand> band = Metamodel.relationship(MmGig.class, "band");
        assertThat(band).isSameAs(registry.mapper(MmGig.class).relationship("band"));
        // the metamodel generated for this test source by the processor (see the pom's testCompile)
        assertThat(MmBand_.name).isSameAs(name);
        assertThat(MmBand_.gigs).isSameAs(registry.mapper(MmBand.class).relationship("gigs"));
        assertThat(MmGig_.band).isSameAs(band);

        OrmRegistry again = OrmRegistry.of(MmGig.class, MmBand.class);
        assertThat(again).isNotSameAs(registry);
        assertThat(again.mapper(MmBand.class)).isSameAs(registry.mapper(MmBand.class));
        assertThat(again.mapper(MmGig.class)).isSameAs(registry.mapper(MmGig.class));
    }

    @Test // an unknown attribute names the mapped ones; a wrong type or target says what the attribute holds
    void unknownAttribute() {
        assertThatThrownBy(() -> Metamodel.column(MmLone.class, "nmae", String.class))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("MmLone has no column attribute 'nmae'; mapped: [id, name, place.city]");
        assertThat(Metamodel.column(MmLone.class, "place.city", String.class))
                .isSameAs(Metamodel.mapper(MmLone.class).property("place.city").column());
        assertThatThrownBy(() -> Metamodel.column(MmLone.class, "name", Integer.class))
                .isInstanceOf(ArgumentError.class).hasMessage("MmLone.name holds String, not Integer");
        assertThatThrownBy(() -> Metamodel.relationship(MmLone.class, "friends"))
                .isInstanceOf(ArgumentError.class).hasMessage("MmLone has no relationship 'friends'; mapped: []");
        assertThatThrownBy(() -> Metamodel.relationship(MmGig.class, "band", MmLone.class))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("MmGig.band leads to " + MmBand.class.getName() + ", not " + MmLone.class.getName());
    }

    @Test // O7: @Basic(fetch = LAZY) and @Deferred leave columns out of the default selection; an @Id cannot be deferred
    void deferredInTheMapping() {
        Mapper<MmNotes> m = OrmRegistry.of(MmNotes.class).mapper(MmNotes.class);
        assertThat(m.defaultProperties()).extracting(Property::name).containsExactly("id", "title");
        assertThat(m.property("body").isDeferred()).isTrue();
        assertThat(m.property("body").isRaiseload()).isFalse();
        assertThat(m.property("secret").isDeferred()).isTrue();
        assertThat(m.property("secret").isRaiseload()).isTrue();
        assertThat(m.property("title").isDeferred()).isFalse();
        Mapper<MmLone> lone = OrmRegistry.of(MmLone.class).mapper(MmLone.class);
        assertThat(lone.defaultProperties()).as("nothing deferred: the same list").isSameAs(lone.properties());
        assertThatThrownBy(() -> OrmRegistry.of(MmDeferredId.class))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("MmDeferredId.id is an @Id column and cannot be deferred: every query loads it");
    }

    @Test // a class that is not an entity, or cannot be mapped, is an ArgumentError and publishes nothing
    void notMappable() {
        assertThatThrownBy(() -> Metamodel.column(String.class, "value", String.class))
                .isInstanceOf(ArgumentError.class)
                .hasMessage("java.lang.String is not annotated @Entity; the metamodel covers entity classes only");
        assertThatThrownBy(() -> Metamodel.column(MmBroken.class, "id", Integer.class))
                .isInstanceOf(ArgumentError.class)
                .hasMessageContaining("Cannot map field MmBroken.payload of type java.lang.Object");
        assertThat(Metamodel.isMapped(MmBroken.class)).isFalse();
    }

    @Test // first lookups racing on several threads settle on one mapper per class, consistent with each other
    void concurrentFirstLookups() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Object[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Class<?> first = i % 3 == 0 ? MmA.class : i % 3 == 1 ? MmB.class : MmC.class;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    Metamodel.mapper(first);
                    return new Object[] {Metamodel.mapper(MmA.class), Metamodel.mapper(MmB.class), Metamodel.mapper(MmC.class),
                            Metamodel.column(MmC.class, "label", String.class)};
                }));
            }
            Object[] expected = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<Object[]> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).containsExactly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        Mapper<MmA> a = Metamodel.mapper(MmA.class);
        Mapper<MmB> b = Metamodel.mapper(MmB.class);
        assertThat(a.relationship("b").remoteColumns()).containsExactly(b.identity().get(0).column());
        assertThat(b.relationship("as").remoteColumns()).containsExactly(a.table().c("b_id"));
        assertThat(OrmRegistry.of(MmC.class, MmB.class, MmA.class).mapper(MmC.class)).isSameAs(Metamodel.mapper(MmC.class));
    }
}
