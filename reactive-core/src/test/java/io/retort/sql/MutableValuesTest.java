package io.retort.sql;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** O15: which types are mutable, and their deep copy and content comparison. */
@SuppressWarnings("unchecked")
class MutableValuesTest {

    @Test
    void mutabilityFollowsTheJavaType() {
        assertThat(SqlTypes.BINARY.isMutable()).isTrue();
        assertThat(SqlTypes.arrayOf(SqlTypes.INTEGER).isMutable()).isTrue();
        assertThat(SqlTypes.VARCHAR.isMutable()).isFalse();
        assertThat(SqlTypes.JSON.isMutable()).as("JSON as text is a String").isFalse();
        assertThat(SqlType.converted(SqlTypes.JSON, List.class, Object::toString, x -> List.of()).isMutable()).isTrue();
        assertThat(SqlTypes.enumByName(SqlType.Kind.class).isMutable()).isFalse();
    }

    @Test
    void arraysAreCopiedDeeplyAndComparedByContent() {
        SqlType<Integer[]> t = SqlTypes.arrayOf(SqlTypes.INTEGER);
        Integer[] a = {1, 2, null};
        Integer[] c = (Integer[]) t.copyValue(a);
        assertThat(c).isNotSameAs(a).containsExactly(1, 2, null);
        assertThat(t.compareValues(a, c)).isTrue();
        a[0] = 5;
        assertThat(t.compareValues(a, c)).isFalse();

        Object[][] nested = {{1, 2}, {3}};
        Object[][] nc = (Object[][]) MutableValues.copy(nested);
        nested[1][0] = 4;
        assertThat(nc[1][0]).as("inner arrays copied too").isEqualTo(3);
        assertThat(MutableValues.equal(nested, nc)).isFalse();

        byte[] b = {1, 2};
        assertThat(SqlTypes.BINARY.compareValues(b, SqlTypes.BINARY.copyValue(b))).isTrue();
    }

    @Test
    void collectionsAndMapsAreCopiedWithTheirKind() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> inner = new ArrayList<>(List.of(1, 2));
        m.put("l", inner);
        @SuppressWarnings("unchecked")
        Map<String, Object> mc = (Map<String, Object>) MutableValues.copy(m);
        inner.add(3);
        assertThat((List<Object>) mc.get("l")).as("nested list copied").containsExactly(1, 2);
        assertThat(MutableValues.equal(m, mc)).isFalse();

        TreeSet<String> sorted = new TreeSet<>(Comparator.reverseOrder());
        sorted.addAll(List.of("a", "b"));
        assertThat((Iterable<Object>) MutableValues.copy(sorted)).isInstanceOf(TreeSet.class).containsExactly("b", "a");
        assertThat(MutableValues.equal(new BigDecimal("1.0"), new BigDecimal("1.00"))).isTrue();
    }

    @Test
    void aMutableConvertedTypeCopiesAndComparesThroughItsStoredForm() {
        // A toy codec: a StringBuilder (mutable, no content equals) stored as its text.
        SqlType<StringBuilder> t = SqlType.mutableConverted(SqlTypes.TEXT, StringBuilder.class, StringBuilder::toString, StringBuilder::new);
        StringBuilder v = new StringBuilder("ab");
        StringBuilder c = (StringBuilder) t.copyValue(v);
        assertThat(c).isNotSameAs(v).hasToString("ab");
        assertThat(t.compareValues(v, c)).isTrue();
        v.append('c');
        assertThat(t.compareValues(v, c)).isFalse();
        assertThat(t.isMutable()).isTrue();
    }
}
