package io.retort.tck.env;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, provisions and checks one backend's server, in the order of DESIGN.md "Where the
 * databases come from": the configured URL (and only it, when set), else the default loopback
 * port, else a Testcontainers container, else unreachable with every reason collected.
 *
 * <p>Blocking; {@link TestDatabases} runs it once per JVM and configuration.
 */
final class Discovery {

    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);

    /** How long a TCP connect may take before the port counts as closed. */
    static final int TCP_TIMEOUT_MILLIS = 1000;

    private final HarnessSettings settings;
    private final String loopbackHost;
    private final @Nullable Integer loopbackPort;

    /** Discovery with the real loopback address and default ports. */
    Discovery(HarnessSettings settings) {
        this(settings, "127.0.0.1", null);
    }

    /**
     * Discovery probing {@code loopbackPort} instead of the backend's default port, so a test
     * can walk the whole chain against a closed port without stopping a real server.
     */
    Discovery(HarnessSettings settings, String loopbackHost, @Nullable Integer loopbackPort) {
        this.settings = settings;
        this.loopbackHost = loopbackHost;
        this.loopbackPort = loopbackPort;
    }

    Availability discover(Backend backend) {
        if (backend.inProcess()) {
            return Availability.available(backend == Backend.SQLITE ? SqliteSupport.SERVER : H2Support.SERVER);
        }
        Optional<String> disabled = settings.disabledBy(backend);
        if (disabled.isPresent()) {
            return Availability.unreachable(backend, backend.displayName() + " is turned off by " + disabled.get(), null);
        }
        Optional<Server> configured;
        try {
            configured = settings.configuredServer(backend);
        } catch (IllegalArgumentException e) {
            return Availability.misconfigured(backend, backend.displayName() + " is misconfigured: " + e.getMessage(), e);
        }
        if (configured.isPresent()) {
            // An explicit URL is used or nothing is: falling back would hide a typo behind
            // whatever else happens to answer.
            Attempt a = attach(configured.get(), settings.adminUser(backend), settings.adminPassword(backend), false);
            return a.availability(backend);
        }

        List<String> tried = new ArrayList<>();
        Throwable last = null;
        int port = loopbackPort != null ? loopbackPort : backend.defaultPort();
        Server guess = new Server(backend, Server.Source.LOOPBACK, "default port", loopbackHost, port,
                Server.DEFAULT_DATABASE, Server.DEFAULT_USER, Server.DEFAULT_PASSWORD, Map.of(), Map.of(),
                backend.defaultDriver());
        tried.add(backend.envVar("URL") + " and -D" + backend.property("URL") + " not set");
        Attempt loopback = attach(guess, settings.adminUser(backend), settings.adminPassword(backend), true);
        if (loopback.server != null) {
            return loopback.availability(backend);
        }
        tried.add(loopback.reason);
        last = loopback.cause;

        Attempt container = fromContainer(backend);
        if (container.server != null) {
            return container.availability(backend);
        }
        tried.add(container.reason);
        if (container.cause != null) {
            last = container.cause;
        }
        return Availability.unreachable(backend,
                backend.displayName() + " unavailable: " + String.join("; ", tried), last);
    }

    private Attempt fromContainer(Backend backend) {
        if (!settings.testcontainersAllowed()) {
            return Attempt.failed("Testcontainers turned off (" + HarnessSettings.TESTCONTAINERS_ENV + "=false)", null);
        }
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, Discovery.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Attempt.failed("Testcontainers is not on the classpath", null);
        }
        try {
            if (!ContainerServers.dockerAvailable()) {
                return Attempt.failed("no Docker engine for Testcontainers", null);
            }
            LOG.info("{}: starting a Testcontainers container", backend.displayName());
            ContainerServers.Started started = ContainerServers.start(backend);
            return attach(started.server(), started.adminUser(), started.adminPassword(), true);
        } catch (RuntimeException | LinkageError e) {
            return Attempt.failed("Testcontainers could not start " + backend.displayName() + ": " + e, e);
        }
    }

    /**
     * Checks a server step by step — TCP, admin login and provisioning, test-user login — and
     * says which step failed. The admin is optional for a configured server (it may be
     * provisioned already, by someone without handing us the admin password) and required for
     * a {@code guessed} one (loopback or container: a login is what proves that the port holds
     * the database we think).
     */
    private Attempt attach(Server server, String adminUser, String adminPassword, boolean guessed) {
        Backend backend = server.backend();
        BackendSupport support = BackendSupport.of(backend);
        // The backend's name starts every reason already (Attempt.availability, discover()).
        String where = server.address() + " (" + server.origin() + ")";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), TCP_TIMEOUT_MILLIS);
        } catch (IOException e) {
            return Attempt.failed("nothing answered on " + where + ": " + e, e);
        }

        boolean provisioned = false;
        SQLException adminFailure = null;
        try (Connection admin = support.connect(support.adminJdbcUrl(server), adminUser, adminPassword, true)) {
            support.provision(admin, server);
            provisioned = true;
        } catch (SQLException e) {
            adminFailure = e;
            if (guessed) {
                return Attempt.failed("cannot log in or provision as admin '" + adminUser + "' on " + where + ": " + e, e);
            }
            LOG.info("{}: no provisioning as admin '{}' ({}); assuming {} and user {} exist",
                    backend.displayName(), adminUser, e.getMessage(), server.database(), server.user());
        }

        try {
            checkLogin(support, server);
        } catch (SQLException e) {
            if (!provisioned || !guessed || !support.isAuthFailure(e)) {
                String hint = adminFailure == null ? "" : " (admin login also failed: " + adminFailure.getMessage() + ")";
                return Attempt.failed("test user '" + server.user() + "' cannot log in to " + server.database()
                        + " on " + where + ": " + e + hint, e);
            }
            // On a guessed server the user existed with another password (an older run, another
            // checkout): restore the documented default. A configured password is never forced
            // onto the server: another JVM may be using the user with the password it has.
            try (Connection admin = support.connect(support.adminJdbcUrl(server), adminUser, adminPassword, true)) {
                LOG.info("{}: resetting the password of test user '{}'", backend.displayName(), server.user());
                support.resetPassword(admin, server);
                checkLogin(support, server);
            } catch (SQLException again) {
                return Attempt.failed("test user '" + server.user() + "' cannot log in on " + where + ": " + again, again);
            }
        }
        sweepStale(support, server);
        LOG.info("{}: using {}{}", backend.displayName(), server.describe(), provisioned ? ", provisioned" : "");
        return Attempt.ok(server);
    }

    private static void checkLogin(BackendSupport support, Server server) throws SQLException {
        try (Connection c = support.connect(support.jdbcUrl(server, null), server.user(), server.password(), true)) {
            BackendSupport.exists(c, "SELECT 1");
        }
    }

    /**
     * Drops scratch namespaces that a killed JVM left behind (older than
     * {@link ScratchNames#STALE_AFTER}), so the servers do not fill up over months of runs.
     * Best effort: a failure here must not stop the tests.
     */
    private static void sweepStale(BackendSupport support, Server server) {
        Instant now = Instant.now();
        try {
            for (String name : support.listScratch(server)) {
                if (ScratchNames.isStale(server.backend(), name, now)) {
                    LOG.info("{}: dropping stale scratch namespace {}", server.backend().displayName(), name);
                    support.dropScratch(server, name);
                }
            }
        } catch (SQLException e) {
            LOG.warn("{}: could not sweep stale scratch namespaces: {}", server.backend().displayName(), e.toString());
        }
    }

    /** One step's outcome: a server, or a reason and its cause. */
    private static final class Attempt {
        final @Nullable Server server;
        final String reason;
        final @Nullable Throwable cause;

        private Attempt(@Nullable Server server, String reason, @Nullable Throwable cause) {
            this.server = server;
            this.reason = reason;
            this.cause = cause;
        }

        static Attempt ok(Server server) {
            return new Attempt(server, "", null);
        }

        static Attempt failed(String reason, @Nullable Throwable cause) {
            return new Attempt(null, reason, cause);
        }

        Availability availability(Backend backend) {
            return server != null ? Availability.available(server)
                    : Availability.unreachable(backend, backend.displayName() + " unavailable: " + reason, cause);
        }
    }
}
