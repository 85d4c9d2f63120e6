package io.retort.tck.env;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of looking for a backend's database: the {@link Server} to use, or why there is
 * none. Discovery computes it once per JVM and configuration; {@link Decision#decide} turns it
 * into run, skip or fail.
 */
public final class Availability {

    /** Whether there is a database, and if not, whose fault it is. */
    public enum Status {
        /** A server answered, the test user logged in: tests run. */
        AVAILABLE,
        /** Nothing usable was found; tests skip, or fail when a database is required. */
        UNREACHABLE,
        /** A setting is malformed; tests always fail, because someone asked for something wrong. */
        MISCONFIGURED
    }

    private final Backend backend;
    private final Status status;
    private final @Nullable Server server;
    private final String reason;
    private final @Nullable Throwable cause;

    private Availability(Backend backend, Status status, @Nullable Server server, String reason,
            @Nullable Throwable cause) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.status = status;
        this.server = server;
        this.reason = reason;
        this.cause = cause;
    }

    /** A usable server. */
    public static Availability available(Server server) {
        return new Availability(server.backend(), Status.AVAILABLE, server, "using " + server.describe(), null);
    }

    /** No usable server; {@code reason} names the backend, where it looked and what happened. */
    public static Availability unreachable(Backend backend, String reason, @Nullable Throwable cause) {
        return new Availability(backend, Status.UNREACHABLE, null, reason, cause);
    }

    /** A setting is wrong; {@code reason} names it. */
    public static Availability misconfigured(Backend backend, String reason, @Nullable Throwable cause) {
        return new Availability(backend, Status.MISCONFIGURED, null, reason, cause);
    }

    /** The backend this is about. */
    public Backend backend() {
        return backend;
    }

    /** Available, unreachable or misconfigured. */
    public Status status() {
        return status;
    }

    /** Whether tests can run. */
    public boolean isAvailable() {
        return status == Status.AVAILABLE;
    }

    /**
     * The server to use.
     *
     * @throws IllegalStateException with the reason if there is none
     */
    public Server server() {
        if (server == null) {
            throw new IllegalStateException(reason);
        }
        return server;
    }

    /** A sentence for logs and test reports: which server is used, or why none is. */
    public String reason() {
        return reason;
    }

    /** The exception behind an unavailable backend (connect refused, login failed, …), if any. */
    public @Nullable Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        return backend.displayName() + " " + status + ": " + reason;
    }
}
