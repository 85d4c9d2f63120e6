package io.retort.orm.internal;

/**
 * Where a {@link LoadedList} reports membership changes (O11 attribute events). Implemented by
 * the ORM's event registry; not an application API. Both methods run before the list changes, so
 * an exception from a listener vetoes the change.
 */
public interface CollectionHook {
    /** {@code item} is about to join {@code owner}'s collection {@code relationship}. */
    void appending(Object owner, Object relationship, Object item, boolean bulkReplace);

    /** {@code item} is about to leave {@code owner}'s collection {@code relationship}. */
    void removing(Object owner, Object relationship, Object item, boolean bulkReplace);
}
