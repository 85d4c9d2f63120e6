package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.orm.internal.Accessor;
import io.retort.sql.Column;
import io.retort.sql.ColumnOption;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The mapper registry (O1): reads Jakarta Persistence annotations of a set of entity classes
 * once into {@link Mapper}s, builds each entity's Core {@link Table}, and resolves the
 * relationships between them. Supported: {@code @Entity}, {@code @Table}, {@code @Id} (several
 * for a composite key), {@code @EmbeddedId}, {@code @GeneratedValue} (database identity),
 * {@code @Column} (name, nullable, unique, length, precision, scale), {@code @Version},
 * {@code @Embedded}/{@code @Embeddable}, {@code @Transient}, {@code @ManyToOne} with
 * {@code @JoinColumn}, {@code @OneToMany(mappedBy)}, {@code @ManyToMany} with {@code @JoinTable},
 * self-references, and inheritance (O8): {@code @Inheritance} SINGLE_TABLE (the default for an
 * entity extending an entity) or JOINED, {@code @DiscriminatorColumn}, {@code @DiscriminatorValue},
 * {@code @PrimaryKeyJoinColumn} (defaults as Jakarta Persistence says; TABLE_PER_CLASS and the other
 * wrong mappings are refused with an ArgumentError). A single-table hierarchy has one table
 * holding every class's columns; a joined one a table per class keyed by the root's key.
 * Immutable once built; share one per application.
 */
public final class OrmRegistry {
    private final Map<Class<?>, Mapper<?>> mappers = new LinkedHashMap<>();
    private final List<Table> secondaryTables = new ArrayList<>();

    private OrmRegistry() {
    }

    /**
     * A registry of {@code entities} (every class a relationship targets must be listed). A class
     * mapped before (by another registry or by {@link Metamodel}) keeps its mapper, so metamodel
     * columns are the registry's columns whatever was built first; see {@link Metamodel}.
     */
    public static OrmRegistry of(Class<?>... entities) {
        synchronized (Metamodel.LOCK) {
            OrmRegistry r = new OrmRegistry();
            r.build(Arrays.asList(entities));
            Metamodel.publish(r);
            return r;
        }
    }

    /** The mapper of {@code type}; an ArgumentError if it is not registered. */
    @SuppressWarnings("unchecked")
    public <E> Mapper<E> mapper(Class<E> type) {
        Mapper<?> m = mappers.get(type);
        if (m == null) {
            throw new ArgumentError(type.getName() + " is not a mapped entity of this registry; registered: "
                    + mappers.keySet().stream().map(Class::getSimpleName).toList());
        }
        return (Mapper<E>) m;
    }

    public Collection<Mapper<?>> mappers() {
        return mappers.values();
    }

    /** Every table (entity tables, then join tables), for DDL. */
    public List<Table> tables() {
        List<Table> l = new ArrayList<>();
        for (Mapper<?> m : mappers.values()) {
            if (l.stream().noneMatch(t -> t == m.table())) { // a single-table hierarchy's classes share one (O8)
                l.add(m.table());
            }
        }
        l.addAll(secondaryTables);
        return l;
    }

    // ================================================================= building

    private record ColumnSpec(String attr, String column, SqlType<?> type, List<ColumnOption> options, Field embedded,
                              Field field, boolean id, boolean generated, boolean version) {
    }

    /**
     * One entity class being mapped. For a subclass of an inheritance hierarchy (O8) {@code parent}
     * is its superclass's, and {@code columns}/{@code relations} are its own fields only; a
     * single-table subclass's {@code tableName} is its root's.
     */
    private record Pending(Class<?> type, String tableName, String schema, List<ColumnSpec> columns,
                           List<Field> relations, Pending parent, Hierarchy.Strategy strategy) {
        Pending root() {
            Pending r = this;
            while (r.parent() != null) {
                r = r.parent();
            }
            return r;
        }

        boolean joinedSubclass() {
            return parent != null && strategy == Hierarchy.Strategy.JOINED;
        }
    }

