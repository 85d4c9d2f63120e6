package io.retort.sql.compile;

import io.retort.error.TooManyParametersError;
import io.retort.sql.SqlType;

import java.lang.reflect.Array;
import java.util.List;

/**
 * The result of compiling a statement for one dialect: SQL with the driver's placeholders,
 * the slots that map each placeholder to a value of the statement's key traversal, the result
 * columns, and compile-time warnings (FROM linting, C15). Immutable and shared by every
 * execution of statements with the same cache key: {@link #bind} turns a new value list into a
 * {@link BoundStatement} without compiling again, expanding IN lists as it goes (C4).
 */
public final class CompiledStatement {
    /** What kind of statement this is. */
    public enum Kind { SELECT, INSERT, UPDATE, DELETE, DDL, TEXT }

    private final Dialect dialect;
    private final Kind kind;
    private final String[] chunks;
    private final Slot[] slots;
    private final String sql;
    private final boolean altersText;
    private final List<ResultColumn> resultColumns;
    private final List<String> warnings;
    private final boolean returnsRows;
    private final long compileNanos;
    private final long createdAtNanos;

    CompiledStatement(Dialect dialect, Kind kind, SqlBuffer buffer, List<ResultColumn> resultColumns,
                      List<String> warnings, boolean returnsRows, long compileNanos) {
        this.dialect = dialect;
        this.kind = kind;
        this.chunks = buffer.chunks();
        this.slots = buffer.slots.toArray(new Slot[0]);
        boolean alters = false;
        for (Slot s : slots) {
            alters |= s.altersText();
        }
        this.altersText = alters;
        this.resultColumns = List.copyOf(resultColumns);
        this.warnings = List.copyOf(warnings);
        this.returnsRows = returnsRows;
        this.compileNanos = compileNanos;
        this.createdAtNanos = System.nanoTime();
        this.sql = alters ? null : assemble();
    }

    private String assemble() {
        StringBuilder sb = new StringBuilder(chunks[0]);
        for (int i = 0; i < slots.length; i++) {
            sb.append(dialect.placeholder(i + 1)).append(chunks[i + 1]);
        }
        return sb.toString();
    }

    public Dialect dialect() {
        return dialect;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The SQL text. When IN lists are expanded at execution, this shows one marker per list
     * ({@code (__[EXPANDING_n])}); {@link #bind} gives the text actually sent.
     */
    public String sql() {
        if (sql != null) {
            return sql;
        }
        StringBuilder sb = new StringBuilder(chunks[0]);
        int n = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            switch (s.kind()) {
                case EXPANDING: sb.append("__[EXPANDING_").append(s.valueIndex()).append(']'); break;
                case LITERAL: sb.append("__[LITERAL_").append(s.valueIndex()).append(']'); break;
                case EMPTY_GUARD: break;
                default: sb.append(dialect.placeholder(++n));
            }
            sb.append(chunks[i + 1]);
        }
        return sb.toString();
    }

    /** The slots, in textual order. */
    public List<Slot> slots() {
        return List.of(slots);
    }

    public List<ResultColumn> resultColumns() {
        return resultColumns;
    }

    /** One value derived from this statement, with the function that derived it. */
    private record Derived(java.util.function.Function<CompiledStatement, ?> how, Object value) {
    }

    /** See {@link #derived}: one slot, replaced when another function asks. */
    private volatile Derived derived;

    /**
     * {@code how} applied to this statement, computed once and kept with it: what the engine
     * derives from the result columns to read rows is the same for every execution of a cached
     * statement. A racing first call may compute it twice; both results are equal.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(java.util.function.Function<CompiledStatement, T> how) {
        Derived d = derived;
        if (d != null && d.how() == how) {
            return (T) d.value();
        }
        T value = how.apply(this);
        derived = new Derived(how, value);
        return value;
    }

    /** Warnings found while compiling, such as a cartesian product (C15); logged once, at compile time. */
    public List<String> warnings() {
        return warnings;
    }

    /** Whether executing it yields rows (SELECT, or DML with RETURNING). */
    public boolean returnsRows() {
        return returnsRows;
    }

    /** How long compilation took, for the {@code [generated in 0.3ms]} log. */
    public long compileNanos() {
        return compileNanos;
    }

    /** When this statement was compiled ({@link System#nanoTime}), for {@code [cached since 12s ago]}. */
    public long createdAtNanos() {
        return createdAtNanos;
    }

    /**
     * The SQL and ordered parameter values for one execution, from the values of the statement's
     * key traversal ({@link KeyBuilder#values()}).
     *
     * @throws TooManyParametersError when the expanded statement exceeds the dialect's parameter limit
     */
    public BoundStatement bind(List<Object> values) {
        if (!altersText) {
            Object[] params = new Object[slots.length];
            Class<?>[] types = new Class<?>[slots.length];
            for (int i = 0; i < slots.length; i++) {
                bindOne(slots[i], values.get(slots[i].valueIndex()), params, types, i);
            }
            checkLimit(params.length);
            return new BoundStatement(sql, params, types);
        }
        return bindExpanding(values);
    }

    private BoundStatement bindExpanding(List<Object> values) {
        int count = 0;
        for (Slot s : slots) {
            if (s.kind() == Slot.Kind.VALUE || s.kind() == Slot.Kind.ARRAY) {
                count++;
            } else if (s.kind() == Slot.Kind.EXPANDING) {
                List<?> list = (List<?>) values.get(s.valueIndex());
                count += list.size() * Math.max(1, s.tupleTypes().size());
            }
        }
        checkLimit(count);
        Object[] params = new Object[count];
        Class<?>[] types = new Class<?>[count];
        StringBuilder sb = new StringBuilder(chunks[0].length() * 2 + count * 4);
        sb.append(chunks[0]);
        int n = 0;
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            Object value = values.get(s.valueIndex());
            switch (s.kind()) {
                case VALUE:
                case ARRAY:
                    bindOne(s, value, params, types, n);
                    sb.append(dialect.placeholder(++n));
                    break;
                case LITERAL:
                    sb.append(dialect.literals().render(value, s.type()));
                    break;
                case EMPTY_GUARD:
                    // The guard comes in two halves around the IN predicate: an opening one (no
                    // type) and a closing one; both render only for an empty list (C4).
                    if (((List<?>) value).isEmpty()) {
                        sb.append(s.type() == null ? "(" : s.negated() ? " OR 1 = 1)" : " AND 1 <> 1)");
                    }
                    break;
                case EXPANDING:
                    n = expand(s, (List<?>) value, sb, params, types, n);
                    break;
                default:
                    throw new AssertionError(s.kind());
            }
            sb.append(chunks[i + 1]);
        }
        return new BoundStatement(sb.toString(), params, types);
    }

