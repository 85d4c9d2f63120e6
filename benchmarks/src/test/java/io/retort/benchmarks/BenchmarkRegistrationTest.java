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
 * Checks the metadata JMH's annotation processor generated: the benchmarks exist, every Retort
 * benchmark has its raw-driver (or competitor) pair in the same class, and they carry the shared
 * settings. It reads {@code META-INF/BenchmarkList} only; it never runs a benchmark and needs no
 * database.
 */
class BenchmarkRegistrationTest {

    private static Map<String, BenchmarkListEntry> entries() throws IOException {
        try (InputStream in = BenchmarkRegistrationTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertTrue(in != null, "JMH annotation processor did not run: no " + BenchmarkList.BENCHMARK_LIST);
            List<BenchmarkListEntry> list = BenchmarkList.readBenchmarkList(in);
            return list.stream().collect(Collectors.toMap(BenchmarkListEntry::getUsername, Function.identity()));
        }
    }

    /** Asserts {@code methods} of {@code type} are registered with the shared settings; returns them by name. */
    private static Map<String, BenchmarkListEntry> shared(Class<?> type, List<String> methods) throws IOException {
        Map<String, BenchmarkListEntry> all = entries();
        String prefix = type.getName() + ".";
        for (String method : methods) {
            BenchmarkListEntry e = all.get(prefix + method);
            assertTrue(e != null, "not registered: " + type.getSimpleName() + "." + method + " in " + all.keySet());
            assertEquals(Mode.Throughput, e.getMode(), method);
            assertEquals(TimeUnit.SECONDS, e.getTimeUnit().get(), method);
            assertEquals(1, e.getForks().get(), method);
            assertEquals(5, e.getWarmupIterations().get(), method);
            assertEquals(TimeValue.seconds(10), e.getWarmupTime().get(), method);
            assertEquals(5, e.getMeasurementIterations().get(), method);
            assertEquals(TimeValue.seconds(10), e.getMeasurementTime().get(), method);
            assertTrue(e.getJvmArgsAppend().get().containsAll(List.of("-Xms2g", "-Xmx2g")),
                    "fixed heap: " + e.getJvmArgsAppend());
        }
        return all.entrySet().stream()
                .filter(x -> x.getKey().startsWith(prefix))
                .collect(Collectors.toMap(x -> x.getKey().substring(prefix.length()), Map.Entry::getValue));
    }

    private static int ops(BenchmarkListEntry e) {
        return e.getOperationsPerInvocation().orElse(1);
    }

