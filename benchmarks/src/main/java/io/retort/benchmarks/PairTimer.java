package io.retort.benchmarks;

import java.util.function.Supplier;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Times a raw-driver batch and a Retort batch alternately in one fork and reports, per
 * iteration, each side's throughput over the time spent in its own batches and their ratio.
 *
 * <p>Why: this machine's speed drifts by ±30 % between forks and over minutes (the hypervisor,
 * and the database server on the same two cores), which pairs of separate forks only average
 * away over many rounds. Batches a millisecond apart see the same machine. Which side goes
 * first alternates. Both sides share one JIT, so driver code both call is compiled for both
 * callers: a bias, if any, against the raw side's inlining.
 *
 * <p>JMH reports these as EVENTS: per iteration as they are, and in the summary line as the sum
 * over iterations (read the per-iteration lines, or the JSON's {@code rawData}).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class PairTimer {
    long rawNanos;
    long retortNanos;
    long batches;
    long queries;

    @Setup(Level.Iteration)
    public void reset() {
        rawNanos = 0;
        retortNanos = 0;
        batches = 0;
        queries = 0;
    }

    /** Runs one batch of each side, {@code perBatch} queries each, in alternating order. */
    void run(Supplier<?> raw, Supplier<?> retort, int perBatch, Blackhole bh) {
        boolean rawFirst = (batches & 1) == 0;
        long t0 = System.nanoTime();
        bh.consume(rawFirst ? raw.get() : retort.get());
        long t1 = System.nanoTime();
        bh.consume(rawFirst ? retort.get() : raw.get());
        long t2 = System.nanoTime();
        rawNanos += rawFirst ? t1 - t0 : t2 - t1;
        retortNanos += rawFirst ? t2 - t1 : t1 - t0;
        batches++;
        queries += perBatch;
    }

    /** The raw driver's queries per second of its own batches, this iteration. */
    public double rawQps() {
        return rawNanos == 0 ? 0 : queries * 1e9 / rawNanos;
    }

    /** Retort's queries per second of its own batches, this iteration. */
    public double retortQps() {
        return retortNanos == 0 ? 0 : queries * 1e9 / retortNanos;
    }

    /** Retort's throughput over the raw driver's, this iteration. */
    public double ratio() {
        return retortNanos == 0 ? 0 : (double) rawNanos / retortNanos;
    }
}
