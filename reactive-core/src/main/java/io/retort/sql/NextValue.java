package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/** The next value of a {@link Sequence}. */
public final class NextValue extends Expression<Long> {
    private final Sequence sequence;

    NextValue(Sequence sequence) {
        super(SqlTypes.BIGINT);
        this.sequence = sequence;
    }

    public Sequence sequence() {
        return sequence;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitNextValue(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("nextval", sequence.name()).add(sequence.schema());
    }
}