    @Test
    void pointSelectIsRegisteredWithTheSharedSettings() throws IOException {
        Map<String, BenchmarkListEntry> m = shared(PointSelectBenchmark.class,
                List.of("rawSequential", "rawPooled16", "retortSequential", "retortPooled16", "retortPooled16PrePing"));
        assertEquals(1, ops(m.get("rawSequential")));
        assertEquals(1, ops(m.get("retortSequential")));
        for (String pooled : List.of("rawPooled16", "retortPooled16", "retortPooled16PrePing")) {
            assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(m.get(pooled)), pooled);
        }
    }

    @Test
    void sameMachinePairsCountEveryQuery() throws IOException {
        // One invocation of a paired method runs a batch of each side; a turn-taking method runs one of its own.
        Map<String, BenchmarkListEntry> pg = shared(PointSelectBenchmark.class,
                List.of("pairedPooled16", "rawPooled16Turns", "retortPooled16Turns", "rawSequentialTurns",
                        "retortSequentialTurns"));
        assertEquals(1, ops(pg.get("rawSequentialTurns")));
        assertEquals(1, ops(pg.get("retortSequentialTurns")));
        assertEquals(2 * PointSelectBenchmark.IN_FLIGHT, ops(pg.get("pairedPooled16")));
        assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(pg.get("rawPooled16Turns")));
        assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(pg.get("retortPooled16Turns")));
        Map<String, BenchmarkListEntry> maria = shared(MariaDbBenchmark.class,
                List.of("pointPairedPooled16", "pointRawPooled16Turns", "pointRetortPooled16Turns"));
        assertEquals(2 * PointSelectBenchmark.IN_FLIGHT, ops(maria.get("pointPairedPooled16")));
        assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(maria.get("pointRawPooled16Turns")));
        assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(maria.get("pointRetortPooled16Turns")));
    }

    @Test
    void compilerSuitePairsRetortWithJooq() throws IOException {
        Map<String, BenchmarkListEntry> m = shared(CompilerBenchmark.class,
                List.of("compileFull", "cacheHit", "template", "jooq", "buildOnly", "buildAndKey", "hitFloor"));
        m.values().forEach(e -> assertEquals(1, ops(e), e.getUsername()));
    }

    @Test
    void engineSuitesCountRowsAsOperations() throws IOException {
        Map<String, BenchmarkListEntry> stream = shared(StreamBenchmark.class, List.of("raw", "retortRows", "retortInto"));
        stream.values().forEach(e -> assertEquals(StreamBenchmark.ROWS, ops(e), e.getUsername()));

        Map<String, BenchmarkListEntry> insert = shared(BulkInsertBenchmark.class, List.of("rawBatchAdd", "rawMultiValues",
                "rawUnnest", "rawCopy", "retortExecuteMany"));
        insert.values().forEach(e -> assertEquals(BulkInsertBenchmark.ROWS, ops(e), e.getUsername()));

        Map<String, BenchmarkListEntry> maria = shared(MariaDbBenchmark.class, List.of("pointRawSequential",
                "pointRetortSequential", "pointRawPooled16", "pointRetortPooled16", "streamRaw", "streamRetortRows",
                "insertRawBatchAdd", "insertRawMultiValues", "insertRetortExecuteMany"));
        assertEquals(PointSelectBenchmark.IN_FLIGHT, ops(maria.get("pointRetortPooled16")));
        assertEquals(StreamBenchmark.ROWS, ops(maria.get("streamRetortRows")));
        assertEquals(BulkInsertBenchmark.ROWS, ops(maria.get("insertRetortExecuteMany")));

        Map<String, BenchmarkListEntry> bridge = shared(BridgeBenchmark.class, List.of("jdbcSequential", "bridgeSequential",
                "jdbcPooled16", "bridgePooled16", "jdbcStream", "bridgeStream"));
        assertEquals(16, ops(bridge.get("jdbcPooled16")));
        assertEquals(16, ops(bridge.get("bridgePooled16")));
        assertEquals(StreamBenchmark.ROWS, ops(bridge.get("jdbcStream")));
        assertEquals(StreamBenchmark.ROWS, ops(bridge.get("bridgeStream")));
    }

    @Test
    void everyRetortBenchmarkHasAPairInItsClass() throws IOException {
        Map<String, BenchmarkListEntry> all = entries();
        for (Class<?> suite : List.of(PointSelectBenchmark.class, CompilerBenchmark.class, StreamBenchmark.class,
                BulkInsertBenchmark.class, MariaDbBenchmark.class)) {
            String prefix = suite.getName() + ".";
            List<String> names = all.keySet().stream().filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length())).toList();
            boolean retort = names.stream().anyMatch(n -> n.toLowerCase().contains("retort") || n.equals("cacheHit"));
            boolean pair = names.stream().anyMatch(n -> n.toLowerCase().contains("raw") || n.equals("jooq"));
            assertTrue(retort && pair, suite.getSimpleName() + " must pair Retort with the raw driver: " + names);
        }
    }

    @Test
    void ormStreamingAndCoalescingHaveTheirRawPair() throws IOException {
        Map<String, BenchmarkListEntry> all = entries();
        String prefix = OrmBenchmark.class.getName() + ".";
        for (String method : List.of("ormStreamSelectin1000x10", "ormCoalescedFetch1000x10", "raw1000x10")) {
            BenchmarkListEntry e = all.get(prefix + method);
            assertTrue(e != null, "not registered: OrmBenchmark." + method);
            assertEquals(Mode.AverageTime, e.getMode(), method);
        }
    }
}
