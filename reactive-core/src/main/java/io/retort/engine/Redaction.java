package io.retort.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Removes secrets (bind values when the engine hides parameters, the login password) from
 * messages that Retort did not write: servers and drivers quote the offending value ("Duplicate
 * entry 's3cret' for key 'name'", "Key (name)=(s3cret) already exists", H2's
 * {@code VALUES ( 's3cret' )}), and a text-protocol driver may show the SQL with values inlined
 * (bad-input row B18). Secrets of four characters or more are removed wherever they appear;
 * shorter ones only where quoted or parenthesised, so "1" does not erase every digit of a
 * message. A driver exception whose chain mentions a secret is replaced, as the cause, by a
 * {@link RedactedCause} copy with the same class name, SQLSTATE, code and stack trace.
 */
final class Redaction {
    static final String MASK = "[hidden]";
    private static final Redaction NONE = new Redaction(List.of());

    private final List<String> secrets;

    private Redaction(List<String> secrets) {
        this.secrets = secrets;
    }

    static Redaction none() {
        return NONE;
    }

    /** Redacts the string forms of {@code values} (arrays element by element). */
    static Redaction ofValues(Object[] values) {
        List<String> s = new ArrayList<>();
        collect(values, s);
        return of(s);
    }

    static Redaction ofSecret(CharSequence secret) {
        return secret == null || secret.length() == 0 ? NONE : of(List.of(secret.toString()));
    }

    private static Redaction of(List<String> s) {
        if (s.isEmpty()) {
            return NONE;
        }
        List<String> sorted = new ArrayList<>(s);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // longest first
        return new Redaction(List.copyOf(sorted));
    }

    private static void collect(Object v, List<String> out) {
        if (v == null) {
            return;
        }
        if (v instanceof Object[]) {
            for (Object e : (Object[]) v) {
                collect(e, out);
            }
        } else if (v.getClass().isArray()) {
            return; // primitive arrays and byte[] are not printed as text by servers
        } else {
            String s = v.toString();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
    }

    boolean isEmpty() {
        return secrets.isEmpty();
    }

    /** {@code message} with every secret masked. */
    String apply(String message) {
        if (message == null || secrets.isEmpty()) {
            return message;
        }
        String m = message;
        for (String s : secrets) {
            if (s.length() >= 4) {
                m = m.replace(s, MASK);
            } else {
                m = m.replace("'" + s + "'", "'" + MASK + "'").replace("\"" + s + "\"", "\"" + MASK + "\"")
                        .replace("(" + s + ")", "(" + MASK + ")").replace("`" + s + "`", "`" + MASK + "`");
            }
        }
        return m;
    }

    /** {@code t} itself when no message in its chain mentions a secret, else a redacted copy of the chain. */
    Throwable sanitize(Throwable t) {
        if (t == null || secrets.isEmpty() || !mentions(t)) {
            return t;
        }
        return copy(t, 0);
    }

    private boolean mentions(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
            String m = String.valueOf(c.getMessage());
            if (!m.equals(apply(m))) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (!String.valueOf(s.getMessage()).equals(apply(String.valueOf(s.getMessage())))) {
                    return true;
                }
            }
        }
        return false;
    }

    private RedactedCause copy(Throwable t, int depth) {
        RedactedCause r = new RedactedCause(t, apply(t.getMessage()),
                t.getCause() != null && t.getCause() != t && depth < 20 ? copy(t.getCause(), depth + 1) : null);
        return r;
    }

    /**
     * A driver exception with secrets removed from its message: the original class name, SQLSTATE
     * and vendor code are kept in the text, the stack trace is the original's.
     */
    static final class RedactedCause extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String originalClass;

        RedactedCause(Throwable original, String message, Throwable cause) {
            super(message, cause, false, true);
            this.originalClass = original.getClass().getName();
            setStackTrace(original.getStackTrace());
        }

        /** The class of the exception this replaces. */
        String originalClass() {
            return originalClass;
        }

        @Override
        public String toString() {
            String m = getLocalizedMessage();
            return originalClass + " (message redacted)" + (m == null ? "" : ": " + m);
        }
    }
}
