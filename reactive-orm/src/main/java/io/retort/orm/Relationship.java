package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.Table;

import java.util.List;
import java.util.Objects;

/**
 * A mapped relationship between two entities, the metamodel handle used in loader options
 * ({@code selectinLoad(Artist_.albums)}), in {@code session.fetch(entity, Artist_.albums)} and in
 * conditions: {@link #any} and {@link #contains} for a collection, {@link #has} for a
 * many-to-one (O16), each an {@code EXISTS} subquery usable wherever a Core condition is.
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

    // ------------------------------------------------------------- predicates (O16)

    /**
     * A condition on the parent rows: the collection has at least one element meeting every
     * criterion (none: it is not empty). An {@code EXISTS} subquery over the target's table (and,
     * for a many-to-many, the link table), correlated to the source's table in the enclosing
     * statement. The criteria are conditions on the target, and may themselves be
     * {@code any}/{@code has} of the target's relationships (a nested EXISTS correlated to this
     * one's rows). Negate it with {@code not()} for the parents with no such element, empty ones
     * included.
     *
     * <pre>{@code
     * session.execute(Orm.select(Album.class).where(Album_.tracks.any(Track_.name.eq("Intro"))))
     * // PostgreSQL: SELECT album.album_id, ... FROM album WHERE EXISTS (SELECT 1 AS anon_1 FROM track
     * //             WHERE album.album_id = track.album_id AND track.name = $1)
     * // MySQL/MariaDB: the same with ? (and unqualified names where only one table is in scope)
     * Artist_.albums.any(Album_.tracks.any(Track_.name.eq("Intro")))   // nested
     * Playlist_.tracks.any()   // EXISTS (SELECT 1 AS anon_1 FROM playlist_track, track WHERE playlist.playlist_id =
     *                          //   playlist_track.playlist_id AND track.track_id = playlist_track.track_id)
     * }</pre>
     *
     * A self-referential relationship ({@code Employee_.reports}) needs another name for the
     * related rows: without criteria the subquery aliases the table itself; with criteria use
     * {@link #any(EntityAlias, Expression[])}.
     *
     * @throws ArgumentError on a many-to-one (use {@link #has}), on a null criterion, or on criteria
     *     for a self-referential relationship without an alias
     */
    @SafeVarargs
    public final Expression<Boolean> any(Expression<Boolean>... criteria) {
        return RelationshipCriteria.any(this, sourceTable(), null, criteria);
    }

    /**
     * {@link #any(Expression[])} with the related rows under {@code target}, an alias the criteria
     * are written with ({@code target.col(Track_.name).eq("Intro")}); required when the
     * relationship is self-referential and there are criteria.
     *
     * <pre>{@code
     * EntityAlias<Employee> r = Orm.aliased(Employee.class, "r");
     * Employee_.reports.any(r, r.col(Employee_.lastName).eq("Peacock"))
     * // EXISTS (SELECT 1 AS anon_1 FROM employee AS r WHERE employee.employee_id = r.reports_to AND r.last_name = $1)
     * }</pre>
     */
    @SafeVarargs
    public final Expression<Boolean> any(EntityAlias<T> target, Expression<Boolean>... criteria) {
        return RelationshipCriteria.any(this, sourceTable(), Objects.requireNonNull(target, "target"), criteria);
    }

    /**
     * A condition on the parent rows: this many-to-one refers to a row meeting every criterion
     * (none: the reference is set and the row exists). An {@code EXISTS} subquery over the target's
     * table correlated by the foreign key, e.g. for {@code Album_.artist.has(Artist_.name.eq("AC/DC"))}:
     * {@code EXISTS (SELECT 1 AS anon_1 FROM artist WHERE album.artist_id = artist.artist_id AND artist.name = $1)}.
     *
     * @throws ArgumentError on a collection (use {@link #any}), on a null criterion, or on criteria
     *     for a self-referential relationship without an alias
     */
    @SafeVarargs
    public final Expression<Boolean> has(Expression<Boolean>... criteria) {
        return RelationshipCriteria.has(this, sourceTable(), null, criteria);
    }

    /** {@link #has(Expression[])} with the related row under {@code target}, an alias the criteria are written with. */
    @SafeVarargs
    public final Expression<Boolean> has(EntityAlias<T> target, Expression<Boolean>... criteria) {
        return RelationshipCriteria.has(this, sourceTable(), Objects.requireNonNull(target, "target"), criteria);
    }

    /**
     * A condition on the parent rows: the collection contains {@code element}, a persistent
     * object found by its primary key (bound values, read from the object now). For a one-to-many,
     * {@code EXISTS (SELECT 1 AS anon_1 FROM track WHERE album.album_id = track.album_id AND track.track_id = $1)};
     * for a many-to-many only the link table is read:
     * {@code EXISTS (SELECT 1 AS anon_1 FROM playlist_track WHERE playlist.playlist_id = playlist_track.playlist_id
     * AND playlist_track.track_id = $1)}. The database's rows decide, not the collections in memory.
     *
     * @throws ArgumentError on a many-to-one, for null, for an object of another class, and for
     *     an object with no primary key yet (transient: flush it first)
     */
    public Expression<Boolean> contains(T element) {
        return RelationshipCriteria.contains(this, sourceTable(), element);
    }

    /**
     * This relationship of the rows of {@code parent}, an alias of the source entity: its
     * {@code any}/{@code has}/{@code contains} correlate to the alias instead of the source's
     * table, e.g. the managers of an employee's manager:
     * {@code Employee_.reports.of(boss).any()} in a query that selects {@code boss}.
     */
    public AliasedRelationship<S, T> of(EntityAlias<S> parent) {
        Objects.requireNonNull(parent, "parent");
        if (parent.type() != source) {
            throw new ArgumentError(this + " is a relationship of " + source.getSimpleName() + ", not of the alias "
                    + parent);
        }
        return new AliasedRelationship<>(this, parent);
    }

    /** The table the source entity's rows come from: the parent FROM element a predicate correlates to. */
    private Table sourceTable() {
        return Metamodel.mapper(source).table();
    }

    @Override
    public String toString() {
        return source.getSimpleName() + "." + name;
    }
}
