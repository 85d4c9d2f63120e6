package io.retort.sql;

import io.retort.error.ArgumentError;

/** Validation of names given for identifiers: quoting makes any text safe, except these. */
final class Identifiers {
    private Identifiers() {
    }

    static String check(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new ArgumentError("A " + what + " name must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new ArgumentError("A " + what + " name must not contain a NUL character: '" + name.replace("\0", "\\0") + "'");
        }
        return name;
    }
}