    /** The hidden attribute of a discriminator column no field maps. */
    private static final String DISCRIMINATOR_ATTR = "#discriminator";

    private void build(List<Class<?>> listed) {
        List<Class<?>> entities = new ArrayList<>(listed);
        // Parents before their subclasses: a subclass mapper starts from its parent's (O8).
        entities.sort(java.util.Comparator.comparingInt(InheritanceMapping::depth));
        Map<Class<?>, Pending> pending = new LinkedHashMap<>();
        Map<Class<?>, InheritanceMapping.Discriminator> discriminators = new LinkedHashMap<>();
        for (Class<?> c : entities) {
            if (!c.isAnnotationPresent(Entity.class)) {
                throw new ArgumentError(c.getName() + " is not annotated @Entity");
            }
            Class<?> parentType = InheritanceMapping.parentEntity(c);
            Pending parent = parentType == null ? null : pending.get(parentType);
            if (parentType != null && parent == null) {
                throw new ArgumentError(c.getName() + " extends the entity " + parentType.getName() + ", which is not in this"
                        + " registry: list every class of an inheritance hierarchy, root first, in one OrmRegistry.of(...)");
            }
            Pending p = scan(c, parent);
            boolean hasSubclasses = entities.stream().anyMatch(o -> o != c && InheritanceMapping.rootEntity(o) == c);
            if (parent == null && InheritanceMapping.isHierarchyRoot(c, hasSubclasses)) {
                p = new Pending(p.type(), p.tableName(), p.schema(), p.columns(), p.relations(), null,
                        InheritanceMapping.strategy(c));
                discriminators.put(c, addDiscriminator(p));
            }
            pending.put(c, p);
        }
        // Classes mapped before keep their mapper (one per class, shared: see Metamodel).
        Map<Class<?>, Mapper<?>> shared = new LinkedHashMap<>();
        for (Class<?> c : pending.keySet()) {
            if (Metamodel.published(c) != null) {
                shared.put(c, Metamodel.published(c));
            }
        }
        for (Pending p : pending.values()) {
            if (p.parent() != null && shared.containsKey(p.root().type()) && !shared.containsKey(p.type())) {
                throw new ArgumentError(p.root().type().getName() + " was mapped before (by another OrmRegistry or a metamodel"
                        + " lookup) without its subclass " + p.type().getName() + ": build the OrmRegistry that lists the whole"
                        + " hierarchy before anything else maps one of its classes");
            }
        }
        // Hidden foreign-key columns for @ManyToOne without a basic field on the same column.
        for (Pending p : pending.values()) {
            for (Field f : p.relations()) {
                if (!f.isAnnotationPresent(ManyToOne.class)) {
                    continue;
                }
                Pending target = pending.get(f.getType());
                if (target == null) {
                    throw new ArgumentError(p.type().getSimpleName() + "." + f.getName() + " targets "
                            + f.getType().getName() + ", which is not in the registry");
                }
                String col = joinColumnName(f, target);
                boolean present = p.columns().stream().anyMatch(cs -> cs.column().equals(col))
                        || p.parent() != null && p.strategy() == Hierarchy.Strategy.SINGLE_TABLE && inTable(pending, p, col);
                if (!present) {
                    ColumnSpec targetId = idSpecs(target).get(0);
                    p.columns().add(new ColumnSpec(f.getName() + "#fk", col, targetId.type(), new ArrayList<>(),
                            null, null, false, false, false));
                }
            }
        }
        Map<Class<?>, Table> tables = buildTables(pending, shared);
        Map<Class<?>, Hierarchy> hierarchies = new LinkedHashMap<>();
        for (Pending p : pending.values()) {
            Mapper<?> existing = shared.get(p.type());
            if (existing != null) {
                mappers.put(p.type(), existing);
                for (Relationship<?, ?> rel : existing.relationships().values()) {
                    if (rel.secondary() != null && secondaryTables.stream().noneMatch(st -> st.name().equals(rel.secondary().name()))) {
                        secondaryTables.add(rel.secondary());
                    }
                }
                continue;
            }
            Table t = tables.get(p.type());
            List<Property> props = new ArrayList<>();
            if (p.parent() != null) {
                props.addAll(mapper(p.parent().type()).properties()); // inherited first: one index per property in the hierarchy
            }
            for (ColumnSpec cs : p.columns()) {
                props.add(property(p, t, cs));
            }
            Mapper<?> m = newMapper(p.type(), t, props);
            mappers.put(p.type(), m);
            inherit(p, m, t, discriminators, hierarchies);
        }
        for (Hierarchy h : hierarchies.values()) {
            for (Mapper<?> m : h.root.selfAndDescendants()) {
                m.finishHierarchy();
            }
        }
        for (Pending p : pending.values()) {
            if (shared.containsKey(p.type())) {
                for (Relationship<?, ?> rel : shared.get(p.type()).relationships().values()) {
                    mapper(rel.target()); // every target must be listed, as for a new mapper
                }
                continue;
            }
            if (p.parent() != null) {
                inheritRelationships(mapper(p.type()), mapper(p.parent().type()));
            }
            for (Field f : p.relations()) {
                relate(mapper(p.type()), f, pending);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void inheritRelationships(Mapper<?> m, Mapper<?> parent) {
        for (Relationship<?, ?> r : parent.relationships().values()) {
            ((Mapper) m).addRelationship(r);
        }
    }

    private static Property property(Pending p, Table t, ColumnSpec cs) {
        Accessor emb = cs.embedded() == null ? null : Accessor.of(cs.embedded());
        Accessor acc = cs.field() == null ? null : Accessor.of(cs.field());
        Deferred d = cs.field() == null ? null : cs.field().getAnnotation(Deferred.class);
        jakarta.persistence.Basic basic = cs.field() == null ? null : cs.field().getAnnotation(jakarta.persistence.Basic.class);
        boolean deferred = d != null || basic != null && basic.fetch() == jakarta.persistence.FetchType.LAZY;
        if (deferred && (cs.id() || cs.version())) {
            throw new ArgumentError(p.type().getSimpleName() + "." + cs.attr() + " is " + (cs.id() ? "an @Id" : "the @Version")
                    + " column and cannot be deferred: every query loads it");
        }
        return new Property(cs.attr(), t.c(cs.column()), emb, cs.embedded() == null ? null : cs.embedded().getType(),
                acc, cs.id(), cs.generated(), cs.version(), deferred, d != null && d.raiseload());
    }

    /** Whether a column named {@code col} is already mapped in the single table of {@code p}'s hierarchy. */
    private static boolean inTable(Map<Class<?>, Pending> pending, Pending p, String col) {
        for (Pending o : pending.values()) {
            if (o != p && o.root() == p.root() && o.columns().stream().anyMatch(cs -> cs.column().equals(col))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The root's discriminator column: the field mapped to it if there is one (it must hold the
     * column's type), else a hidden column the session writes from the class (O8).
     */
    private static InheritanceMapping.Discriminator addDiscriminator(Pending root) {
        InheritanceMapping.Discriminator d = InheritanceMapping.discriminator(root.type());
        for (ColumnSpec cs : root.columns()) {
            if (cs.column().equals(d.column())) {
                if (cs.type().javaType() != d.sqlType().javaType()) {
                    throw new ArgumentError(root.type().getSimpleName() + "." + cs.attr() + " maps the discriminator column '"
                            + d.column() + "' but holds " + cs.type().javaType().getSimpleName() + "; the "
                            + d.type() + " discriminator needs " + d.sqlType().javaType().getSimpleName());
                }
                return d;
            }
        }
        root.columns().add(new ColumnSpec(DISCRIMINATOR_ATTR, d.column(), d.sqlType(),
                new ArrayList<>(List.of(ColumnOption.notNull())), null, null, false, false, false));
        return d;
    }

    /**
     * The Core tables: one per class outside inheritance and per hierarchy root; a single-table
     * root's holds its subclasses' columns too; a joined subclass gets its own table keyed by the
     * root's key, which also refers to its parent's table (O8).
     */
    private Map<Class<?>, Table> buildTables(Map<Class<?>, Pending> pending, Map<Class<?>, Mapper<?>> shared) {
        Map<Class<?>, Table> tables = new LinkedHashMap<>();
        for (Pending p : pending.values()) {
            if (shared.containsKey(p.type()) || p.parent() != null && !p.joinedSubclass()) {
                continue;
            }
            Table.Builder b = Table.builder(p.tableName());
            if (p.schema() != null && !p.schema().isEmpty()) {
                b = b.schema(p.schema());
            }
            if (p.joinedSubclass()) {
                List<ColumnSpec> rootIds = idSpecs(p.root());
                if (rootIds.size() != 1) {
                    throw new ArgumentError(p.type().getName() + " is a JOINED subclass of " + p.root().type().getSimpleName()
                            + ", whose key has " + rootIds.size() + " columns; Retort joins subclass tables on a one-column"
                            + " key only: use SINGLE_TABLE, or a one-column @Id");
                }
                Pending up = p.parent();
                b.column(InheritanceMapping.joinedKeyColumn(p.type(), rootIds.get(0).column()), rootIds.get(0).type(),
                        ColumnOption.primaryKey(), ColumnOption.references(emptyToNull(up.schema()), up.tableName(),
                                keyColumnOf(up), null, null));
            }
            List<Pending> members = new ArrayList<>();
            members.add(p);
            if (p.parent() == null && p.strategy() == Hierarchy.Strategy.SINGLE_TABLE) {
                for (Pending o : pending.values()) {
                    if (o.parent() != null && o.root() == p) {
                        members.add(o);
                    }
                }
            }
            java.util.Map<String, Class<?>> seen = new java.util.HashMap<>();
            for (Pending m : members) {
                for (ColumnSpec cs : m.columns()) {
                    Class<?> other = seen.putIfAbsent(cs.column(), m.type());
                    if (other != null) {
                        throw new ArgumentError("Column '" + cs.column() + "' of table " + p.tableName() + " is mapped by both "
                                + other.getSimpleName() + " and " + m.type().getSimpleName() + "; the classes of a SINGLE_TABLE"
                                + " hierarchy share one table, so give the fields distinct @Column names");
                    }
                    b.column(cs.column(), cs.type(), columnOptions(m, cs, pending).toArray(new ColumnOption[0]));
                }
            }
            idSpecs(p);
            Table t = b.build();
            for (Pending m : members) {
                tables.put(m.type(), t);
            }
        }
        return tables;
    }

    private List<ColumnOption> columnOptions(Pending p, ColumnSpec cs, Map<Class<?>, Pending> pending) {
        List<ColumnOption> opts = new ArrayList<>(cs.options());
        for (Field f : p.relations()) {
            if (f.isAnnotationPresent(ManyToOne.class)) {
                Pending target = pending.get(f.getType());
                if (joinColumnName(f, target).equals(cs.column())) {
                    opts.add(ColumnOption.references(emptyToNull(refTable(target).schema()), refTable(target).tableName(),
                            keyColumnOf(target), null, null));
                }
            }
        }
        return opts;
    }

    /** The table a foreign key to {@code target} refers to: its own for a joined subclass, its root's otherwise. */
    private static Pending refTable(Pending target) {
        return target.joinedSubclass() || target.parent() == null ? target : target.root();
    }

    /** The key column name of {@code target}'s table ({@link #refTable}). */
    private static String keyColumnOf(Pending target) {
        Pending t = refTable(target);
        String rootKey = idSpecs(t.root()).get(0).column();
        return t.joinedSubclass() ? InheritanceMapping.joinedKeyColumn(t.type(), rootKey) : rootKey;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Joins a new mapper to its hierarchy: discriminator value (unique), tables, FROM (O8). */
    private void inherit(Pending p, Mapper<?> m, Table own, Map<Class<?>, InheritanceMapping.Discriminator> discriminators,
                         Map<Class<?>, Hierarchy> hierarchies) {
        Pending root = p.root();
        InheritanceMapping.Discriminator d = discriminators.get(root.type());
        if (d == null) {
            return; // not in a hierarchy
        }
        if (p.parent() != null) {
            InheritanceMapping.checkSubclass(p.type(), root.type(), root.strategy());
            for (ColumnSpec cs : p.columns()) {
                if (cs.id()) {
                    throw new ArgumentError(p.type().getName() + "." + cs.attr() + " is an @Id, but " + p.type().getSimpleName()
                            + " extends the entity " + root.type().getSimpleName() + ", whose key it inherits; remove the @Id");
                }
            }
        }
        Hierarchy h = hierarchies.get(root.type());
        if (h == null) {
            Property disc = m.property(m.table().c(d.column()));
            h = new Hierarchy(root.strategy(), m, disc);
            hierarchies.put(root.type(), h);
        }
        Object value = InheritanceMapping.value(p.type(), d);
        Map<String, Class<?>> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Mapper<?>> e : h.values().entrySet()) {
            seen.put(e.getKey(), e.getValue().type());
        }
        InheritanceMapping.checkUnique(p.type(), value, seen);
        if (value != null) {
            h.register(value, m);
        }
        Mapper<?> parent = p.parent() == null ? null : mapper(p.parent().type());
        List<Table> chain = new ArrayList<>(parent == null ? List.of() : parent.tables());
        io.retort.sql.FromClause from = null;
        Column<?>[] ownKey = null;
        if (p.joinedSubclass()) {
            chain.add(own);
            Column<?> key = own.primaryKeyColumns().get(0);
            from = parent.from().join(own, eqColumns(key, m.identity().get(0).column()));
            ownKey = new Column<?>[] {key};
        } else if (parent == null) {
            chain.add(own);
        }
        m.inherit(h, parent, value, chain, from, ownKey);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static io.retort.sql.Expression<Boolean> eqColumns(Column a, Column b) {
        return a.eq((io.retort.sql.Expression) b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Mapper<?> newMapper(Class<?> type, Table t, List<Property> props) {
        Mapper m = new Mapper(type, t, props);
        for (Field f : expressionFields(type)) {
            if (f.getType().isPrimitive()) {
                throw new ArgumentError("@QueryExpression field " + type.getSimpleName() + "." + f.getName()
                        + " must have a reference type (it is null when a query does not load it), not " + f.getType());
            }
            m.addExpression(new ExpressionAttribute(type, f.getName(), f.getType(), Accessor.of(f)));
        }
        return m;
    }

    /** The {@code @QueryExpression} fields of {@code c} and its mapped superclasses. */
    private static List<Field> expressionFields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            if (k == c || k.isAnnotationPresent(MappedSuperclass.class) || k.isAnnotationPresent(Entity.class)) {
                List<Field> own = new ArrayList<>();
                for (Field f : k.getDeclaredFields()) {
                    if (f.isAnnotationPresent(QueryExpression.class) && !Modifier.isStatic(f.getModifiers())) {
                        own.add(f);
                    }
                }
                out.addAll(0, own); // superclass fields first, as for columns
            }
        }
        return out;
    }

    private static List<ColumnSpec> idSpecs(Pending p) {
        p = p.root(); // a subclass inherits its root's key (O8)
        List<ColumnSpec> l = p.columns().stream().filter(ColumnSpec::id).toList();
        if (l.isEmpty()) {
            throw new ArgumentError("Entity " + p.type().getName() + " has no @Id: every mapped entity needs a primary key");
        }
        return l;
    }

    private static String joinColumnName(Field f, Pending target) {
        JoinColumn jc = f.getAnnotation(JoinColumn.class);
        if (jc != null && !jc.name().isEmpty()) {
            return jc.name();
        }
        return snake(f.getName()) + "_" + idSpecs(target).get(0).column();
    }

    private Pending scan(Class<?> c, Pending parent) {
        jakarta.persistence.Table t = c.getAnnotation(jakarta.persistence.Table.class);
        String name = t != null && !t.name().isEmpty() ? t.name() : snake(c.getSimpleName());
        String schema = t != null ? t.schema() : null;
        Hierarchy.Strategy strategy = parent == null ? null : parent.root().strategy();
        if (strategy == Hierarchy.Strategy.SINGLE_TABLE) {
            name = parent.root().tableName(); // every class of a single-table hierarchy lives in the root's table
            schema = parent.root().schema();
        }
        // A single-table subclass's columns are NULL in the other classes' rows (O8).
        boolean nullable = strategy == Hierarchy.Strategy.SINGLE_TABLE;
        List<ColumnSpec> cols = new ArrayList<>();
        List<Field> rels = new ArrayList<>();
        for (Field f : parent == null ? fields(c) : ownFields(c)) {
            if (f.isAnnotationPresent(ManyToOne.class) || f.isAnnotationPresent(OneToMany.class)
                    || f.isAnnotationPresent(ManyToMany.class)) {
                rels.add(f);
            } else if (f.isAnnotationPresent(Embedded.class) || f.isAnnotationPresent(EmbeddedId.class)
                    || f.getType().isAnnotationPresent(Embeddable.class)) {
                boolean id = f.isAnnotationPresent(EmbeddedId.class);
                for (Field inner : fields(f.getType())) {
                    cols.add(basic(inner, f, id, nullable));
                }
            } else {
                cols.add(basic(f, null, f.isAnnotationPresent(Id.class), nullable));
            }
        }
        return new Pending(c, name, schema, cols, rels, parent, strategy);
    }

    /** The fields a subclass entity adds: its own and its mapped superclasses' below the parent entity (O8). */
    private static List<Field> ownFields(Class<?> c) {
        Class<?> parent = InheritanceMapping.parentEntity(c);
        List<Field> all = fields(c);
        List<Field> inherited = fields(parent);
        List<Field> own = new ArrayList<>();
        for (Field f : all) {
            if (!inherited.contains(f)) {
                own.add(f);
            }
        }
        return own;
    }

    static List<Field> fields(Class<?> c) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            if (k == c || k.isAnnotationPresent(MappedSuperclass.class) || k.isAnnotationPresent(Entity.class)) {
                chain.add(0, k);
            }
        }
        List<Field> out = new ArrayList<>();
        for (Class<?> k : chain) {
            for (Field f : k.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod) || Modifier.isTransient(mod) || f.isAnnotationPresent(Transient.class)
                        || f.isSynthetic() || f.isAnnotationPresent(QueryExpression.class)) {
                    continue;
                }
                out.add(f);
            }
        }
        return out;
    }

    private ColumnSpec basic(Field f, Field embedded, boolean id, boolean nullable) {
        jakarta.persistence.Column col = f.getAnnotation(jakarta.persistence.Column.class);
        String column = col != null && !col.name().isEmpty() ? col.name() : snake(f.getName());
        SqlType<?> type = typeOf(f, col);
        List<ColumnOption> opts = new ArrayList<>();
        boolean generated = f.isAnnotationPresent(GeneratedValue.class);
        if (id) {
            // Several @Id fields (or an @EmbeddedId's fields) make a composite primary key.
            opts.add(ColumnOption.primaryKey());
        }
        if (generated) {
            opts.add(ColumnOption.autoIncrement());
        }
        if (!nullable && (col != null && !col.nullable() || f.getType().isPrimitive() && !id)) {
            opts.add(ColumnOption.notNull());
        }
        if (col != null && col.unique()) {
            opts.add(ColumnOption.unique());
        }
        String attr = embedded == null ? f.getName() : embedded.getName() + "." + f.getName();
        return new ColumnSpec(attr, column, type, opts, embedded, f, id, generated, f.isAnnotationPresent(Version.class));
    }

    private static SqlType<?> typeOf(Field f, jakarta.persistence.Column col) {
        if (f.isAnnotationPresent(Json.class)) {
            return SqlTypes.json(f.getType());
        }
        return typeOf(f, f.getType(), col);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static SqlType<?> typeOf(Field f, Class<?> t, jakarta.persistence.Column col) {
        if (t == String.class) {
            return SqlTypes.varchar(col != null ? col.length() : 255);
        }
        if (t == Integer.class || t == int.class) {
            return SqlTypes.INTEGER;
        }
        if (t == Long.class || t == long.class) {
            return SqlTypes.BIGINT;
        }
        if (t == Short.class || t == short.class) {
            return SqlTypes.SMALLINT;
        }
        if (t == BigDecimal.class) {
            return col != null && col.precision() > 0 ? SqlTypes.numeric(col.precision(), col.scale()) : SqlTypes.NUMERIC;
        }
        if (t == Double.class || t == double.class) {
            return SqlTypes.DOUBLE;
        }
        if (t == Float.class || t == float.class) {
            return SqlTypes.REAL;
        }
        if (t == Boolean.class || t == boolean.class) {
            return SqlTypes.BOOLEAN;
        }
        if (t == LocalDate.class) {
            return SqlTypes.DATE;
        }
        if (t == LocalDateTime.class) {
            return SqlTypes.TIMESTAMP;
        }
        if (t == LocalTime.class) {
            return SqlTypes.TIME;
        }
        if (t == OffsetDateTime.class) {
            return SqlTypes.TIMESTAMP_TZ;
        }
        if (t == UUID.class) {
            return SqlTypes.UUID_TYPE;
        }
        if (t == byte[].class) {
            return SqlTypes.BINARY;
        }
        if (t.isEnum()) {
            return enumType(t);
        }
        if (t.isArray() && !t.getComponentType().isPrimitive() && !t.getComponentType().isArray()) {
            // String[], Integer[], ...: an ARRAY column, where the dialect has them (PostgreSQL, H2).
            return SqlTypes.arrayOf((SqlType) typeOf(f, t.getComponentType(), null));
        }
        throw new ArgumentError("Cannot map field " + f.getDeclaringClass().getSimpleName() + "." + f.getName()
                + " of type " + t.getName() + "; mark it @Transient or use a supported type");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static SqlType<?> enumType(Class<?> t) {
        return SqlTypes.enumByName((Class) t);
    }

    /** camelCase → snake_case, the default naming for tables and columns. */
    static String snake(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0 && (Character.isLowerCase(s.charAt(i - 1))
                        || (i + 1 < s.length() && Character.isLowerCase(s.charAt(i + 1)) && Character.isUpperCase(s.charAt(i - 1))))) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    // ================================================================= relationships

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void relate(Mapper<?> source, Field f, Map<Class<?>, Pending> pending) {
        Accessor acc = Accessor.of(f);
        if (f.isAnnotationPresent(ManyToOne.class)) {
            Mapper<?> target = mapper(f.getType());
            Column<?> fk = source.table().c(joinColumnName(f, pending.get(f.getType())));
            ManyToOne a = f.getAnnotation(ManyToOne.class);
            ((Mapper) source).addRelationship(new Relationship(source.type(), f.getName(), Relationship.Kind.MANY_TO_ONE,
                    target.type(), List.of(fk), List.of(target.identity().get(0).column()), null, List.of(), List.of(),
                    true, has(a.cascade(), CascadeType.REMOVE), false, null, acc));
            return;
        }
        Class<?> targetType = elementType(f);
        Mapper<?> target = mapper(targetType);
        if (f.isAnnotationPresent(OneToMany.class)) {
            OneToMany a = f.getAnnotation(OneToMany.class);
            List<Column<?>> remote;
            if (!a.mappedBy().isEmpty()) {
                Field owner = field(targetType, a.mappedBy());
                remote = List.of(target.table().c(joinColumnName(owner, pending.get(source.type()))));
            } else {
                JoinColumn jc = f.getAnnotation(JoinColumn.class);
                if (jc == null) {
                    throw new ArgumentError(source.type().getSimpleName() + "." + f.getName()
                            + ": a @OneToMany needs mappedBy or a @JoinColumn naming the target's foreign key");
                }
                remote = List.of(target.table().c(jc.name()));
            }
            ((Mapper) source).addRelationship(new Relationship(source.type(), f.getName(), Relationship.Kind.ONE_TO_MANY,
                    targetType, List.of(source.identity().get(0).column()), remote, null, List.of(), List.of(), true,
                    has(a.cascade(), CascadeType.REMOVE), a.orphanRemoval(), a.mappedBy().isEmpty() ? null : a.mappedBy(), acc));
            return;
        }
        ManyToMany a = f.getAnnotation(ManyToMany.class);
        Table secondary;
        List<Column<?>> srcCols;
        List<Column<?>> tgtCols;
        if (!a.mappedBy().isEmpty()) {
            Field owner = field(targetType, a.mappedBy());
            JoinTable jt = owner.getAnnotation(JoinTable.class);
            secondary = secondaryFor(jt, target, source);
            srcCols = List.of(secondary.c(inverseName(jt, source)));
            tgtCols = List.of(secondary.c(joinName(jt, target)));
        } else {
            JoinTable jt = f.getAnnotation(JoinTable.class);
            if (jt == null) {
                throw new ArgumentError(source.type().getSimpleName() + "." + f.getName() + ": a @ManyToMany needs a @JoinTable");
            }
            secondary = secondaryFor(jt, source, target);
            srcCols = List.of(secondary.c(joinName(jt, source)));
            tgtCols = List.of(secondary.c(inverseName(jt, target)));
        }
        ((Mapper) source).addRelationship(new Relationship(source.type(), f.getName(), Relationship.Kind.MANY_TO_MANY,
                targetType, List.of(source.identity().get(0).column()), List.of(target.identity().get(0).column()),
                secondary, srcCols, tgtCols, true, false, false, a.mappedBy().isEmpty() ? null : a.mappedBy(), acc));
    }

    private Table secondaryFor(JoinTable jt, Mapper<?> owner, Mapper<?> inverse) {
        for (Table t : secondaryTables) {
            if (t.name().equals(jt.name())) {
                return t;
            }
        }
        String a = joinName(jt, owner);
        String b = inverseName(jt, inverse);
        Column<?> ownerId = owner.identity().get(0).column();
        Column<?> inverseId = inverse.identity().get(0).column();
        Table withPk = Table.builder(jt.name())
                .column(a, ownerId.type(), ColumnOption.primaryKey(), ColumnOption.references(ownerId))
                .column(b, inverseId.type(), ColumnOption.primaryKey(), ColumnOption.references(inverseId)).build();
        secondaryTables.add(withPk);
        return withPk;
    }

    private static String joinName(JoinTable jt, Mapper<?> owner) {
        return jt.joinColumns().length > 0 && !jt.joinColumns()[0].name().isEmpty() ? jt.joinColumns()[0].name()
                : owner.table().name() + "_" + owner.identity().get(0).column().name();
    }

    private static String inverseName(JoinTable jt, Mapper<?> inverse) {
        return jt.inverseJoinColumns().length > 0 && !jt.inverseJoinColumns()[0].name().isEmpty()
                ? jt.inverseJoinColumns()[0].name() : inverse.table().name() + "_" + inverse.identity().get(0).column().name();
    }

    private static boolean has(CascadeType[] types, CascadeType t) {
        for (CascadeType c : types) {
            if (c == t || c == CascadeType.ALL) {
                return true;
            }
        }
        return false;
    }

    private static Field field(Class<?> c, String name) {
        for (Field f : fields(c)) {
            if (f.getName().equals(name)) {
                return f;
            }
        }
        throw new ArgumentError(c.getSimpleName() + " has no attribute '" + name + "' (named by mappedBy)");
    }

    static Class<?> elementType(Field f) {
        if (f.getGenericType() instanceof ParameterizedType) {
            java.lang.reflect.Type arg = ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0];
            if (arg instanceof Class) {
                return (Class<?>) arg;
            }
        }
        throw new ArgumentError(f.getDeclaringClass().getSimpleName() + "." + f.getName()
                + " must be a List<Entity> or Set<Entity> with a concrete element type");
    }
}
