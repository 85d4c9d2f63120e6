package io.retort.orm;

import io.retort.error.InvalidRequestError;

import java.util.List;

/**
 * A {@link ShardedSession#commit} that committed some shards and then failed on another (O14).
 * Shards commit one after the other, not in a two-phase commit: by the time shard {@link #failedShard}
 * refused its COMMIT, the shards in {@link #committedShards} had committed, and that cannot be
 * undone. The failed shard and the ones after it ({@link #rolledBackShards}) were rolled back, their
 * objects restored as by a rollback. The cause is the failed COMMIT's own typed error (an
 * {@code IntegrityError} of a deferred constraint, a lost connection...).
 *
 * <p>What to do depends on the data: compensate on the committed shards, or redo the rolled-back
 * shards' work. A commit whose first shard fails commits nothing and fails with that shard's own
 * error instead of this one.
 */
public final class PartialCommitError extends InvalidRequestError {
    private final List<String> committed;
    private final String failed;
    private final List<String> rolledBack;

    PartialCommitError(List<String> committed, String failed, List<String> rolledBack, Throwable cause) {
        super("Commit of the sharded session failed on shard '" + failed + "' after shards " + committed
                + " had committed (shards commit one after the other, not atomically); rolled back: " + rolledBack
                + ". Cause: " + cause, cause);
        this.committed = List.copyOf(committed);
        this.failed = failed;
        this.rolledBack = List.copyOf(rolledBack);
    }

    /** The shards whose transactions committed, in commit order. */
    public List<String> committedShards() {
        return committed;
    }

    /** The shard whose COMMIT failed. */
    public String failedShard() {
        return failed;
    }

    /** The shards rolled back: the failed one and every one after it. */
    public List<String> rolledBackShards() {
        return rolledBack;
    }
}
