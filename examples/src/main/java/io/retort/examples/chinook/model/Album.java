package io.retort.examples.chinook.model;

import io.retort.orm.QueryExpression;
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

/** An album of an artist. */
@Entity
@Table(name = "album")
public class Album {
    @Id
    @Column(name = "album_id")
    public Integer id;
    @Column(length = 160, nullable = false)
    public String title;
    @ManyToOne
    @JoinColumn(name = "artist_id")
    public Artist artist;
    @OneToMany(mappedBy = "album")
    public List<Track> tracks;
    /** Total playing time in minutes, filled only by a query that asks for it (withExpression). */
    @QueryExpression
    public BigDecimal minutes;

    @Override
    public String toString() {
        return "Album#" + id;
    }
}
