package io.retort.tck.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scratch names: shape, uniqueness, and which leftovers the sweep may drop. */
class ScratchNamesTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void namesCarryPrefixAndCreationTime() {
        String pg = ScratchNames.newName(Backend.POSTGRES, NOW);
        String maria = ScratchNames.newName(Backend.MARIADB, NOW);
        assertThat(pg).matches("t_[0-9a-z]+_[0-9a-z]{10}").hasSizeLessThan(63);
        assertThat(maria).matches("retort_t_[0-9a-z]+_[0-9a-z]{10}").hasSizeLessThan(64);
        assertThat(ScratchNames.createdAt(Backend.POSTGRES, pg)).contains(NOW);
        assertThat(ScratchNames.createdAt(Backend.MARIADB, maria)).contains(NOW);
    }

    @Test
    void namesAreUnique() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            names.add(ScratchNames.newName(Backend.MARIADB, NOW));
        }
        assertThat(names).hasSize(10_000);
    }

    @Test
    void onlyOurOldNamesAreStale() {
        String old = ScratchNames.newName(Backend.POSTGRES, NOW.minus(Duration.ofHours(25)));
        String recent = ScratchNames.newName(Backend.POSTGRES, NOW.minus(Duration.ofHours(23)));
        assertThat(ScratchNames.isStale(Backend.POSTGRES, old, NOW)).isTrue();
        assertThat(ScratchNames.isStale(Backend.POSTGRES, recent, NOW)).isFalse();
        // Somebody else's schema that merely starts with t_ is never touched.
        assertThat(ScratchNames.isStale(Backend.POSTGRES, "t_orders", NOW)).isFalse();
        assertThat(ScratchNames.isStale(Backend.POSTGRES, "t_1_abc", NOW)).isFalse();
        // A MariaDB-style name is not a PostgreSQL scratch schema, and vice versa.
        assertThat(ScratchNames.isStale(Backend.MARIADB, old, NOW)).isFalse();
    }
}
