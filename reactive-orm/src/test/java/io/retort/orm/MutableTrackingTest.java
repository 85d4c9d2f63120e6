package io.retort.orm;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * O15 without a database: a mutable value (array, byte[], collection, JSON document) changed in
 * place is a change at the next flush, because the snapshot holds a copy, not the same object.
 */
@SuppressWarnings("unchecked")
class MutableTrackingTest {

    @Entity
    static class Doc {
        @Id
        Integer id;
        byte[] data;
        String[] tags;
        @Json
        java.util.Map<String, Object> attrs;
        @Json
        Address address;
        String name;
    }

    /** A JSON document as a POJO: no equals, so only the serialized form can tell a change. */
    public static class Address {
        public String city;
        public java.util.List<String> lines = new java.util.ArrayList<>();
    }

    private static Doc doc() {
        Doc d = new Doc();
        d.id = 1;
        d.data = new byte[] {1, 2, 3};
        d.tags = new String[] {"a", "b"};
        d.attrs = new java.util.LinkedHashMap<>(java.util.Map.of("n", 1, "list", java.util.List.of("x")));
        d.address = new Address();
        d.address.city = "Oslo";
        d.address.lines.add("Main St 1");
        d.name = "doc";
        return d;
    }

    private static int index(InstanceState st, String attr) {
        return st.mapper.properties().indexOf(st.mapper.property(attr));
    }

    private static <E> InstanceState persistent(AsyncSession s, E e, Object id) {
        Mapper<?> m = s.registry().mapper(e.getClass());
        InstanceState st = new InstanceState(e, m, InstanceState.Status.PERSISTENT);
        st.takeSnapshot();
        st.key = new IdentityKey(e.getClass(), List.of(id), null);
        s.register(st);
        return st;
    }

    @Test // the failing case before O15: the snapshot shared the array, so an in-place change went unseen
    void byteArrayChangedInPlaceIsAChange() {
        AsyncSession s = SessionFactory.of(null, OrmRegistry.of(Doc.class)).openSession();
        Doc d = new Doc();
        d.id = 1;
        d.data = new byte[] {1, 2, 3};
        InstanceState st = persistent(s, d, 1);
        assertThat(s.isModified(d)).as("untouched").isFalse();
        d.data[1] = 42;
        assertThat(s.isModified(d)).as("changed in place").isTrue();
        assertThat(st.changedProperties()).containsExactly(st.mapper.properties().indexOf(st.mapper.property("data")));
        d.data[1] = 2;
        assertThat(s.isModified(d)).as("changed back: equal content is no change").isFalse();
    }

    @Test // which columns are mutable: arrays and documents yes, strings and keys no
    void mutableColumnsAreKnownFromTheirType() {
        Mapper<Doc> m = OrmRegistry.of(Doc.class).mapper(Doc.class);
        assertThat(m.property("data").isMutable()).isTrue();
        assertThat(m.property("tags").isMutable()).isTrue();
        assertThat(m.property("attrs").isMutable()).isTrue();
        assertThat(m.property("address").isMutable()).isTrue();
        assertThat(m.property("name").isMutable()).isFalse();
        assertThat(m.property("id").isMutable()).isFalse();
    }

    @Test // each mutable kind, changed in place, is exactly its own column; untouched ones are no change
    void eachInPlaceChangeIsItsOwnColumn() {
        AsyncSession s = SessionFactory.of(null, OrmRegistry.of(Doc.class)).openSession();
        Doc d = doc();
        InstanceState st = persistent(s, d, 1);
        assertThat(st.changedProperties()).as("just loaded").isEmpty();

        d.tags[0] = "z";
        assertThat(st.changedProperties()).containsExactly(index(st, "tags"));
        st.takeSnapshot(); // as a flush leaves it
        assertThat(st.changedProperties()).as("after the flush").isEmpty();

        d.attrs.put("n", 2);
        assertThat(st.changedProperties()).containsExactly(index(st, "attrs"));
        st.takeSnapshot();
        ((java.util.Map<String, Object>) d.attrs).put("new", true);
        d.attrs.remove("new");
        assertThat(st.changedProperties()).as("put then removed: same document").isEmpty();

        d.address.lines.add("Floor 2");
        assertThat(st.changedProperties()).as("a POJO document, nested list changed").containsExactly(index(st, "address"));
        st.takeSnapshot();
        d.address.city = "Bergen";
        assertThat(st.changedProperties()).containsExactly(index(st, "address"));
    }

    @Test // a rollback puts back the value from before the in-place change, and the snapshot stays private
    void rollbackRestoresTheValueBeforeTheInPlaceChange() {
        AsyncSession s = SessionFactory.of(null, OrmRegistry.of(Doc.class)).openSession();
        Doc d = doc();
        InstanceState st = persistent(s, d, 1);
        byte[] held = d.data;
        d.data[0] = 9;
        d.address.city = "Bergen";
        st.rememberTxStart(); // as the flush does
        st.takeSnapshot();
        st.restoreTxStart(); // as the rollback does
        assertThat(d.data).containsExactly(1, 2, 3);
        assertThat(d.data).as("a new array: the object the application held keeps its change").isNotSameAs(held);
        assertThat(d.address.city).isEqualTo("Oslo");
        assertThat(st.changedProperties()).isEmpty();
        d.data[0] = 7;
        assertThat(st.changedProperties()).as("the restored value is not the snapshot itself").containsExactly(index(st, "data"));
    }
}
