package io.retort.sql.compile;

import io.retort.sql.SqlType;

/**
 * A column of a statement's result: its label (duplicates are legal, access by index) and the
 * type used to read it.
 *
 * @param label the column label as rendered
 * @param type  the expected type
 */
public record ResultColumn(String label, SqlType<?> type) {
}
