package io.retort.examples.chinook.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;

/** A track of an album. */
@Entity
@Table(name = "track")
public class Track {
    @Id
    @Column(name = "track_id")
    public Integer id;
    @Column(length = 200, nullable = false)
    public String name;
    @ManyToOne
    @JoinColumn(name = "album_id")
    public Album album;
    @ManyToOne
    @JoinColumn(name = "media_type_id")
    public MediaType mediaType;
    @ManyToOne
    @JoinColumn(name = "genre_id")
    public Genre genre;
    @Column(length = 220)
    public String composer;
    public Integer milliseconds;
    public Integer bytes;
    @Column(name = "unit_price", precision = 10, scale = 2, nullable = false)
    public BigDecimal unitPrice;

    @Override
    public String toString() {
        return "Track#" + id;
    }
}
