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
 * self-references. Immutable once built; share one per application.
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
            l.add(m.table());
        }
        l.addAll(secondaryTables);
        return l;
    }

    // ================================================================= building

    private record ColumnSpec(String attr, String column, SqlType<?> type, List<ColumnOption> options, Field embedded,
                              Field field, boolean id, boolean generated, boolean version) {
    }

    private record Pending(Class<?> type, String tableName, String schema, List<ColumnSpec> columns,
                           List<Field> relations) {
    }

    private void build(List<Class<?>> entities) {
        Map<Class<?>, Pending> pending = new LinkedHashMap<>();
        for (Class<?> c : entities) {
            if (!c.isAnnotationPresent(Entity.class)) {
                throw new ArgumentError(c.getName() + " is not annotated @Entity");
            }
            pending.put(c, scan(c));
        }
        // Classes mapped before keep their mapper (one per class, shared: see Metamodel).
        Map<Class<?>, Mapper<?>> shared = new LinkedHashMap<>();
        for (Class<?> c : pending.keySet()) {
            if (Metamodel.published(c) != null) {
                shared.put(c, Metamodel.published(c));
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
                boolean present = p.columns().stream().anyMatch(cs -> cs.column().equals(col));
                if (!present) {
                    ColumnSpec targetId = idSpecs(target).get(0);
                    p.columns().add(new ColumnSpec(f.getName() + "#fk", col, targetId.type(), new ArrayList<>(),
                            null, null, false, false, false));
                }
            }
        }
        // Tables, with foreign keys.
        Map<Class<?>, Table> tables = new LinkedHashMap<>();
        for (Pending p : pending.values()) {
            if (shared.containsKey(p.type())) {
                continue;
            }
            Table.Builder b = Table.builder(p.tableName());
            if (p.schema() != null && !p.schema().isEmpty()) {
                b = b.schema(p.schema());
            }
            for (ColumnSpec cs : p.columns()) {
                List<ColumnOption> opts = new ArrayList<>(cs.options());
                for (Field f : p.relations()) {
                    if (f.isAnnotationPresent(ManyToOne.class)) {
                        Pending target = pending.get(f.getType());
                        if (joinColumnName(f, target).equals(cs.column())) {
                            ColumnSpec tid = idSpecs(target).get(0);
                            opts.add(ColumnOption.references(target.schema() == null || target.schema().isEmpty() ? null
                                    : target.schema(), target.tableName(), tid.column(), null, null));
                        }
                    }
                }
                b.column(cs.column(), cs.type(), opts.toArray(new ColumnOption[0]));
            }
            idSpecs(p);
            tables.put(p.type(), b.build());
        }
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
            for (ColumnSpec cs : p.columns()) {
                Accessor emb = cs.embedded() == null ? null : Accessor.of(cs.embedded());
                Accessor acc = cs.field() == null ? null : Accessor.of(cs.field());
                Deferred d = cs.field() == null ? null : cs.field().getAnnotation(Deferred.class);
                jakarta.persistence.Basic basic = cs.field() == null ? null : cs.field().getAnnotation(jakarta.persistence.Basic.class);
                boolean deferred = d != null || basic != null && basic.fetch() == jakarta.persistence.FetchType.LAZY;
                if (deferred && (cs.id() || cs.version())) {
                    throw new ArgumentError(p.type().getSimpleName() + "." + cs.attr() + " is " + (cs.id() ? "an @Id" : "the @Version")
                            + " column and cannot be deferred: every query loads it");
                }
                props.add(new Property(cs.attr(), t.c(cs.column()), emb, cs.embedded() == null ? null : cs.embedded().getType(),
                        acc, cs.id(), cs.generated(), cs.version(), deferred, d != null && d.raiseload()));
            }
            mappers.put(p.type(), newMapper(p.type(), t, props));
        }
        for (Pending p : pending.values()) {
            if (shared.containsKey(p.type())) {
                for (Relationship<?, ?> rel : shared.get(p.type()).relationships().values()) {
                    mapper(rel.target()); // every target must be listed, as for a new mapper
                }
                continue;
            }
            for (Field f : p.relations()) {
                relate(mapper(p.type()), f, pending);
            }
        }
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

    private Pending scan(Class<?> c) {
        jakarta.persistence.Table t = c.getAnnotation(jakarta.persistence.Table.class);
        String name = t != null && !t.name().isEmpty() ? t.name() : snake(c.getSimpleName());
        String schema = t != null ? t.schema() : null;
        List<ColumnSpec> cols = new ArrayList<>();
        List<Field> rels = new ArrayList<>();
        for (Field f : fields(c)) {
            if (f.isAnnotationPresent(ManyToOne.class) || f.isAnnotationPresent(OneToMany.class)
                    || f.isAnnotationPresent(ManyToMany.class)) {
                rels.add(f);
            } else if (f.isAnnotationPresent(Embedded.class) || f.isAnnotationPresent(EmbeddedId.class)
                    || f.getType().isAnnotationPresent(Embeddable.class)) {
                boolean id = f.isAnnotationPresent(EmbeddedId.class);
                for (Field inner : fields(f.getType())) {
                    cols.add(basic(inner, f, id));
                }
            } else {
                cols.add(basic(f, null, f.isAnnotationPresent(Id.class)));
            }
        }
        return new Pending(c, name, schema, cols, rels);
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

    private ColumnSpec basic(Field f, Field embedded, boolean id) {
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
        if (col != null && !col.nullable() || f.getType().isPrimitive() && !id) {
            opts.add(ColumnOption.notNull());
        }
        if (col != null && col.unique()) {
            opts.add(ColumnOption.unique());
        }
        String attr = embedded == null ? f.getName() : embedded.getName() + "." + f.getName();
        return new ColumnSpec(attr, column, type, opts, embedded, f, id, generated, f.isAnnotationPresent(Version.class));
    }

    private static SqlType<?> typeOf(Field f, jakarta.persistence.Column col) {
        Class<?> t = f.getType();
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
