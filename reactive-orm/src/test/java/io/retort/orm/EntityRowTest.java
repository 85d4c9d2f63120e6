package io.retort.orm;

import io.retort.error.ArgumentError;
import io.retort.sql.Column;
import io.retort.sql.Expression;
import io.retort.sql.Sql;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** O13 without a database: how an {@link EntityRow} is addressed, and what {@code selectRows} refuses or renders. */
class EntityRowTest {

    @Entity
    static class ErPerson {
        @Id
        Integer id;
        String name;
    }

    @Test // by position, class, alias, expression and name; an ambiguous or unknown name is an ArgumentError naming the choices
    void addressing() {
        Column<String> name = Metamodel.column(ErPerson.class, "name", String.class);
        EntityAlias<ErPerson> boss = Orm.aliased(ErPerson.class, "boss");
        Expression<Long> n = Sql.count().as("n");
        ErPerson me = new ErPerson();
        ErPerson them = new ErPerson();
        EntityRow row = new EntityRow(List.of(ErPerson.class, boss, name, n), new Object[] {me, them, "Ann", 3L});

        assertThat(row.size()).isEqualTo(4);
        assertThat(row.get(ErPerson.class)).isSameAs(me);
        assertThat(row.get(boss)).isSameAs(them);
        assertThat(row.get(name)).isEqualTo("Ann");
        assertThat(row.get(n)).isEqualTo(3L);
        assertThat(row.get("ErPerson")).isSameAs(me);
        assertThat(row.get("boss")).isSameAs(them);
        assertThat(row.get("name")).isEqualTo("Ann");
        assertThat(row.get("n")).isEqualTo(3L);
        assertThat(row.get(1)).isSameAs(them);
        assertThat(row.values()).containsExactly(me, them, "Ann", 3L);
        assertThatThrownBy(() -> row.values().set(0, null)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.get(4)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("EntityRow has 4 elements, no index 4");
        assertThatThrownBy(() -> row.get("nope")).isInstanceOf(ArgumentError.class)
                .hasMessage("No element named 'nope' in this row: [ErPerson, boss, name, n]");
        assertThatThrownBy(() -> row.get(Orm.aliased(ErPerson.class, "other"))).isInstanceOf(ArgumentError.class)
                .hasMessageStartingWith("ErPerson AS other is not selected by this row's query");

        EntityRow twice = new EntityRow(List.of(name, boss.col(name)), new Object[] {"a", "b"});
        assertThatThrownBy(() -> twice.get("name")).isInstanceOf(ArgumentError.class)
                .hasMessage("'name' is ambiguous in this row: [name, name]");
    }

    @Test // the SELECT list: each entity's columns (an alias's through the alias), then the expressions, in order
    void statement() {
        EntityAlias<ErPerson> boss = Orm.aliased(ErPerson.class, "boss");
        Column<String> name = Metamodel.column(ErPerson.class, "name", String.class);
        RowSelect q = Orm.selectRows(ErPerson.class, boss, name).where(name.eq("Ann"));
        assertThat(q.elements()).containsExactly(ErPerson.class, boss, name);
        assertThat(q.statement().selectedColumns()).hasSize(5);
        assertThat(q.statement().selectedColumns().get(3).toString()).contains("boss");
        assertThatThrownBy(() -> Orm.selectRows()).isInstanceOf(ArgumentError.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> Orm.selectRows(ErPerson.class, 42)).isInstanceOf(ArgumentError.class)
                .hasMessage("selectRows takes entity classes, EntityAlias and Core expressions; got java.lang.Integer");
    }
}
