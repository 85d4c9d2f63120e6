package io.retort.tck.env;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link RequiresDatabase}: opens a scratch {@link TestDatabase}
 * before each test (or class, for {@link RequiresDatabase.Scope#CLASS}), injects it as a
 * parameter, and drops it afterwards.
 *
 * <p>Settings are read through JUnit configuration parameters (which include system
 * properties) and the environment, so {@code -Dretort.it.required=true} and
 * {@code -Dretort.pg.url=…} work from Maven, and a launcher can set them per run.
 */
public final class DatabaseExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DatabaseExtension.class);
    private static final String KEY = "scratch";

    @Override
    public void beforeAll(ExtensionContext context) {
        // Only an annotation on this class (or a superclass) opens a class-scoped database: a
        // @Nested class sees its outer class's one through the store's parent lookup.
        RequiresDatabase a = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), RequiresDatabase.class)
                .orElse(null);
        if (a != null && a.scope() == RequiresDatabase.Scope.CLASS) {
            open(context, a.value());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<RequiresDatabase> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, RequiresDatabase.class));
        RequiresDatabase effective = onMethod.orElseGet(() -> classAnnotation(context));
        if (effective == null) {
            return;
        }
        boolean classScoped = onMethod.isEmpty() && effective.scope() == RequiresDatabase.Scope.CLASS
                && context.getStore(NAMESPACE).get(KEY, Holder.class) != null;
        if (!classScoped) {
            open(context, effective.value());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Holder holder = context.getStore(NAMESPACE).get(KEY, Holder.class);
        if (holder == null) {
            throw new ParameterResolutionException("No TestDatabase for " + context.getDisplayName()
                    + ": annotate the test method or class with @RequiresDatabase(Backend.…)"
                    + " (constructors cannot take one unless the scope is CLASS)");
        }
        return holder.database;
    }

    private static void open(ExtensionContext context, Backend backend) {
        HarnessSettings settings = HarnessSettings.of(context::getConfigurationParameter, System.getenv());
        // Throws TestAbortedException (skip) or DatabaseUnavailableException (fail) as decided.
        TestDatabase db = TestDatabases.scratch(backend, settings);
        context.getStore(NAMESPACE).put(KEY, new Holder(db));
    }

    private static void close(ExtensionContext context) {
        // remove() touches only this context's own store, never a parent's class-scoped database.
        Holder holder = context.getStore(NAMESPACE).remove(KEY, Holder.class);
        if (holder != null) {
            holder.database.close();
        }
    }

    /** The class annotation of the test class or, for {@code @Nested} classes, of an enclosing one. */
    private static @Nullable RequiresDatabase classAnnotation(ExtensionContext context) {
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            Optional<RequiresDatabase> a = AnnotationSupport.findAnnotation((AnnotatedElement) c, RequiresDatabase.class);
            if (a.isPresent()) {
                return a.get();
            }
        }
        return null;
    }

    /**
     * The store entry. As a {@code CloseableResource} it is also dropped when JUnit discards
     * the context, should {@code afterEach} never run (another extension failed first).
     */
    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        final TestDatabase database;

        Holder(TestDatabase database) {
            this.database = database;
        }

        @Override
        public void close() {
            database.close();
        }
    }
}
