package io.retort.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Takes turns with a benchmark running in another JVM at the same time: two forks, one per side
 * (the raw driver, Retort), each in its own JVM with its own JIT, run their batches strictly
 * alternately, and each times only its own batches. Their throughputs then come from the same
 * minutes of the machine, like {@link PairTimer}'s, without sharing a JIT (whose type profiles
 * would mix both sides' classes at shared call sites). {@code benchmarks/turns.sh} starts the
 * pair.
 *
 * <p>The turn is a counter in a memory-mapped file ({@code -Dretort.bench.turnFile}); side
 * {@code -Dretort.bench.turnRole} (0 or 1) runs when the counter's parity equals it and
 * increments it after its batch. A side that waited more than {@link #ABSENT_NANOS} for its turn
 * (the partner has not started or has finished) takes it anyway and counts a {@code solo} batch;
 * a run is paired when the solo counts are small. Without the properties it runs alone.
 *
 * <p>Counters are JMH EVENTS: per iteration as they are; the summary line sums them.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class TurnTimer {
    static final long ABSENT_NANOS = 200_000_000L;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private MappedByteBuffer turn;
    private int role;
    long nanos;
    long queries;
    /** Batches run without the partner (it was absent); counted, not excluded. */
    public long solo;

    @Setup(Level.Trial)
    public void open() {
        String file = System.getProperty("retort.bench.turnFile");
        if (file == null) {
            return;
        }
        role = Integer.parseInt(System.getProperty("retort.bench.turnRole", "0"));
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            turn = ch.map(FileChannel.MapMode.READ_WRITE, 0, 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (turn != null) {
            // Hand the turn over for good: the partner must not wait for us any more.
            LONGS.getAndAdd(turn, 0, 1L);
            turn = null;
        }
    }

    @Setup(Level.Iteration)
    public void reset() {
        nanos = 0;
        queries = 0;
        solo = 0;
    }

    /** Waits for this side's turn, runs one batch of {@code perBatch} queries, timed, and passes the turn. */
    void run(Supplier<?> batch, int perBatch, Blackhole bh) {
        if (turn != null) {
            awaitTurn();
        }
        long t0 = System.nanoTime();
        bh.consume(batch.get());
        nanos += System.nanoTime() - t0;
        queries += perBatch;
        if (turn != null) {
            LONGS.getAndAdd(turn, 0, 1L);
        }
    }

    private void awaitTurn() {
        long start = System.nanoTime();
        for (int spins = 0; (((long) LONGS.getVolatile(turn, 0)) & 1) != role; spins++) {
            if (spins < 200) {
                Thread.onSpinWait();
            } else if (System.nanoTime() - start > ABSENT_NANOS) {
                solo++;
                LONGS.getAndAdd(turn, 0, 1L); // take the turn; the partner gets it back after our batch
                return;
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    /** This side's queries per second of its own batches, this iteration. */
    public double qps() {
        return nanos == 0 ? 0 : queries * 1e9 / nanos;
    }
}
