package io.retort.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.time.Duration;

/**
 * Ends, at once, the server session of a driver connection that would otherwise read a cancelled
 * result to its end before it closes. io.asyncer r2dbc-mysql (1.4.2) does: a cancelled exchange
 * keeps requesting and discarding rows until the server's last packet, and its {@code close()}
 * (COM_QUIT) waits in the driver's queue behind that exchange. Inside a transaction the server
 * holds the transaction's row locks all that time: measured in the TCK, 1.7 to 9 seconds for a
 * cancelled 300,000-row SELECT, where the other drivers took under 0.3 s. {@code KILL QUERY}
 * cannot shorten it once the server has sent the rows, and {@code KILL CONNECTION} made
 * r2dbc-mysql hang on the next query.
 *
 * <p>The socket's output is shut down (a TCP half-close): the server reads end-of-file as soon as
 * it waits for a command, ends the session and rolls back, while the driver still reads what was
 * sent, to the end, and then sees the server close. Closing the whole socket instead ended the
 * session as fast but cut the driver mid-result, and r2dbc-mysql then lost rows it had already
 * decoded (Netty leak reports: pooled direct memory never returned, on every such cancel).
 *
 * <p>Only for a connection that is being invalidated anyway ({@link Connection#cancelledMidStatement}),
 * never reused. The driver has no public way to do it: its connection's private {@code client}
 * (an {@code io.asyncer.r2dbc.mysql.client.ReactorNettyClient}), that client's reactor-netty
 * connection and lifecycle state are found reflectively, once per class; where that fails
 * (another driver version, a driver on the module path that does not open its packages) nothing is
 * done, with a DEBUG log, and the connection is closed the driver's way, as before.
 */
final class TransportClose {
    private static final Logger LOG = LoggerFactory.getLogger(TransportClose.class);

    private TransportClose() {
    }

    /** How the transport holder ({@code client}) is read from a driver connection. */
    private record Closer(MethodHandle client) {
    }

    /**
     * The driver client's lifecycle field and its values, and its Netty channel. The close is
     * announced there first (CONNECTED to CLOSING, as the driver's own {@code close()} does once it
     * sends COM_QUIT), so the driver takes the server's close for the close it expected: without
     * it, it logged "Connection unexpectedly closed" at WARN for every cancelled transaction.
     */
    private record ClientState(VarHandle state, int connected, int closing, int closed, MethodHandle channel) {
    }

    private static final ClassValue<Closer> CLOSER = new ClassValue<>() {
        @Override
        protected Closer computeValue(Class<?> type) {
            if (!type.getName().equals("io.asyncer.r2dbc.mysql.MySqlSimpleConnection")) {
                return null;
            }
            try {
                Field f = type.getDeclaredField("client");
                f.setAccessible(true);
                return new Closer(MethodHandles.lookup().unreflectGetter(f));
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable(type, e);
                return null;
            }
        }
    };

    private static final ClassValue<ClientState> STATE = new ClassValue<>() {
        @Override
        protected ClientState computeValue(Class<?> type) {
            try {
                // privateLookupIn: unreflectVarHandle ignores setAccessible and checks access as this class.
                VarHandle state = MethodHandles.privateLookupIn(type, MethodHandles.lookup()).findVarHandle(type, "state", int.class);
                Field connection = type.getDeclaredField("connection");
                connection.setAccessible(true);
                MethodHandle channel = MethodHandles.filterReturnValue(MethodHandles.lookup().unreflectGetter(connection),
                        MethodHandles.publicLookup().findVirtual(connection.getType(), "channel",
                                MethodType.methodType(Class.forName("io.netty.channel.Channel", false, type.getClassLoader()))));
                return new ClientState(state, constant(type, "ST_CONNECTED"),
                        constant(type, "ST_CLOSING"), constant(type, "ST_CLOSED"), channel);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable(type, e);
                return null;
            }
        }
    };

    /** {@code DuplexChannel.shutdownOutput()} for a Netty channel class, or null. */
    private static final ClassValue<MethodHandle> SHUTDOWN_OUTPUT = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                Class<?> duplex = Class.forName("io.netty.channel.socket.DuplexChannel", false, type.getClassLoader());
                if (!duplex.isAssignableFrom(type)) {
                    return null;
                }
                return MethodHandles.publicLookup().findVirtual(duplex, "shutdownOutput",
                        MethodType.methodType(Class.forName("io.netty.channel.ChannelFuture", false, type.getClassLoader())));
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable(type, e);
                return null;
            }
        }
    };

    private static int constant(Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f.getInt(null);
    }

    private static void unavailable(Class<?> type, Throwable e) {
        LOG.debug("cannot close the socket of {} directly (another driver version, or a module that does not open its"
                + " package); a cancelled result is read to its end before the connection closes: {}", type.getName(), e.toString());
    }

    /** How long {@link #closed} waits for the driver to see the connection end (it reads the rest first). */
    private static final Duration NOTED_WAIT = Duration.ofSeconds(30);

    /**
     * Shuts down {@code physical}'s socket output now, if its driver is one that reads a cancelled
     * result to its end (see the class comment) and nothing is closing it yet; non-blocking. Never
     * throws.
     *
     * @return whether it did: the driver's own {@code close()} must then wait for {@link #closed}
     */
    static boolean endSessionNow(io.r2dbc.spi.Connection physical) {
        Closer c = CLOSER.get(physical.getClass());
        if (c == null) {
            return false;
        }
        try {
            Object client = c.client().invoke(physical);
            ClientState s = STATE.get(client.getClass());
            if (s == null || !s.state().compareAndSet(client, s.connected(), s.closing())) {
                return false; // unknown client, or the driver is closing it already
            }
            Object channel = s.channel().invoke(client);
            MethodHandle shutdown = SHUTDOWN_OUTPUT.get(channel.getClass());
            if (shutdown == null) {
                s.state().compareAndSet(client, s.closing(), s.connected());
                return false;
            }
            shutdown.invoke(channel);
            return true;
        } catch (Throwable e) {
            LOG.debug("shutting down the socket output of a cancelled connection failed: {}", e.toString());
            return false;
        }
    }

    /**
     * Completes once the driver has seen the server close the connection after {@link #endSessionNow}
     * (its client is CLOSED), at most {@link #NOTED_WAIT} (the driver first reads what the server
     * sent). Its {@code close()} is then a no-op; called earlier, r2dbc-mysql queues a COM_QUIT
     * behind the cancelled exchange and logs its failure at ERROR, with a stack trace, when the
     * connection's end disposes that queue.
     */
    static Mono<Void> closed(io.r2dbc.spi.Connection physical) {
        Closer c = CLOSER.get(physical.getClass());
        if (c == null) {
            return Mono.empty();
        }
        Object client;
        try {
            client = c.client().invoke(physical);
        } catch (Throwable e) {
            return Mono.empty();
        }
        ClientState s = STATE.get(client.getClass());
        if (s == null) {
            return Mono.empty();
        }
        java.util.function.BooleanSupplier noted = () -> (int) s.state().getVolatile(client) == s.closed();
        if (noted.getAsBoolean()) {
            return Mono.empty();
        }
        // Polled: the driver signals its end to nobody outside. Rare (one cancelled transaction), short (a few ms).
        return Flux.interval(Duration.ofMillis(2)).filter(i -> noted.getAsBoolean()).next().then()
                .timeout(NOTED_WAIT, Mono.fromRunnable(() -> LOG.debug("the driver did not take note of a closed socket"
                        + " within {}; closing the connection anyway", NOTED_WAIT)));
    }
}
