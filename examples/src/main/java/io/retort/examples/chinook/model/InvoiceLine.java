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

/** One line of an invoice. */
@Entity
@Table(name = "invoice_line")
public class InvoiceLine {
    @Id
    @Column(name = "invoice_line_id")
    public Integer id;
    @ManyToOne
    @JoinColumn(name = "invoice_id")
    public Invoice invoice;
    @ManyToOne
    @JoinColumn(name = "track_id")
    public Track track;
    @Column(name = "unit_price", precision = 10, scale = 2, nullable = false)
    public BigDecimal unitPrice;
    public Integer quantity;

    @Override
    public String toString() {
        return "InvoiceLine#" + id;
    }
}
