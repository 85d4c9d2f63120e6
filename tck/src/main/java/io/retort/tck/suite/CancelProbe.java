package io.retort.tck.suite;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A driver's connection factory that records when each server cancel the engine sends is open,
 * as the driver sees it, so a test can tell how many were open at once: a KILL QUERY connection
 * (MariaDB, MySQL) from the start of its connect to the end of its close, a PostgreSQL
 * CancelRequest from the subscription to the end of {@code cancelRequest()}. The engine is made
 * over this factory, so its KILL connections (from the factory under its pool) come from here
 * too. Connections are dynamic proxies implementing every interface of the driver's connection
 * (so the engine still finds {@code PostgresqlConnection.cancelRequest()} or r2dbc-mariadb's
 * {@code getThreadId()} on them) and nothing else is changed. Times are only compared with each
 * other, never with a bound.
 */
final class CancelProbe implements ConnectionFactory {
    private final ConnectionFactory driver;
    /** Every server cancel seen: KILL connections and CancelRequests. */
    private final List<Span> cancels = new CopyOnWriteArrayList<>();

    CancelProbe(ConnectionFactory driver) {
        this.driver = driver;
    }

    /** How long one connection or one CancelRequest was open; {@code end} 0 while still open. */
    private static final class Span {
        final long start = System.nanoTime();
        volatile long end;
    }

    @Override
    public Publisher<? extends Connection> create() {
        return Mono.defer(() -> {
            Span span = new Span();
            return Mono.from(driver.create()).map(c -> proxy(c, span));
        });
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return driver.getMetadata();
    }

    /** Server cancels seen so far. */
    int cancels() {
        return cancels.size();
    }

    /** Server cancels still open. */
    long stillOpen() {
        return cancels.stream().filter(s -> s.end == 0).count();
    }

    /** The most server cancels that were open at one moment (one still open counts as open until now). */
    int maxOpenAtOnce() {
        List<long[]> events = new ArrayList<>();
        for (Span s : cancels) {
            events.add(new long[] {s.start, 1});
            events.add(new long[] {s.end == 0 ? Long.MAX_VALUE : s.end, -1});
        }
        // Ends before starts at the same instant: touching spans do not overlap.
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int open = 0;
        int max = 0;
        for (long[] e : events) {
            open += (int) e[1];
            max = Math.max(max, open);
        }
        return max;
    }

    private Connection proxy(Connection real, Span span) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = real.getClass(); c != null; c = c.getSuperclass()) {
            collect(c, interfaces);
        }
        // Not Wrapped: the engine unwraps to the driver's own connection, which must be this proxy.
        interfaces.remove(Wrapped.class);
        InvocationHandler h = (proxy, m, args) -> {
            switch (m.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "CancelProbe(" + real + ")";
                case "createStatement":
                    if (args[0] instanceof String sql && sql.startsWith("KILL")) {
                        cancels.add(span); // a KILL connection: open since its connect began
                    }
                    break;
                case "close":
                    return ended(Mono.from((Publisher<?>) call(real, m, args)).then(), span);
                case "cancelRequest":
                    return Mono.defer(() -> {
                        Span request = new Span();
                        cancels.add(request);
                        Publisher<?> sent;
                        try {
                            sent = (Publisher<?>) call(real, m, args);
                        } catch (Throwable e) {
                            request.end = System.nanoTime();
                            return Mono.error(e);
                        }
                        return ended(Mono.from(sent).then(), request);
                    });
                default:
            }
            return call(real, m, args);
        };
        return (Connection) Proxy.newProxyInstance(CancelProbe.class.getClassLoader(), interfaces.toArray(new Class<?>[0]), h);
    }

    /**
     * {@code m}, marking {@code span} ended before its end reaches the subscriber (not doFinally, which
     * runs after: the engine could have started its next cancel by then, and the spans would overlap).
     */
    private static Mono<Void> ended(Mono<Void> m, Span span) {
        return m.doOnTerminate(() -> span.end = System.nanoTime()).doOnCancel(() -> span.end = System.nanoTime());
    }

    private static void collect(Class<?> type, Set<Class<?>> into) {
        for (Class<?> i : type.getInterfaces()) {
            if (java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                into.add(i);
            }
            collect(i, into);
        }
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
