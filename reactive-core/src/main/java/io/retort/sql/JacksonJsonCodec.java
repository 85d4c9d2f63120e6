package io.retort.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.retort.error.ArgumentError;

/**
 * A {@link JsonCodec} on Jackson's {@link ObjectMapper}. jackson-databind is an optional
 * dependency of reactive-core: this class is loaded only when a JSON document type is used.
 * The default mapper writes map entries sorted by key, so two equal maps give the same text
 * whatever order their keys were put in (the ORM compares documents by text).
 */
public final class JacksonJsonCodec implements JsonCodec {
    private final ObjectMapper mapper;

    /** A codec on a default {@link ObjectMapper} that sorts map keys. */
    public JacksonJsonCodec() {
        this(new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true));
    }

    /** A codec on the application's mapper (its modules, naming, visibility). */
    public JacksonJsonCodec(ObjectMapper mapper) {
        this.mapper = java.util.Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ArgumentError("Cannot write a " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public <T> T read(String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new ArgumentError("Cannot read JSON as a " + type.getName() + ": " + e.getOriginalMessage());
        }
    }
}
