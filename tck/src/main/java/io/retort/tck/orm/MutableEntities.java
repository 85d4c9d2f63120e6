package io.retort.tck.orm;

import io.retort.orm.Json;
import io.retort.orm.OrmRegistry;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Entities with mutable column values for O15 (OrmMutableSuite): bytes, JSON documents, an array. */
public final class MutableEntities {
    private MutableEntities() {
    }

    /** Mappable on every backend: VARBINARY/BLOB and JSON (text where the database has no JSON type). */
    public static OrmRegistry registry() {
        return OrmRegistry.of(MDoc.class);
    }

    /** An ARRAY column: PostgreSQL only. */
    public static OrmRegistry arrayRegistry() {
        return OrmRegistry.of(MTagged.class);
    }

    @Entity
    @Table(name = "m_doc")
    public static class MDoc {
        @Id
        public Integer id;
        public String name;
        public byte[] data;
        @Json
        public Map<String, Object> attrs;
        @Json
        public MAddress address;

        public MDoc() {
        }

        public MDoc(int id, String name, byte[] data, Map<String, Object> attrs, MAddress address) {
            this.id = id;
            this.name = name;
            this.data = data;
            this.attrs = attrs;
            this.address = address;
        }
    }

    /** A JSON document as a POJO without equals: only its serialized form can tell a change. */
    public static class MAddress {
        public String city;
        public List<String> lines = new ArrayList<>();

        public MAddress() {
        }

        public MAddress(String city, String... lines) {
            this.city = city;
            this.lines.addAll(List.of(lines));
        }
    }

    @Entity
    @Table(name = "m_tagged")
    public static class MTagged {
        @Id
        public Integer id;
        public String[] tags;

        public MTagged() {
        }

        public MTagged(int id, String... tags) {
            this.id = id;
            this.tags = tags;
        }
    }
}
