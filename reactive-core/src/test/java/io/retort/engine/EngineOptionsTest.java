package io.retort.engine;

import io.retort.error.ArgumentError;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine settings: defaults, the round trip through a builder, and each refusal naming its setting. */
class EngineOptionsTest {

    @Test
    void defaultsLeaveTheDriversFetchSize() {
        EngineOptions d = EngineOptions.defaults();
        assertThat(d.fetchSize()).isZero();
        assertThat(d.maxPoolSize()).isEqualTo(10);
        assertThat(d.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.prePing()).isTrue();
        assertThat(d.cancelOnServer()).as("a cancelled statement is stopped on the server by default").isTrue();
    }

    @Test
    void toBuilderKeepsEverySetting() {
        EngineOptions o = EngineOptions.builder().maxPoolSize(3).fetchSize(250).cacheSize(7).echo(true)
                .cancelOnServer(false).maxConcurrentServerCancels(9).build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.toBuilder().fetchSize(0).build().fetchSize()).isZero();
    }

    @Test
    void refusalsNameTheSetting() {
        assertThatThrownBy(() -> EngineOptions.builder().fetchSize(-1).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("fetchSize").hasMessageContaining("-1");
        assertThatThrownBy(() -> EngineOptions.builder().maxPoolSize(0).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("maxPoolSize");
        assertThatThrownBy(() -> EngineOptions.builder().acquireTimeout(Duration.ZERO).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("acquireTimeout");
        assertThatThrownBy(() -> EngineOptions.builder().cacheSize(-1).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("cacheSize");
    }

    @Test // F15: COMMIT is bounded by default, and the bound must be positive
    void commitTimeoutIsBoundedAndValidated() {
        assertThat(EngineOptions.defaults().commitTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThatThrownBy(() -> EngineOptions.builder().commitTimeout(java.time.Duration.ZERO).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("commitTimeout");
        assertThatThrownBy(() -> EngineOptions.builder().commitTimeout(null).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("commitTimeout");
    }

    @Test // a burst of cancels opens at most a handful of server connections by default; at least one must be allowed
    void serverCancelsAreCappedAndTheCapValidated() {
        assertThat(EngineOptions.defaults().maxConcurrentServerCancels()).isEqualTo(4);
        assertThatThrownBy(() -> EngineOptions.builder().maxConcurrentServerCancels(0).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("maxConcurrentServerCancels")
                .hasMessageContaining("cancelOnServer(false)");
    }

    @Test // F31: no eviction at once by default, and a zero idle or life time (r2dbc-pool: evict at once) refused
    void lifetimesAreUnlimitedOrPositive() {
        EngineOptions d = EngineOptions.defaults();
        assertThat(d.maxIdleTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(d.maxLifeTime()).isNull();
        assertThat(d.backgroundEviction()).isNull();
        EngineOptions o = EngineOptions.builder().maxIdleTime(null).maxLifeTime(Duration.ofSeconds(1))
                .backgroundEviction(Duration.ofMillis(200)).build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(EngineOptions.builder().backgroundEviction(Duration.ZERO).build().backgroundEviction()).isZero();
        assertThatThrownBy(() -> EngineOptions.builder().maxLifeTime(Duration.ZERO).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("maxLifeTime");
        assertThatThrownBy(() -> EngineOptions.builder().maxIdleTime(Duration.ofMillis(-1)).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("maxIdleTime");
        assertThatThrownBy(() -> EngineOptions.builder().backgroundEviction(Duration.ofMillis(-5)).build())
                .isInstanceOf(ArgumentError.class).hasMessageContaining("backgroundEviction");
    }
}
