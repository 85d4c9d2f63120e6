package io.retort.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which discarded driver messages the engine releases. The behaviour itself is proved against the
 * real drivers by the TCK (CancellationSuite: no double release on r2dbc-mysql, no leak report on
 * r2dbc-postgresql and r2dbc-mariadb under Netty's paranoid leak detection).
 */
class DriverBuffersTest {

    @Test
    void releasesOnlyTheMessagesOfDriversThatLeaveThemToTheDiscardHook() {
        assertThat(DriverBuffers.ownsDiscards("io.r2dbc.postgresql.message.backend.DataRow")).isTrue();
        assertThat(DriverBuffers.ownsDiscards("org.mariadb.r2dbc.message.server.RowPacket")).isTrue();
        // reactor-netty releases r2dbc-mysql's rows itself after the discard: releasing them too was a double release
        assertThat(DriverBuffers.ownsDiscards("io.asyncer.r2dbc.mysql.message.server.RowMessage")).isFalse();
        assertThat(DriverBuffers.ownsDiscards("io.netty.buffer.PooledUnsafeDirectByteBuf")).isFalse();
    }
}
