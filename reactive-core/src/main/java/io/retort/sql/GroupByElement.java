package io.retort.sql;

/** Something that can appear in GROUP BY: an expression, or a ROLLUP/CUBE/GROUPING SETS (C9). */
public interface GroupByElement {
}
