package io.retort.tck.env;

import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts a PostgreSQL or MariaDB container when nothing else is there and a Docker engine runs.
 *
 * <p>Testcontainers is an optional dependency of the tck: this class is the only one that
 * names its types, and {@link Discovery} loads it only after checking that Testcontainers is
 * on the classpath, so modules that use the harness without it never see a
 * {@code NoClassDefFoundError}. Its methods take and return only the harness's own types for
 * the same reason.
 */
final class ContainerServers {

    /** The lowest supported versions (DESIGN.md), as in CI. */
    static final String POSTGRES_IMAGE = "postgres:15";
    static final String MARIADB_IMAGE = "mariadb:10.11";

    private static final String ADMIN_PASSWORD = "retort-admin";

    private ContainerServers() {
    }

    /** A started container: where it listens and its admin account. */
    record Started(Server server, String adminUser, String adminPassword) {
    }

    /** Whether a Docker engine answers; Testcontainers logs why when it does not. */
    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * Starts a container for {@code backend} and returns the server in it. The container lives
     * until the JVM exits (Testcontainers' Ryuk, or the shutdown hook when Ryuk is off).
     */
    static Started start(Backend backend) {
        JdbcDatabaseContainer<?> container;
        String adminUser;
        int port;
        if (backend == Backend.POSTGRES) {
            container = new PostgreSQLContainer<>(DockerImageName.parse(POSTGRES_IMAGE))
                    .withUsername("postgres").withPassword(ADMIN_PASSWORD).withDatabaseName("postgres");
            adminUser = "postgres";
            port = PostgreSQLContainer.POSTGRESQL_PORT;
        } else if (backend == Backend.MARIADB) {
            // Username root + password: the container sets MARIADB_ROOT_PASSWORD and makes no other user.
            container = new MariaDBContainer<>(DockerImageName.parse(MARIADB_IMAGE))
                    .withUsername("root").withPassword(ADMIN_PASSWORD).withDatabaseName("mysql");
            adminUser = "root";
            port = 3306;
        } else {
            throw new IllegalArgumentException(backend + " runs in process");
        }
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "retort-tck-stop-" + backend));
        String image = backend == Backend.POSTGRES ? POSTGRES_IMAGE : MARIADB_IMAGE;
        Server server = new Server(backend, Server.Source.TESTCONTAINERS, "Testcontainers " + image,
                container.getHost(), container.getMappedPort(port), Server.DEFAULT_DATABASE,
                Server.DEFAULT_USER, Server.DEFAULT_PASSWORD, Map.of(), Map.of(), backend.defaultDriver());
        return new Started(server, adminUser, ADMIN_PASSWORD);
    }
}
