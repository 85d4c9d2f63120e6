package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.SqlType;
import io.retort.sql.SqlTypes;
import jakarta.persistence.DiscriminatorColumn;
import jakarta.persistence.DiscriminatorType;
import jakarta.persistence.DiscriminatorValue;
import jakarta.persistence.Entity;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.PrimaryKeyJoinColumn;

import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * Reads and checks the inheritance annotations of a hierarchy (O8) for {@link OrmRegistry}:
 * {@code @Inheritance} on the root (SINGLE_TABLE by default, as Jakarta Persistence says; JOINED;
 * TABLE_PER_CLASS is refused), {@code @DiscriminatorColumn} on the root (default {@code dtype},
 * STRING, length 31; used by both strategies, so a joined hierarchy loads a row's class without
 * joining every subclass table), {@code @DiscriminatorValue} on each concrete class (default: the
 * entity name), {@code @PrimaryKeyJoinColumn} on a joined subclass (default: the root's key
 * column name). Every wrong mapping is an {@link ArgumentError} naming the class and the fix.
 */
final class InheritanceMapping {
    /** The root's discriminator column: name, Jakarta type, SQL type. */
    record Discriminator(String column, DiscriminatorType type, SqlType<?> sqlType) {
    }

    private InheritanceMapping() {
    }

    /** The nearest superclass of {@code c} annotated {@code @Entity} (skipping mapped superclasses), or null. */
    static Class<?> parentEntity(Class<?> c) {
        for (Class<?> k = c.getSuperclass(); k != null && k != Object.class; k = k.getSuperclass()) {
            if (k.isAnnotationPresent(Entity.class)) {
                return k;
            }
        }
        return null;
    }

    /** The root entity of {@code c}'s hierarchy ({@code c} itself for a root). */
    static Class<?> rootEntity(Class<?> c) {
        Class<?> r = c;
        for (Class<?> p = parentEntity(c); p != null; p = parentEntity(p)) {
            r = p;
        }
        return r;
    }

    /** How many mapped entity superclasses {@code c} has: registration builds parents first. */
    static int depth(Class<?> c) {
        int d = 0;
        for (Class<?> p = parentEntity(c); p != null; p = parentEntity(p)) {
            d++;
        }
        return d;
    }

    /**
     * Whether {@code root} starts a hierarchy: it has a registered entity subclass, or declares one
     * ({@code @Inheritance}, {@code @DiscriminatorColumn}) to come.
     */
    static boolean isHierarchyRoot(Class<?> root, boolean hasSubclasses) {
        return parentEntity(root) == null && (hasSubclasses || root.isAnnotationPresent(Inheritance.class)
                || root.isAnnotationPresent(DiscriminatorColumn.class));
    }

    /** The strategy of the hierarchy rooted at {@code root}. */
    static Hierarchy.Strategy strategy(Class<?> root) {
        Inheritance in = root.getAnnotation(Inheritance.class);
        if (in == null || in.strategy() == InheritanceType.SINGLE_TABLE) {
            return Hierarchy.Strategy.SINGLE_TABLE;
        }
        if (in.strategy() == InheritanceType.JOINED) {
            return Hierarchy.Strategy.JOINED;
        }
        throw new ArgumentError(root.getName() + " uses @Inheritance(strategy = TABLE_PER_CLASS), which Retort does not"
                + " support (a polymorphic query would need a UNION of every class's table); map the hierarchy with"
                + " SINGLE_TABLE or JOINED, or map the classes as separate entities sharing a @MappedSuperclass");
    }

    /** Checks what a subclass may not declare: {@code @Inheritance}, its own {@code @DiscriminatorColumn}. */
    static void checkSubclass(Class<?> c, Class<?> root, Hierarchy.Strategy strategy) {
        if (c.isAnnotationPresent(Inheritance.class)) {
            throw new ArgumentError(c.getName() + " has @Inheritance, but it extends the entity " + root.getSimpleName()
                    + ": the strategy is declared once, on the hierarchy's root; remove it from " + c.getSimpleName());
        }
        if (c.isAnnotationPresent(DiscriminatorColumn.class)) {
            throw new ArgumentError(c.getName() + " has @DiscriminatorColumn, but the discriminator column is declared on"
                    + " the hierarchy's root " + root.getSimpleName() + "; remove it from " + c.getSimpleName());
        }
        if (strategy == Hierarchy.Strategy.SINGLE_TABLE && c.isAnnotationPresent(jakarta.persistence.Table.class)) {
            throw new ArgumentError(c.getName() + " has @Table, but it is a SINGLE_TABLE subclass of " + root.getSimpleName()
                    + ", whose rows all live in the root's table; remove @Table, or use @Inheritance(strategy = JOINED)"
                    + " on " + root.getSimpleName());
        }
        if (strategy == Hierarchy.Strategy.SINGLE_TABLE && c.isAnnotationPresent(PrimaryKeyJoinColumn.class)) {
            throw new ArgumentError(c.getName() + " has @PrimaryKeyJoinColumn, which only a JOINED subclass has");
        }
    }

