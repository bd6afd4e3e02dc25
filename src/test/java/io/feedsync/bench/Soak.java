package io.feedsync.bench;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.feedsync.support.TestDatabase;

/**
 * The soak run: feedsync, as the built jar in its own JVM, syncs a feed on a fast timer
 * for {@code --minutes} from a loopback upstream that injects faults at random ({@link SoakUpstream}),
 * while this harness samples, every {@code --sample} seconds, its heap after a forced GC, its Hikari
 * pool (active, idle, total, pending), its live threads and open files (actuator metrics; the GC
 * through Jolokia). At the end it suspends the timer (JMX), lets the last run finish and checks the
 * pool is idle; then it prints the samples and a verdict, and exits 1 if anything grew past its
 * tolerance. Usage: {@code bench/soak [--minutes 10] [--every 3] [--sample 5] [--heap 256m]
 * [--records 2000] [--seed N] [-- feedsync args]}.
 */
public final class Soak {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String FEED = "soak";
    private static final int POOL_SIZE = 10;

    /** What to run. */
    public record Options(double minutes, int everySeconds, int sampleSeconds, String heap, int records, long seed,
                          Path outDir, Path workDir, List<String> feedsyncArgs) {

        public static Options parse(String... args) {
            double minutes = 10;
            int every = 3;
            int sample = 5;
            String heap = "256m";
            int records = 2000;
            long seed = System.nanoTime();
            Path out = Path.of("bench/results");
            Path work = Path.of("target/soak-work");
            List<String> feedsyncArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--")) {
                    feedsyncArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                switch (args[i]) {
                    case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                    case "--every" -> every = Integer.parseInt(args[++i]);
                    case "--sample" -> sample = Integer.parseInt(args[++i]);
                    case "--heap" -> heap = args[++i];
                    case "--records" -> records = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (expected --minutes M,"
                            + " --every S, --sample S, --heap 256m, --records N, --seed N, --out DIR, --work DIR [-- feedsync args])");
                }
            }
            if (minutes < 1 || every < 1 || every > 59 || sample < 1 || records < 100) {
                throw new IllegalArgumentException("need --minutes >= 1, --every 1..59, --sample >= 1, --records >= 100");
            }
            return new Options(minutes, every, sample, heap, records, seed, out, work, List.copyOf(feedsyncArgs));
        }
    }

    /** One look at feedsync. */
    public record Sample(double minute, double heapAfterGcMiB, double hikariActive, double hikariIdle,
                         double hikariTotal, double hikariPending, double threads, double openFiles,
                         long runsSucceeded, long runsFailed, long deadLetters) {
    }

    /** What one measure did between the start (after warm-up) and the end of the soak. */
    public record Trend(String measure, double first, double last, double growth, double slopePer10Min,
                        double tolerance, boolean flat) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result = run(Options.parse(args));
        System.exit(Boolean.TRUE.equals(result.get("flat")) ? 0 : 1);
    }

    public static Map<String, Object> run(Options options) throws Exception {
        Files.createDirectories(options.workDir());
        Files.createDirectories(options.outDir());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("options", Map.of("minutes", options.minutes(), "everySeconds", options.everySeconds(),
                "sampleSeconds", options.sampleSeconds(), "heap", options.heap(), "records", options.records(),
                "seed", options.seed(), "feedsyncArgs", options.feedsyncArgs()));
        List<String> problems = new ArrayList<>();

        String url = BenchSupport.fresh("feedsync_soak");
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement()) {
            // a schema of its own: feedsync's Flyway wants public to itself
            sql.execute("create schema soak");
            sql.execute("create table soak.soak_plans (key text primary key, version text not null,"
                    + " n integer not null, updated_at timestamptz, deleted_at timestamptz)");
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, Object> idle;
        try (SoakUpstream upstream = new SoakUpstream(options.records(), 1500, options.seed());
             Feedsync feedsync = Feedsync.start(options, url, upstream.url())) {
            long start = System.nanoTime();
            long end = start + (long) (options.minutes() * 60e9);
            Benchmark.log("soak: " + options.minutes() + " min, feed '" + FEED + "' every " + options.everySeconds()
                    + " s, a sample every " + options.sampleSeconds() + " s (seed " + options.seed() + ")");
            printHeader();
            for (long next = start + options.sampleSeconds() * 1_000_000_000L; next <= end;
                 next += options.sampleSeconds() * 1_000_000_000L) {
                sleepUntil(next);
                feedsync.checkAlive();
                Sample sample = feedsync.sample((System.nanoTime() - start) / 60e9, url);
                samples.add(sample);
                printRow(sample);
            }
            idle = feedsync.idleAtTheEnd(url);
            result.put("upstreamAnswers", upstream.answered());
        }
        result.put("runs", runOutcomes(url));
        result.put("idleAtTheEnd", idle);
        result.put("samples", samples);

        double warmUpMinutes = Math.min(1.0, options.minutes() / 4);
        List<Sample> steady = samples.stream().filter(s -> s.minute() >= warmUpMinutes).toList();
        List<Trend> trends = List.of(
                trend("heap after GC (MiB)", steady, Sample::heapAfterGcMiB, first -> Math.max(8, first * 0.10)),
                trend("hikari total", steady, Sample::hikariTotal, first -> 1),
                trend("hikari active", steady, Sample::hikariActive, first -> 2),
                trend("hikari pending", steady, Sample::hikariPending, first -> 1),
                trend("live threads", steady, Sample::threads, first -> 3),
                trend("open files", steady, Sample::openFiles, first -> 8));
        result.put("warmUpMinutes", warmUpMinutes);
        result.put("trends", trends);
        trends.stream().filter(t -> !t.flat()).forEach(t -> problems.add(t.measure() + " grew by "
                + round(t.growth()) + " (tolerance " + round(t.tolerance()) + ")"));
        if (((Number) idle.get("hikariActive")).doubleValue() > 0 || ((Number) idle.get("hikariPending")).doubleValue() > 0) {
            problems.add("connections still in use with no run going: " + idle);
        }
        if (samples.stream().mapToDouble(Sample::hikariTotal).max().orElse(0) > POOL_SIZE) {
            problems.add("the pool grew past its maximum of " + POOL_SIZE);
        }
        @SuppressWarnings("unchecked")
        Map<String, Long> runs = (Map<String, Long>) result.get("runs");
        if (runs.getOrDefault("SUCCEEDED", 0L) == 0) {
            problems.add("no run succeeded: the soak did not exercise a whole sync");
        }
        if (runs.getOrDefault("RUNNING", 0L) + runs.getOrDefault("QUEUED", 0L) > 0) {
            problems.add("a run is still QUEUED or RUNNING after the timer was suspended and " + Feedsync.DRAIN.toSeconds() + " s passed");
        }
        result.put("problems", problems);
        result.put("flat", problems.isEmpty());
        printVerdict(result, trends, samples.size() - steady.size());

        BenchSupport.writeResult(options.outDir(), "soak", result);
        return result;
    }

    /** First and last third of the steady samples, by their medians; the least-squares slope over all of them. */
    static Trend trend(String measure, List<Sample> samples, ToDoubleFunction<Sample> value,
                       java.util.function.DoubleUnaryOperator tolerance) {
        if (samples.size() < 3) {
            return new Trend(measure, Double.NaN, Double.NaN, 0, 0, 0, true);
        }
        int third = Math.max(1, samples.size() / 3);
        double first = median(samples.subList(0, third), value);
        double last = median(samples.subList(samples.size() - third, samples.size()), value);
        double n = samples.size();
        double mx = samples.stream().mapToDouble(Sample::minute).sum() / n;
        double my = samples.stream().mapToDouble(value).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            sxy += (s.minute() - mx) * (value.applyAsDouble(s) - my);
            sxx += (s.minute() - mx) * (s.minute() - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx * 10;
        double allowed = tolerance.applyAsDouble(first);
        return new Trend(measure, first, last, last - first, slope, allowed, last - first <= allowed);
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> value) {
        double[] sorted = samples.stream().mapToDouble(value).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static Map<String, Long> runOutcomes(String url) throws SQLException {
        Map<String, Long> outcomes = new LinkedHashMap<>();
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("select status || coalesce(' ' || error_class, ''), count(*) from sync_run"
                     + " where feed = '" + FEED + "' group by 1 order by 1")) {
            while (rs.next()) {
                outcomes.put(rs.getString(1), rs.getLong(2));
            }
        }
        outcomes.put("FAILED", outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("FAILED "))
                .mapToLong(Map.Entry::getValue).sum());
        return outcomes;
    }

    // ---------------------------------------------------------------- feedsync in its own JVM

    /** The built jar with the soak feed, driven and watched over HTTP. */
    static final class Feedsync implements AutoCloseable {

        static final Duration DRAIN = Duration.ofSeconds(60);
        static final Duration SETTLE = Duration.ofSeconds(10);
        private static final Pattern ERROR_LINE = Pattern.compile("^\\S+\\s+ERROR ");

        private final Process process;
        private final int port;
        private final String key;
        private final Path log;
        private final BenchApi api;

        private Feedsync(Process process, int port, String key, Path log) {
            this.process = process;
            this.port = port;
            this.key = key;
            this.api = new BenchApi(port, key, Duration.ofSeconds(30));
            this.log = log;
        }

        static Feedsync start(Options options, String databaseUrl, String exportUrl) throws Exception {
            String jar = System.getProperty("bench.jar", "target/feedsync.jar");
            if (!Files.exists(Path.of(jar))) {
                throw new IllegalStateException(jar + " is missing: build it first (bench/soak does)");
            }
            String feed = "--feedsync.feeds." + FEED + ".";
            List<String> args = new ArrayList<>(List.of(
                    "--spring.datasource.hikari.maximum-pool-size=" + POOL_SIZE,
                    feed + "schedule=0/" + options.everySeconds() + " * * * * ?",
                    feed + "mode=full",
                    feed + "source.url=" + exportUrl,
                    feed + "source.pagination.type=page",
                    feed + "source.pagination.size=100",
                    feed + "source.records=/data",
                    feed + "source.incremental.cursor=/updated_at",
                    feed + "source.timeout=1s",
                    feed + "source.connect-timeout=1s",
                    feed + "source.max-page-size=1MB",
                    feed + "source.retry.max-attempts=4",
                    feed + "source.retry.initial-backoff=100ms",
                    feed + "source.retry.max-backoff=1s",
                    feed + "transform.mapping.key=/key",
                    feed + "transform.mapping.version=/version",
                    feed + "transform.mapping.n=/n",
                    feed + "transform.mapping.updated_at=/updated_at",
                    feed + "target.table=soak.soak_plans",
                    feed + "target.key=key",
                    feed + "target.soft-delete=deleted_at"));
            args.addAll(options.feedsyncArgs());
            BenchSupport.Launched launched = BenchSupport.launch(jar, options.heap(), "soak", databaseUrl, args,
                    options.workDir().toAbsolutePath(), "feedsync: starting its JVM, -Xmx" + options.heap());
            Feedsync feedsync = new Feedsync(launched.process(), launched.port(), launched.key(), launched.log());
            feedsync.awaitReady(Duration.ofSeconds(180));
            return feedsync;
        }

        private void awaitReady(Duration timeout) throws Exception {
            BenchSupport.awaitReady(timeout, this::checkAlive, () -> get("/api/feeds").statusCode(), "feedsync");
        }

        void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException("feedsync exited with " + process.exitValue() + "; see " + log);
            }
        }

        Sample sample(double minute, String databaseUrl) throws Exception {
            jolokia("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}");
            double heap = metric("jvm.memory.used?tag=area:heap") / (1 << 20);
            long ok;
            long failed;
            long letters;
            try (Connection db = BenchSupport.connect(databaseUrl); Statement sql = db.createStatement();
                 ResultSet rs = sql.executeQuery("select count(*) filter (where status = 'SUCCEEDED'),"
                         + " count(*) filter (where status = 'FAILED'), (select count(*) from sync_dead_letter)"
                         + " from sync_run")) {
                rs.next();
                ok = rs.getLong(1);
                failed = rs.getLong(2);
                letters = rs.getLong(3);
            }
            return new Sample(minute, heap, metric("hikaricp.connections.active"), metric("hikaricp.connections.idle"),
                    metric("hikaricp.connections"), metric("hikaricp.connections.pending"), metric("jvm.threads.live"),
                    metric("process.files.open"), ok, failed, letters);
        }

        /** Suspends the timer (over JMX, as an operator would), lets the last run end, and looks at the pool. */
        Map<String, Object> idleAtTheEnd(String databaseUrl) throws Exception {
            jolokia("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=feedsync,type=routes,name=\\\"feed-"
                    + FEED + "-timer\\\"\",\"operation\":\"suspend()\"}");
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (System.nanoTime() < deadline && running(databaseUrl) > 0) {
                Thread.sleep(200);
            }
            // a run's row is final a moment before its lock's connection goes back to the pool;
            // a leaked connection would stay out
            long idleSince = System.nanoTime();
            long idleDeadline = idleSince + SETTLE.toNanos();
            while (System.nanoTime() < idleDeadline && metric("hikaricp.connections.active") > 0) {
                Thread.sleep(100);
            }
            double settled = (System.nanoTime() - idleSince) / 1e9;
            Sample last = sample(Double.NaN, databaseUrl);
            Map<String, Object> idle = new LinkedHashMap<>();
            idle.put("runsStillRunning", running(databaseUrl));
            idle.put("secondsUntilNoConnectionInUse", round(settled));
            idle.put("hikariActive", last.hikariActive());
            idle.put("hikariIdle", last.hikariIdle());
            idle.put("hikariPending", last.hikariPending());
            idle.put("heapAfterGcMiB", round(last.heapAfterGcMiB()));
            idle.put("threads", last.threads());
            idle.put("openFiles", last.openFiles());
            return idle;
        }

        private static long running(String databaseUrl) throws SQLException {
            try (Connection db = BenchSupport.connect(databaseUrl); Statement sql = db.createStatement();
                 ResultSet rs = sql.executeQuery("select count(*) from sync_run where status in ('QUEUED', 'RUNNING')")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        double metric(String nameAndTags) throws Exception {
            return api.metric(nameAndTags);
        }

        private void jolokia(String request) throws Exception {
            api.jolokia(request);
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return api.get(path);
        }

        private HttpRequest.Builder request(String path) {
            return api.request(path);
        }

        long errorLines() throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.filter(line -> ERROR_LINE.matcher(line).find()).count();
            }
        }

        @Override
        public void close() throws Exception {
            Benchmark.log("feedsync: " + errorLines() + " ERROR lines in its log");
            BenchSupport.stop(process);
        }
    }

    // ---------------------------------------------------------------- printing

    private static void printHeader() {
        System.out.printf("%n%7s %10s %7s %6s %7s %8s %8s %7s %8s %8s %8s%n", "minute", "heap MiB", "active", "idle",
                "total", "pending", "threads", "files", "runs ok", "failed", "letters");
    }

    private static void printRow(Sample s) {
        System.out.printf("%7.2f %10.1f %7.0f %6.0f %7.0f %8.0f %8.0f %7.0f %8d %8d %8d%n", s.minute(),
                s.heapAfterGcMiB(), s.hikariActive(), s.hikariIdle(), s.hikariTotal(), s.hikariPending(), s.threads(),
                s.openFiles(), s.runsSucceeded(), s.runsFailed(), s.deadLetters());
    }

    private static void printVerdict(Map<String, Object> result, List<Trend> trends, int warmUpSamples) {
        StringBuilder out = new StringBuilder(String.format("%n=== soak verdict: %s min, heap -Xmx%s; first %d sample(s)"
                        + " (%.1f min) are warm-up; first vs last third of the rest, medians; slope by least squares ===%n",
                ((Map<?, ?>) result.get("options")).get("minutes"), ((Map<?, ?>) result.get("options")).get("heap"),
                warmUpSamples, (double) result.get("warmUpMinutes")));
        out.append(String.format("%-22s %10s %10s %10s %14s %10s  %s%n", "measure", "first", "last", "growth",
                "slope/10 min", "tolerance", "verdict"));
        for (Trend t : trends) {
            out.append(String.format("%-22s %10.1f %10.1f %+10.1f %+14.2f %10.1f  %s%n", t.measure(), t.first(), t.last(),
                    t.growth(), t.slopePer10Min(), t.tolerance(), t.flat() ? "flat" : "GREW"));
        }
        out.append("idle at the end (timer suspended, last run done): ").append(result.get("idleAtTheEnd")).append('\n');
        out.append("runs: ").append(result.get("runs")).append('\n');
        out.append("upstream answers: ").append(result.get("upstreamAnswers")).append('\n');
        out.append("problems: ").append(result.get("problems")).append('\n');
        out.append(Boolean.TRUE.equals(result.get("flat")) ? "VERDICT: FLAT\n" : "VERDICT: NOT FLAT\n");
        System.out.println(out);
    }

    // ---------------------------------------------------------------- helpers
    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private Soak() {
    }
}
