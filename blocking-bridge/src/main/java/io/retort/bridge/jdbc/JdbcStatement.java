package io.retort.bridge.jdbc;

import io.r2dbc.spi.Parameter;
import io.r2dbc.spi.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import reactor.core.publisher.Flux;

/**
 * An R2DBC statement over a JDBC {@code PreparedStatement} (or a plain {@code Statement} when the
 * SQL takes no parameters, which also allows several statements in one text).
 *
 * <p>Bind markers may be {@code $1}, {@code :name} or {@code ?} (see {@link ParsedSql});
 * values are bound by 0-based index or by the marker's name ({@code "$1"}, {@code "name"}).
 * {@link #add()} closes a binding set: a statement with several sets runs as one JDBC batch
 * when it returns no rows, else once per set. Values may be anything the driver takes through
 * {@code setObject} plus {@link io.r2dbc.spi.Blob}, {@link io.r2dbc.spi.Clob},
 * {@link java.nio.ByteBuffer} and {@link Parameter}s; nulls are bound with
 * {@link #bindNull} and the Java type they stand for.
 *
 * <p>Not thread-safe (R2DBC statements are built by one caller); execution is cold and runs on
 * the connection's lane.
 */
final class JdbcStatement implements Statement {
    private static final Object UNSET = new Object();

    private final JdbcConnection connection;
    private final ParsedSql sql;
    private final List<Object[]> bindings = new ArrayList<>();
    private Object[] current;
    private String[] generatedColumns;
    private int fetchSize = -1;

    JdbcStatement(JdbcConnection connection, ParsedSql sql) {
        this.connection = connection;
        this.sql = sql;
        this.current = fresh();
    }

    private Object[] fresh() {
        Object[] a = new Object[sql.parameterCount()];
        java.util.Arrays.fill(a, UNSET);
        return a;
    }

    @Override
    public JdbcStatement add() {
        requireComplete(current, "add()");
        bindings.add(current);
        current = fresh();
        return this;
    }

    @Override
    public JdbcStatement bind(int index, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("Cannot bind null with bind(); use bindNull(" + index + ", type)");
        }
        set(checkIndex(index), value(value));
        return this;
    }

    @Override
    public JdbcStatement bind(String name, Object value) {
        int index = indexOf(name);
        if (value == null) {
            throw new IllegalArgumentException("Cannot bind null with bind(); use bindNull(\"" + name + "\", type)");
        }
        set(index, value(value));
        return this;
    }

    @Override
    public JdbcStatement bindNull(int index, Class<?> type) {
        if (type == null) {
            throw new IllegalArgumentException("bindNull needs the Java type the null stands for");
        }
        set(checkIndex(index), new Execution.NullValue(type));
        return this;
    }

    @Override
    public JdbcStatement bindNull(String name, Class<?> type) {
        int index = indexOf(name);
        if (type == null) {
            throw new IllegalArgumentException("bindNull needs the Java type the null stands for");
        }
        set(index, new Execution.NullValue(type));
        return this;
    }

    @Override
    public JdbcStatement returnGeneratedValues(String... columns) {
        if (columns == null) {
            throw new IllegalArgumentException("columns must not be null (pass none for all generated values)");
        }
        for (String c : columns) {
            if (c == null) {
                throw new IllegalArgumentException("column names must not be null");
            }
        }
        this.generatedColumns = columns.clone();
        return this;
    }

    @Override
    public JdbcStatement fetchSize(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("fetch size must be >= 0, got " + rows);
        }
        this.fetchSize = rows;
        return this;
    }

    /**
     * Runs the statement once per binding set. Throws {@link IllegalStateException} at once if
     * the last binding set is incomplete; signals one if {@code add()} was the last call (a
     * trailing, empty binding set).
     */
    @Override
    public Flux<JdbcResult> execute() {
        List<Object[]> sets = new ArrayList<>(bindings);
        if (sql.parameterCount() > 0) {
            boolean started = false;
            for (Object v : current) {
                started |= v != UNSET;
            }
            if (started) {
                requireComplete(current, "execute()");
                sets.add(current);
            } else if (sets.isEmpty()) {
                throw new IllegalStateException("No values are bound; the statement has " + sql.parameterCount()
                        + " parameter(s): " + sql.source());
            } else {
                return Flux.error(new IllegalStateException("add() was called after the last binding set: remove the"
                        + " trailing add() (it would run an empty binding set)"));
            }
        } else {
            sets.clear();
        }
        bindings.clear();
        current = fresh();
        connection.requireOpen();
        return new Execution(connection, List.of(sql), sets, generatedColumns, fetchSize).results();
    }

    private Object value(Object value) {
        if (value instanceof Parameter) {
            Parameter p = (Parameter) value;
            if (p instanceof io.r2dbc.spi.Parameter.Out) {
                throw new IllegalArgumentException("OUT parameters are not supported by the JDBC bridge");
            }
            if (p.getValue() == null) {
                return new Execution.NullValue(p.getType().getJavaType());
            }
            return value(p.getValue());
        }
        if (value instanceof Class) {
            throw new IllegalArgumentException("Cannot bind a Class (" + value + "); to bind a null use bindNull");
        }
        return value;
    }

    private void set(int index, Object value) {
        current[index] = value;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= sql.parameterCount()) {
            throw new IndexOutOfBoundsException("Bind index " + index + " is out of range: the statement has "
                    + sql.parameterCount() + " parameter(s) (0-based): " + sql.source());
        }
        return index;
    }

    private int indexOf(String name) {
        if (name == null) {
            throw new IllegalArgumentException("bind name must not be null");
        }
        int i = sql.indexOf(name);
        if (i < 0) {
            throw new NoSuchElementException("No bind marker named '" + name + "' in: " + sql.source()
                    + (sql.style() == ParsedSql.Style.QUESTION ? " (? markers bind by index only)" : ""));
        }
        return i;
    }

    private void requireComplete(Object[] set, String when) {
        for (int i = 0; i < set.length; i++) {
            if (set[i] == UNSET) {
                throw new IllegalStateException("Parameter " + i + " is not bound at " + when + "; every binding set"
                        + " needs all " + set.length + " values: " + sql.source());
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcStatement[" + sql.source() + "]";
    }
}