    /** The root's discriminator column (Jakarta defaults when {@code @DiscriminatorColumn} is absent). */
    static Discriminator discriminator(Class<?> root) {
        DiscriminatorColumn dc = root.getAnnotation(DiscriminatorColumn.class);
        String name = dc == null || dc.name().isEmpty() ? "dtype" : dc.name();
        DiscriminatorType type = dc == null ? DiscriminatorType.STRING : dc.discriminatorType();
        SqlType<?> sql;
        switch (type) {
            case INTEGER:
                sql = SqlTypes.INTEGER;
                break;
            case CHAR:
                sql = SqlTypes.varchar(1);
                break;
            default:
                sql = SqlTypes.varchar(dc == null ? 31 : dc.length());
                break;
        }
        return new Discriminator(name, type, sql);
    }

    /**
     * The discriminator value of {@code c}, typed for the column (String, or Integer for INTEGER):
     * {@code @DiscriminatorValue}, else the entity name; null for an abstract class.
     */
    static Object value(Class<?> c, Discriminator d) {
        DiscriminatorValue dv = c.getAnnotation(DiscriminatorValue.class);
        if (Modifier.isAbstract(c.getModifiers())) {
            if (dv != null) {
                throw new ArgumentError(c.getName() + " is abstract but has @DiscriminatorValue(\"" + dv.value() + "\"):"
                        + " no row can be an instance of it; remove the annotation or make the class concrete");
            }
            return null;
        }
        String text;
        if (dv != null) {
            text = dv.value();
        } else if (d.type() == DiscriminatorType.STRING) {
            Entity e = c.getAnnotation(Entity.class);
            text = e != null && !e.name().isEmpty() ? e.name() : c.getSimpleName();
        } else {
            throw new ArgumentError(c.getName() + " needs a @DiscriminatorValue: the discriminator column '" + d.column()
                    + "' is " + d.type() + ", and the default value (the entity name) is not one; add e.g."
                    + " @DiscriminatorValue(\"" + (d.type() == DiscriminatorType.INTEGER ? "2" : "M") + "\")");
        }
        switch (d.type()) {
            case INTEGER:
                try {
                    return Integer.valueOf(text.trim());
                } catch (NumberFormatException ex) {
                    throw new ArgumentError(c.getName() + " has @DiscriminatorValue(\"" + text + "\"), but the discriminator"
                            + " column '" + d.column() + "' is INTEGER: give a number");
                }
            case CHAR:
                if (text.length() != 1) {
                    throw new ArgumentError(c.getName() + " has discriminator value \"" + text + "\", but the discriminator"
                            + " column '" + d.column() + "' is CHAR: give @DiscriminatorValue one character");
                }
                return text;
            default:
                if (text.isEmpty() || d.sqlType().length() > 0 && text.length() > d.sqlType().length()) {
                    throw new ArgumentError(c.getName() + " has discriminator value \"" + text + "\", which is empty or longer"
                            + " than the discriminator column '" + d.column() + "' holds; shorten it or set"
                            + " @DiscriminatorColumn(length = ...)");
                }
                return text;
        }
    }

    /** Refuses a value two classes of one hierarchy share. */
    static void checkUnique(Class<?> c, Object value, Map<String, Class<?>> seen) {
        if (value == null) {
            return;
        }
        Class<?> other = seen.putIfAbsent(Hierarchy.key(value), c);
        if (other != null) {
            throw new ArgumentError(c.getName() + " and " + other.getName() + " both have the discriminator value \""
                    + value + "\": each class of a hierarchy needs its own; set @DiscriminatorValue on one of them");
        }
    }

    /** The key column name of a JOINED subclass table: {@code @PrimaryKeyJoinColumn(name)}, else the root's key column's. */
    static String joinedKeyColumn(Class<?> c, String rootKeyColumn) {
        PrimaryKeyJoinColumn pk = c.getAnnotation(PrimaryKeyJoinColumn.class);
        return pk != null && !pk.name().isEmpty() ? pk.name() : rootKeyColumn;
    }
}
