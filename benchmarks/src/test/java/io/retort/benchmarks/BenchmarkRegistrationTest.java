package io.retort.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Checks the metadata JMH's annotation processor generated: the benchmarks exist and carry the
 * shared settings. It reads {@code META-INF/BenchmarkList} only; it never runs a benchmark and
 * needs no database.
 */
class BenchmarkRegistrationTest {

    private static Map<String, BenchmarkListEntry> entries() throws IOException {
        try (InputStream in = BenchmarkRegistrationTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertTrue(in != null, "JMH annotation processor did not run: no " + BenchmarkList.BENCHMARK_LIST);
            List<BenchmarkListEntry> list = BenchmarkList.readBenchmarkList(in);
            return list.stream().collect(Collectors.toMap(BenchmarkListEntry::getUsername, Function.identity()));
        }
    }

    @Test
    void pointSelectIsRegisteredWithTheSharedSettings() throws IOException {
        Map<String, BenchmarkListEntry> all = entries();
        String prefix = PointSelectBenchmark.class.getName() + ".";
        for (String method : List.of("rawSequential", "rawPooled16")) {
            BenchmarkListEntry e = all.get(prefix + method);
            assertTrue(e != null, "not registered: " + method + " in " + all.keySet());
            assertEquals(Mode.Throughput, e.getMode());
            assertEquals(TimeUnit.SECONDS, e.getTimeUnit().get());
            assertEquals(1, e.getForks().get());
            assertEquals(5, e.getWarmupIterations().get());
            assertEquals(TimeValue.seconds(10), e.getWarmupTime().get());
            assertEquals(5, e.getMeasurementIterations().get());
            assertEquals(TimeValue.seconds(10), e.getMeasurementTime().get());
            assertTrue(e.getJvmArgsAppend().get().containsAll(List.of("-Xms2g", "-Xmx2g")),
                    "fixed heap: " + e.getJvmArgsAppend());
        }
        assertEquals(1, all.get(prefix + "rawSequential").getOperationsPerInvocation().orElse(1));
        assertEquals(PointSelectBenchmark.IN_FLIGHT,
                all.get(prefix + "rawPooled16").getOperationsPerInvocation().get());
    }
}
