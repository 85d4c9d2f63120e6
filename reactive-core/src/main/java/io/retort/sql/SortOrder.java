package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

/** An ORDER BY element: expression, direction and NULLS placement. */
public final class SortOrder implements OrderByElement {
    /** Where NULLs sort. */
    public enum Nulls { DEFAULT, FIRST, LAST }

    /**
     * A sort direction chosen at run time, e.g. from a request parameter (bad-input row B7): the
     * direction reaches the SQL only as one of these constants, never as text. Pair it with a
     * column looked up by name against the mapped ones ({@code table.c(name)}), so that neither
     * part of a user's sort is SQL: {@code table.c(sortParam).sort(Direction.parse(dirParam))}.
     */
    public enum Direction {
        ASC, DESC;

        /**
         * {@code "asc"} or {@code "desc"}, in any case and without surrounding blanks.
         *
         * @throws ArgumentError for anything else, naming the two accepted words
         */
        public static Direction parse(String text) {
            String t = text == null ? "" : text.strip();
            if (t.equalsIgnoreCase("asc")) {
                return ASC;
            }
            if (t.equalsIgnoreCase("desc")) {
                return DESC;
            }
            throw new ArgumentError("A sort direction is 'asc' or 'desc', not '" + text + "'");
        }
    }

    private final Expression<?> expression;
    private final boolean descending;
    private final Nulls nulls;

    SortOrder(Expression<?> expression, boolean descending, Nulls nulls) {
        this.expression = expression;
        this.descending = descending;
        this.nulls = nulls;
    }

    public Expression<?> expression() {
        return expression;
    }

    public boolean isDescending() {
        return descending;
    }

    public Nulls nulls() {
        return nulls;
    }

    public SortOrder nullsFirst() {
        return new SortOrder(expression, descending, Nulls.FIRST);
    }

    public SortOrder nullsLast() {
        return new SortOrder(expression, descending, Nulls.LAST);
    }

    @Override
    public SortOrder toSortOrder() {
        return this;
    }

    void appendKey(KeyBuilder key) {
        key.add(KeyTokens.Sort.of(descending, nulls));
        expression.appendKey(key);
    }
}
