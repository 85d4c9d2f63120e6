package io.retort.orm.processor;

import io.retort.orm.Mapper;
import io.retort.orm.Metamodel;
import io.retort.orm.OrmRegistry;
import io.retort.orm.Relationship;
import io.retort.sql.Column;
import org.junit.jupiter.api.Test;

import javax.annotation.processing.Processor;
import javax.lang.model.SourceVersion;
import javax.tools.Diagnostic;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metamodel processor (O1): entity sources are compiled in memory with javac and the
 * processor; the generated sources are checked as text, compiled, loaded and compared with the
 * registry's own columns and relationships (the same objects).
 */
class MetamodelProcessorTest {

    /** Artist 1—n Album 1—n Track (composite key), an embedded origin, a many-to-many playlist. */
    static Map<String, String> music() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("demo.music.Artist", """
                package demo.music;

                import jakarta.persistence.*;
                import java.util.List;

                @Entity
                public class Artist {
                    @Id @GeneratedValue @Column(name = "artist_id") Integer id;
                    @Column(nullable = false, length = 120) String name;
                    int rank;
                    Genre genre;
                    @Embedded Origin origin;
                    @OneToMany(mappedBy = "artist") List<Album> albums;
                    @Transient String display;
                    transient int scratch;
                    static int created;

                    public enum Genre { ROCK, JAZZ }
                }
                """);
        s.put("demo.music.Origin", """
                package demo.music;

                import jakarta.persistence.Embeddable;

                @Embeddable
                public class Origin {
                    String city;
                    String country;
                }
                """);
        s.put("demo.music.Album", """
                package demo.music;

                import jakarta.persistence.*;
                import java.math.BigDecimal;
                import java.util.List;

                @Entity
                public class Album {
                    @Id Integer id;
                    String title;
                    @Column(precision = 8, scale = 2) BigDecimal price;
                    @ManyToOne @JoinColumn(name = "artist_id") Artist artist;
                    @OneToMany(mappedBy = "album") List<Track> tracks;
                    @Version Integer version;
                    @io.retort.orm.QueryExpression Long trackCount;
                }
                """);
        s.put("demo.music.Track", """
                package demo.music;

                import jakarta.persistence.*;
                import java.time.LocalDate;

                @Entity
                public class Track {
                    @Id @Column(name = "album_id") Integer albumId;
                    @Id short position;
                    String name;
                    byte[] sample;
                    LocalDate released;
                    @ManyToOne @JoinColumn(name = "album_id") Album album;
                }
                """);
        s.put("demo.music.Playlist", """
                package demo.music;

                import jakarta.persistence.*;
                import java.util.Set;

                @Entity
                public class Playlist {
                    @Id Long id;
                    String name;
                    @ManyToMany
                    @JoinTable(name = "playlist_album", joinColumns = @JoinColumn(name = "playlist_id"),
                            inverseJoinColumns = @JoinColumn(name = "album_id"))
                    Set<Album> albums;
                }
                """);
        // Uses the metamodel with its static types: compiles only if the handles are typed as claimed.
        s.put("demo.music.Usage", """
                package demo.music;

                import io.retort.orm.Relationship;
                import io.retort.sql.Column;
                import java.math.BigDecimal;
                import java.time.LocalDate;

                public class Usage {
                    public static final Column<String> NAME = Artist_.name;
                    public static final Column<Integer> RANK = Artist_.rank;
                    public static final Column<Artist.Genre> GENRE = Artist_.genre;
                    public static final Column<String> CITY = Artist_.origin_city;
                    public static final Relationship<Artist, Album> ALBUMS = Artist_.albums;
                    public static final Relationship<Album, Artist> ARTIST = Album_.artist;
                    public static final Relationship<Album, Track> TRACKS = Album_.tracks;
                    public static final Column<BigDecimal> PRICE = Album_.price;
                    public static final Column<Short> POSITION = Track_.position;
                    public static final Column<byte[]> SAMPLE = Track_.sample;
                    public static final Column<LocalDate> RELEASED = Track_.released;
                    public static final Relationship<Playlist, Album> PLAYLIST_ALBUMS = Playlist_.albums;
                }
                """);
        return s;
    }

    private static InMemoryJavac.Result compileMusic() {
        InMemoryJavac.Result r = InMemoryJavac.compile(music());
        assertThat(r.success()).as("%s", r.messages(null)).isTrue();
        assertThat(r.messages(Diagnostic.Kind.ERROR)).isEmpty();
        assertThat(r.messages(Diagnostic.Kind.WARNING)).isEmpty();
        assertThat(r.messages(Diagnostic.Kind.MANDATORY_WARNING)).isEmpty();
        return r;
    }

    @Test // O1: the generated source, as text: imports, @Generated, typed columns and relationships, skipped fields
    void generatesTypedSource() {
        InMemoryJavac.Result r = compileMusic();
        assertThat(r.generated().keySet())
                .containsExactlyInAnyOrder("demo.music.Artist_", "demo.music.Album_", "demo.music.Track_", "demo.music.Playlist_");

        String artist = r.source("demo.music.Artist_");
        assertThat(artist).startsWith("package demo.music;\n\n"
                + "import io.retort.orm.Metamodel;\n"
                + "import io.retort.orm.Relationship;\n"
                + "import io.retort.sql.Column;\n"
                + "import javax.annotation.processing.Generated;\n");
        assertThat(artist).contains("@Generated(\"io.retort.orm.processor.MetamodelProcessor\")\npublic final class Artist_ {\n");
        assertThat(artist).contains(
                "    public static final Column<Integer> id = Metamodel.column(Artist.class, \"id\", Integer.class);\n",
                "    public static final Column<String> name = Metamodel.column(Artist.class, \"name\", String.class);\n",
                // a primitive is boxed; a nested enum is named through its entity
                "    public static final Column<Integer> rank = Metamodel.column(Artist.class, \"rank\", Integer.class);\n",
                "    public static final Column<Artist.Genre> genre = Metamodel.column(Artist.class, \"genre\", Artist.Genre.class);\n",
                // an embedded field: the attribute path "origin.city", the Java name origin_city
                "    /** Column of attribute {@code origin.city} (embedded). */\n"
                        + "    public static final Column<String> origin_city = Metamodel.column(Artist.class, \"origin.city\", String.class);\n",
                "    public static final Column<String> origin_country = Metamodel.column(Artist.class, \"origin.country\", String.class);\n",
                "    /** Relationship {@code albums} (one-to-many) to {@link Album}. */\n"
                        + "    public static final Relationship<Artist, Album> albums = Metamodel.relationship(Artist.class, \"albums\", Album.class);\n",
                "    private Artist_() {\n    }\n}\n");
        // static, transient and @Transient fields have no handle; neither has the embedded object itself
        assertThat(artist).doesNotContain("display", "scratch", "created", " origin =");
        // declaration order
        assertThat(artist.indexOf(" id =")).isLessThan(artist.indexOf(" name =")).isLessThan(artist.indexOf(" rank ="))
                .isLessThan(artist.indexOf(" origin_city =")).isLessThan(artist.indexOf(" albums ="));

        String album = r.source("demo.music.Album_");
        assertThat(album).contains(
                "public static final Column<java.math.BigDecimal> price = Metamodel.column(Album.class, \"price\", java.math.BigDecimal.class);",
                "public static final Relationship<Album, Artist> artist = Metamodel.relationship(Album.class, \"artist\", Artist.class);",
                "/** Relationship {@code tracks} (one-to-many) to {@link Track}. */",
                "public static final Relationship<Album, Track> tracks = Metamodel.relationship(Album.class, \"tracks\", Track.class);",
                "public static final Column<Integer> version = Metamodel.column(Album.class, \"version\", Integer.class);",
                "/** Query expression field {@code trackCount} (see Load.withExpression). */\n"
                        + "    public static final ExpressionAttribute<Album, Long> trackCount = Metamodel.expression(Album.class, \"trackCount\", Long.class);");

        String track = r.source("demo.music.Track_");
        assertThat(track).contains(
                "public static final Column<Integer> albumId = Metamodel.column(Track.class, \"albumId\", Integer.class);",
                "public static final Column<Short> position = Metamodel.column(Track.class, \"position\", Short.class);",
                "public static final Column<byte[]> sample = Metamodel.column(Track.class, \"sample\", byte[].class);",
                "public static final Column<java.time.LocalDate> released = Metamodel.column(Track.class, \"released\", java.time.LocalDate.class);",
                "/** Relationship {@code album} (many-to-one) to {@link Album}. */");

        assertThat(r.source("demo.music.Playlist_")).contains(
                "/** Relationship {@code albums} (many-to-many) to {@link Album}. */\n"
                        + "    public static final Relationship<Playlist, Album> albums = Metamodel.relationship(Playlist.class, \"albums\", Album.class);");
    }

    @Test // O1: Artist_.name IS the registry's column (metamodel touched first, registry built after)
    void handlesAreTheRegistrysObjectsMetamodelFirst() {
        InMemoryJavac.Result r = compileMusic();
        Class<?> artist = r.load("demo.music.Artist");
        Class<?> album = r.load("demo.music.Album");
        Class<?> track = r.load("demo.music.Track");
        assertThat(Metamodel.isMapped(artist)).isFalse();

        Object name = r.field("demo.music.Artist_", "name"); // initialises Artist_: builds Artist + Album + Track
        Object albums = r.field("demo.music.Artist_", "albums");
        assertThat(Metamodel.isMapped(artist)).isTrue();
        assertThat(Metamodel.isMapped(track)).as("reachable through Album.tracks").isTrue();

        OrmRegistry registry = OrmRegistry.of(artist, album, track);
        Mapper<?> mapper = registry.mapper(artist);
        assertThat(name).isInstanceOf(Column.class).isSameAs(mapper.column("name", String.class));
        assertThat(((Column<?>) name).type().javaType()).isEqualTo(String.class);
        assertThat(((Column<?>) name).name()).isEqualTo("name");
        assertThat(mapper.property((Column<?>) name).name()).as("lookup by column identity").isEqualTo("name");
        assertThat(albums).isSameAs(mapper.relationship("albums"));
        Relationship<?, ?> rel = (Relationship<?, ?>) albums;
        assertThat(rel.kind()).isEqualTo(Relationship.Kind.ONE_TO_MANY);
        assertThat(rel.target()).isSameAs(album);
        assertThat(rel.remoteColumns()).containsExactly(registry.mapper(album).table().c("artist_id"));

        assertThat(r.field("demo.music.Artist_", "origin_city")).isSameAs(mapper.column("origin.city", String.class));
        assertThat(r.field("demo.music.Artist_", "genre")).isSameAs(registry.mapper(artist).property("genre").column());
        assertThat(r.field("demo.music.Track_", "position")).isSameAs(registry.mapper(track).column("position", Short.class));
        assertThat(registry.mapper(track).identity()).extracting(p -> (Object) p.column())
                .containsExactly(r.field("demo.music.Track_", "albumId"), r.field("demo.music.Track_", "position"));
        assertThat(r.field("demo.music.Album_", "tracks")).isSameAs(registry.mapper(album).relationship("tracks"));
        assertThat(r.field("demo.music.Album_", "trackCount")).as("a query expression is a handle, not a column")
                .isSameAs(registry.mapper(album).expressions().get("trackCount"));
        assertThat(registry.mapper(album).properties()).extracting(p -> p.name()).doesNotContain("trackCount");
    }

    @Test // O1: the same with the registry built first, and a larger registry later sharing the mappers
    void handlesAreTheRegistrysObjectsRegistryFirst() {
        InMemoryJavac.Result r = compileMusic();
        Class<?> artist = r.load("demo.music.Artist");
        Class<?> album = r.load("demo.music.Album");
        Class<?> track = r.load("demo.music.Track");
        Class<?> playlist = r.load("demo.music.Playlist");
        OrmRegistry first = OrmRegistry.of(artist, album, track);

        assertThat(r.field("demo.music.Artist_", "name")).isSameAs(first.mapper(artist).column("name", String.class));
        assertThat(r.field("demo.music.Album_", "artist")).isSameAs(first.mapper(album).relationship("artist"));

        // A registry with one more entity keeps the three mappers and adds Playlist, whose join
        // table links to the very Album id column.
        OrmRegistry all = OrmRegistry.of(playlist, artist, album, track);
        assertThat(all.mapper(artist)).isSameAs(first.mapper(artist));
        assertThat(all.mapper(track)).isSameAs(first.mapper(track));
        Relationship<?, ?> playlistAlbums = (Relationship<?, ?>) r.field("demo.music.Playlist_", "albums");
        assertThat(playlistAlbums).isSameAs(all.mapper(playlist).relationship("albums"));
        assertThat(playlistAlbums.remoteColumns()).containsExactly(first.mapper(album).identity().get(0).column());
        assertThat(all.tables()).extracting(t -> t.name()).containsExactly("playlist", "artist", "album", "track", "playlist_album");
        assertThat(first.tables()).extracting(t -> t.name()).containsExactly("artist", "album", "track");
    }

    @Test // the processor is found through META-INF/services when reactive-orm is on the class path
    void discoveredFromTheClassPath() {
        InMemoryJavac.Result r = InMemoryJavac.compile(music(), false);
        assertThat(r.success()).as("%s", r.messages(null)).isTrue();
        assertThat(r.generated()).containsKeys("demo.music.Artist_", "demo.music.Album_", "demo.music.Track_");
        assertThat(ServiceLoader.load(Processor.class, MetamodelProcessor.class.getClassLoader()).stream()
                .map(p -> p.type().getName())).contains(MetamodelProcessor.class.getName());
        MetamodelProcessor p = new MetamodelProcessor();
        assertThat(p.getSupportedAnnotationTypes()).containsExactly("jakarta.persistence.Entity");
        assertThat(p.getSupportedSourceVersion()).isEqualTo(SourceVersion.latestSupported());
    }

    @Test // nested entities: Simple_ at top level, Outer_Simple_ on a clash; private / inner ones skipped with a note
    void nestedEntities() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("demo.nested.Catalog", """
                package demo.nested;

                import jakarta.persistence.*;
                import java.util.List;

                public final class Catalog {
                    @Entity
                    public static class Label {
                        @Id Integer id;
                        String name;
                        @OneToMany(mappedBy = "label") List<Release> releases;
                    }

                    @Entity
                    public static class Release {
                        @Id Integer id;
                        @ManyToOne Label label;
                    }

                    @Entity
                    static class Item {
                        @Id Integer id;
                    }

                    @Entity
                    private static class Hidden {
                        @Id Integer id;
                    }

                    @Entity
                    public class Inner {
                        @Id Integer id;
                    }
                }
                """);
        s.put("demo.nested.Shop", """
                package demo.nested;

                import jakarta.persistence.*;

                class Shop {
                    @Entity
                    static class Item {
                        @Id Integer id;
                        Catalog.Label label;
                    }
                }
                """);
        InMemoryJavac.Result r = InMemoryJavac.compile(s);
        assertThat(r.success()).as("%s", r.messages(null)).isTrue();
        assertThat(r.generated().keySet()).containsExactlyInAnyOrder(
                "demo.nested.Label_", "demo.nested.Release_", "demo.nested.Catalog_Item_", "demo.nested.Shop_Item_");
        assertThat(r.source("demo.nested.Label_")).contains(
                "public final class Label_ {",
                "public static final Relationship<Catalog.Label, Catalog.Release> releases = "
                        + "Metamodel.relationship(Catalog.Label.class, \"releases\", Catalog.Release.class);");
        // package-private entity (or enclosing class): package-private metamodel
        assertThat(r.source("demo.nested.Catalog_Item_")).contains("\nfinal class Catalog_Item_ {",
                "Metamodel.column(Catalog.Item.class, \"id\", Integer.class)");
        assertThat(r.source("demo.nested.Shop_Item_")).contains("\nfinal class Shop_Item_ {",
                "public static final Column<Catalog.Label> label = Metamodel.column(Shop.Item.class, \"label\", Catalog.Label.class);");
        assertThat(r.messages(Diagnostic.Kind.NOTE)).anySatisfy(m -> assertThat(m)
                .contains("demo.nested.Catalog.Hidden", "it is private"));
        assertThat(r.messages(Diagnostic.Kind.NOTE)).anySatisfy(m -> assertThat(m)
                .contains("demo.nested.Catalog.Inner", "inner (non-static) class; make it static"));
        assertThat(r.messages(Diagnostic.Kind.NOTE)).anySatisfy(m -> assertThat(m)
                .contains("demo.nested.Item_ would name several entities", "demo.nested.Catalog_Item_"));

        Class<?> label = r.load("demo.nested.Catalog$Label");
        Class<?> release = r.load("demo.nested.Catalog$Release");
        OrmRegistry registry = OrmRegistry.of(label, release);
        assertThat(r.field("demo.nested.Label_", "name")).isSameAs(registry.mapper(label).column("name", String.class));
        assertThat(r.field("demo.nested.Release_", "label")).isSameAs(registry.mapper(release).relationship("label"));
    }

    @Test // @MappedSuperclass fields are the entity's own; an @EmbeddedId's fields are id_<field> ("id.<field>")
    void superclassAndEmbeddedId() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("demo.billing.Audited", """
                package demo.billing;

                import jakarta.persistence.*;
                import java.time.LocalDateTime;

                @MappedSuperclass
                public abstract class Audited {
                    LocalDateTime createdAt;
                    @Version long version;
                }
                """);
        s.put("demo.billing.LineId", """
                package demo.billing;

                import jakarta.persistence.Embeddable;

                @Embeddable
                public class LineId {
                    Integer invoiceId;
                    Integer lineNo;
                }
                """);
        s.put("demo.billing.InvoiceLine", """
                package demo.billing;

                import jakarta.persistence.*;
                import java.math.BigDecimal;

                @Entity
                public class InvoiceLine extends Audited {
                    @EmbeddedId LineId id;
                    BigDecimal amount;
                }
                """);
        InMemoryJavac.Result r = InMemoryJavac.compile(s);
        assertThat(r.success()).as("%s", r.messages(null)).isTrue();
        assertThat(r.messages(Diagnostic.Kind.WARNING)).isEmpty();
        String src = r.source("demo.billing.InvoiceLine_");
        assertThat(src).contains(
                "public static final Column<java.time.LocalDateTime> createdAt = ",
                "public static final Column<Long> version = Metamodel.column(InvoiceLine.class, \"version\", Long.class);",
                "/** Column of attribute {@code id.invoiceId} (embedded id). */",
                "public static final Column<Integer> id_invoiceId = Metamodel.column(InvoiceLine.class, \"id.invoiceId\", Integer.class);",
                "public static final Column<Integer> id_lineNo = Metamodel.column(InvoiceLine.class, \"id.lineNo\", Integer.class);");
        assertThat(src.indexOf("createdAt")).isLessThan(src.indexOf("id_invoiceId")).isLessThan(src.indexOf("amount"));
        assertThat(r.generated()).doesNotContainKeys("demo.billing.Audited_", "demo.billing.LineId_");

        Class<?> line = r.load("demo.billing.InvoiceLine");
        Object lineNo = r.field("demo.billing.InvoiceLine_", "id_lineNo");
        OrmRegistry registry = OrmRegistry.of(line);
        assertThat(lineNo).isSameAs(registry.mapper(line).column("id.lineNo", Integer.class));
        assertThat(registry.mapper(line).identity()).extracting(p -> p.name()).containsExactly("id.invoiceId", "id.lineNo");
        assertThat(r.field("demo.billing.InvoiceLine_", "amount")).isSameAs(registry.mapper(line).column("amount", BigDecimal.class));
    }

    @Test // a collection without an element type gets no handle and a warning; the rest is generated
    void rawCollectionIsLeftOutWithAWarning() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("demo.raw.Box", """
                package demo.raw;

                import jakarta.persistence.*;
                import java.util.List;

                @Entity
                public class Box {
                    @Id Integer id;
                    @SuppressWarnings("rawtypes")
                    @OneToMany(mappedBy = "box") List things;
                    java.util.Date when;
                }
                """);
        InMemoryJavac.Result r = InMemoryJavac.compile(s);
        assertThat(r.success()).as("%s", r.messages(null)).isTrue();
        assertThat(r.messages(Diagnostic.Kind.WARNING)).singleElement().asString()
                .contains("things must be a List<Entity> or Set<Entity> with a concrete element type");
        assertThat(r.source("demo.raw.Box_")).contains("Column<Integer> id =", "Column<java.util.Date> when =")
                .doesNotContain("things");
    }

    @Test // no @Entity in the sources: nothing generated, nothing said
    void nothingToDo() {
        InMemoryJavac.Result r = InMemoryJavac.compile(Map.of("demo.plain.Plain", "package demo.plain; public class Plain { int x; }"));
        assertThat(r.success()).isTrue();
        assertThat(r.generated()).isEmpty();
        assertThat(r.diagnostics()).isEmpty();
    }
}
