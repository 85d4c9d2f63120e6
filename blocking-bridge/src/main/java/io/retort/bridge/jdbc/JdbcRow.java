package io.retort.bridge.jdbc;

import io.r2dbc.spi.Row;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * One row, its values read from the JDBC {@link ResultSet} when it was fetched (on the worker
 * thread). {@code get} only converts in memory: it never calls the driver, so it is safe on any
 * thread and stays valid after the cursor has moved on (the R2DBC spec allows rows to be valid
 * only inside the mapping function; this one is more lenient).
 */
final class JdbcRow implements Row {
    private final JdbcRowMetadata metadata;
    private final Object[] values;

    JdbcRow(JdbcRowMetadata metadata, Object[] values) {
        this.metadata = metadata;
        this.values = values;
    }

    /** Reads the current row of {@code rs}. */
    static JdbcRow read(ResultSet rs, JdbcRowMetadata metadata, Product product) throws SQLException {
        Object[] values = new Object[metadata.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Codecs.read(rs, i + 1, metadata.column(i), product);
        }
        return new JdbcRow(metadata, values);
    }

    @Override
    public JdbcRowMetadata getMetadata() {
        return metadata;
    }

    @Override
    public <T> T get(int index, Class<T> type) {
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
        JdbcColumnMetadata column = metadata.column(index);
        return Codecs.convert(values[index], type, column);
    }

    @Override
    public <T> T get(String name, Class<T> type) {
        return get(metadata.indexOf(name), type);
    }

    @Override
    public String toString() {
        return "JdbcRow" + Arrays.toString(values);
    }
}
