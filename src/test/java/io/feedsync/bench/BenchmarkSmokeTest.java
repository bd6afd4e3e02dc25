package io.feedsync.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark at its smallest size, so that it cannot rot: every measurement is taken,
 * every row lands, the ratios come out. It asserts nothing about speed — the suite's machine is
 * shared and noisy; the numbers are bench/run's business.
 */
class BenchmarkSmokeTest {

    @Test
    @SuppressWarnings("unchecked")
    void theBenchmarkRunsEndToEndAt10k() throws Exception {
        Path target = Path.of(System.getProperty("user.dir"));
        Map<String, Object> result = Benchmark.run(Benchmark.Options.parse(
                "--size", "10000", "--naive-size", "1000",
                "--out", target.resolve("bench-results").toString(),
                "--work", target.resolve("bench-work-smoke").toString()));

        assertThat((List<String>) result.get("problems")).isEmpty();
        assertThat(result.get("ok")).isEqualTo(true);
        for (String measurement : List.of("limit", "limitRefresh1pct", "naive", "feedsyncFirstLoad", "feedsyncRefresh1pct")) {
            Map<String, Object> m = (Map<String, Object>) result.get(measurement);
            assertThat(m).as(measurement).isNotNull();
            assertThat(((Number) m.get("rowsPerSecond")).doubleValue()).as(measurement).isPositive().isFinite();
        }
        Map<String, Object> first = (Map<String, Object>) result.get("feedsyncFirstLoad");
        assertThat(((Map<String, Object>) first.get("counts"))).containsEntry("inserted", 10000);
        Map<String, Object> refresh = (Map<String, Object>) result.get("feedsyncRefresh1pct");
        assertThat(((Map<String, Object>) refresh.get("counts"))).containsEntry("updated", 100).containsEntry("unchanged", 9900);
        Map<String, Object> incremental = (Map<String, Object>) result.get("feedsyncIncrementalNothingNew");
        assertThat(((Map<String, Object>) incremental.get("counts"))).containsEntry("inserted", 0).containsEntry("updated", 0);
        Map<String, Object> ratios = (Map<String, Object>) result.get("ratios");
        assertThat(ratios).containsKeys("feedsyncOverLimit", "feedsyncOverNaive", "refreshOverFirstLoad");
        ratios.values().forEach(ratio -> assertThat(((Number) ratio).doubleValue()).isPositive().isFinite());
        assertThat(((Number) result.get("feedsyncPeakHeapMiB")).doubleValue()).isPositive().isLessThanOrEqualTo(256);
    }
}