    private int expand(Slot s, List<?> list, StringBuilder sb, Object[] params, Class<?>[] types, int n) {
        if (list.isEmpty()) {
            sb.append(dialect.emptySet(s.tupleTypes().isEmpty() ? List.of(s.type()) : s.tupleTypes()));
            return n;
        }
        boolean tuple = !s.tupleTypes().isEmpty();
        for (int e = 0; e < list.size(); e++) {
            if (e > 0) {
                sb.append(", ");
            }
            if (tuple) {
                Object[] row = (Object[]) list.get(e);
                sb.append('(');
                for (int k = 0; k < row.length; k++) {
                    if (k > 0) {
                        sb.append(", ");
                    }
                    store(s.tupleTypes().get(k), row[k], params, types, n);
                    sb.append(dialect.placeholder(++n));
                }
                sb.append(')');
            } else {
                store(s.type(), list.get(e), params, types, n);
                sb.append(dialect.placeholder(++n));
            }
        }
        return n;
    }

    private void checkLimit(int count) {
        if (count > dialect.maxBindParameters()) {
            throw new TooManyParametersError("The statement needs " + count + " bind parameters but the "
                    + dialect.name() + " dialect allows " + dialect.maxBindParameters()
                    + "; split the IN list or the multi-row INSERT into smaller pieces");
        }
    }

    private void bindOne(Slot s, Object value, Object[] params, Class<?>[] types, int i) {
        if (s.kind() == Slot.Kind.ARRAY) {
            SqlType<?> element = storageOf(s.type());
            List<?> list = (List<?>) value;
            Object array = Array.newInstance(element.javaType(), list.size());
            for (int k = 0; k < list.size(); k++) {
                Array.set(array, k, s.type().toStorage(list.get(k)));
            }
            params[i] = array;
            types[i] = array.getClass();
        } else {
            store(s.type(), value, params, types, i);
        }
    }

    private void store(SqlType<?> type, Object value, Object[] params, Class<?>[] types, int i) {
        Object stored = type.toStorage(value);
        SqlType<?> storage = storageOf(type);
        // The dialect may hand a type to the driver in another form (MySQL: UUID as text).
        params[i] = stored == null ? null : dialect.driverValue(storage, stored);
        types[i] = storage.kind() == SqlType.Kind.NULL && value != null ? params[i].getClass() : dialect.driverType(storage);
    }

    private static SqlType<?> storageOf(SqlType<?> type) {
        return type.converter() == null ? type : type.converter().storage();
    }


    @Override
    public String toString() {
        return sql();
    }
}
