package io.retort.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Releases reference-counted driver messages that Reactor discards when a statement is
 * cancelled mid-stream. r2dbc-postgresql hands its buffered {@code DataRow}s (Netty
 * {@code ReferenceCounted}, backed by pooled direct memory) to {@code Operators.onDiscard} with the
 * <em>subscriber's</em> context and installs no hook of its own on that path, so without one every
 * cancelled stream leaked the rows it had prefetched ("LEAK: DataRow.release() was not called",
 * RELIABILITY O-NETTY; 17 reports in one run of the cancellation suite, none after this).
 * r2dbc-mariadb does the same with its {@code RowPacket}s. Netty is looked up reflectively: the
 * engine depends on no driver or transport.
 *
 * <p>Only those drivers' messages are released. Another driver may still own what it discards:
 * io.asyncer r2dbc-mysql's {@code RowMessage} is released by reactor-netty after the discard, so
 * releasing it here too was a double release (92 log lines of {@code IllegalReferenceCountException} in one
 * TCK run, one of them a retain after release, and the connection closed under the statement).
 * A leak is reported by Netty's detector; a double release can corrupt a pooled buffer another
 * connection already reuses, so an unknown driver's messages are left alone.
 */
final class DriverBuffers {
    private DriverBuffers() {
    }

    private static final ClassValue<MethodHandle> RELEASE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            if (!ownsDiscards(type.getName())) {
                return null;
            }
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (isReferenceCounted(i)) {
                        try {
                            return MethodHandles.publicLookup().findVirtual(i, "release", MethodType.methodType(boolean.class));
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            return null;
                        }
                    }
                }
            }
            return null;
        }
    };

    /** Drivers that hand their buffered rows to the discard hook and never release them themselves. */
    private static final String[] RELEASED_PACKAGES = {"io.r2dbc.postgresql.", "org.mariadb.r2dbc."};

    /** Whether a discarded object of this class is the hook's to release (see the class comment). */
    static boolean ownsDiscards(String className) {
        for (String p : RELEASED_PACKAGES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isReferenceCounted(Class<?> i) {
        if (i.getName().equals("io.netty.util.ReferenceCounted")) {
            return true;
        }
        for (Class<?> sup : i.getInterfaces()) {
            if (isReferenceCounted(sup)) {
                return true;
            }
        }
        return false;
    }

    /** The discard hook: releases {@code discarded} once if it is reference-counted; never throws. */
    static void release(Object discarded) {
        MethodHandle h = RELEASE.get(discarded.getClass());
        if (h == null) {
            return;
        }
        try {
            h.invoke(discarded);
        } catch (Throwable e) {
            // already released, or not ours to release: nothing more to do
        }
    }
}
