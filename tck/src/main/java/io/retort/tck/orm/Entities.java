package io.retort.tck.orm;

import io.retort.orm.Deferred;
import io.retort.orm.OrmRegistry;
import io.retort.orm.QueryExpression;
import jakarta.persistence.Basic;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Chinook-shaped entities for the ORM suite: one-to-many, many-to-one, self-reference, many-to-many. */
public final class Entities {
    private Entities() {
    }

    public static OrmRegistry registry() {
        return OrmRegistry.of(OArtist.class, OAlbum.class, OTrack.class, OEmployee.class, OPlaylist.class);
    }

    @Entity
    @Table(name = "o_artist")
    public static class OArtist {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        @Column(name = "artist_id")
        public Integer id;
        @Column(nullable = false, unique = true, length = 120)
        public String name;
        @OneToMany(mappedBy = "artist", cascade = CascadeType.ALL, orphanRemoval = true)
        public List<OAlbum> albums;

        public OArtist() {
        }

        public OArtist(String name) {
            this.name = name;
        }
    }

    @Entity
    @Table(name = "o_album")
    public static class OAlbum {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        @Column(name = "album_id")
        public Integer id;
        @Column(nullable = false, length = 160)
        public String title;
        @ManyToOne
        @JoinColumn(name = "artist_id")
        public OArtist artist;
        @OneToMany(mappedBy = "album", cascade = CascadeType.ALL, orphanRemoval = true)
        public List<OTrack> tracks = new ArrayList<>();
        /** Filled only by {@code withExpression} (O7); not a column. */
        @QueryExpression
        public Long trackCount;
        /** Deferred in the mapping, JPA's way (O7): queries leave it out unless they undefer it. */
        @Basic(fetch = FetchType.LAZY)
        @Column(length = 2000)
        public String notes;

        public OAlbum() {
        }

        public OAlbum(String title) {
            this.title = title;
        }
    }

    @Entity
    @Table(name = "o_track")
    public static class OTrack {
        @Id
        @GeneratedValue(strategy = GenerationType.IDENTITY)
        @Column(name = "track_id")
        public Integer id;
        @Column(nullable = false, length = 200)
        public String name;
        @Column(precision = 10, scale = 2)
        public BigDecimal unitPrice;
        public Integer milliseconds;
        /** Deferred with raiseload in the mapping (O7): loaded only by a query that undefers it, or explicitly. */
        @Deferred(raiseload = true)
        @Column(length = 2000)
        public String lyrics;
        @ManyToOne
        @JoinColumn(name = "album_id")
        public OAlbum album;

        public OTrack() {
        }

        public OTrack(String name, int ms) {
            this.name = name;
            this.milliseconds = ms;
            this.unitPrice = new BigDecimal("0.99");
        }
    }

    @Entity
    @Table(name = "o_employee")
    public static class OEmployee {
        @Id
        @Column(name = "employee_id")
        public Integer id;
        @Column(length = 40)
        public String lastName;
        @ManyToOne
        @JoinColumn(name = "reports_to")
        public OEmployee manager;
        @OneToMany(mappedBy = "manager")
        public List<OEmployee> reports;
        @Version
        public Integer version;

        public OEmployee() {
        }

        public OEmployee(int id, String lastName) {
            this.id = id;
            this.lastName = lastName;
        }
    }

    @Entity
    @Table(name = "o_playlist")
    public static class OPlaylist {
        @Id
        @Column(name = "playlist_id")
        public Integer id;
        @Column(length = 120)
        public String name;
        @ManyToMany
        @JoinTable(name = "o_playlist_track", joinColumns = @JoinColumn(name = "playlist_id"),
                inverseJoinColumns = @JoinColumn(name = "track_id"))
        public List<OTrack> tracks = new ArrayList<>();

        public OPlaylist() {
        }

        public OPlaylist(int id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /**
     * An order line with a two-column key the application assigns (no generator), outside
     * {@link #registry()}: the bad-input suite's NULL and partial keys (B13) map it on its own.
     */
    @Entity
    @Table(name = "o_line")
    public static class OLine {
        @Id
        @Column(name = "order_id")
        public Integer orderId;
        @Id
        @Column(name = "line_no")
        public Integer lineNo;
        @Column(length = 40)
        public String item;

        public OLine() {
        }

        public OLine(Integer orderId, Integer lineNo, String item) {
            this.orderId = orderId;
            this.lineNo = lineNo;
            this.item = item;
        }
    }
}
