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

/** An invoice of a customer. */
@Entity
@Table(name = "invoice")
public class Invoice {
    @Id
    @Column(name = "invoice_id")
    public Integer id;
    @ManyToOne
    @JoinColumn(name = "customer_id")
    public Customer customer;
    @Column(name = "invoice_date", nullable = false)
    public LocalDateTime invoiceDate;
    @Column(name = "billing_city", length = 40)
    public String billingCity;
    @Column(name = "billing_country", length = 40)
    public String billingCountry;
    @Column(precision = 10, scale = 2, nullable = false)
    public BigDecimal total;
    @OneToMany(mappedBy = "invoice")
    public List<InvoiceLine> lines;

    @Override
    public String toString() {
        return "Invoice#" + id;
    }
}
