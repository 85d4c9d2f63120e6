package io.retort.orm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-instance bookkeeping of a session: identity, status, the snapshot of column values at the
 * last load or flush (for dirty checking, O4), values of hidden foreign-key columns, and which
 * relationships were loaded with which members.
 */
final class InstanceState {
    enum Status { PENDING, PERSISTENT, DELETED }

    final Object entity;
    final Mapper<Object> mapper;
    Status status;
    IdentityKey key;
    Object[] snapshot;
    boolean[] loaded;
    /**
     * Per property: left out with raiseload by the query that loaded it (null when none was).
     * Shared between the states one query loads, so it is copied before a flag is cleared.
     */
    boolean[] raise;
    final Object[] hidden;
    final Map<String, List<Object>> collections = new HashMap<>();
    final Map<String, Object> references = new HashMap<>();
    /** Values at the start of the transaction, to restore on rollback (F23); null until its first flush. */
    private Object[] txStart;
    /** Which columns were loaded, and which raised, at the start of the transaction (restored with the values). */
    private boolean[] txStartLoaded;
    private boolean[] txStartRaise;
    boolean insertedInTx;
    /** Set by {@code expire}: the next row loaded for this identity overwrites the columns. */
    boolean expired;
    /** Columns flagged with {@code flagModified} (O11): written by the next flush even if equal to the snapshot; null when none. */
    boolean[] forced;
    /** Flagged with {@code flagDirty} (O11): in the next flush's dirty set even with nothing changed. */
    boolean flaggedDirty;
    /** For rows of a self-referential or parent-assigned link: the parent whose key this row's FK takes. */
    final Map<Relationship<?, ?>, Object> parentLinks = new HashMap<>();

    /**
     * The hash the session's ordered set uses: a random number drawn once (thread-local, no
     * shared counter), because the identity hash costs a header update on every newly loaded
     * object. Equality stays identity.
     */
    private final int hash = java.util.concurrent.ThreadLocalRandom.current().nextInt();

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @SuppressWarnings("unchecked")
    InstanceState(Object entity, Mapper<?> mapper, Status status) {
        this.entity = entity;
        this.mapper = (Mapper<Object>) mapper;
        this.status = status;
        int n = mapper.properties().size();
        this.hidden = new Object[n];
        this.loaded = new boolean[n];
    }

    /** The current value of property {@code i} (hidden FK columns live here, not on the entity). */
    Object value(int i) {
        Property p = mapper.properties().get(i);
        return p.isHidden() ? hidden[i] : p.get(entity);
    }

    void setValue(int i, Object v) {
        Property p = mapper.properties().get(i);
        if (p.isHidden()) {
            hidden[i] = v;
        } else {
            p.set(entity, v);
        }
    }

    /**
     * The current values as a snapshot keeps them: mutable values (arrays, collections, JSON
     * documents) copied, so a later change made in place on the object is seen as a change (O15).
     */
    Object[] snapshotValues() {
        Object[] v = currentValues();
        List<Property> props = mapper.properties();
        for (int i = 0; i < v.length; i++) {
            v[i] = props.get(i).snapshotOf(v[i]);
        }
        return v;
    }

    /** Sets the snapshot of column {@code i} to {@code v} (copied when mutable: the object may hold {@code v} itself). */
    void snapshot(int i, Object v) {
        snapshot[i] = mapper.properties().get(i).snapshotOf(v);
    }

    Object[] currentValues() {
        int n = mapper.properties().size();
        Object[] v = new Object[n];
        for (int i = 0; i < n; i++) {
            v[i] = value(i);
        }
        return v;
    }

    /**
     * Records the current values as the clean state. The first snapshot (a new object just
     * loaded or inserted) marks every column loaded; a later one (after a flush) keeps a column
     * the query left out unloaded unless the application set it, which the flush then wrote.
     */
    void takeSnapshot() {
        Object[] now = snapshotValues();
        if (snapshot == null) {
            java.util.Arrays.fill(loaded, true);
            raise = null;
        } else {
            for (int i = 0; i < loaded.length; i++) {
                if (!loaded[i] && !equal(i, snapshot[i], now[i])) {
                    markLoaded(i);
                }
            }
        }
        snapshot = now;
        clearFlags();
    }

    /** Marks column {@code i} modified whatever its value (flagModified). */
    void force(int i) {
        if (forced == null) {
            forced = new boolean[loaded.length];
        }
        forced[i] = true;
    }

