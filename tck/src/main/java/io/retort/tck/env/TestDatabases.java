package io.retort.tck.env;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The programmatic entry to the harness, for code that does not use {@link RequiresDatabase}
 * (parameterised tests over backends, benchmarks, examples):
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabases.scratch(Backend.MARIADB)) {
 *     … db.connectionFactory(Driver.R2DBC_MYSQL) …
 * }
 * }</pre>
 *
 * <p>Discovery and provisioning run once per JVM and configuration, on first use, and are
 * shared by every test; scratch namespaces are per call.
 */
public final class TestDatabases {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabases.class);

    private static final ConcurrentHashMap<String, Memo<Availability>> DISCOVERED = new ConcurrentHashMap<>();
    // Skip reasons are logged once per configuration, not once per skipped test.
    private static final Set<String> SKIP_LOGGED = ConcurrentHashMap.newKeySet();

    private TestDatabases() {
    }

    /** Whether {@code backend} is available under this JVM's settings, and which server it is. */
    public static Availability availability(Backend backend) {
        return availability(backend, HarnessSettings.fromSystem());
    }

    /** The same, under the given settings (memoised per distinct configuration). */
    public static Availability availability(Backend backend, HarnessSettings settings) {
        String key = settings.discoveryKey(backend);
        return DISCOVERED.computeIfAbsent(key, k -> new Memo<>())
                .get(() -> new Discovery(settings).discover(backend));
    }

    /** A new scratch namespace on {@code backend} under this JVM's settings; see {@link #scratch(Backend, HarnessSettings)}. */
    public static TestDatabase scratch(Backend backend) {
        return scratch(backend, HarnessSettings.fromSystem());
    }

    /**
     * A new scratch namespace on {@code backend}, or the {@link Decision} about its absence:
     *
     * @throws TestAbortedException (a JUnit skip) when the database is unreachable and not
     *     required; the message says why and how to provide one
     * @throws DatabaseUnavailableException when it is unreachable and {@code retort.it.required=true},
     *     or misconfigured
     */
    public static TestDatabase scratch(Backend backend, HarnessSettings settings) {
        Availability availability = availability(backend, settings);
        switch (Decision.decide(settings.required(), availability.status())) {
            case RUN:
                return open(availability.server());
            case SKIP:
                String skip = skipMessage(availability);
                if (SKIP_LOGGED.add(settings.discoveryKey(backend))) {
                    LOG.warn("SKIPPING {} tests: {}", backend.displayName(), skip);
                }
                throw new TestAbortedException(skip);
            default:
                throw new DatabaseUnavailableException(failMessage(availability, settings), availability.cause());
        }
    }

    /** Creates a scratch namespace on a server already found. */
    static TestDatabase open(Server server) {
        String name = ScratchNames.newName(server.backend(), Instant.now());
        try {
            BackendSupport.of(server.backend()).createScratch(server, name);
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("could not create scratch namespace " + name + " on "
                    + server.describe() + ": " + e, e);
        }
        TestDatabase db = new TestDatabase(server, name);
        LOG.debug("created {}", db.describe());
        return db;
    }

    static String skipMessage(Availability a) {
        Backend b = a.backend();
        return a.reason() + ". To run these tests set " + b.envVar("URL") + " (or -D" + b.property("URL")
                + ") or start " + b.displayName() + " on 127.0.0.1:" + b.defaultPort()
                + "; with -D" + HarnessSettings.REQUIRED_PROPERTY + "=true this is a failure.";
    }

    static String failMessage(Availability a, HarnessSettings settings) {
        String why = a.status() == Availability.Status.MISCONFIGURED ? "" : settings.required()
                ? " (" + HarnessSettings.REQUIRED_PROPERTY + "=true: the database is required)" : "";
        return a.reason() + why;
    }
}
