package io.retort.sql;

/** Something that can appear in ORDER BY: an expression (ascending) or a {@link SortOrder}. */
public interface OrderByElement {
    /** This element as a sort order. */
    SortOrder toSortOrder();
}
