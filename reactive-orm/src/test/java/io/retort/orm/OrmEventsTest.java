package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.error.InvalidRequestError;
import io.retort.error.PendingRollbackError;
import io.retort.orm.internal.LoadedList;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * O11 without a database: flagModified/flagDirty bookkeeping and the flush that has nothing to
 * send, listener order (factory before session, sync and reactive), listener errors, collection
 * events of Retort's list, bulk replace and the execute hook's type check.
 */
class OrmEventsTest {
    private static final Duration T = Duration.ofSeconds(5);

    @Entity
    static class Box {
        @Id
        Integer id;
        @Column(length = 20)
        String label;
        @jakarta.persistence.Basic(fetch = jakarta.persistence.FetchType.LAZY)
        String notes;
        @OneToMany(mappedBy = "box")
        List<Item> items;
    }

    @Entity
    static class Item {
        @Id
        Integer id;
        @ManyToOne
        Box box;
    }

    private static SessionFactory factory() {
        return SessionFactory.of(null, OrmRegistry.of(Box.class, Item.class));
    }

    /** A persistent Box as a load leaves it: snapshot taken, key set, {@code notes} left out (deferred), items loaded. */
    private static Box persistentBox(AsyncSession s, int id) {
        Box b = new Box();
        b.id = id;
        b.label = "box " + id;
        Mapper<?> m = s.registry().mapper(Box.class);
        InstanceState st = new InstanceState(b, m, InstanceState.Status.PERSISTENT);
        st.takeSnapshot();
        st.loaded[m.properties().indexOf(m.property("notes"))] = false;
        st.key = new IdentityKey(Box.class, List.of(id), null);
        s.register(st);
        new Loading(s).assign(m.relationship("items"), b, List.of());
        return b;
    }

    @Test // seed 1.2: flagModified on an attribute that is not loaded is an InvalidRequestError naming it
    void flagModifiedNeedsALoadedAttribute() {
        AsyncSession s = factory().openSession();
        Box b = persistentBox(s, 1);
        assertThatThrownBy(() -> s.flagModified(b, "notes")).isInstanceOf(InvalidRequestError.class)
                .hasMessageContaining("'notes'").hasMessageContaining("not loaded");
        assertThatThrownBy(() -> s.flagModified(b, "nope")).isInstanceOf(ArgumentError.class).hasMessageContaining("'nope'");
        assertThat(s.isModified(b)).isFalse();

        s.flagModified(b, "label");
        assertThat(s.isModified(b)).isTrue();
        UnitOfWork.Plan plan = new UnitOfWork(s).plan();
        assertThat(plan.updates).extracting(st -> st.entity).containsExactly(b);
        int label = s.registry().mapper(Box.class).properties().indexOf(s.registry().mapper(Box.class).property("label"));
        assertThat(plan.updates.get(0).changedProperties()).containsExactly(label);
    }

    @Test // seed 1.2: flagDirty puts the object in the flush's dirty set (beforeFlush fires) with no UPDATE
    void flagDirtyFlushesNothingButListsTheObject() {
        SessionFactory f = factory();
        List<String> events = new ArrayList<>();
        f.events().beforeFlush(SessionListener.sync(ctx -> events.add("factory before " + ctx.dirtyObjects().size())));
        AsyncSession s = f.openSession();
        s.events().beforeFlush(ctx -> Mono.fromRunnable(() -> events.add("session before")))
                .afterFlush(SessionListener.sync(ctx -> events.add("after dirty=" + ctx.dirtyObjects().size()
                        + " new=" + ctx.newObjects().size())));
        Box b = persistentBox(s, 1);

        s.flush().block(T); // nothing to do: no events
        assertThat(events).isEmpty();

        s.flagDirty(b);
        UnitOfWork.Plan plan = new UnitOfWork(s).plan();
        assertThat(plan.isEmpty()).as("no statement to send").isTrue();
        assertThat(plan.updates).isEmpty();
        assertThat(plan.dirty).extracting(st -> st.entity).containsExactly(b);

        s.flush().block(T); // the engine is null: this flush must not try to send anything
        assertThat(events).containsExactly("factory before 1", "session before", "after dirty=1 new=0");
        assertThat(s.isModified(b)).as("the flag is spent by the flush").isFalse();
    }

    @Test // a failing listener fails the flush with its own error; the session needs, and survives, a rollback
    void aFailingListenerFailsTheFlushWithItsError() {
        SessionFactory f = factory();
        IllegalStateException boom = new IllegalStateException("audit refused");
        f.events().beforeFlush(SessionListener.sync(ctx -> {
            throw boom;
        }));
        AsyncSession s = f.openSession();
        Box b = persistentBox(s, 1);
        s.flagDirty(b);
        assertThatThrownBy(() -> s.flush().block(T)).isSameAs(boom);
        assertThatThrownBy(() -> s.flush().block(T)).isInstanceOf(PendingRollbackError.class)
                .hasMessageContaining("audit refused");
        s.rollback().block(T);
        assertThat(s.isModified(b)).as("rollback clears the flag").isFalse();
        s.flush().block(T); // usable again (nothing to flush, so the listener is not called)
    }

