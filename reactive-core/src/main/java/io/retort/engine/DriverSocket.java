package io.retort.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * The socket under a driver connection, for closing it when the driver's own {@code close()}
 * does not (RELIABILITY F15, F17, F32). The reactor-netty drivers close their channel only at
 * the end of a conversation they can no longer finish: r2dbc-mysql 1.4.2 queues COM_QUIT
 * behind an exchange whose answer was lost (a silent link, a pre-ping that never answers, a
 * row whose corrupted length announces bytes that never come), so its close waits forever;
 * r2dbc-postgresql 1.0.9, after a message it cannot decode, completes its close without closing
 * the channel. Either way the TCP connection and its server session outlive the connection
 * Retort discarded. No public API of theirs closes the transport, so it is reached reflectively:
 * the driver connection's {@code client} field, and in that object the field of type
 * {@code reactor.netty.Connection}, whose {@code channel().close()} closes the socket on the
 * channel's event loop (a FIN; the server ends the session). The same shape holds for
 * r2dbc-mysql ({@code MySqlSimpleConnection} / {@code ReactorNettyClient}), r2dbc-postgresql
 * ({@code PostgresqlConnection} / {@code ReactorNettyClient}) and r2dbc-mariadb
 * ({@code MariadbConnection} / {@code SimpleClient}).
 *
 * <p>Found once per class ({@link ClassValue}), as {@link ServerCancel} finds its methods. A
 * driver of another shape (H2, the JDBC bridge, a driver upgrade that renamed the fields, a
 * module that does not open its package) gets today's behaviour, with one DEBUG line naming
 * the class; the network-fault TCK fails on the drivers above if the socket stays open.
 * Never throws, never blocks: the close is handed to the event loop.
 */
final class DriverSocket {
    private static final Logger LOG = LoggerFactory.getLogger(DriverSocket.class);
    private static final String NETTY_CONNECTION = "reactor.netty.Connection";

    /** Reads the driver connection's {@code client} field; null when the class has none we can read. */
    private static final ClassValue<MethodHandle> CLIENT = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            Field f = field(type, "client", null);
            MethodHandle getter = f == null ? null : getter(f);
            if (getter == null) {
                LOG.debug("{} has no readable 'client' field: its socket cannot be closed past its close()", type.getName());
            }
            return getter;
        }
    };

    /** How a client object reaches its channel; {@link ChannelAccess#NONE} when it holds no reactor-netty connection. */
    private static final ClassValue<ChannelAccess> CHANNEL = new ClassValue<>() {
        @Override
        protected ChannelAccess computeValue(Class<?> type) {
            Field f = field(type, null, NETTY_CONNECTION);
            MethodHandle getter = f == null ? null : getter(f);
            if (getter == null) {
                LOG.debug("{} holds no readable {}: its socket cannot be closed past its close()", type.getName(),
                        NETTY_CONNECTION);
                return ChannelAccess.NONE;
            }
            try {
                MethodHandles.Lookup pub = MethodHandles.publicLookup();
                Class<?> channelType = f.getType().getMethod("channel").getReturnType();
                MethodHandle channel = pub.findVirtual(f.getType(), "channel", MethodType.methodType(channelType));
                MethodHandle isOpen = pub.findVirtual(channelType, "isOpen", MethodType.methodType(boolean.class));
                MethodHandle close = pub.findVirtual(channelType, "close",
                        MethodType.methodType(channelType.getMethod("close").getReturnType()));
                return new ChannelAccess(
                        MethodHandles.filterReturnValue(getter, channel.asType(MethodType.methodType(Object.class, Object.class))),
                        isOpen.asType(MethodType.methodType(boolean.class, Object.class)),
                        close.asType(MethodType.methodType(void.class, Object.class)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("no socket close for {}: {}", type.getName(), e.toString());
                return ChannelAccess.NONE;
            }
        }
    };

    /**
     * A client class's way to its netty channel ({@code channel} reads the client's
     * {@code reactor.netty.Connection} and calls its {@code channel()}), and the channel's
     * {@code isOpen()} and {@code close()}.
     */
    private record ChannelAccess(MethodHandle channel, MethodHandle isOpen, MethodHandle close) {
        static final ChannelAccess NONE = new ChannelAccess(null, null, null);
    }

    /** A driver connection's netty channel, with the methods to use on it. */
    private record Socket(ChannelAccess access, Object channel) {
        boolean isOpen() throws Throwable {
            return (boolean) access.isOpen().invokeExact(channel);
        }

        void close() throws Throwable {
            access.close().invokeExact(channel);
        }
    }

    private DriverSocket() {
    }

    /** The socket under {@code physical} (a driver connection, not a pool's wrapper), or null if unknown. */
    private static Socket socket(io.r2dbc.spi.Connection physical) {
        MethodHandle client = CLIENT.get(physical.getClass());
        if (client == null) {
            return null;
        }
        try {
            Object c = (Object) client.invokeExact((Object) physical);
            if (c == null) {
                return null;
            }
            ChannelAccess access = CHANNEL.get(c.getClass());
            if (access.channel() == null) {
                return null;
            }
            Object channel = (Object) access.channel().invokeExact(c);
            return channel == null ? null : new Socket(access, channel);
        } catch (Throwable e) {
            LOG.debug("reading the socket of {} failed: {}", physical.getClass().getName(), e.toString());
            return null;
        }
    }

    /** Whether Retort can close {@code physical}'s socket itself (its driver has the shape above). */
    static boolean reachable(io.r2dbc.spi.Connection physical) {
        return socket(physical) != null;
    }

    /**
     * Whether {@code physical}'s socket is open: {@code TRUE} or {@code FALSE}, or null when
     * Retort cannot see it (not a driver of the shape above).
     */
    static Boolean isOpen(io.r2dbc.spi.Connection physical) {
        Socket s = socket(physical);
        if (s == null) {
            return null;
        }
        try {
            return s.isOpen();
        } catch (Throwable e) {
            LOG.debug("asking whether the socket of {} is open failed: {}", physical.getClass().getName(), e.toString());
            return null;
        }
    }

    /**
     * Closes {@code physical}'s socket if it is still open; true when a close was started. The
     * close runs on the channel's event loop, after whatever that loop is doing.
     */
    static boolean closeIfOpen(io.r2dbc.spi.Connection physical) {
        Socket s = socket(physical);
        if (s == null) {
            return false;
        }
        try {
            if (!s.isOpen()) {
                return false;
            }
            s.close();
            return true;
        } catch (Throwable e) {
            LOG.debug("closing the socket of {} failed: {}", physical.getClass().getName(), e.toString());
            return false;
        }
    }

    /**
     * The instance field of {@code type} or a superclass named {@code name} (when not null) or
     * declared as the type named {@code typeName} (when not null); null if none.
     */
    private static Field field(Class<?> type, String name, String typeName) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                if ((name == null || f.getName().equals(name)) && (typeName == null || f.getType().getName().equals(typeName))) {
                    return f;
                }
            }
        }
        return null;
    }

    /** A getter for {@code f} typed {@code (Object)Object}, or null when its package is not open to Retort. */
    private static MethodHandle getter(Field f) {
        try {
            MethodHandles.Lookup in = MethodHandles.privateLookupIn(f.getDeclaringClass(), MethodHandles.lookup());
            return in.unreflectGetter(f).asType(MethodType.methodType(Object.class, Object.class));
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.debug("cannot read {}.{}: {}", f.getDeclaringClass().getName(), f.getName(), e.toString());
            return null;
        }
    }
}
