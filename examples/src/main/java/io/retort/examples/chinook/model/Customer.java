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

/** A customer, supported by an employee. */
@Entity
@Table(name = "customer")
public class Customer {
    @Id
    @Column(name = "customer_id")
    public Integer id;
    @Column(name = "first_name", length = 40, nullable = false)
    public String firstName;
    @Column(name = "last_name", length = 20, nullable = false)
    public String lastName;
    @Column(length = 40)
    public String city;
    @Column(length = 40)
    public String country;
    @Column(length = 60, nullable = false)
    public String email;
    @ManyToOne
    @JoinColumn(name = "support_rep_id")
    public Employee supportRep;
    @OneToMany(mappedBy = "customer")
    public List<Invoice> invoices;

    @Override
    public String toString() {
        return "Customer#" + id;
    }
}
