package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One row of a {@link RowSelect} (O13): a tuple of entities and values, addressed by position,
 * by entity class, by {@link EntityAlias}, by the selected expression, or by name (the entity's
 * simple class name, the alias name, a column's name or label). An entity of the outer side of a
 * LEFT JOIN with no row is null.
 */
public final class EntityRow {
    private final List<Object> elements;
    private final Object[] values;

    EntityRow(List<Object> elements, Object[] values) {
        this.elements = elements;
        this.values = values;
    }

    /** The value at {@code index}, in selection order. */
    public Object get(int index) {
        if (index < 0 || index >= values.length) {
            throw new IndexOutOfBoundsException("EntityRow has " + values.length + " elements, no index " + index);
        }
        return values[index];
    }

    /** The entity selected as {@code type} (not under an alias). */
    public <E> E get(Class<E> type) {
        for (int i = 0; i < values.length; i++) {
            if (elements.get(i) == type) {
                return type.cast(values[i]);
            }
        }
        throw new ArgumentError(type.getSimpleName() + " is not selected by this row's query; selected: " + describe());
    }

    /** The entity selected under {@code alias}. */
    public <E> E get(EntityAlias<E> alias) {
        for (int i = 0; i < values.length; i++) {
            if (elements.get(i) == alias) {
                return alias.type().cast(values[i]);
            }
        }
        throw new ArgumentError(alias + " is not selected by this row's query; selected: " + describe());
    }

    /** The value of a selected expression (the same object as given to {@code selectRows}). */
    @SuppressWarnings("unchecked")
    public <T> T get(Expression<T> expression) {
        for (int i = 0; i < values.length; i++) {
            if (elements.get(i) == expression) {
                return (T) values[i];
            }
        }
        throw new ArgumentError(expression + " is not selected by this row's query; selected: " + describe());
    }

    /** By name: an entity's simple class name, an alias name, a column's name or an expression's label. */
    public Object get(String name) {
        int found = -1;
        for (int i = 0; i < values.length; i++) {
            if (name.equals(nameOf(elements.get(i)))) {
                if (found >= 0) {
                    throw new ArgumentError("'" + name + "' is ambiguous in this row: " + describe());
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new ArgumentError("No element named '" + name + "' in this row: " + describe());
        }
        return values[found];
    }

    public int size() {
        return values.length;
    }

    /** The values in selection order (unmodifiable). */
    public List<Object> values() {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    private static String nameOf(Object element) {
        if (element instanceof Class<?> c) {
            return c.getSimpleName();
        }
        if (element instanceof EntityAlias<?> a) {
            return a.name();
        }
        if (element instanceof Column<?> c) {
            return c.name();
        }
        if (element instanceof io.retort.sql.Label<?> l) {
            return l.name();
        }
        return null;
    }

    private String describe() {
        return describe(elements);
    }

    /** A query's selected elements by name, for error messages (also {@link RowSelect}'s). */
    static String describe(List<Object> elements) {
        StringBuilder sb = new StringBuilder("[");
        for (Object e : elements) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            String n = nameOf(e);
            sb.append(n != null ? n : e.toString());
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return "EntityRow" + Arrays.toString(values);
    }
}
