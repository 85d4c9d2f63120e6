package io.retort.orm;

import io.retort.orm.ShardingEntities.Report;
import io.retort.orm.ShardingEntities.WeatherLocation;
import io.retort.sql.Sql;
import io.retort.sql.SqlTypes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** O14 without a database: what {@link ShardQuery#values} reads from a statement's criteria for a query chooser. */
class ShardingQueryTest {
    static {
        ShardingEntities.registry(); // maps the entities, so their metamodel columns exist
    }

    private static Optional<Set<String>> continents(EntitySelect<?> q) {
        return ShardQuery.of(q).values(WeatherLocation_.continent);
    }

    @Test // O14: = and IN pin a column, directly, inside AND, on either side of =; several conjuncts intersect
    void equalityAndInPinTheColumn() {
        EntitySelect<WeatherLocation> all = Orm.select(WeatherLocation.class);
        assertThat(continents(all.where(WeatherLocation_.continent.eq("Asia")))).contains(Set.of("Asia"));
        assertThat(continents(all.where(WeatherLocation_.continent.in("Asia", "Europe")))).contains(Set.of("Asia", "Europe"));
        assertThat(continents(all.where(Sql.param("Asia", SqlTypes.varchar(40)).eq(WeatherLocation_.continent))))
                .contains(Set.of("Asia"));
        assertThat(continents(all.where(Sql.and(WeatherLocation_.city.eq("Tokyo"), WeatherLocation_.continent.eq("Asia")))))
                .contains(Set.of("Asia"));
        assertThat(continents(all.where(WeatherLocation_.continent.in("Asia", "Europe"), WeatherLocation_.continent.eq("Europe"))))
                .contains(Set.of("Europe"));
        assertThat(continents(all.where(WeatherLocation_.continent.eq("Asia"), WeatherLocation_.continent.eq("Europe"))))
                .as("contradictory: no shard can hold a row").contains(Set.of());
    }

    @Test // O14: OR, NOT, NOT IN, other operators and other columns leave the column unpinned (every shard)
    void otherCriteriaDoNotPinIt() {
        EntitySelect<WeatherLocation> all = Orm.select(WeatherLocation.class);
        assertThat(continents(all)).isEmpty();
        assertThat(continents(all.where(WeatherLocation_.city.eq("Tokyo")))).isEmpty();
        assertThat(continents(all.where(Sql.or(WeatherLocation_.continent.eq("Asia"), WeatherLocation_.city.eq("Quito")))))
                .isEmpty();
        assertThat(continents(all.where(Sql.not(WeatherLocation_.continent.eq("Asia"))))).isEmpty();
        assertThat(continents(all.where(WeatherLocation_.continent.notIn(List.of("Asia"))))).isEmpty();
        assertThat(continents(all.where(WeatherLocation_.continent.ne("Asia")))).isEmpty();
        assertThat(continents(all.where(WeatherLocation_.continent.eq(WeatherLocation_.city)))).isEmpty();
    }

    @Test // O14: bulk statements and row queries give the chooser their entity and criteria too
    void bulkAndRowStatementsDescribeThemselves() {
        ShardQuery bulk = ShardQuery.of(Orm.update(WeatherLocation.class).set(WeatherLocation_.city, "x")
                .where(WeatherLocation_.continent.eq("Asia")));
        assertThat(bulk.entity()).isEqualTo(WeatherLocation.class);
        assertThat(bulk.values(WeatherLocation_.continent)).contains(Set.of("Asia"));
        ShardQuery rows = ShardQuery.of(Orm.selectRows(Report_.temperature, WeatherLocation.class)
                .where(WeatherLocation_.continent.in("Europe")));
        assertThat(rows.entity()).isEqualTo(WeatherLocation.class);
        assertThat(rows.values(WeatherLocation_.continent)).contains(Set.of("Europe"));
        assertThat(rows.statement()).isInstanceOf(RowSelect.class);
        assertThat(ShardQuery.of(Orm.select(Report.class)).values(WeatherLocation_.continent)).isEmpty();
    }
}
