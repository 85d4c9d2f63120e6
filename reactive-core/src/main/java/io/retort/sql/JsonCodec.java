package io.retort.sql;

import io.retort.error.ArgumentError;

import java.util.ServiceLoader;

/**
 * Turns Java objects into JSON text and back, for JSON document columns
 * ({@link SqlTypes#json(Class)}, O15). Retort ships {@link JacksonJsonCodec}; another library plugs
 * in by implementing this interface and passing it to {@link SqlTypes#json(Class, JsonCodec)}, or
 * as the default through {@link ServiceLoader} ({@code META-INF/services/io.retort.sql.JsonCodec}).
 *
 * <p>A codec must round-trip: {@code read(write(v), type)} equals {@code v} in content, and equal
 * documents give the same text (the ORM compares documents by their text to find in-place
 * changes; a codec that orders map keys at random would make every flush write them).
 */
public interface JsonCodec {
    /** The JSON text of {@code value} (never null for a non-null value). */
    String write(Object value);

    /** The value of {@code json} as a {@code type}. */
    <T> T read(String json, Class<T> type);

    /**
     * The codec {@link SqlTypes#json(Class)} uses: the first one {@link ServiceLoader} finds, else
     * {@link JacksonJsonCodec} when jackson-databind is on the class path.
     *
     * @throws ArgumentError when there is neither
     */
    static JsonCodec defaultCodec() {
        return DefaultJsonCodec.get();
    }
}
