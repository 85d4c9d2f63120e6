package io.retort.orm;

import io.retort.sql.Column;
import io.retort.sql.Table;

import java.util.List;

/**
 * A mapped relationship between two entities, the metamodel handle used in loader options
 * ({@code selectinLoad(Artist_.albums)}) and in {@code session.fetch(entity, Artist_.albums)}.
 * For MANY_TO_ONE, {@link #localColumns()} are the foreign key on the source table; for
 * ONE_TO_MANY, {@link #remoteColumns()} are the foreign key on the target table; for
 * MANY_TO_MANY, the link goes through {@link #secondary()}.
 *
 * @param <S> the source entity
 * @param <T> the target entity
 */
public final class Relationship<S, T> {
    /** Relationship kinds. */
    public enum Kind { MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }

    private final Class<S> source;
    private final String name;
    private final Kind kind;
    private final Class<T> target;
    private final List<Column<?>> localColumns;
    private final List<Column<?>> remoteColumns;
    private final Table secondary;
    private final List<Column<?>> secondarySourceColumns;
    private final List<Column<?>> secondaryTargetColumns;
    private final boolean cascadeSave;
    private final boolean cascadeDelete;
    private final boolean deleteOrphan;
    private final String mappedBy;
    final io.retort.orm.internal.Accessor accessor;
    /** The target's many-to-one named by mappedBy, resolved on first use (see backReference). */
    private volatile Relationship<?, ?> backReference;
    private volatile boolean backResolved;
    /** The message of an unloaded collection of this relationship, built on first use (constant, so a benign race). */
    private String unloadedHint;

    Relationship(Class<S> source, String name, Kind kind, Class<T> target, List<Column<?>> localColumns,
                 List<Column<?>> remoteColumns, Table secondary, List<Column<?>> secondarySourceColumns,
                 List<Column<?>> secondaryTargetColumns, boolean cascadeSave, boolean cascadeDelete,
                 boolean deleteOrphan, String mappedBy, io.retort.orm.internal.Accessor accessor) {
        this.source = source;
        this.name = name;
        this.kind = kind;
        this.target = target;
        this.localColumns = localColumns;
        this.remoteColumns = remoteColumns;
        this.secondary = secondary;
        this.secondarySourceColumns = secondarySourceColumns;
        this.secondaryTargetColumns = secondaryTargetColumns;
        this.cascadeSave = cascadeSave;
        this.cascadeDelete = cascadeDelete;
        this.deleteOrphan = deleteOrphan;
        this.mappedBy = mappedBy;
        this.accessor = accessor;
    }

    public Class<S> source() {
        return source;
    }

    /** The attribute (field) name. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public Class<T> target() {
        return target;
    }

    public boolean isCollection() {
        return kind != Kind.MANY_TO_ONE;
    }

    /** Columns on the source side of the link (FK for MANY_TO_ONE, PK otherwise). */
    public List<Column<?>> localColumns() {
        return localColumns;
    }

    /** Columns on the target side of the link (PK for MANY_TO_ONE, FK for ONE_TO_MANY). */
    public List<Column<?>> remoteColumns() {
        return remoteColumns;
    }

    /** The join table of a MANY_TO_MANY, else null. */
    public Table secondary() {
        return secondary;
    }

    public List<Column<?>> secondarySourceColumns() {
        return secondarySourceColumns;
    }

    public List<Column<?>> secondaryTargetColumns() {
        return secondaryTargetColumns;
    }

    /** Adding the source adds reachable targets (save-update cascade). */
    public boolean cascadesSave() {
        return cascadeSave;
    }

    /** Deleting the source deletes the targets. */
    public boolean cascadesDelete() {
        return cascadeDelete;
    }

    /** Targets removed from the collection are deleted (delete-orphan). */
    public boolean deletesOrphans() {
        return deleteOrphan;
    }

    /** The owning side's attribute name for a bidirectional ONE_TO_MANY, or null. */
    public String mappedBy() {
        return mappedBy;
    }

    /**
     * For a ONE_TO_MANY with mappedBy, the target's many-to-one that points back (set in memory
     * when a collection loads, O5); null otherwise. Resolved once per relationship.
     */
    Relationship<?, ?> backReference(OrmRegistry registry) {
        if (!backResolved) {
            Relationship<?, ?> back = null;
            if (kind == Kind.ONE_TO_MANY && mappedBy != null) {
                back = registry.mapper(target).relationships().get(mappedBy);
            }
            backReference = back;
            backResolved = true;
        }
        return backReference;
    }

    /**
     * What touching this relationship's unloaded collection says: built once, as every loaded
     * entity of the source class carries it until a loader assigns the collection.
     */
    String unloadedHint() {
        String h = unloadedHint;
        if (h == null) {
            String attr = source.getSimpleName() + "_." + name;
            unloadedHint = h = this + " was not loaded: add the option selectinLoad(" + attr
                    + ") or joinedLoad(...) to the query, or call session.fetch(entity, " + attr
                    + ") (Retort never loads lazily)";
        }
        return h;
    }

    @Override
    public String toString() {
        return source.getSimpleName() + "." + name;
    }
}
