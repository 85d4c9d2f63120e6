package io.retort.tck.env;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Fails a test class during which Netty reported a leaked buffer (RELIABILITY O-NETTY): a driver
 * message that nobody released, such as the rows r2dbc-postgresql prefetched and dropped on a
 * cancel ({@code DriverBuffers}). Netty only logs such leaks ("LEAK: ... release() was not
 * called"), and only when a later allocation finds the lost buffer collected, so without this
 * a regression passed every test. Registered for every test class of this module through
 * JUnit's extension auto-detection; failsafe runs with {@code io.netty.leakDetection.level=paranoid}
 * so every buffer is tracked.
 *
 * <p>Before and after each class it forces a collection and allocates pooled buffers, which makes
 * Netty report the leaks collected so far; those reported after the class are its own.
 */
public final class NettyLeakGuard implements BeforeAllCallback, AfterAllCallback {
    private static final ListAppender<ILoggingEvent> REPORTS = listen();

    private static ListAppender<ILoggingEvent> listen() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger detector = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        detector.setLevel(Level.ERROR); // the tck's logback config quiets io.netty to WARN; leaks are ERROR
        detector.addAppender(appender);
        return appender;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws InterruptedException {
        flush();
        drain(); // an earlier class's leaks, already failed there (or found before any class ran)
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        flush();
        List<String> leaks = drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak report(s) during "
                    + context.getDisplayName() + "; the first:\n" + leaks.get(0));
        }
    }

    /** Makes Netty report every leaked buffer already unreachable. */
    static void flush() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 1_000; i++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
            }
        }
    }

    private static List<String> drain() {
        List<String> leaks = new ArrayList<>();
        synchronized (REPORTS) {
            for (ILoggingEvent e : REPORTS.list) {
                if (e.getFormattedMessage().contains("LEAK")) {
                    leaks.add(e.getFormattedMessage());
                }
            }
            REPORTS.list.clear();
        }
        return leaks;
    }
}