    /** After a flush or a rollback: flagModified and flagDirty marks are spent. */
    void clearFlags() {
        forced = null;
        flaggedDirty = false;
    }

    /**
     * Before a flush writes this object for the first time in a transaction: remembers its clean
     * state (values, which columns are loaded or raise) so a rollback can put it back.
     */
    void rememberTxStart() {
        if (txStart == null && snapshot != null && !insertedInTx) {
            txStart = snapshot.clone();
            txStartLoaded = loaded.clone();
            txStartRaise = raise; // copied on write, never changed in place
        }
    }

    /**
     * After a rollback: the values and load state of the transaction's start. A column the
     * transaction's flush loaded (the application set a deferred column) is unloaded again, since
     * the database kept its old value, which this object never held.
     */
    void restoreTxStart() {
        if (txStart == null) {
            return;
        }
        for (int i = 0; i < txStart.length; i++) {
            // The object gets a copy: the restored snapshot must stay private, or the next
            // in-place change would change the snapshot too and go unseen (O15).
            setValue(i, mapper.properties().get(i).snapshotOf(txStart[i]));
        }
        snapshot = txStart;
        loaded = txStartLoaded;
        raise = txStartRaise;
        forgetTxStart();
    }

    /** At commit, or once restored: the next transaction starts from the current state. */
    void forgetTxStart() {
        txStart = null;
        txStartLoaded = null;
        txStartRaise = null;
    }

    /** Whether property {@code i} holds a loaded (or application-set, for a new object) value. */
    boolean isLoaded(int i) {
        return status == Status.PENDING || loaded[i];
    }

    /** Whether property {@code i} was left out with raiseload by the query that loaded it. */
    boolean raises(int i) {
        return raise != null && raise[i] && !isLoaded(i);
    }

    /** Whether every column is loaded (the common case: no defer, no loadOnly). */
    boolean allLoaded() {
        for (boolean l : loaded) {
            if (!l) {
                return false;
            }
        }
        return true;
    }

    void markLoaded(int i) {
        loaded[i] = true;
        setRaise(i, false);
    }

    /** Property {@code i}, still unloaded, was left out with raiseload by a query that met this object. */
    void markRaising(int i) {
        setRaise(i, true);
    }

    private void setRaise(int i, boolean on) {
        boolean[] r = raise;
        if (r == null ? on : r[i] != on) {
            // Copy on write: the array may be shared with the other objects of one query.
            r = r == null ? new boolean[loaded.length] : r.clone();
            r[i] = on;
            raise = r;
        }
    }

    /**
     * Takes a value the database just returned for property {@code i}: a column this object had
     * not loaded (a later query undeferred it, or an explicit load) becomes loaded and clean,
     * unless the application has set it since, which wins until the flush writes it.
     */
    void loadColumn(int i, Object v) {
        if (!loaded[i] && equal(i, snapshot[i], value(i))) {
            setValue(i, v);
            snapshot(i, v);
            markLoaded(i);
        }
    }

    /**
     * Indexes of properties whose value changed since the snapshot. A column the query left out
     * (defer, loadOnly) counts too once the application sets it: its snapshot holds the field's
     * value as constructed, so an untouched one is no change, and a set one must not be dropped.
     * A column flagged with {@code flagModified} counts whatever its value.
     */
    List<Integer> changedProperties() {
        List<Integer> changed = new ArrayList<>();
        if (snapshot == null) {
            return changed;
        }
        for (int i = 0; i < snapshot.length; i++) {
            if (forced != null && forced[i] || !equal(i, snapshot[i], value(i))) {
                changed.add(i);
            }
        }
        return changed;
    }

    /** Column {@code i}'s values compared by content, as its type compares them (arrays, documents, BigDecimal scale). */
    private boolean equal(int i, Object a, Object b) {
        return mapper.properties().get(i).sameValue(a, b);
    }

    /** Primary-key values from the current fields (nulls when not yet generated). */
    List<Object> identityValues() {
        List<Object> l = new ArrayList<>();
        for (Property p : mapper.identity()) {
            l.add(value(mapper.properties().indexOf(p)));
        }
        return l;
    }

    @Override
    public String toString() {
        return mapper.type().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(entity))
                + (key == null ? "" : key.key().toString()) + " " + status;
    }
}
