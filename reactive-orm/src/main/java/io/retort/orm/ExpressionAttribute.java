package io.retort.orm;

import io.retort.orm.internal.Accessor;

/**
 * A {@link QueryExpression} field of an entity: the handle {@link Load#withExpression} takes
 * ({@code Album_.trackCount} in the generated metamodel, or
 * {@link Metamodel#expression(Class, String, Class)} without the processor).
 *
 * @param <E> the entity class
 * @param <T> the field's type
 */
public final class ExpressionAttribute<E, T> {
    private final Class<E> source;
    private final String name;
    private final Class<T> javaType;
    final Accessor accessor;

    ExpressionAttribute(Class<E> source, String name, Class<T> javaType, Accessor accessor) {
        this.source = source;
        this.name = name;
        this.javaType = javaType;
        this.accessor = accessor;
    }

    /** The entity class that declares the field. */
    public Class<E> source() {
        return source;
    }

    /** The field name. */
    public String name() {
        return name;
    }

    /** The field type. */
    public Class<T> javaType() {
        return javaType;
    }

    @Override
    public String toString() {
        return source.getSimpleName() + "." + name;
    }
}
