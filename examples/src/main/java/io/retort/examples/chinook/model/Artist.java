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

/** A recording artist (Chinook). */
@Entity
@Table(name = "artist")
public class Artist {
    @Id
    @Column(name = "artist_id")
    public Integer id;
    @Column(length = 120)
    public String name;
    @OneToMany(mappedBy = "artist")
    public List<Album> albums;

    @Override
    public String toString() {
        return "Artist#" + id;
    }
}
