package io.retort.orm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a column that queries leave out unless they ask for it with {@link Load#undefer} (O7,
 * SQLAlchemy's {@code deferred()}); JPA's {@code @Basic(fetch = FetchType.LAZY)} means the same.
 * Retort never loads a deferred column behind a field read: its field stays as constructed,
 * {@link AsyncSession#isLoaded} says so, and {@link AsyncSession#attribute} or
 * {@link AsyncSession#refresh(Object, io.retort.sql.Column[])} loads it explicitly.
 *
 * <pre>{@code
 * @Deferred(raiseload = true) @Column(length = 2000) String summary;
 * }</pre>
 *
 * With {@code raiseload}, {@link AsyncSession#attribute} refuses to load it (an
 * {@link UnloadedAttributeException} naming {@code undefer}) instead of running a SELECT:
 * the column is meant to come with the query that needs it, never one row at a time.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Deferred {
    /** Refuse the load-on-access of {@link AsyncSession#attribute} for this column. */
    boolean raiseload() default false;
}
