package io.retort.sql;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Deep copy and content equality of the plain mutable values a column can hold: arrays (nested
 * and primitive ones too), lists, sets and maps (O15). Other objects are taken as immutable:
 * their copy is themselves. A copy keeps the kind of container the application sees (a list stays
 * a list, a sorted set keeps its comparator) so restoring it into a field (rollback) type-checks.
 */
final class MutableValues {
    private MutableValues() {
    }

    static boolean isMutableClass(Class<?> c) {
        return c.isArray() || Collection.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object copy(Object v) {
        if (v == null) {
            return null;
        }
        Class<?> c = v.getClass();
        if (c.isArray()) {
            int n = Array.getLength(v);
            if (c.getComponentType().isPrimitive()) {
                Object out = Array.newInstance(c.getComponentType(), n);
                System.arraycopy(v, 0, out, 0, n);
                return out;
            }
            Object[] src = (Object[]) v;
            Object[] out = (Object[]) Array.newInstance(c.getComponentType(), n);
            for (int i = 0; i < n; i++) {
                out[i] = copy(src[i]);
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>(((List<?>) v).size());
            for (Object e : (List<?>) v) {
                out.add(copy(e));
            }
            return out;
        }
        if (v instanceof EnumSet) {
            return ((EnumSet) v).clone();
        }
        if (v instanceof SortedSet) {
            // Elements of a sorted set are its keys: copied as they are, the comparator kept.
            TreeSet out = new TreeSet(((SortedSet) v).comparator());
            out.addAll((SortedSet) v);
            return out;
        }
        if (v instanceof Set) {
            return new LinkedHashSet<>((Set<?>) v);
        }
        if (v instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object e : (Collection<?>) v) {
                out.add(copy(e));
            }
            return out;
        }
        if (v instanceof EnumMap) {
            EnumMap out = new EnumMap((EnumMap) v);
            out.replaceAll((k, e) -> copy(e));
            return out;
        }
        if (v instanceof Map) {
            Map<Object, Object> out = v instanceof SortedMap ? new TreeMap<>(((SortedMap) v).comparator()) : new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put(e.getKey(), copy(e.getValue()));
            }
            return out;
        }
        return v;
    }

    /** Content equality: arrays element by element (deeply), BigDecimal by value, containers by their equals. */
    static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a.getClass().isArray() && b.getClass().isArray()) {
            // deepEquals on one-element wrappers handles primitive and nested arrays alike.
            return java.util.Arrays.deepEquals(new Object[] {a}, new Object[] {b});
        }
        if (a instanceof BigDecimal && b instanceof BigDecimal) {
            return ((BigDecimal) a).compareTo((BigDecimal) b) == 0;
        }
        if (a instanceof List && b instanceof List) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map && b instanceof Map) {
            Map<?, ?> x = (Map<?, ?>) a;
            Map<?, ?> y = (Map<?, ?>) b;
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }
}
