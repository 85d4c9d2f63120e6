package io.retort.orm;

/** Entry points of the ORM: {@code Orm.select(Artist.class)}. */
public final class Orm {
    private Orm() {
    }

    /** An ORM query for {@code type}. */
    public static <E> EntitySelect<E> select(Class<E> type) {
        return new EntitySelect<>(type);
    }
}
