package io.retort.orm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an entity field that holds a SQL expression computed per query (O7, SQLAlchemy's
 * {@code query_expression()}): it is not a column, never written by a flush, and stays
 * {@code null} unless the query asks for it with {@link Load#withExpression}:
 *
 * <pre>{@code
 * @QueryExpression Long trackCount;
 *
 * session.execute(Orm.select(Album.class)
 *         .options(withExpression(Album_.trackCount, Sql.select(count()).from(TRACK)
 *                 .where(TRACK.albumId.eq(Album_.albumId)).scalarSubquery())))
 * }</pre>
 *
 * The field must have a reference type (null means "not loaded by this query").
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface QueryExpression {
}
