package io.retort.bridge.jdbc;

import io.r2dbc.spi.RowMetadata;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The columns of one result, shared by all its rows. Names are looked up case-insensitively
 * (as the R2DBC TCK requires; H2 upper-cases unquoted aliases), and a duplicated name finds
 * its first column; the exact spelling wins when two columns differ only in case.
 */
final class JdbcRowMetadata implements RowMetadata {
    private final List<JdbcColumnMetadata> columns;
    /**
     * Built on the first lookup by name: most results are read by index, and building two maps
     * for every query was a tenth of the bridge's CPU time on point selects. Racy but safe: every
     * thread builds the same immutable value.
     */
    private volatile Names names;

    /** The exact and lower-cased column names, each mapped to its first column. */
    private static final class Names {
        final Map<String, Integer> exact;
        final Map<String, Integer> folded;

        Names(List<JdbcColumnMetadata> columns) {
            Map<String, Integer> e = new HashMap<>();
            Map<String, Integer> f = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                String n = columns.get(i).getName();
                e.putIfAbsent(n, i);
                f.putIfAbsent(n.toLowerCase(Locale.ROOT), i);
            }
            this.exact = e;
            this.folded = f;
        }
    }

    JdbcRowMetadata(List<JdbcColumnMetadata> columns) {
        this.columns = Collections.unmodifiableList(columns);
    }

    private Names names() {
        Names n = names;
        if (n == null) {
            n = new Names(columns);
            names = n;
        }
        return n;
    }

    /** Reads the metadata of a result set, on the worker thread. */
    static JdbcRowMetadata of(ResultSetMetaData md, Product product) throws SQLException {
        int n = md.getColumnCount();
        List<JdbcColumnMetadata> cols = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(JdbcColumnMetadata.of(md, i, product));
        }
        return new JdbcRowMetadata(cols);
    }

    int size() {
        return columns.size();
    }

    /** The index of column {@code name}. */
    int indexOf(String name) {
        if (name == null) {
            throw new IllegalArgumentException("column name must not be null");
        }
        Names n = names();
        Integer i = n.exact.get(name);
        if (i == null) {
            i = n.folded.get(name.toLowerCase(Locale.ROOT));
        }
        if (i == null) {
            throw new NoSuchElementException("No column named '" + name + "'; columns are " + columnNames());
        }
        return i;
    }

    JdbcColumnMetadata column(int index) {
        if (index < 0 || index >= columns.size()) {
            throw new IndexOutOfBoundsException("Column index " + index + " is out of range; the result has "
                    + columns.size() + " column(s)");
        }
        return columns.get(index);
    }

    @Override
    public JdbcColumnMetadata getColumnMetadata(int index) {
        return column(index);
    }

    @Override
    public JdbcColumnMetadata getColumnMetadata(String name) {
        return columns.get(indexOf(name));
    }

    @Override
    public List<JdbcColumnMetadata> getColumnMetadatas() {
        return columns;
    }

    @Override
    public boolean contains(String name) {
        if (name == null) {
            return false;
        }
        Names n = names();
        return n.exact.containsKey(name) || n.folded.containsKey(name.toLowerCase(Locale.ROOT));
    }

    private List<String> columnNames() {
        List<String> l = new ArrayList<>(columns.size());
        for (JdbcColumnMetadata c : columns) {
            l.add(c.getName());
        }
        return l;
    }

    @Override
    public String toString() {
        return "JdbcRowMetadata" + columnNames();
    }
}
