package io.retort.orm;

import java.util.List;
import java.util.Objects;

/**
 * The identity of a persistent instance (O3, seed 1.2 "identity key"): its entity class, its
 * primary-key values, and an identity token distinguishing shards (the shard's id in a
 * {@link ShardedSession}, O14; null when unsharded). A value
 * object: equal keys name the same row. Its hash is computed once, as every loaded row is looked
 * up and registered under its key.
 */
public final class IdentityKey {
    private final Class<?> type;
    private final List<Object> key;
    private final Object token;
    private final int hash;

    /**
     * @param type  the mapped class
     * @param key   primary-key values in column order (copied unless already an immutable list)
     * @param token identity token, or null
     */
    public IdentityKey(Class<?> type, List<Object> key, Object token) {
        this.type = Objects.requireNonNull(type, "type");
        this.key = hasNull(key) ? java.util.Collections.unmodifiableList(new java.util.ArrayList<>(key))
                // An immutable list (List.of, as the loader builds it per row) is kept, not copied.
                : List.copyOf(key);
        this.token = token;
        this.hash = (type.hashCode() * 31 + this.key.hashCode()) * 31 + Objects.hashCode(token);
    }

    private static boolean hasNull(List<Object> key) {
        for (int i = 0; i < key.size(); i++) {
            if (key.get(i) == null) {
                return true;
            }
        }
        return false;
    }

    /** The mapped class. */
    public Class<?> type() {
        return type;
    }

    /** Primary-key values in column order. */
    public List<Object> key() {
        return key;
    }

    /** The identity token, or null. */
    public Object token() {
        return token;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IdentityKey)) {
            return false;
        }
        IdentityKey k = (IdentityKey) o;
        return hash == k.hash && type == k.type && key.equals(k.key) && Objects.equals(token, k.token);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "IdentityKey[type=" + type.getName() + ", key=" + key + ", token=" + token + "]";
    }
}
