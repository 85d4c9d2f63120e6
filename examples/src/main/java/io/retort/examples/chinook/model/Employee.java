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

/** An employee; reports_to is a self-reference. */
@Entity
@Table(name = "employee")
public class Employee {
    @Id
    @Column(name = "employee_id")
    public Integer id;
    @Column(name = "last_name", length = 20, nullable = false)
    public String lastName;
    @Column(name = "first_name", length = 20, nullable = false)
    public String firstName;
    @Column(length = 30)
    public String title;
    @ManyToOne
    @JoinColumn(name = "reports_to")
    public Employee manager;
    @OneToMany(mappedBy = "manager")
    public List<Employee> reports;
    @Column(name = "hire_date")
    public LocalDateTime hireDate;
    @Column(length = 40)
    public String city;
    @Column(length = 40)
    public String country;
    @Column(length = 60)
    public String email;

    @Override
    public String toString() {
        return "Employee#" + id;
    }
}
