package io.retort.tck.suite;

import io.retort.tck.env.Backend;
import io.retort.tck.env.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts this machine's own database servers for the restart chaos test (RELIABILITY
 * L5): PostgreSQL through Debian's {@code pg_ctlcluster} ({@code -m fast} or {@code -m immediate}),
 * MariaDB by SIGTERM to {@code mariadbd} and {@code start-stop-daemon}. Only for a server on
 * 127.0.0.1 whose tools are installed here ({@link #controls}); every wait is bounded, and
 * {@link #ensureRunning} starts a server that is down, so a test can always leave both running.
 */
public final class LocalServers {
    /** How a server is stopped. */
    public enum Stop {
        /** {@code pg_ctlcluster ... stop -m fast}: sessions terminated, clean shutdown. */
        PG_FAST,
        /** {@code pg_ctlcluster ... stop -m immediate}: no clean shutdown, crash recovery at start. */
        PG_IMMEDIATE,
        /** SIGTERM to {@code mariadbd}: its normal shutdown. */
        MARIADB_TERM
    }

    private static final Path MARIADBD = Path.of("/usr/sbin/mariadbd");
    private static final Path MARIADB_PID = Path.of("/run/mysqld/mysqld.pid");
    private static final Duration COMMAND = Duration.ofSeconds(90);

    private LocalServers() {
    }

    /** Whether this machine runs {@code db}'s server itself and can stop and start it. */
    public static boolean controls(TestDatabase db) {
        boolean local = "127.0.0.1".equals(db.host()) || "localhost".equals(db.host());
        switch (db.backend()) {
            case POSTGRES:
                return local && db.port() == 5432 && pgVersion() != null;
            case MARIADB:
                return local && db.port() == 3306 && Files.isExecutable(MARIADBD);
            default:
                return false;
        }
    }

    /**
     * The stop modes of {@code backend} to cycle through: PostgreSQL's {@code fast} and
     * {@code immediate}, starting with {@code pgFirst}; MariaDB's SIGTERM.
     */
    public static List<Stop> modes(Backend backend, String pgFirst) {
        if (backend != Backend.POSTGRES) {
            return List.of(Stop.MARIADB_TERM);
        }
        switch (pgFirst) {
            case "fast":
                return List.of(Stop.PG_FAST, Stop.PG_IMMEDIATE);
            case "immediate":
                return List.of(Stop.PG_IMMEDIATE, Stop.PG_FAST);
            default:
                throw new IllegalArgumentException("a PostgreSQL stop mode is fast or immediate, not " + pgFirst);
        }
    }

    /** The only cluster version under {@code /etc/postgresql} (15 here), or null. */
    static String pgVersion() {
        Path etc = Path.of("/etc/postgresql");
        if (!Files.isDirectory(etc)) {
            return null;
        }
        try (java.util.stream.Stream<Path> s = Files.list(etc)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .filter(n -> Files.isDirectory(etc.resolve(n).resolve("main"))).sorted().reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops the server in {@code mode}; returns once it is down (its process gone). */
    public static void stop(Stop mode) {
        switch (mode) {
            case PG_FAST:
            case PG_IMMEDIATE:
                run("pg_ctlcluster", "--skip-systemctl-redirect", pgVersion(), "main", "stop", "-m",
                        mode == Stop.PG_FAST ? "fast" : "immediate");
                await(() -> !ready(Backend.POSTGRES), "PostgreSQL down");
                break;
            case MARIADB_TERM:
                long pid = mariadbPid();
                run("kill", "-TERM", Long.toString(pid));
                await(() -> !Files.exists(Path.of("/proc", Long.toString(pid))), "mariadbd " + pid + " exited");
                break;
            default:
                throw new IllegalArgumentException(String.valueOf(mode));
        }
    }

    /** Starts {@code backend}'s server and waits until it answers. */
    public static void start(Backend backend) {
        if (backend == Backend.POSTGRES) {
            run("pg_ctlcluster", "--skip-systemctl-redirect", pgVersion(), "main", "start");
        } else {
            // --background detaches it (its own session, output to /dev/null): it outlives this JVM.
            run("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", MARIADBD.toString());
        }
        await(() -> ready(backend), backend.displayName() + " ready");
    }

    /** Starts {@code backend}'s server if it does not answer; a no-op when it does. */
    public static void ensureRunning(Backend backend) {
        if (!ready(backend)) {
            start(backend);
        }
    }

    /** Whether the server accepts connections: {@code pg_isready}, {@code mariadb-admin ping}. */
    public static boolean ready(Backend backend) {
        if (backend == Backend.POSTGRES) {
            return exit("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432") == 0;
        }
        return exit("mariadb-admin", "--connect-timeout=2", "-h", "127.0.0.1", "-P", "3306", "-uroot", "ping") == 0;
    }

    private static long mariadbPid() {
        try {
            return Long.parseLong(Files.readString(MARIADB_PID).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no mariadbd pid in " + MARIADB_PID, e);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + COMMAND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + COMMAND + " for " + what);
            }
            FaultKit.sleep(100);
        }
    }

    private static void run(String... command) {
        int rc = exit(command);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + rc);
        }
    }

    /** Runs {@code command} to its end (bounded), output discarded; its exit code. */
    private static int exit(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + COMMAND);
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command[0], e);
        }
    }
}
