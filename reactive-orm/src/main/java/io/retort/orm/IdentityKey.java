package io.retort.orm;

import java.util.List;

/**
 * The identity of a persistent instance (O3, seed 1.2 "identity key"): its entity class, its
 * primary-key values, and an identity token distinguishing shards (null when unsharded).
 *
 * @param type  the mapped class
 * @param key   primary-key values in column order
 * @param token identity token, or null
 */
public record IdentityKey(Class<?> type, List<Object> key, Object token) {
    public IdentityKey {
        key = hasNull(key) ? java.util.Collections.unmodifiableList(new java.util.ArrayList<>(key))
                // An immutable list (List.of, as the loader builds it per row) is kept, not copied.
                : List.copyOf(key);
    }

    private static boolean hasNull(List<Object> key) {
        for (int i = 0; i < key.size(); i++) {
            if (key.get(i) == null) {
                return true;
            }
        }
        return false;
    }
}
