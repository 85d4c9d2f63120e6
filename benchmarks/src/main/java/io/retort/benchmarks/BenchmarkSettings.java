package io.retort.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared JMH settings for every Retort benchmark. Extend it; all the annotations below are
 * {@code @Inherited}, so a subclass gets them without repeating them (a subclass or a method may
 * still override one).
 *
 * <ul>
 *   <li><b>Throughput in operations per second.</b> An "operation" is one query: a benchmark
 *       method that issues several queries per invocation declares
 *       {@code @OperationsPerInvocation(n)}.</li>
 *   <li><b>One fork with a fixed 2 GiB heap</b> ({@code -Xms2g -Xmx2g}, pre-touched): resizing
 *       the heap mid-run shows up as noise, and a fixed heap keeps runs comparable across
 *       machines. A command-line {@code -jvmArgsAppend} replaces these flags: repeat them there,
 *       or pass system properties as {@code java -D... -jar} instead (the fork inherits them).</li>
 *   <li><b>Long warm-up: 5 × 10 s.</b> Reactor-based stacks (reactor-netty, r2dbc drivers, the
 *       pool) need roughly 150–250k queries before C2 has compiled the hot paths and throughput
 *       settles; at ~9k queries/s sequential that is 20–30 s, so 50 s leaves margin.</li>
 *   <li><b>Measurement: 5 × 10 s.</b></li>
 *   <li><b>One benchmark thread</b>: concurrency is expressed inside the benchmark (queries in
 *       flight), not with JMH threads, because the machine has two cores and the database
 *       shares them.</li>
 * </ul>
 *
 * <p>For a quick run, override on the command line, e.g.
 * {@code java -jar benchmarks/target/benchmarks.jar PointSelect -wi 3 -w 10s -i 3 -r 10s -f 1}
 * ({@code -wi}/{@code -w}: warm-up iterations/time, {@code -i}/{@code -r}: measurement
 * iterations/time, {@code -f}: forks). Do not go below ~30 s of warm-up in total or the first
 * measured iterations are still warming up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 5, time = 10, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 10, timeUnit = TimeUnit.SECONDS)
@Threads(1)
@State(Scope.Benchmark)
public abstract class BenchmarkSettings {

    protected BenchmarkSettings() {
    }
}
