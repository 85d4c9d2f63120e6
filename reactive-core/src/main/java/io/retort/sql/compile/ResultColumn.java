package io.retort.sql.compile;

import io.retort.sql.Column;
import io.retort.sql.SqlType;

/**
 * A column of a statement's result: its label (duplicates are legal, access by index), the
 * type used to read it, and the table column it selects, if it is one.
 *
 * @param label  the column label as rendered
 * @param type   the expected type
 * @param source the table column selected as is (not labelled, not an expression), else null;
 *               lets {@code Row.get(Column)} tell apart two columns that share a name
 */
public record ResultColumn(String label, SqlType<?> type, Column<?> source) {

    /** A result column that is not a bare table column (an expression, a label, text SQL). */
    public ResultColumn(String label, SqlType<?> type) {
        this(label, type, null);
    }
}
