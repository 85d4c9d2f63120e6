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
 * relationships, read once from Jakarta Persistence annotations by {@link OrmRegistry}. In an
 * inheritance hierarchy (O8) a subclass's properties start with its superclass's, in the same
 * order (so a property has one index in every mapper of the hierarchy), and its relationships
 * include the inherited ones.
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
    // O8 inheritance, set by OrmRegistry while it builds the hierarchy (immutable afterwards).
    private Hierarchy hierarchy;
    private Mapper<?> parent;
    private final List<Mapper<?>> children = new ArrayList<>();
    private Object discriminatorValue;
    private List<Table> tables;
    private io.retort.sql.FromClause from;
    private List<Property> queryProperties;
    private List<Property> loadableProperties;

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

    /**
     * Joins this mapper to its hierarchy (O8): {@code parent} is the mapper of the entity
     * superclass (null for the root); {@code tables} are the tables its rows live in, root first
     * (one for single-table; the chain down to this class's own table for joined).
     */
    void inherit(Hierarchy h, Mapper<?> parent, Object discriminatorValue, List<Table> tables, io.retort.sql.FromClause from,
                 Column<?>[] ownKey) {
        this.hierarchy = h;
        this.parent = parent;
        this.discriminatorValue = discriminatorValue;
        this.tables = List.copyOf(tables);
        this.from = from;
        if (parent != null) {
            parent.children.add(this);
        }
        if (ownKey != null) {
            // A joined subclass table's key column names the same identity: conditions may use either.
            for (int i = 0; i < ownKey.length; i++) {
                byColumn.putIfAbsent(ownKey[i], identity.get(i));
            }
        }
    }

    /**
     * Once the whole hierarchy is known: what a query for this class selects. Single-table: every
     * column of this class and its subclasses (one table, so the rows come back complete whatever
     * their class); joined: this class's tables only (subclass tables load by option).
     */
    void finishHierarchy() {
        List<Property> q = new ArrayList<>(defaultProperties);
        List<Property> all = new ArrayList<>(properties);
        if (hierarchy != null && !hierarchy.isJoined()) {
            for (Mapper<?> d : descendants()) {
                for (Property p : d.properties) {
                    if (!all.contains(p)) {
                        all.add(p);
                        if (!p.isDeferred()) {
                            q.add(p);
                        }
                    }
                }
            }
        }
        queryProperties = q.size() == defaultProperties.size() ? defaultProperties : List.copyOf(q);
        loadableProperties = all.size() == properties.size() ? properties : List.copyOf(all);
    }

    /** The properties a query for this class selects without options: {@link #defaultProperties()}, plus, for single-table inheritance, its subclasses'. */
    List<Property> queryProperties() {
        return queryProperties == null ? defaultProperties : queryProperties;
    }

    /** Raise flags for {@link #queryProperties()} (indexed like {@link #properties()}), or null. */
    boolean[] queryRaise() {
        return defaultRaise;
    }

    /** The properties column options may name in a query for this class (its own, and single-table subclasses'). */
    List<Property> loadableProperties() {
        return loadableProperties == null ? properties : loadableProperties;
    }

    /** The hierarchy this class belongs to, or null. */
    Hierarchy hierarchy() {
        return hierarchy;
    }

    /** The mapper of the mapped entity superclass (O8), or null for a root or a class outside any hierarchy. */
    public Mapper<?> superMapper() {
        return parent;
    }

    /** The root mapper of this class's hierarchy; this mapper outside inheritance. */
    public Mapper<?> rootMapper() {
        return hierarchy == null ? this : hierarchy.root;
    }

    /** The mappers of the direct mapped subclasses, in registration order. */
    public List<Mapper<?>> subMappers() {
        return Collections.unmodifiableList(children);
    }

    /** This class and every mapped subclass below it, depth first (this one first). */
    public List<Mapper<?>> selfAndDescendants() {
        List<Mapper<?>> out = new ArrayList<>();
        out.add(this);
        for (Mapper<?> c : children) {
            out.addAll(c.selfAndDescendants());
        }
        return out;
    }

    private List<Mapper<?>> descendants() {
        List<Mapper<?>> l = selfAndDescendants();
        return l.subList(1, l.size());
    }

    /** This class's discriminator value (a String or an Integer), or null (abstract, or no inheritance). */
    public Object discriminatorValue() {
        return discriminatorValue;
    }

    /** The hierarchy's discriminator column (O8), or null outside inheritance. */
    public Column<?> discriminatorColumn() {
        return hierarchy == null ? null : hierarchy.discriminator.column();
    }

    /** The discriminator values of this class and its subclasses: what a query for this class matches. */
    public List<Object> discriminatorValues() {
        List<Object> out = new ArrayList<>();
        for (Mapper<?> m : selfAndDescendants()) {
            if (m.discriminatorValue != null) {
                out.add(m.discriminatorValue);
            }
        }
        return out;
    }

    /**
     * The tables this class's rows live in, root first: its own {@link #table()} alone outside
     * inheritance and for single-table; for joined-table inheritance, the root's table, then each
     * subclass table down to this class's.
     */
    public List<Table> tables() {
        return tables == null ? List.of(table) : tables;
    }

    /**
     * The FROM element of a query for this class: {@link #table()}, or for a joined-table
     * subclass the INNER JOIN of its {@link #tables()} on their primary keys, e.g.
     * {@code employee JOIN manager ON manager.id = employee.id}.
     */
    public io.retort.sql.FromClause from() {
        return from == null ? table : from;
    }

    /** The class whose mapper keys the identity map (O8: the hierarchy's root, so every class of it shares one key space). */
    public Class<?> identityType() {
        return hierarchy == null ? type : hierarchy.root.type;
    }

    /** Whether {@code other} is this mapper or one of its mapped subclasses. */
    public boolean isa(Mapper<?> other) {
        for (Mapper<?> m = other; m != null; m = m.parent) {
            if (m == this) {
                return true;
            }
        }
        return false;
    }

    /** Whether this class is abstract (it has no discriminator value and is never instantiated). */
    boolean isAbstract() {
        return java.lang.reflect.Modifier.isAbstract(type.getModifiers());
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
