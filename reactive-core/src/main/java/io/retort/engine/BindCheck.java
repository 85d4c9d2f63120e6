package io.retort.engine;

import io.retort.error.UnsupportedBindTypeError;
import io.retort.sql.compile.BoundStatement;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.UUID;

/**
 * The last check before values reach a driver (bad-input row B11): every bind value must be of
 * a class R2DBC drivers encode as a parameter. Type inference already refuses odd values
 * ({@code SqlTypes.infer}), but a value bound with an explicit {@code SqlType} and no converter
 * passes through unchanged, and a driver handed a {@code Thread}, an {@code Optional} or a lambda
 * fails in its own way (an untyped {@code IllegalArgumentException} whose message prints the
 * value) or, worse, encodes its {@code toString()}. Checked per class, once (a ClassValue).
 */
final class BindCheck {
    private BindCheck() {
    }

    private static final Set<Class<?>> SCALARS = Set.of(String.class, Character.class, Boolean.class, Byte.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, BigDecimal.class, BigInteger.class,
            UUID.class, byte[].class);

    /** Driver-specific value classes (PostgreSQL Json/Interval/geometry, H2 values...) are the driver's to judge. */
    private static final String[] DRIVER_PACKAGES = {"io.r2dbc.", "org.postgresql.", "io.asyncer.", "org.mariadb.",
            "org.h2.", "io.netty.buffer."};

    private static final ClassValue<Boolean> BINDABLE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return bindable(c);
        }
    };

    private static boolean bindable(Class<?> c) {
        if (c.isSynthetic() || c.isHidden() || c.isAnonymousClass()) {
            return false; // lambdas, proxies and anonymous classes are never SQL values
        }
        if (SCALARS.contains(c) || c.isEnum() || (c.getSuperclass() != null && c.getSuperclass().isEnum())) {
            return true;
        }
        if ("java.time".equals(c.getPackageName()) || ByteBuffer.class.isAssignableFrom(c)
                || java.net.InetAddress.class.isAssignableFrom(c)
                || io.r2dbc.spi.Blob.class.isAssignableFrom(c) || io.r2dbc.spi.Clob.class.isAssignableFrom(c)
                || io.r2dbc.spi.Parameter.class.isAssignableFrom(c)) {
            return true;
        }
        if (c.isArray()) {
            Class<?> component = c.getComponentType();
            return component.isPrimitive() || component != Object.class && BINDABLE.get(component);
        }
        String name = c.getName();
        for (String p : DRIVER_PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Throws an {@link UnsupportedBindTypeError} naming the position and class of the first unbindable value. */
    static void check(BoundStatement bound) {
        Object[] values = bound.values();
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v != null && !BINDABLE.get(v.getClass())) {
                throw new UnsupportedBindTypeError("Parameter " + (i + 1) + " is a " + v.getClass().getName()
                        + ", which no R2DBC driver can send as a SQL value; bind a String, number, Boolean, java.time"
                        + " value, UUID, byte[] or enum, or give the expression a SqlType with a converter\n[SQL: "
                        + bound.sql() + "]");
            }
        }
    }
}
