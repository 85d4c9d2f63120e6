package io.retort.engine;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.util.ArrayList;
import java.util.List;

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

    @Test
    void theStatementsDiscardHookKeepsTheCallersOwn() {
        List<Object> seenByCaller = new ArrayList<>();
        Context upstream = TrackedStatement.withDiscardHook(callerContext(seenByCaller));
        Operators.onDiscard("a dropped driver message", upstream);
        assertThat(seenByCaller).containsExactly("a dropped driver message");
        // Without a caller's hook, the driver hook alone runs; it ignores what is not a driver buffer.
        Operators.onDiscard("another", TrackedStatement.withDiscardHook(Context.empty()));
        assertThat(seenByCaller).hasSize(1);
    }

    /** The context a caller's {@code doOnDiscard} gives the operators above it. */
    private static Context callerContext(List<Object> sink) {
        Context[] seen = new Context[1];
        Flux.deferContextual(ctx -> {
            seen[0] = Context.of(ctx);
            return Flux.just(1);
        }).doOnDiscard(Object.class, sink::add).blockLast();
        return seen[0];
    }
}
