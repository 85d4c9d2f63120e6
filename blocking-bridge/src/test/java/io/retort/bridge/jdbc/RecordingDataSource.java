package io.retort.bridge.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import reactor.core.scheduler.Schedulers;

/**
 * A DataSource wrapper that sees every JDBC call the bridge makes: it records calls made on a
 * Reactor non-blocking thread (there must be none — the check BlockHound makes for sockets,
 * made here for every driver method, including H2's in-memory ones BlockHound cannot see),
 * counts {@code ResultSet.next()} calls (how far the driver has been read) and
 * {@code Statement.cancel()} calls, and tracks open connections.
 */
final class RecordingDataSource implements DataSource {
    final DataSource delegate;
    final List<String> nonBlockingThreadCalls = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger nextCalls = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    /** When set, {@code ResultSet.close()} closes the real result set and then throws this (a driver fault). */
    volatile RuntimeException failResultSetClose;

    RecordingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    private void record(String what) {
        if (Schedulers.isInNonBlockingThread()) {
            nonBlockingThreadCalls.add(what + " on " + Thread.currentThread().getName());
        }
        String name = Thread.currentThread().getName();
        if (!threads.contains(name)) {
            threads.add(name);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(T target, Class<T> type) {
        InvocationHandler h = (proxy, method, args) -> {
            String m = method.getName();
            record(type.getSimpleName() + "." + m);
            if (m.equals("next") && target instanceof ResultSet) {
                nextCalls.incrementAndGet();
            }
            if (m.equals("cancel") && target instanceof Statement) {
                cancels.incrementAndGet();
            }
            if (m.equals("close") && target instanceof Connection && !((Connection) target).isClosed()) {
                open.decrementAndGet();
            }
            Object out;
            try {
                out = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            RuntimeException closeFault = failResultSetClose;
            if (closeFault != null && m.equals("close") && target instanceof ResultSet) {
                throw closeFault;
            }
            if (out instanceof java.sql.PreparedStatement) {
                return wrap((java.sql.PreparedStatement) out, java.sql.PreparedStatement.class);
            }
            if (out instanceof Statement) {
                return wrap((Statement) out, Statement.class);
            }
            if (out instanceof ResultSet) {
                return wrap((ResultSet) out, ResultSet.class);
            }
            return out;
        };
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, h);
    }

    @Override
    public Connection getConnection() throws SQLException {
        record("DataSource.getConnection");
        Connection c = delegate.getConnection();
        open.incrementAndGet();
        return wrap(c, Connection.class);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
