package io.retort.tck.env;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP proxy between a driver and a real server, for the network faults of
 * RELIABILITY §(b) (F5, F13, F15-F18, F32): there is no netem or toxiproxy on the test machines, so
 * the faults come from inside the JVM (the pattern of Vert.x's {@code ProxyServer}). It listens
 * on 127.0.0.1 on an ephemeral port and opens one connection to the server per accepted client
 * connection (a {@link Link}); tests point a driver at {@link #port()}.
 *
 * <p>Each direction of each link forwards according to its {@link Fault}: {@link Fault#pass()}
 * by default, or holding, black-holing, delaying the first bytes, closing both sockets after a
 * number of bytes (with a FIN or an RST), corrupting a byte, or throttling to a byte rate. Faults set with
 * {@link #fault(Direction, Fault)} apply to the links open then and to every link accepted
 * later; {@link #faultForNewLinks} only to later ones; {@link Link#fault} to one link;
 * {@link #refuseNew} resets new connections at once, as a stopped server's port would. Byte
 * offsets count from the moment the fault was set on a link (for a new link, from its start),
 * so a fault set between statements on a pooled connection counts the next statement's bytes.
 *
 * <p>Threads, blocking sockets: two daemon threads per link, one per direction, and one that
 * accepts. {@link #close()} closes every socket and ends them. Always close it in a
 * {@code finally} (or try-with-resources).
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
 *     ConnectionFactoryOptions o = db.options(driver).mutate()
 *             .option(HOST, proxy.host()).option(PORT, proxy.port()).build();
 *     ... run a query, then:
 *     proxy.fault(Direction.TO_CLIENT, Fault.blackhole());   // silence from the server
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

    /** Which way bytes flow through a link. */
    public enum Direction {
        /** From the driver to the server (queries, the login). */
        TO_SERVER,
        /** From the server to the driver (results, the greeting). */
        TO_CLIENT
    }

    /** How a link is closed when a {@link Fault#cutAfter cut} fires. */
    public enum Cut {
        /** An orderly close: both peers read end of stream. */
        FIN,
        /** An abortive close (SO_LINGER 0): both peers read "connection reset". */
        RST
    }

    /**
     * What one direction of a link does with the bytes it reads. Immutable; made by the static
     * factories.
     */
    public static final class Fault {
        private enum Kind { PASS, HOLD, BLACKHOLE, DELAY_FIRST, CUT, CORRUPT, THROTTLE }

        private final Kind kind;
        private final long amount;
        private final Cut cut;
        private final byte[] marker;
        private final int relative;
        private final byte[] replacement;

        private Fault(Kind kind, long amount, Cut cut, byte[] marker, int relative, byte[] replacement) {
            this.kind = kind;
            this.amount = amount;
            this.cut = cut;
            this.marker = marker;
            this.relative = relative;
            this.replacement = replacement;
        }

        /** Forward everything (the default). */
        public static Fault pass() {
            return new Fault(Kind.PASS, 0, null, null, 0, null);
        }

        /** Keep what arrives, unsent, until the fault changes (then it goes on in order). */
        public static Fault hold() {
            return new Fault(Kind.HOLD, 0, null, null, 0, null);
        }

        /**
         * Read and drop everything: silence, with both sockets open. A close by either peer still
         * closes the link (a real partition would leave the server to its TCP keepalive; here a
         * client that gives up ends its server session, so tests can check that it did).
         */
        public static Fault blackhole() {
            return new Fault(Kind.BLACKHOLE, 0, null, null, 0, null);
        }

        /** Forward {@code bytes} more bytes, then drop everything, as {@link #blackhole()} (mid-result silence). */
        public static Fault blackholeAfter(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
            }
            return new Fault(Kind.CUT, bytes, null, null, 0, null);
        }

        /** Hold a new link's first bytes until {@code delay} after the link opened, then pass. */
        public static Fault delayFirstBytes(Duration delay) {
            return new Fault(Kind.DELAY_FIRST, delay.toMillis(), null, null, 0, null);
        }

        /**
         * Forward {@code bytes} more bytes, then close both sockets of the link, when the next
         * byte arrives (so {@code 0} forwards nothing of what comes next).
         */
        public static Fault cutAfter(long bytes, Cut how) {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
            }
            return new Fault(Kind.CUT, bytes, how, null, 0, null);
        }

        /**
         * Forward at most {@code bytesPerSecond}, in slices of a twentieth of a second: a slow
         * link (RELIABILITY F18). What the pump has not sent yet stays unread in the socket, so
         * the sender sees TCP backpressure, as behind a real slow link.
         */
        public static Fault throttle(long bytesPerSecond) {
            if (bytesPerSecond < 20) {
                throw new IllegalArgumentException("bytesPerSecond must be >= 20, got " + bytesPerSecond);
            }
            return new Fault(Kind.THROTTLE, bytesPerSecond, null, null, 0, null);
        }

        /**
         * Overwrite the bytes at {@code relative} from the first occurrence of {@code marker}
         * with {@code replacement}, once, then pass. The marker, the overwritten bytes and the
         * replacement must arrive in one read (keep the response small: on loopback a small
         * response arrives whole); {@link Link#corruptions()} tells whether it happened.
         */
        public static Fault corrupt(byte[] marker, int relative, byte[] replacement) {
            return new Fault(Kind.CORRUPT, 0, null, marker.clone(), relative, replacement.clone());
        }

        @Override
        public String toString() {
            switch (kind) {
                case DELAY_FIRST: return "delayFirstBytes(" + amount + " ms)";
                case CUT: return cut == null ? "blackholeAfter(" + amount + ")" : "cutAfter(" + amount + ", " + cut + ")";
                case CORRUPT: return "corrupt(at " + relative + " from a marker)";
                case THROTTLE: return "throttle(" + amount + " B/s)";
                default: return kind.name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Fault[] forNew = {Fault.pass(), Fault.pass()};
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean closed;

    private FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "retort-fault-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on 127.0.0.1 (ephemeral port) to {@code host:port}, passing everything until told otherwise. */
    public static FaultProxy start(String host, int port) {
        try {
            return new FaultProxy(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1: " + e, e);
        }
    }

    /** The address to connect to instead of the server: {@code 127.0.0.1}. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The port to connect to instead of the server's. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Sets {@code fault} on {@code direction} of every open link and of every link accepted later. */
    public FaultProxy fault(Direction direction, Fault fault) {
        faultForNewLinks(direction, fault);
        for (Link l : links) {
            l.fault(direction, fault);
        }
        return this;
    }

    /** Sets {@code fault} on {@code direction} of links accepted from now on; open links keep theirs. */
    public FaultProxy faultForNewLinks(Direction direction, Fault fault) {
        synchronized (forNew) {
            forNew[direction.ordinal()] = fault;
        }
        return this;
    }

    /** Back to passing everything, on open links and new ones (bytes held so far go on). */
    public FaultProxy heal() {
        return fault(Direction.TO_SERVER, Fault.pass()).fault(Direction.TO_CLIENT, Fault.pass());
    }

    /**
     * While on, every new client connection is reset (RST) as soon as it is accepted, before any
     * byte and without connecting to the server: to a driver, a stopped server (RELIABILITY F13).
     * Open links are untouched; close them with {@link Link#close}.
     */
    public FaultProxy refuseNew(boolean on) {
        refusing = on;
        return this;
    }

    /** How many client connections {@link #refuseNew} has reset so far. */
    public int refusedLinks() {
        return refused.get();
    }

    /** The links not yet closed, oldest first. */
    public List<Link> openLinks() {
        return links.stream().filter(l -> !l.isClosed()).toList();
    }

    /** How many client connections this proxy has accepted. */
    public int acceptedLinks() {
        return accepted.get();
    }

    /** Bytes forwarded in {@code direction}, over all links so far. */
    public long bytes(Direction direction) {
        return links.stream().mapToLong(l -> l.bytes(direction)).sum();
    }

    /** Closes the listener and every link. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a test listener
        }
        for (Link l : links) {
            l.close(Cut.FIN);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refusing) {
                refused.incrementAndGet();
                try {
                    client.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // already closed
                }
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Fault toServer;
            Fault toClient;
            synchronized (forNew) {
                toServer = forNew[Direction.TO_SERVER.ordinal()];
                toClient = forNew[Direction.TO_CLIENT.ordinal()];
            }
            Link link = new Link(accepted.get(), client, server, toServer, toClient);
            links.add(link);
            if (closed) {
                link.close(Cut.FIN);
                return;
            }
            link.start();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    /** One proxied connection: the driver's socket, the proxy's socket to the server, a pump each way. */
    public static final class Link {
        private final int id;
        private final Socket client;
        private final Socket server;
        private final long openedAt = System.nanoTime();
        private final Pump[] pumps = new Pump[2];
        private volatile boolean closed;
        private final AtomicInteger corruptions = new AtomicInteger();
        private final AtomicInteger cuts = new AtomicInteger();

        private Link(int id, Socket client, Socket server, Fault toServer, Fault toClient) {
            this.id = id;
            this.client = client;
            this.server = server;
            pumps[Direction.TO_SERVER.ordinal()] = new Pump(Direction.TO_SERVER, client, server, toServer);
            pumps[Direction.TO_CLIENT.ordinal()] = new Pump(Direction.TO_CLIENT, server, client, toClient);
        }

        private void start() {
            for (Pump p : pumps) {
                Thread t = new Thread(p, "retort-fault-proxy-link-" + id + "-" + p.direction.name().toLowerCase(java.util.Locale.ROOT));
                t.setDaemon(true);
                t.start();
            }
        }

        /** Sets {@code fault} on one direction of this link; offsets count from now. */
        public Link fault(Direction direction, Fault fault) {
            pumps[direction.ordinal()].set(fault);
            return this;
        }

        /** Bytes forwarded in {@code direction} so far. */
        public long bytes(Direction direction) {
            return pumps[direction.ordinal()].forwarded.get();
        }

        /** How many {@link Fault#corrupt corruptions} were applied on this link. */
        public int corruptions() {
            return corruptions.get();
        }

        /** Whether a {@link Fault#cutAfter cut} closed this link. */
        public boolean wasCut() {
            return cuts.get() > 0;
        }

        /** Whether both sockets are closed (by a peer, a cut or the proxy). */
        public boolean isClosed() {
            return closed;
        }

        /** Closes both sockets, abortively for {@link Cut#RST}. Idempotent. */
        public void close(Cut how) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                notifyAll(); // wakes a pump that holds bytes
            }
            for (Socket s : new Socket[] {client, server}) {
                try {
                    if (how == Cut.RST) {
                        s.setSoLinger(true, 0);
                    }
                } catch (IOException ignored) {
                    // already closed
                }
                closeQuietly(s);
            }
        }

        @Override
        public String toString() {
            return "Link#" + id + "[toServer=" + bytes(Direction.TO_SERVER) + " B, toClient=" + bytes(Direction.TO_CLIENT)
                    + " B" + (closed ? ", closed" : "") + "]";
        }

        /** Copies one direction, applying its fault to each chunk read. */
        private final class Pump implements Runnable {
            private final Direction direction;
            private final Socket from;
            private final Socket to;
            private final AtomicLong forwarded = new AtomicLong();
            private Fault fault;
            /** Bytes read (forwarded or dropped) when the fault was set: its offsets count from here. */
            private volatile long base;
            /** Bytes read so far; written by the pump's thread only. */
            private volatile long read;

            Pump(Direction direction, Socket from, Socket to, Fault fault) {
                this.direction = direction;
                this.from = from;
                this.to = to;
                this.fault = fault;
            }

            void set(Fault f) {
                synchronized (Link.this) {
                    fault = f;
                    base = read;
                    Link.this.notifyAll();
                }
            }

            @Override
            public void run() {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (!forward(buf, n, out)) {
                            return;
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // a peer closed or reset: the link ends below
                } finally {
                    close(Cut.FIN);
                }
            }

            /** Handles one chunk under the current fault; false when the link was cut or closed. */
            private boolean forward(byte[] buf, int n, OutputStream out) throws IOException, InterruptedException {
                int off = 0;
                while (off < n) {
                    Fault f;
                    long sinceSet;
                    synchronized (Link.this) {
                        while (!closed && fault.kind == Fault.Kind.HOLD) {
                            Link.this.wait();
                        }
                        if (!closed && fault.kind == Fault.Kind.DELAY_FIRST) {
                            long wait = fault.amount - (System.nanoTime() - openedAt) / 1_000_000;
                            while (!closed && fault.kind == Fault.Kind.DELAY_FIRST && wait > 0) {
                                Link.this.wait(wait);
                                wait = fault.amount - (System.nanoTime() - openedAt) / 1_000_000;
                            }
                        }
                        if (closed) {
                            return false;
                        }
                        f = fault;
                        sinceSet = read - base;
                    }
                    int len = n - off;
                    switch (f.kind) {
                        case BLACKHOLE:
                            read += len;
                            return true;
                        case CUT: {
                            long allowed = f.amount - sinceSet;
                            if (allowed < len) {
                                if (allowed > 0) {
                                    send(out, buf, off, (int) allowed);
                                }
                                if (f.cut == null) {
                                    read += len - Math.max(0, allowed); // the rest is dropped
                                    return true;
                                }
                                cuts.incrementAndGet();
                                close(f.cut);
                                return false;
                            }
                            break;
                        }
                        case THROTTLE: {
                            // One slice, then the pause it costs; the fault is read again per slice,
                            // so a heal takes effect within a twentieth of a second.
                            int slice = (int) Math.min(len, f.amount / 20);
                            send(out, buf, off, slice);
                            off += slice;
                            Thread.sleep(slice * 1000L / f.amount);
                            continue;
                        }
                        case CORRUPT: {
                            int at = indexOf(buf, off, n, f.marker);
                            if (at >= 0) {
                                int from = at + f.relative;
                                if (from >= off && from + f.replacement.length <= n) {
                                    System.arraycopy(f.replacement, 0, buf, from, f.replacement.length);
                                    corruptions.incrementAndGet();
                                    synchronized (Link.this) {
                                        if (fault == f) {
                                            fault = Fault.pass(); // once
                                        }
                                    }
                                }
                            }
                            break;
                        }
                        default:
                            break;
                    }
                    send(out, buf, off, len);
                    off = n;
                }
                return true;
            }

            private void send(OutputStream out, byte[] buf, int off, int len) throws IOException {
                out.write(buf, off, len);
                out.flush();
                read += len;
                forwarded.addAndGet(len);
            }
        }
    }

    private static int indexOf(byte[] buf, int from, int to, byte[] marker) {
        outer:
        for (int i = from; i <= to - marker.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (buf[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
