package io.retort.orm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The unit-of-work plan is computed without I/O (O4): ordering by foreign keys and by self-reference. */
class UnitOfWorkPlanTest {

    @Entity
    static class Node {
        @Id
        Integer id;
        String label;
        @ManyToOne
        @JoinColumn(name = "parent_id")
        Node parent;
        @OneToMany(mappedBy = "parent")
        List<Node> children;

        Node() {
        }

        Node(int id, Node parent) {
            this.id = id;
            this.parent = parent;
        }
    }

    @Entity
    static class Owner {
        @Id
        @GeneratedValue
        Integer id;
        @Column(length = 20)
        String name;
        @OneToMany(mappedBy = "owner")
        List<Pet> pets = new ArrayList<>();
    }

    @Entity
    static class Pet {
        @Id
        @GeneratedValue
        Integer id;
        @ManyToOne
        Owner owner;
    }

    private static AsyncSession session(Class<?>... types) {
        return new AsyncSession(null, OrmRegistry.of(types), reactor.core.scheduler.Schedulers.immediate());
    }

    @Test // O4: rows of a self-referential table are ordered parent-first, whatever order they were added in
    void selfReferentialRowsParentFirst() {
        AsyncSession s = session(Node.class);
        Node root = new Node(1, null);
        Node mid = new Node(2, root);
        Node leaf = new Node(3, mid);
        Node other = new Node(4, root);
        s.add(leaf);
        s.add(other);
        s.add(mid);
        s.add(root);
        UnitOfWork.Plan plan = new UnitOfWork(s).plan();
        assertThat(plan.insertOrder()).containsExactly("Node[1]", "Node[4]", "Node[2]", "Node[3]");
    }

    @Test // O4: parents' mapper before children's, children reached by save-update cascade
    void mapperOrderAndCascade() {
        AsyncSession s = session(Pet.class, Owner.class);
        Owner o = new Owner();
        o.name = "Ann";
        Pet p = new Pet();
        o.pets.add(p);
        s.add(o);
        UnitOfWork.Plan plan = new UnitOfWork(s).plan();
        assertThat(plan.order).extracting(m -> m.type().getSimpleName()).containsExactly("Owner", "Pet");
        assertThat(plan.inserts.get(s.registry().mapper(Pet.class))).hasSize(1);
        assertThat(p.owner).isSameAs(o);
        assertThat(plan.updates).isEmpty();
        assertThat(plan.deletes).isEmpty();
    }

    @Test // O1: mapping reads names, keys, nullability and foreign keys into Core tables
    void mappingToTables() {
        OrmRegistry r = OrmRegistry.of(Pet.class, Owner.class);
        Mapper<Pet> pets = r.mapper(Pet.class);
        assertThat(pets.table().name()).isEqualTo("pet");
        assertThat(pets.table().columns()).extracting(c -> c.name()).containsExactly("id", "owner_id");
        assertThat(pets.table().c("owner_id").spec().references().table()).isEqualTo("owner");
        assertThat(pets.property("id").isGenerated()).isTrue();
        assertThat(r.mapper(Owner.class).relationship("pets").kind()).isEqualTo(Relationship.Kind.ONE_TO_MANY);
        assertThat(OrmRegistry.snake("InvoiceLineID")).isEqualTo("invoice_line_id");
    }
}
