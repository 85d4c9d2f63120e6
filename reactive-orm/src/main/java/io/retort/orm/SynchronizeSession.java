package io.retort.orm;

/**
 * How an ORM bulk UPDATE or DELETE ({@link BulkStatement}, O9) keeps the objects a session already
 * holds consistent with the rows it changed (SQLAlchemy's {@code synchronize_session}).
 *
 * <p>The default is {@link #EVALUATE}, as in SQLAlchemy 1.4 (and 2.0's {@code "auto"}, which
 * starts with it): it costs no statement beyond the UPDATE or DELETE itself, and the criteria of
 * a typical bulk statement (comparisons of the entity's own columns with values) can be decided in
 * Java. Where they cannot, EVALUATE fails before anything is sent, naming {@link #FETCH} (2.0
 * switches to fetch silently; Retort says so instead, because FETCH may cost a SELECT).
 */
public enum SynchronizeSession {
    /**
     * Applies the WHERE criteria in Java to the session's objects of the entity: the matching ones
     * get the new values (UPDATE) or leave the session (DELETE). A SET value that cannot be
     * computed in Java (a SQL function, a division, a decimal the database would round) expires
     * the matching objects instead (seed 1.4: "evaluate falls back to expire"), so the next query
     * that returns them reloads them. Criteria that cannot be evaluated (a column of another
     * table, a relationship predicate, a subquery, a function) are an
     * {@link UnevaluableCriteriaError} raised before any statement is sent. Objects whose criteria
     * columns are not loaded (deferred) or that are expired cannot be decided and are expired.
     *
     * <p>Java semantics apply: string comparisons are exact (case- and trailing-space-sensitive),
     * which differs from a case-insensitive collation (MySQL's and MariaDB's default); use
     * {@link #FETCH} when that matters.
     */
    EVALUATE,
    /**
     * Asks the database which rows were affected: with {@code RETURNING} of the primary key where
     * the dialect supports it for the statement (PostgreSQL, SQLite 3.35+ and H2 for both; MariaDB
     * for a single-table DELETE), otherwise with a SELECT of the keys sent first in the same
     * transaction. The session's objects with those keys then get the new values (evaluable SET
     * values), are expired (others) or leave the session (DELETE).
     */
    FETCH,
    /**
     * Leaves the session's objects as they are: they may hold stale values (or rows that no longer
     * exist) until they are refreshed, expired or expunged by the application.
     */
    NONE
}
