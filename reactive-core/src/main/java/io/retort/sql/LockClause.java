package io.retort.sql;

import java.util.List;

/**
 * {@code FOR UPDATE | FOR SHARE | FOR NO KEY UPDATE | FOR KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED]}
 * (D1). Dialects render what they support and refuse the rest with a CompileError.
 *
 * @param mode the lock strength
 * @param of   the tables to lock (PostgreSQL {@code OF}); empty for all
 * @param waitPolicy what to do about rows locked by others
 */
public record LockClause(Mode mode, List<FromClause> of, Wait waitPolicy) {
    /** Lock strengths. */
    public enum Mode { UPDATE, NO_KEY_UPDATE, SHARE, KEY_SHARE }

    /** Waiting policy for locked rows. */
    public enum Wait { WAIT, NOWAIT, SKIP_LOCKED }

    public LockClause {
        of = List.copyOf(of);
    }

    public static LockClause forUpdate() {
        return new LockClause(Mode.UPDATE, List.of(), Wait.WAIT);
    }

    public static LockClause forShare() {
        return new LockClause(Mode.SHARE, List.of(), Wait.WAIT);
    }

    /** Locks only rows of these FROM elements ({@code FOR UPDATE OF t}). */
    public LockClause of(FromClause... tables) {
        return new LockClause(mode, List.of(tables), waitPolicy);
    }

    /** Fails at once instead of waiting for locked rows. */
    public LockClause nowait() {
        return new LockClause(mode, of, Wait.NOWAIT);
    }

    /** Skips rows locked by others. */
    public LockClause skipLocked() {
        return new LockClause(mode, of, Wait.SKIP_LOCKED);
    }

    public LockClause mode(Mode m) {
        return new LockClause(m, of, waitPolicy);
    }

    void appendKey(io.retort.sql.compile.KeyBuilder key) {
        key.add("lock", mode).add(waitPolicy).add(of.size());
        for (FromClause f : of) {
            f.appendRef(key);
        }
    }
}
