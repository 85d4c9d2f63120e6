package io.retort.engine;

import io.retort.sql.Column;

import io.retort.error.ArgumentError;
import io.retort.sql.SqlType;
import io.retort.sql.compile.CompiledStatement;
import io.retort.sql.compile.ResultColumn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The labels and expected types of a result's columns, shared by all its rows. */
final class RowShape {
    private static final int AMBIGUOUS = -2;

    private final List<String> labels;
    private final SqlType<?>[] types;
    private final Map<String, Integer> index = new HashMap<>();
    private final boolean duplicates;
    /**
     * Per column, the Java class to ask the driver for when no more is needed (a known type
     * without a converter); null where {@link TypeReader#read} must do the general work.
     */
    private final Class<?>[] plainTargets;
    /** Per column, the table column selected as is (or null); null for text SQL. */
    private final Column<?>[] sources;

    /** The shape of a compiled statement's rows, from its result columns (see {@link CompiledStatement#derived}). */
    static final Function<CompiledStatement, RowShape> OF_STATEMENT = c -> {
        List<ResultColumn> columns = c.resultColumns();
        List<String> labels = new ArrayList<>(columns.size());
        SqlType<?>[] types = new SqlType<?>[columns.size()];
        Column<?>[] sources = new Column<?>[columns.size()];
        for (int i = 0; i < types.length; i++) {
            labels.add(columns.get(i).label());
            types[i] = columns.get(i).type();
            sources[i] = columns.get(i).source();
        }
        return new RowShape(labels, types, sources);
    };

    RowShape(List<String> labels, SqlType<?>[] types) {
        this(labels, types, null);
    }

    /**
     * @param sources per column, the table column it selects as is, or null (see
     *     {@link ResultColumn#source}); null altogether for text SQL
     */
    RowShape(List<String> labels, SqlType<?>[] types, Column<?>[] sources) {
        this.sources = sources;
        this.labels = List.copyOf(labels);
        this.types = types;
        this.plainTargets = new Class<?>[labels.size()];
        for (int i = 0; i < plainTargets.length; i++) {
            SqlType<?> t = type(i);
            if (t != null && t.converter() == null && t.kind() != SqlType.Kind.NULL && t.kind() != SqlType.Kind.OTHER) {
                plainTargets[i] = t.javaType();
            }
        }
        boolean dup = false;
        for (int i = 0; i < labels.size(); i++) {
            String key = labels.get(i).toLowerCase(java.util.Locale.ROOT);
            Integer prev = index.putIfAbsent(key, i);
            if (prev != null) {
                index.put(key, AMBIGUOUS);
                dup = true;
            }
        }
        this.duplicates = dup;
    }

    List<String> labels() {
        return labels;
    }

    String label(int i) {
        return labels.get(i);
    }

    /** Expected type of column i, or null when unknown (text SQL). */
    SqlType<?> type(int i) {
        return types == null || i >= types.length ? null : types[i];
    }

    /** See {@link #plainTargets}. */
    Class<?> plainTarget(int i) {
        return plainTargets[i];
    }

    int size() {
        return labels.size();
    }

    boolean hasDuplicates() {
        return duplicates;
    }

    /**
     * The index of {@code column}: by its name, or, where two result columns share that name
     * (artist.name and genre.name), by which of them selects this very column object.
     */
    int indexOf(Column<?> column) {
        Integer i = index.get(column.name().toLowerCase(java.util.Locale.ROOT));
        if (i != null && i == AMBIGUOUS && sources != null) {
            for (int k = 0; k < sources.length; k++) {
                if (sources[k] == column) {
                    return k;
                }
            }
            throw new ArgumentError("The label '" + column.name() + "' appears more than once in " + labels + " and "
                    + column + " is not one of the columns selected as they are; label it (.as(\"...\")) or access it"
                    + " by index");
        }
        return indexOf(column.name());
    }

    /** Case-insensitive, because H2 upper-cases unquoted labels and MySQL keeps their case. */
    int indexOf(String label) {
        Integer i = index.get(label.toLowerCase(java.util.Locale.ROOT));
        if (i == null) {
            throw new ArgumentError("No column labelled '" + label + "' in this row; labels are " + labels);
        }
        if (i == AMBIGUOUS) {
            throw new ArgumentError("The label '" + label + "' appears more than once in " + labels + "; access it by index");
        }
        return i;
    }
}
