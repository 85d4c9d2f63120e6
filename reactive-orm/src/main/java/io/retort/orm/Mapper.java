package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Table;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mapping of one entity class (O1): its table, column properties, identity and
 * relationships, read once from Jakarta Persistence annotations by {@link OrmRegistry}.
 *
 * @param <E> the entity class
 */
public final class Mapper<E> {
    private final Class<E> type;
    private final Table table;
    private final List<Property> properties;
    /** The loader's plan for a row of all {@link #properties}, built on first use (see Loading). */
    volatile Object fullRowPlan;
    private final List<Property> identity;
    private final Map<String, Property> byName = new LinkedHashMap<>();
    private final Map<Column<?>, Property> byColumn = new java.util.IdentityHashMap<>();
    private final Map<String, Relationship<E, ?>> relationships = new LinkedHashMap<>();
    private final Map<String, ExpressionAttribute<E, ?>> expressions = new LinkedHashMap<>();
    private final Constructor<E> constructor;

    Mapper(Class<E> type, Table table, List<Property> properties) {
        this.type = type;
        this.table = table;
        this.properties = List.copyOf(properties);
        List<Property> ids = new ArrayList<>();
        for (Property p : properties) {
            byName.put(p.name(), p);
            byColumn.put(p.column(), p);
            if (p.isId()) {
                ids.add(p);
            }
        }
        if (ids.isEmpty()) {
            throw new ArgumentError("Entity " + type.getName() + " has no @Id: every mapped entity needs a primary key");
        }
        this.identity = List.copyOf(ids);
        List<Property> kept = new ArrayList<>();
        boolean[] raise = new boolean[this.properties.size()];
        boolean anyRaise = false;
        for (int i = 0; i < raise.length; i++) {
            Property p = this.properties.get(i);
            if (p.isDeferred()) {
                raise[i] = p.isRaiseload();
                anyRaise |= raise[i];
            } else {
                kept.add(p);
            }
        }
        this.defaultRaise = anyRaise ? raise : null;
        this.defaultProperties = kept.size() == this.properties.size() ? this.properties : List.copyOf(kept);
        try {
            this.constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ArgumentError("Entity " + type.getName() + " needs a no-argument constructor (it may be private)");
        }
    }

    /** All but the mapping-deferred properties; {@link #properties} itself when none is deferred. */
    private final List<Property> defaultProperties;
    /** Per property, deferred with raiseload in the mapping; null when none is. */
    private final boolean[] defaultRaise;

    /**
     * The properties a query loads without column options: all but the ones deferred in the
     * mapping ({@link Deferred}, {@code @Basic(fetch = LAZY)}); {@link #properties()} itself when
     * none is, so the common row plan stays shared.
     */
    public List<Property> defaultProperties() {
        return defaultProperties;
    }

    /** Per property, deferred with raiseload in the mapping; null when none is. */
    boolean[] defaultRaise() {
        return defaultRaise;
    }

    void addRelationship(Relationship<E, ?> r) {
        relationships.put(r.name(), r);
    }

    void addExpression(ExpressionAttribute<E, ?> e) {
        expressions.put(e.name(), e);
    }

    /** The {@link QueryExpression} fields, by name. */
    public Map<String, ExpressionAttribute<E, ?>> expressions() {
        return Collections.unmodifiableMap(expressions);
    }

    /** The {@link QueryExpression} field {@code name}, checked to hold {@code javaType}. */
    @SuppressWarnings("unchecked")
    public <T> ExpressionAttribute<E, T> expression(String name, Class<T> javaType) {
        ExpressionAttribute<E, ?> e = expressions.get(name);
        if (e == null) {
            throw new ArgumentError(type.getSimpleName() + " has no @QueryExpression field '" + name + "'; declared: "
                    + expressions.keySet());
        }
        if (e.javaType() != javaType) {
            throw new ArgumentError(type.getSimpleName() + "." + name + " holds " + e.javaType().getSimpleName()
                    + ", not " + javaType.getSimpleName());
        }
        return (ExpressionAttribute<E, T>) e;
    }

    public Class<E> type() {
        return type;
    }

    public Table table() {
        return table;
    }

    public List<Property> properties() {
        return properties;
    }

    /** The primary-key properties, in column order. */
    public List<Property> identity() {
        return identity;
    }

    public Map<String, Relationship<E, ?>> relationships() {
        return Collections.unmodifiableMap(relationships);
    }

    /** The relationship named {@code name}; an ArgumentError naming the mapped ones otherwise. */
    @SuppressWarnings("unchecked")
    public <T> Relationship<E, T> relationship(String name) {
        Relationship<E, ?> r = relationships.get(name);
        if (r == null) {
            throw new ArgumentError(type.getSimpleName() + " has no relationship '" + name + "'; mapped: " + relationships.keySet());
        }
        return (Relationship<E, T>) r;
    }

    /** The property named {@code name} (an attribute path for embedded columns). */
    public Property property(String name) {
        Property p = byName.get(name);
        if (p == null) {
            throw new ArgumentError(type.getSimpleName() + " has no column attribute '" + name + "'; mapped: " + byName.keySet());
        }
        return p;
    }

    /** The property mapped to {@code column}, or null. */
    public Property property(Column<?> column) {
        return byColumn.get(column);
    }

    /** The Core column of attribute {@code name}, typed: {@code mapper.column("name", String.class)}. */
    @SuppressWarnings("unchecked")
    public <T> Column<T> column(String name, Class<T> javaType) {
        Column<?> c = property(name).column();
        if (c.type().javaType() != javaType && !(javaType.isPrimitive())) {
            throw new ArgumentError(type.getSimpleName() + "." + name + " holds " + c.type().javaType().getSimpleName()
                    + ", not " + javaType.getSimpleName());
        }
        return (Column<T>) c;
    }

    /** A new, empty instance (the no-argument constructor). */
    public E newInstance() {
        try {
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ArgumentError("Cannot instantiate " + type.getName() + ": " + e);
        }
    }

    static <T> T instantiate(Class<T> c) {
        try {
            Constructor<T> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            return k.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ArgumentError("Cannot instantiate " + c.getName() + " (it needs a no-argument constructor): " + e);
        }
    }

    @Override
    public String toString() {
        return "Mapper[" + type.getSimpleName() + " -> " + table + "]";
    }
}
