package io.retort.tck.env;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One scratch database for a whole test class whose framework holds connections to it until
 * its own shutdown (a Spring context and its pool): the class opens it in {@code @BeforeAll}
 * ({@link #open}), hands {@link #current()} to the framework, and this extension drops it after
 * every other {@code afterAll}. Declare it before the framework's extension (before
 * {@code @SpringBootTest}): JUnit runs {@code afterAll} callbacks in reverse order of
 * registration. Test classes using it run one at a time.
 */
public final class ClassScratchDatabase implements AfterAllCallback {
    private static volatile TestDatabase current;

    /** A new scratch namespace on {@code backend} for the running class; skips or fails as {@link TestDatabases#scratch} does. */
    public static TestDatabase open(Backend backend) {
        current = TestDatabases.scratch(backend);
        return current;
    }

    /** The running class's scratch database. */
    public static TestDatabase current() {
        TestDatabase db = current;
        if (db == null) {
            throw new IllegalStateException("No scratch database: call ClassScratchDatabase.open(backend) in @BeforeAll");
        }
        return db;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase db = current;
        current = null;
        if (db != null) {
            db.close();
        }
    }
}
