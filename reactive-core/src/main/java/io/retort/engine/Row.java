package io.retort.engine;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One result row: a named tuple (C12, seed 1.4 "Row"). Values were converted once, when the row
 * was read; access is by position, by label or by column, typed or not. {@link #contains}
 * looks at values, not keys; {@link #mapping()} gives key access. Duplicate labels are legal:
 * access them by position. Immutable; safe to keep after the connection is released.
 */
public final class Row extends AbstractList<Object> {
    private final RowShape shape;
    private final Object[] values;

    Row(RowShape shape, Object[] values) {
        this.shape = shape;
        this.values = values;
    }

    /** The value at {@code index} (0-based). */
    @Override
    public Object get(int index) {
        if (index < 0 || index >= values.length) {
            throw new IndexOutOfBoundsException("Row has " + values.length + " columns, no index " + index);
        }
        return values[index];
    }

    /** The value at {@code index}, cast to {@code type} (numbers widen or narrow exactly). */
    public <T> T get(int index, Class<T> type) {
        return TypeReader.cast(get(index), type, shape.label(index));
    }

    /** The value of the column labelled {@code label}; an error if the label is absent or ambiguous. */
    public Object get(String label) {
        return values[shape.indexOf(label)];
    }

    public <T> T get(String label, Class<T> type) {
        int i = shape.indexOf(label);
        return TypeReader.cast(values[i], type, label);
    }

    /**
     * The value of {@code column}, typed by it. Found by the column's name; where two result
     * columns share that name ({@code select(ARTIST.name, GENRE.name)}), by which of them
     * selects this column.
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Column<T> column) {
        Object v = values[shape.indexOf(column)];
        Class<T> type = column.type().javaType();
        return type.isInstance(v) || v == null ? (T) v : TypeReader.cast(v, type, column.name());
    }

    /** The shape shared by the rows of one result (labels, types). */
    RowShape shape() {
        return shape;
    }

    /** The labels, in order. */
    public List<String> labels() {
        return shape.labels();
    }

    /** A label → value view ({@code LinkedHashMap} order); an error if labels repeat. */
    public Map<String, Object> mapping() {
        if (shape.hasDuplicates()) {
            throw new ArgumentError("This row has duplicate labels " + shape.labels() + "; access values by index");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(shape.label(i), values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public Object[] toArray() {
        return values.clone();
    }

    @Override
    public String toString() {
        return "Row" + Arrays.toString(values);
    }
}
