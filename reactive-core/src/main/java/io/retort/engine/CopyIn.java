package io.retort.engine;

import org.reactivestreams.Publisher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * PostgreSQL's {@code COPY ... FROM STDIN} for executemany: the driver's entry point, found
 * reflectively (the engine imports no driver), and the text format's encoding of the values
 * Retort binds. COPY inserts rows in batches (fewer WAL records, one statement), which makes it
 * the fastest way into a PostgreSQL table; the encoding here is exact for the classes it
 * accepts and refuses the rest (a value it does not know, a NUL character, a date outside
 * 0001-9999), so the caller falls back to INSERT statements rather than sending text the server
 * might read differently.
 */
final class CopyIn {
    private CopyIn() {
    }

    /** {@code copyIn(String)}, {@code CopyInBuilder.from(byte[])} and {@code build()} of a driver connection class. */
    private record Handles(MethodHandle copyIn, MethodHandle from, MethodHandle build) {
    }

    private static final ClassValue<Handles> HANDLES = new ClassValue<>() {
        @Override
        protected Handles computeValue(Class<?> type) {
            for (Class<?> i : type.getInterfaces()) {
                if (i.getName().equals("io.r2dbc.postgresql.api.PostgresqlConnection")) {
                    try {
                        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                        Class<?> builder = Class.forName("io.r2dbc.postgresql.api.CopyInBuilder", false, i.getClassLoader());
                        return new Handles(
                                lookup.findVirtual(i, "copyIn", MethodType.methodType(builder, String.class)),
                                lookup.findVirtual(builder, "from", MethodType.methodType(builder, byte[].class)),
                                lookup.findVirtual(builder, "build", MethodType.methodType(reactor.core.publisher.Mono.class)));
                    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /** Whether {@code physical} (the driver's own connection) can run COPY FROM STDIN. */
    static boolean supported(io.r2dbc.spi.Connection physical) {
        return HANDLES.get(physical.getClass()) != null;
    }

    /** Runs {@code sql} (a COPY FROM STDIN) with {@code data} as its input; emits the rows copied. */
    @SuppressWarnings("unchecked")
    static Publisher<Long> run(io.r2dbc.spi.Connection physical, String sql, byte[] data) {
        Handles h = HANDLES.get(physical.getClass());
        try {
            Object builder = h.copyIn().invoke(physical, sql);
            builder = h.from().invoke(builder, data);
            return (Publisher<Long>) h.build().invoke(builder);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text-format rows, UTF-8, as COPY reads them. */
    static byte[] bytes(StringBuilder rows) {
        return rows.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Appends {@code v} (a value already converted to its column's storage class) in COPY's text
     * format; false, having appended nothing useful, when it has no exact text form here.
     */
    static boolean append(StringBuilder out, Object v) {
        if (v == null) {
            out.append("\\N");
        } else if (v instanceof String) {
            return appendText(out, (String) v);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            out.append(((Number) v).longValue());
        } else if (v instanceof BigDecimal) {
            // Scientific notation ("1E+3") is valid numeric input; toPlainString could be huge.
            out.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            appendFloat(out, ((Number) v).doubleValue(), v instanceof Float ? Float.toString((Float) v) : null);
        } else if (v instanceof Boolean) {
            out.append((Boolean) v ? 't' : 'f');
        } else if (v instanceof UUID) {
            out.append(v);
        } else if (v instanceof LocalDate) {
            if (!plainYear(((LocalDate) v).getYear())) {
                return false;
            }
            out.append(v);
        } else if (v instanceof LocalTime) {
            out.append(v);
        } else if (v instanceof LocalDateTime) {
            if (!plainYear(((LocalDateTime) v).getYear())) {
                return false;
            }
            out.append(v);
        } else if (v instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) v;
            if (!plainYear(t.getYear()) || t.getOffset().getTotalSeconds() % 60 != 0) {
                return false;
            }
            out.append(t);
        } else {
            return false;
        }
        return true;
    }

    /** Years ISO prints without a sign and PostgreSQL reads as the same year (no BC, no 5 digits). */
    private static boolean plainYear(int year) {
        return year >= 1 && year <= 9999;
    }

    private static void appendFloat(StringBuilder out, double d, String asFloat) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "Infinity" : "-Infinity");
        } else {
            // Java's shortest round-trip form; PostgreSQL's float input reads its exponent form.
            out.append(asFloat != null ? asFloat : Double.toString(d));
        }
    }

    /** Text with COPY's backslash escapes; false for a NUL, which a PostgreSQL text value cannot hold. */
    private static boolean appendText(StringBuilder out, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\0': return false;
                default: out.append(c);
            }
        }
        return true;
    }
}
