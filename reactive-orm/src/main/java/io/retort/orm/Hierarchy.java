package io.retort.orm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One inheritance hierarchy (O8), shared by the mappers of its classes: the strategy, the root's
 * discriminator column and which mapper each discriminator value names. Built once by
 * {@link OrmRegistry}; immutable after that.
 */
final class Hierarchy {
    /** The supported Jakarta Persistence strategies (TABLE_PER_CLASS is refused at registration). */
    enum Strategy { SINGLE_TABLE, JOINED }

    final Strategy strategy;
    final Mapper<?> root;
    /** The discriminator column's property on the root: a mapped field, or hidden (no field). */
    final Property discriminator;
    private final Map<String, Mapper<?>> byValue = new LinkedHashMap<>();

    Hierarchy(Strategy strategy, Mapper<?> root, Property discriminator) {
        this.strategy = strategy;
        this.root = root;
        this.discriminator = discriminator;
    }

    void register(Object value, Mapper<?> mapper) {
        byValue.put(key(value), mapper);
    }

    /** The mapper a discriminator value read from a row names, or null. */
    Mapper<?> mapperFor(Object value) {
        return value == null ? null : byValue.get(key(value));
    }

    Map<String, Mapper<?>> values() {
        return Collections.unmodifiableMap(byValue);
    }

    /**
     * The lookup key of a value: drivers answer an INTEGER column as Integer or Long and a CHAR
     * column padded, so values are compared as trimmed text.
     */
    static String key(Object value) {
        if (value instanceof Number) {
            return Long.toString(((Number) value).longValue());
        }
        return String.valueOf(value).trim();
    }

    boolean isJoined() {
        return strategy == Strategy.JOINED;
    }
}
