package io.retort.tck.env;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which leak reports the guard tolerates as r2dbc-mysql's own: only its frame decoder's, never Retort's. */
class NettyLeakGuardTest {

    private static final String MYSQL = "LEAK: ByteBuf.release() was not called before it's garbage-collected.\n"
            + "Recent access records: \n#1:\n\tio.netty.handler.codec.ByteToMessageDecoder.channelRead(ByteToMessageDecoder.java:306)\n"
            + "#2:\n\tio.asyncer.r2dbc.mysql.client.MessageDuplexCodec.decode(MessageDuplexCodec.java:180)\n";

    @Test
    void onlyTheDecodersOwnReportsAreUpstream() {
        assertThat(NettyLeakGuard.upstreamMysql(MYSQL)).isTrue();
        assertThat(NettyLeakGuard.upstreamMysql(MYSQL + "#3:\n\tio.retort.engine.DriverBuffers.release(DriverBuffers.java:40)\n"))
                .as("a record in Retort's code").isFalse();
        assertThat(NettyLeakGuard.upstreamMysql("LEAK: ...\n\tio.r2dbc.postgresql.message.backend.DataRow.decodeColumn(DataRow.java:149)\n"))
                .as("another driver").isFalse();
        assertThat(NettyLeakGuard.UPSTREAM_MYSQL_TOLERANCE).isLessThan(26);
    }
}
