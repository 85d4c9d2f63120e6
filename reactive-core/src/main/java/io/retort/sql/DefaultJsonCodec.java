package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.ServiceLoader;

/**
 * Finds {@link JsonCodec#defaultCodec()} once. Jackson is reached by name only, so this class
 * links without jackson-databind (an optional dependency) and a missing codec is a clear error
 * on each use rather than a class-initialisation failure.
 */
final class DefaultJsonCodec {
    private static volatile JsonCodec codec;

    private DefaultJsonCodec() {
    }

    static JsonCodec get() {
        JsonCodec c = codec;
        if (c == null) {
            c = find();
            codec = c; // a racy duplicate lookup finds an equivalent codec: no lock needed
        }
        return c;
    }

    private static JsonCodec find() {
        for (JsonCodec c : ServiceLoader.load(JsonCodec.class)) {
            return c;
        }
        try {
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, DefaultJsonCodec.class.getClassLoader());
            return (JsonCodec) Class.forName("io.retort.sql.JacksonJsonCodec").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ArgumentError("JSON document types need a JsonCodec: add com.fasterxml.jackson.core:jackson-databind"
                    + " or register one through ServiceLoader (io.retort.sql.JsonCodec)");
        }
    }
}
