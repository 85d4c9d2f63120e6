package io.retort.error;

/**
 * A statement is well formed but the target dialect cannot express it (for example
 * {@code DISTINCT ON} on MySQL), or a whole-statement rule failed at compile time (set
 * operations with different column counts). The message names the dialect and the feature.
 */
public class CompileError extends RetortException {
    public CompileError(String message) {
        super(message);
    }

    /** A feature the named dialect cannot render. */
    public static CompileError unsupported(String dialect, String feature) {
        return new CompileError("The " + dialect + " dialect cannot render " + feature);
    }
}
