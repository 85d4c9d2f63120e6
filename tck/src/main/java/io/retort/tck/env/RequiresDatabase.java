package io.retort.tck.env;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method as needing a database of one backend, and gives each test a
 * {@link TestDatabase} parameter: a fresh scratch namespace, dropped after the test even when
 * it failed (and checked to be gone, else the test fails).
 *
 * <p>When the database is unavailable the test is skipped with the reason, or fails with it
 * under {@code -Dretort.it.required=true} (see {@link Decision}). Inherited, so an abstract
 * suite can be run per backend by annotated subclasses; a method's annotation overrides the
 * class's.
 *
 * <pre>{@code
 * @RequiresDatabase(Backend.MARIADB)
 * class MariaDbSelectIT extends SelectSuite {
 *     @Test
 *     void roundTrip(TestDatabase db) { … db.connectionFactory(Driver.R2DBC_MYSQL) … }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(DatabaseExtension.class)
public @interface RequiresDatabase {

    /** The backend the test needs. */
    Backend value();

    /** How long one scratch namespace lives. */
    Scope scope() default Scope.METHOD;

    /** The lifetime of a scratch namespace. */
    enum Scope {
        /**
         * One per test method (the default): no test sees another's tables, so order never
         * matters. Costs a CREATE and DROP per test (milliseconds).
         */
        METHOD,
        /**
         * One per test class, shared by its methods and usable in {@code @BeforeAll}: for
         * suites that build expensive fixtures once and only read them. Only a class-level
         * annotation can ask for it.
         */
        CLASS
    }
}
