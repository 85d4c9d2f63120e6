package io.retort.orm;

import io.retort.sql.Column;
import io.retort.sql.TableAlias;

import java.util.Objects;

/**
 * An entity under an alias of its table (SQLAlchemy's {@code aliased(User)}): lets one query
 * select the same entity twice, e.g. an employee and the manager it reports to, and key each in
 * the {@link EntityRow}. {@link #col} gives the aliased form of a column for conditions.
 *
 * <pre>{@code
 * EntityAlias<Employee> boss = Orm.aliased(Employee.class, "boss");
 * session.execute(Orm.selectRows(Employee.class, boss)
 *         .join(boss.table(), Employee_.reportsTo.eq(boss.col(Employee_.employeeId))))
 *     .map(row -> row.get(Employee.class).lastName + " reports to " + row.get(boss).lastName);
 * }</pre>
 */
public final class EntityAlias<E> {
    private final Class<E> type;
    private final Mapper<E> mapper;
    private final TableAlias table;

    EntityAlias(Class<E> type, Mapper<E> mapper, String name) {
        this.type = type;
        this.mapper = mapper;
        this.table = mapper.table().as(Objects.requireNonNull(name, "name"));
    }

    public Class<E> type() {
        return type;
    }

    /** The alias name. */
    public String name() {
        return table.name();
    }

    /** The aliased table, to join. */
    public TableAlias table() {
        return table;
    }

    /** The aliased form of one of the entity's columns ({@code boss.col(Employee_.lastName)}). */
    public <T> Column<T> col(Column<T> column) {
        return table.col(column);
    }

    Mapper<E> mapper() {
        return mapper;
    }

    @Override
    public String toString() {
        return type.getSimpleName() + " AS " + name();
    }
}
