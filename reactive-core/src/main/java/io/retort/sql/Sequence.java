package io.retort.sql;

/**
 * A database sequence (PostgreSQL, MariaDB 10.3+, H2; seed 1.4 "MariaDB sequences").
 *
 * @param schema    schema, or null
 * @param name      sequence name
 * @param start     START WITH value
 * @param increment INCREMENT BY value
 */
public record Sequence(String schema, String name, long start, long increment) {
    public Sequence {
        Identifiers.check(name, "sequence");
        if (increment == 0) {
            throw new io.retort.error.ArgumentError("A sequence increment must not be 0");
        }
    }

    public static Sequence named(String name) {
        return new Sequence(null, name, 1, 1);
    }

    /** The next value: {@code nextval('s')} on PostgreSQL, {@code NEXT VALUE FOR s} elsewhere. */
    public Expression<Long> nextValue() {
        return new NextValue(this);
    }
}
