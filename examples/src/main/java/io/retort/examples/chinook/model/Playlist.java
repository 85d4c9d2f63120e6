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

/** A playlist, linked to tracks through playlist_track. */
@Entity
@Table(name = "playlist")
public class Playlist {
    @Id
    @Column(name = "playlist_id")
    public Integer id;
    @Column(length = 120)
    public String name;
    @ManyToMany
    @JoinTable(name = "playlist_track", joinColumns = @JoinColumn(name = "playlist_id"),
            inverseJoinColumns = @JoinColumn(name = "track_id"))
    public List<Track> tracks;

    @Override
    public String toString() {
        return "Playlist#" + id;
    }
}
