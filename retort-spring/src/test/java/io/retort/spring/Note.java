package io.retort.spring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The tests' one mapped entity. */
@Entity
@Table(name = "spring_note")
public class Note {
    @Id
    @Column(name = "id")
    public Integer id;
    @Column(length = 40)
    public String name;

    public Note() {
    }

    Note(int id, String name) {
        this.id = id;
        this.name = name;
    }
}
