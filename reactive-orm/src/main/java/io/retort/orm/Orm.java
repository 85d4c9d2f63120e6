package io.retort.orm;

/** Entry points of the ORM: {@code Orm.select(Artist.class)}. */
public final class Orm {
    private Orm() {
    }

    /**
     * A query of rows holding several entities and values (O13): entity classes, {@link EntityAlias}es
     * and Core expressions, e.g. {@code selectRows(Album.class, Artist.class, Track_.name)}.
     */
    public static RowSelect selectRows(Object... elements) {
        return RowSelect.of(elements);
    }

    /** {@code type} under a table alias, to select or join it more than once (SQLAlchemy's {@code aliased}). */
    public static <E> EntityAlias<E> aliased(Class<E> type, String name) {
        return new EntityAlias<>(type, Metamodel.mapper(type), name);
    }

    /**
     * An ORM bulk UPDATE of {@code type}'s rows by criteria (O9), run by
     * {@link AsyncSession#execute(BulkStatement)}: {@code Orm.update(Track.class).set(Track_.unitPrice,
     * price).where(Track_.milliseconds.gt(300_000))}. See {@link BulkStatement}.
     */
    public static <E> BulkStatement<E> update(Class<E> type) {
        return new BulkStatement<>(type, BulkStatement.Kind.UPDATE);
    }

    /**
     * An ORM bulk DELETE of {@code type}'s rows by criteria (O9), run by
     * {@link AsyncSession#execute(BulkStatement)}: {@code Orm.delete(Track.class).where(Track_.name.eq("Intro"))}.
     */
    public static <E> BulkStatement<E> delete(Class<E> type) {
        return new BulkStatement<>(type, BulkStatement.Kind.DELETE);
    }

    /** An ORM query for {@code type}. */
    public static <E> EntitySelect<E> select(Class<E> type) {
        return new EntitySelect<>(type);
    }
}