    @Test // append/remove fire before the change for Retort's list; a throwing listener vetoes it; plain lists fire nothing
    void collectionEventsOfRetortsList() {
        SessionFactory f = factory();
        Relationship<Box, Item> items = f.registry().mapper(Box.class).relationship("items");
        List<String> events = new ArrayList<>();
        f.events().attributes()
                .onAppend(items, (box, item, bulk) -> {
                    if (item.id == 99) {
                        throw new IllegalArgumentException("no 99");
                    }
                    events.add("+" + item.id + (bulk ? " bulk" : "") + " size " + box.items.size());
                })
                .onRemove(items, (box, item, bulk) -> events.add("-" + item.id + (bulk ? " bulk" : "")));
        AsyncSession s = f.openSession();
        Box b = persistentBox(s, 1);
        assertThat(b.items).isInstanceOf(LoadedList.class);
        Item i1 = item(1);
        Item i2 = item(2);
        Item i3 = item(3);
        b.items.add(i1);
        b.items.addAll(List.of(i2, i3));
        b.items.remove(i2);
        b.items.removeIf(i -> i.id == 3);
        b.items.set(0, i2);
        var it = b.items.iterator();
        it.next();
        it.remove();
        assertThat(events).containsExactly("+1 size 0", "+2 size 1", "+3 size 1", "-2", "-3", "-1", "+2 size 1", "-2");
        assertThatThrownBy(() -> b.items.add(item(99))).hasMessage("no 99");
        assertThat(b.items).as("vetoed").isEmpty();

        events.clear();
        ((LoadedList<Item>) b.items).quietly(() -> b.items.add(i1)); // the session's own sync fires nothing
        assertThat(events).isEmpty();

        Box plain = persistentBox(s, 2);
        plain.items = new ArrayList<>();
        plain.items.add(i3);
        assertThat(events).as("a plain ArrayList in the field is not Retort's: no events").isEmpty();
    }

    @Test // bulk replace: listeners rewrite the values first, then remove and append fire flagged as bulk
    void bulkReplace() {
        SessionFactory f = factory();
        Relationship<Box, Item> items = f.registry().mapper(Box.class).relationship("items");
        List<String> events = new ArrayList<>();
        Item extra = item(7);
        f.events().attributes()
                .onBulkReplace(items, (box, values) -> {
                    events.add("bulk " + values.size());
                    values.add(extra);
                })
                .onAppend(items, (box, item, bulk) -> events.add("+" + item.id + (bulk ? " bulk" : "")))
                .onRemove(items, (box, item, bulk) -> events.add("-" + item.id + (bulk ? " bulk" : "")));
        AsyncSession s = f.openSession();
        Box b = persistentBox(s, 1);
        Item i1 = item(1);
        Item i2 = item(2);
        ((LoadedList<Item>) b.items).quietly(() -> b.items.add(i1));
        List<Item> same = b.items;
        s.replaceCollection(b, items, List.of(i1, i2));
        assertThat(events).containsExactly("bulk 2", "+2 bulk", "+7 bulk");
        assertThat(b.items).isSameAs(same).containsExactly(i1, i2, extra);
        events.clear();
        s.replaceCollection(b, items, List.of(i2));
        assertThat(events).containsExactly("bulk 1", "-1 bulk");
        assertThat(s.isModified(b)).isTrue();

        assertThatThrownBy(() -> f.events().attributes().onModified(Box.class, "lable", (e, a) -> { }))
                .isInstanceOf(ArgumentError.class).hasMessageContaining("'lable'");
    }

    @Test // the execute hook: applied factory-first; it must keep the entity type
    void executeHookKeepsTheType() {
        SessionFactory f = factory();
        List<String> seen = new ArrayList<>();
        f.events().onExecute((q, session) -> {
            seen.add("factory " + q.type().getSimpleName());
            return q.limit(5);
        });
        AsyncSession s = f.openSession();
        s.events().onExecute((q, session) -> {
            seen.add("session limit " + q.limit());
            return q;
        });
        EntitySelect<Box> out = s.events().applyExecuteHooks(Orm.select(Box.class), s);
        assertThat(out.limit()).isEqualTo(5L);
        assertThat(seen).containsExactly("factory Box", "session limit 5");
        s.events().onExecute((q, session) -> Orm.select(Item.class));
        assertThatThrownBy(() -> s.events().applyExecuteHooks(Orm.select(Box.class), s)).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("Box");
    }

    private static Item item(int id) {
        Item i = new Item();
        i.id = id;
        return i;
    }
}
