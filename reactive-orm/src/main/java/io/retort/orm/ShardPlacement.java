package io.retort.orm;

import io.retort.error.InvalidRequestError;
import io.retort.orm.internal.UnloadedList;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where an object of a {@link ShardedSession} belongs (O14), over the session's open shard
 * sessions: the shard of the objects a new one is related to, and the refusal of an object of one
 * shard joining another. Rows related by a foreign key must live in one database, and an object's
 * shard is its identity token, which never changes. No I/O.
 */
final class ShardPlacement {
    private ShardPlacement() {
    }

    /** The shard whose session holds {@code entity}, or null. */
    static String shardOf(Map<String, AsyncSession> open, Object entity) {
        for (Map.Entry<String, AsyncSession> e : open.entrySet()) {
            if (e.getValue().contains(entity)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * The one shard of the objects {@code entity} is related to: targets and members of its own
     * relationships, and objects holding it in theirs (a loaded collection it was appended to).
     * Null when none is held by a shard.
     */
    static String relatedShard(OrmRegistry registry, Map<String, AsyncSession> open, Object entity) {
        Mapper<?> m = registry.mapper(entity.getClass());
        Set<String> found = new LinkedHashSet<>();
        for (Relationship<?, ?> r : m.relationships().values()) {
            for (Object o : UnitOfWork.members(entity, r)) {
                String s = shardOf(open, o);
                if (s != null) {
                    found.add(s);
                }
            }
        }
        if (found.isEmpty()) {
            // Only when its own references name no shard: this scans the sessions' objects.
            for (Map.Entry<String, AsyncSession> e : open.entrySet()) {
                if (holdsReferenceTo(e.getValue(), entity)) {
                    found.add(e.getKey());
                }
            }
        }
        if (found.size() > 1) {
            throw new InvalidRequestError("New " + ShardedSession.describe(entity) + " is related to objects in shards " + found
                    + "; rows related by a foreign key must be in one shard");
        }
        return found.isEmpty() ? null : found.iterator().next();
    }

    private static boolean holdsReferenceTo(AsyncSession s, Object entity) {
        for (InstanceState st : s.states()) {
            for (Relationship<?, ?> r : st.mapper.relationships().values()) {
                if (!r.target().isInstance(entity)) {
                    continue;
                }
                Object v = r.accessor.get(st.entity);
                if (v == entity) {
                    return true;
                }
                if (v instanceof Collection<?> c && !(v instanceof UnloadedList)) {
                    for (Object o : c) {
                        if (o == entity) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /**
     * Called by a shard's session before {@code entity} joins it (an {@code add}, or a cascade at
     * flush): refuses an object another shard holds. Its shard is its identity token and never
     * changes; a cascade reaching it from this shard would insert a second copy of its row here.
     */
    static void checkJoining(Map<String, AsyncSession> open, AsyncSession joining, Object entity) {
        for (Map.Entry<String, AsyncSession> e : open.entrySet()) {
            if (e.getValue() != joining && e.getValue().contains(entity)) {
                throw new InvalidRequestError(ShardedSession.describe(entity) + " is in shard '" + e.getKey() + "' and cannot join shard '"
                        + joining.identityToken() + "': an object's shard (its identity token) never changes, and objects"
                        + " related to each other must be in one shard. To move a row, delete it and add a new object on"
                        + " the other shard");
            }
        }
    }
}
