package io.retort.tck.env;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which leak reports the guard tolerates as a driver's own: buffers Retort never held. */
class NettyLeakGuardTest {

    private static final String MYSQL = "LEAK: ByteBuf.release() was not called before it's garbage-collected.\n"
            + "Recent access records: \n#1:\n\tio.netty.handler.codec.ByteToMessageDecoder.channelRead(ByteToMessageDecoder.java:306)\n"
            + "#2:\n\tio.asyncer.r2dbc.mysql.client.MessageDuplexCodec.decode(MessageDuplexCodec.java:180)\n";

    @Test
    void onlyBuffersTheDriverAloneHeldAreUpstream() {
        assertThat(NettyLeakGuard.driverOwned(MYSQL)).isTrue();
        assertThat(NettyLeakGuard.driverOwned(MYSQL + "#3:\n\tio.retort.engine.DriverBuffers.release(DriverBuffers.java:40)\n"))
                .as("a record in Retort's code").isFalse();
        assertThat(NettyLeakGuard.driverOwned("LEAK: ...\n\tio.r2dbc.postgresql.message.backend.DataRow.decodeColumn(DataRow.java:149)\n"))
                .as("another driver").isFalse();
        assertThat(NettyLeakGuard.UPSTREAM_TOLERANCE).isLessThan(26);
        // An outgoing command packet mariadb-connector-r2dbc encoded and never wrote, even when a
        // Retort frame started the command.
        assertThat(NettyLeakGuard.driverOwned("LEAK: ...\n#1:\n\tio.netty.buffer.AdvancedLeakAwareByteBuf.writeCharSequence(x)\n"
                + "\torg.mariadb.r2dbc.message.client.QueryPacket.encode(QueryPacket.java:29)\n"
                + "\torg.mariadb.r2dbc.client.MariadbPacketEncoder.encodeFlux(MariadbPacketEncoder.java:20)\n"
                + "\tio.retort.engine.TrackedStatement.subscribe(TrackedStatement.java:37)\n")).isTrue();
        assertThat(NettyLeakGuard.driverOwned("LEAK: ...\n\torg.mariadb.r2dbc.message.server.RowPacket.decode(x)\n"
                + "\tio.retort.engine.Connection.toRow(x)\n")).as("an inbound row").isFalse();
        // A frame mariadb-connector-r2dbc's decoder cut and lost (F35 race storm): no Retort frame.
        String mariadbFrame = "LEAK: ...\n#1:\n\tio.netty.handler.codec.ByteToMessageDecoder.expandCumulation(x)\n"
                + "#2:\n\tio.netty.buffer.AdvancedLeakAwareByteBuf.skipBytes(x)\n"
                + "\torg.mariadb.r2dbc.client.MariadbFrameDecoder.decode(MariadbFrameDecoder.java:79)\n";
        assertThat(NettyLeakGuard.driverOwned(mariadbFrame)).isTrue();
        assertThat(NettyLeakGuard.driverOwned(mariadbFrame + "\tio.retort.engine.Connection.toRow(x)\n"))
                .as("read by Retort").isFalse();
        // The CopyData r2dbc-postgresql composes for a COPY cut off by a cancel (F35 session storm).
        String copyIn = "LEAK: ...\n#1:\n\tio.netty.buffer.AdvancedLeakAwareCompositeByteBuf.addComponent(x)\n"
                + "Created at:\n\tio.netty.buffer.AbstractByteBufAllocator.compositeBuffer(AbstractByteBufAllocator.java:194)\n"
                + "\tio.r2dbc.postgresql.PostgresqlCopyIn.lambda$copy$0(PostgresqlCopyIn.java:63)\n"
                + "\tio.retort.engine.TrackedStatement.subscribe(TrackedStatement.java:47)\n";
        assertThat(NettyLeakGuard.driverOwned(copyIn)).isTrue();
        // A row r2dbc-postgresql decoded as its connection was cut (race storm classes only).
        String pgRow = "LEAK: ...\n#1:\n\tio.netty.handler.codec.ByteToMessageDecoder.channelInputClosed(x)\n"
                + "Created at:\n\tio.r2dbc.postgresql.message.backend.DataRow.<init>(DataRow.java:37)\n";
        assertThat(NettyLeakGuard.driverOwned(pgRow)).as("outside the cut-connection classes").isFalse();
        assertThat(NettyLeakGuard.networkDriverOwned(pgRow)).isTrue();
        assertThat(NettyLeakGuard.networkDriverOwned(pgRow + "\tio.retort.engine.DriverBuffers.release(x)\n"))
                .as("a row Retort's discard hook held").isFalse();
    }

