package io.retort.tck.env;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A value computed once, on first use, by whichever thread asks first; later callers wait for
 * it. Discovery and provisioning are slow (network, DDL) and must happen once per JVM.
 */
final class Memo<T> {
    private @Nullable T value;

    /** The value, computing it with {@code supplier} the first time. */
    synchronized T get(Supplier<T> supplier) {
        T v = value;
        if (v == null) {
            v = supplier.get();
            value = v;
        }
        return v;
    }
}
