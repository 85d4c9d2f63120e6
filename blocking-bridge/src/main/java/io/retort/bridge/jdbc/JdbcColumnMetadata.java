package io.retort.bridge.jdbc;

import io.r2dbc.spi.ColumnMetadata;
import io.r2dbc.spi.Nullability;
import io.r2dbc.spi.R2dbcType;
import io.r2dbc.spi.Type;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * One result column, read from {@link ResultSetMetaData} once per result on the worker thread.
 * The name is the JDBC column <em>label</em> (the {@code AS} alias when there is one), as R2DBC
 * drivers report it. {@link #getType()} is the closest {@link R2dbcType}, or the driver's type
 * name when there is none; {@link #getNativeTypeMetadata()} is the driver's type name.
 */
final class JdbcColumnMetadata implements ColumnMetadata {
    private final String name;
    private final int jdbcType;
    private final String typeName;
    private final Class<?> javaType;
    private final Nullability nullability;
    private final Integer precision;
    private final Integer scale;

    JdbcColumnMetadata(String name, int jdbcType, String typeName, Class<?> javaType, Nullability nullability,
                       Integer precision, Integer scale) {
        this.name = name;
        this.jdbcType = jdbcType;
        this.typeName = typeName;
        this.javaType = javaType;
        this.nullability = nullability;
        this.precision = precision;
        this.scale = scale;
    }

    /**
     * Reads column {@code col} (1-based) of {@code md}. On PostgreSQL nullability is left
     * UNKNOWN: pgjdbc answers it with a catalog query, a round trip a query must not pay.
     */
    static JdbcColumnMetadata of(ResultSetMetaData md, int col, Product product) throws SQLException {
        String label = md.getColumnLabel(col);
        if (label == null || label.isEmpty()) {
            label = md.getColumnName(col);
        }
        int type = md.getColumnType(col);
        String typeName = md.getColumnTypeName(col);
        String className = null;
        if (type == Types.OTHER || type == Types.JAVA_OBJECT) {
            try {
                className = md.getColumnClassName(col);
            } catch (SQLException | RuntimeException ignored) {
                // optional information
            }
        }
        Nullability n = Nullability.UNKNOWN;
        if (product != Product.POSTGRESQL) {
            switch (md.isNullable(col)) {
                case ResultSetMetaData.columnNoNulls: n = Nullability.NON_NULL; break;
                case ResultSetMetaData.columnNullable: n = Nullability.NULLABLE; break;
                default: break;
            }
        }
        Integer precision = null;
        Integer scale = null;
        try {
            int p = md.getPrecision(col);
            precision = p > 0 ? p : null;
            int s = md.getScale(col);
            scale = s > 0 || (precision != null && (type == Types.NUMERIC || type == Types.DECIMAL)) ? s : null;
        } catch (SQLException | RuntimeException ignored) {
            // some drivers cannot tell for computed columns
        }
        if (scale == null && typeName != null) {
            scale = declaredScale(typeName);
        }
        if (typeName != null && (typeName.equalsIgnoreCase("timestamptz") || typeName.equalsIgnoreCase("timetz"))) {
            type = type == Types.TIME ? Types.TIME_WITH_TIMEZONE : Types.TIMESTAMP_WITH_TIMEZONE;
        }
        return new JdbcColumnMetadata(label, type, typeName, Codecs.javaType(type, className), n, precision, scale);
    }

    /** The scale written in a declared type such as {@code NUMERIC(10, 2)} (SQLite reports the declaration). */
    private static Integer declaredScale(String typeName) {
        int open = typeName.indexOf('(');
        int comma = typeName.indexOf(',', open + 1);
        int close = typeName.indexOf(')', comma + 1);
        if (open < 0 || comma < 0 || close < 0) {
            return null;
        }
        try {
            return Integer.parseInt(typeName.substring(comma + 1, close).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The {@link java.sql.Types} code. */
    int jdbcType() {
        return jdbcType;
    }

    /** Whether a TIMESTAMP/TIME column keeps an offset though the driver reports the plain type (pgjdbc). */
    boolean withTimeZone() {
        return typeName != null && (typeName.equalsIgnoreCase("timestamptz") || typeName.equalsIgnoreCase("timetz"));
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Class<?> getJavaType() {
        return javaType;
    }

    @Override
    public Type getType() {
        R2dbcType t = r2dbcType(jdbcType);
        if (t != null) {
            return t;
        }
        String n = typeName == null ? "OTHER" : typeName;
        Class<?> j = javaType;
        return new Type() {
            @Override
            public Class<?> getJavaType() {
                return j;
            }

            @Override
            public String getName() {
                return n;
            }

            @Override
            public String toString() {
                return n;
            }
        };
    }

    private static R2dbcType r2dbcType(int jdbcType) {
        switch (jdbcType) {
            case Types.CHAR: return R2dbcType.CHAR;
            case Types.VARCHAR:
            case Types.LONGVARCHAR: return R2dbcType.VARCHAR;
            case Types.NCHAR: return R2dbcType.NCHAR;
            case Types.NVARCHAR:
            case Types.LONGNVARCHAR: return R2dbcType.NVARCHAR;
            case Types.CLOB: return R2dbcType.CLOB;
            case Types.NCLOB: return R2dbcType.NCLOB;
            case Types.BIT:
            case Types.BOOLEAN: return R2dbcType.BOOLEAN;
            case Types.BINARY: return R2dbcType.BINARY;
            case Types.VARBINARY:
            case Types.LONGVARBINARY: return R2dbcType.VARBINARY;
            case Types.BLOB: return R2dbcType.BLOB;
            case Types.INTEGER: return R2dbcType.INTEGER;
            case Types.TINYINT: return R2dbcType.TINYINT;
            case Types.SMALLINT: return R2dbcType.SMALLINT;
            case Types.BIGINT: return R2dbcType.BIGINT;
            case Types.NUMERIC: return R2dbcType.NUMERIC;
            case Types.DECIMAL: return R2dbcType.DECIMAL;
            case Types.FLOAT: return R2dbcType.FLOAT;
            case Types.REAL: return R2dbcType.REAL;
            case Types.DOUBLE: return R2dbcType.DOUBLE;
            case Types.DATE: return R2dbcType.DATE;
            case Types.TIME: return R2dbcType.TIME;
            case Types.TIME_WITH_TIMEZONE: return R2dbcType.TIME_WITH_TIME_ZONE;
            case Types.TIMESTAMP: return R2dbcType.TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE: return R2dbcType.TIMESTAMP_WITH_TIME_ZONE;
            case Types.ARRAY: return R2dbcType.COLLECTION;
            default: return null;
        }
    }

    @Override
    public Object getNativeTypeMetadata() {
        return typeName;
    }

    @Override
    public Nullability getNullability() {
        return nullability;
    }

    @Override
    public Integer getPrecision() {
        return precision;
    }

    @Override
    public Integer getScale() {
        return scale;
    }

    @Override
    public String toString() {
        return name + " " + typeName;
    }
}