    @Test
    void cutConnectionReportsAreToleratedOnlyInNetworkFaultClasses() {
        String terminate = "LEAK: ...\n#1:\n\tio.r2dbc.postgresql.message.frontend.Terminate.encode(Terminate.java:40)\n";
        assertThat(NettyLeakGuard.driverOwned(terminate)).as("outside the network fault classes").isFalse();
        assertThat(NettyLeakGuard.networkDriverOwned(terminate)).isTrue();
        String row = "LEAK: ...\n#1:\n\tio.asyncer.r2dbc.mysql.message.server.RowMessage.decode(x)\n";
        assertThat(NettyLeakGuard.networkDriverOwned(row)).isTrue();
        assertThat(NettyLeakGuard.networkDriverOwned(row + "\tio.retort.engine.DriverBuffers.release(DriverBuffers.java:40)\n"))
                .as("a row Retort's reading held").isFalse();
        assertThat(NettyLeakGuard.networkDriverOwned(MYSQL)).as("everything driverOwned accepts").isTrue();
        assertThat(NettyLeakGuard.NETWORK_FAULT_TOLERANCE).isLessThan(26);
    }

    @Test // an outbound message the driver's encoder allocated stays the driver's, whoever subscribed the close
    void closeMessagesAllocatedByTheDriverAreItsOwnWhateverSubscribedTheClose() {
        String quitSlice = "LEAK: ...\nRecent access records: \n#1:\n"
                + "\torg.mariadb.r2dbc.client.MariadbPacketEncoder.lambda$encodeFlux$0(MariadbPacketEncoder.java:35)\n"
                + "\tio.retort.engine.BoundedClose.lambda$of$3(BoundedClose.java:53)\n"
                + "Created at:\n\tio.netty.buffer.SimpleLeakAwareByteBuf.unwrappedDerived(SimpleLeakAwareByteBuf.java:144)\n"
                + "\tio.netty.buffer.AdvancedLeakAwareByteBuf.readRetainedSlice(AdvancedLeakAwareByteBuf.java:108)\n"
                + "\torg.mariadb.r2dbc.client.MariadbPacketEncoder.lambda$encodeFlux$0(MariadbPacketEncoder.java:35)\n"
                + "\tio.retort.engine.BoundedClose.lambda$of$3(BoundedClose.java:53)\n";
        assertThat(NettyLeakGuard.createdIn(quitSlice))
                .isEqualTo("org.mariadb.r2dbc.client.MariadbPacketEncoder.lambda$encodeFlux$0(MariadbPacketEncoder.java:35)");
        assertThat(NettyLeakGuard.networkDriverOwned(quitSlice)).isTrue();
        assertThat(NettyLeakGuard.driverOwned(quitSlice)).as("outside the network fault classes").isFalse();
        String quit = "LEAK: ...\n#1:\n\torg.mariadb.r2dbc.message.client.QuitPacket.encode(QuitPacket.java:23)\n"
                + "Created at:\n\torg.mariadb.r2dbc.message.client.QuitPacket.encode(QuitPacket.java:22)\n"
                + "\tio.retort.tck.TckOracle.afterTestExecution(TckOracle.java:51)\n";
        assertThat(NettyLeakGuard.networkDriverOwned(quit)).isTrue();
        String terminate = "LEAK: ...\nCreated at:\n\tio.netty.buffer.PooledByteBufAllocator.newDirectBuffer(x)\n"
                + "\tio.r2dbc.postgresql.message.frontend.Terminate.encode(Terminate.java:40)\n"
                + "\tio.retort.engine.BoundedClose.lambda$of$3(BoundedClose.java:53)\n";
        assertThat(NettyLeakGuard.networkDriverOwned(terminate)).isTrue();
        // Allocated by a driver's decoder (inbound) and read by Retort: never excused by this rule.
        String row = "LEAK: ...\n#1:\n\tio.retort.engine.TypeReader.read(x)\n"
                + "Created at:\n\torg.mariadb.r2dbc.message.server.RowPacket.decode(x)\n";
        assertThat(NettyLeakGuard.networkDriverOwned(row)).isFalse();
        assertThat(NettyLeakGuard.createdIn("LEAK: no creation record\n")).isEmpty();
    }

    @Test // an r2dbc-mysql frame on a cut connection: Retort in the subscribing stack only, or Retort reading it
    void aMysqlFrameIsTheDriversOnlyIfRetortNeverReadIt() {
        String subscribedOnly = MYSQL + "#3:\n\tio.asyncer.r2dbc.mysql.MySqlSegmentResult$MySqlRowSegment.deallocate(x)\n"
                + "\tio.asyncer.r2dbc.mysql.client.RequestQueue.submit(RequestQueue.java:119)\n"
                + "\tio.retort.engine.TrackedStatement.subscribe(TrackedStatement.java:47)\n";
        assertThat(NettyLeakGuard.driverOwned(subscribedOnly)).as("outside the network fault classes").isFalse();
        assertThat(NettyLeakGuard.networkDriverOwned(subscribedOnly)).isTrue();
        assertThat(NettyLeakGuard.networkDriverOwned(subscribedOnly + "\tio.retort.engine.TypeReader.read(x)\n"))
                .as("a frame Retort read").isFalse();
    }
}
