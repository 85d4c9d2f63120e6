package io.retort.engine;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

/**
 * Asks the server to stop the statement a cancelled subscriber left running, where the driver
 * offers a way that needs no second pooled connection: r2dbc-postgresql's
 * {@code PostgresqlConnection.cancelRequest()} (a PostgreSQL CancelRequest on its own socket).
 * Without it the server keeps executing a cancelled query (a {@code pg_sleep}, a long report)
 * until it next writes to the closed socket, holding its locks and its transaction open that
 * long (r2dbc-postgresql #121/#251). Looked up reflectively: the engine imports no driver.
 * Best effort: failures are ignored, the connection is closed either way.
 */
final class ServerCancel {
    private ServerCancel() {
    }

    private static final ClassValue<MethodHandle> CANCEL = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            for (Class<?> i : type.getInterfaces()) {
                if (i.getName().equals("io.r2dbc.postgresql.api.PostgresqlConnection")) {
                    try {
                        return MethodHandles.publicLookup().findVirtual(i, "cancelRequest", MethodType.methodType(Mono.class));
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /** Sends the driver's out-of-band cancel for {@code physical}, if it has one; never throws. */
    static void request(io.r2dbc.spi.Connection physical) {
        MethodHandle h = CANCEL.get(physical.getClass());
        if (h == null) {
            return;
        }
        try {
            Publisher<?> p = (Publisher<?>) h.invoke(physical);
            Mono.from(p).subscribeOn(Schedulers.boundedElastic()).timeout(Duration.ofSeconds(5))
                    .onErrorResume(e -> Mono.empty()).subscribe();
        } catch (Throwable e) {
            // Best effort: closing the connection ends the statement later anyway.
        }
    }
}
