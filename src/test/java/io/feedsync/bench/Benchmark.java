package io.feedsync.bench;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.postgresql.PGConnection;

import io.feedsync.support.TestDatabase;

/**
 * feedsync against PostgreSQL's limit and the naive route, in one run on one machine (issue 6,
 * SPEC §7). Usage: {@code bench/run [--size N] [--heap 256m] [--naive-size M] [--profile]}.
 * <ol>
 *   <li>the <b>limit</b>, three times (the median counts): the same N rows COPYed into an unlogged staging table, then one
 *       set-based {@code INSERT … ON CONFLICT … DO UPDATE} into the target (and again with 1 % changed);</li>
 *   <li>the <b>naive route</b>: a plain Camel route, page → split → one {@code sql:} upsert per record, on M records;</li>
 *   <li><b>feedsync</b>: the real application in its own JVM ({@code -Xmx<heap>}), a feed pointed at the
 *       loopback upstream: first load (full), refresh with 1 % changed (full), incremental with nothing new.</li>
 * </ol>
 * Prints rows/s, the ratios and feedsync's peak heap (from its GC log), and writes them as JSON.
 */
public final class Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The limit is measured this many times; its median counts. */
    private static final int LIMIT_RUNS = 3;
    private static final String TABLE_COLUMNS = BenchRecords.COLUMNS;
    private static final List<String> COLUMNS = Arrays.stream(TABLE_COLUMNS.split(", ")).toList();
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** What to run. */
    public record Options(long size, String heap, long naiveSize, Path outDir, Path workDir, boolean profile,
                          List<String> feedsyncArgs) {

        public static Options parse(String... args) {
            long size = 10_000;
            String heap = "256m";
            long naive = -1;
            Path out = Path.of("bench/results");
            Path work = Path.of("target/bench-work");
            boolean profile = false;
            List<String> feedsyncArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--")) {
                    // the rest goes to feedsync, e.g. -- --feedsync.feeds.bench.chunk-size=1000
                    feedsyncArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                switch (args[i]) {
                    case "--size" -> size = Long.parseLong(args[++i].replace("_", "").replace("k", "000").replace("M", "000000"));
                    case "--heap" -> heap = args[++i];
                    case "--naive-size" -> naive = Long.parseLong(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    case "--profile" -> profile = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --size N, --heap 256m, --naive-size M, --out DIR, --work DIR, --profile [-- feedsync args])");
                }
            }
            if (size < 1_000 || size > 10_000_000) {
                throw new IllegalArgumentException("--size must be between 1000 and 10000000");
            }
            if (naive < 0) {
                naive = Math.min(size, size <= 10_000 ? 2_000 : size <= 100_000 ? 5_000 : 10_000);
            }
            return new Options(size, heap, Math.min(naive, size), out, work, profile, List.copyOf(feedsyncArgs));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Map<String, Object> result = run(options);
        System.exit(Boolean.TRUE.equals(result.get("ok")) ? 0 : 1);
    }

    /** Runs every measurement once and returns the results (also printed and written to outDir). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> run(Options options) throws Exception {
        Files.createDirectories(options.workDir());
        Files.createDirectories(options.outDir());
        long n = options.size();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("size", n);
        result.put("naiveSize", options.naiveSize());
        result.put("heap", options.heap());
        result.put("feedsyncArgs", options.feedsyncArgs());
        result.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version")));
        List<String> problems = new ArrayList<>();

        log("PostgreSQL: starting / connecting");
        String benchUrl = BenchSupport.fresh("feedsync_bench");
        result.put("postgres", scalar(benchUrl, "show server_version"));
        try (Connection db = BenchSupport.connect(benchUrl); Statement sql = db.createStatement()) {
            // PostgreSQL's CPU is this server's, not that of other servers on a shared machine
            CpuClock.onlyPostgresOf(db.unwrap(PGConnection.class).getBackendPID());
            // a schema of its own: feedsync's Flyway wants public to itself
            sql.execute("create schema bench");
            for (String table : List.of("bench.bench_limit", "bench.bench_naive", "bench.bench_feedsync")) {
                sql.execute(BenchRecords.ddl(table));
            }
            sql.execute("create unlogged table bench.bench_staging (like bench.bench_limit)");
        }

        try (BenchUpstream upstream = new BenchUpstream(n)) {
            // (a) the limit, three times (it alone swings by a third between runs): the median counts
            List<Map<String, Object>> limitRuns = new ArrayList<>();
            List<Map<String, Object>> limitRefreshRuns = new ArrayList<>();
            for (int attempt = 1; attempt <= LIMIT_RUNS; attempt++) {
                execute(benchUrl, "truncate bench.bench_limit");
                log("limit " + attempt + "/" + LIMIT_RUNS + ": COPY + set-based upsert of " + n + " rows");
                Map<String, Double> cpu = CpuClock.snapshot(-1);
                double limitSeconds = limit(benchUrl, n, 0);
                limitRuns.add(withCpu(measure(n, limitSeconds), CpuClock.since(cpu, -1), n));
                long limitRows = count(benchUrl, "bench.bench_limit");
                check(problems, limitRows == n, "limit loaded " + limitRows + " of " + n);
                log("limit " + attempt + "/" + LIMIT_RUNS + ": refresh with 1 % changed");
                cpu = CpuClock.snapshot(-1);
                double limitRefreshSeconds = limit(benchUrl, n, 1);
                limitRefreshRuns.add(withCpu(measure(n, limitRefreshSeconds), CpuClock.since(cpu, -1), n));
            }
            result.put("limit", median(limitRuns));
            result.put("limitRefresh1pct", median(limitRefreshRuns));

            // (c) the naive route
            log("naive route: " + options.naiveSize() + " records, one sql: upsert each");
            Map<String, Double> cpu = CpuClock.snapshot(-1);
            double naiveSeconds = naive(benchUrl, upstream.url(), options.naiveSize());
            Map<String, Double> naiveCpu = CpuClock.since(cpu, -1);
            long naiveRows = count(benchUrl, "bench.bench_naive");
            check(problems, naiveRows == options.naiveSize(), "naive route loaded " + naiveRows + " of " + options.naiveSize());
            result.put("naive", measure(options.naiveSize(), naiveSeconds));
            ((Map<String, Object>) result.get("naive")).put("cpuSeconds", naiveCpu);

            // (b), (d), (e): feedsync in its own JVM
            try (Feedsync feedsync = Feedsync.start(options, benchUrl, upstream.url())) {
                Duration timeout = Duration.ofSeconds(120 + n / 500);
                log("feedsync: first load (full) of " + n + " records, -Xmx" + options.heap());
                JsonNode first = feedsync.run("full", timeout);
                check(problems, "SUCCEEDED".equals(first.path("status").asText()), "first load: " + first);
                check(problems, first.path("counts").path("inserted").asLong() == n, "first load inserted " + first.path("counts"));
                check(problems, count(benchUrl, "bench.bench_feedsync") == n, "first load left " + count(benchUrl, "bench.bench_feedsync") + " rows");
                result.put("feedsyncFirstLoad", runMeasure(first, feedsync.lastCpu));

                log("feedsync: refresh (full) with 1 % changed");
                upstream.generation(1);
                JsonNode refresh = feedsync.run("full", timeout);
                long changed = (n + 99) / 100;
                check(problems, "SUCCEEDED".equals(refresh.path("status").asText()), "refresh: " + refresh);
                check(problems, refresh.path("counts").path("updated").asLong() == changed
                        && refresh.path("counts").path("unchanged").asLong() == n - changed,
                        "refresh expected " + changed + " updated, got " + refresh.path("counts"));
                result.put("feedsyncRefresh1pct", runMeasure(refresh, feedsync.lastCpu));

                log("feedsync: incremental, nothing new");
                JsonNode incremental = feedsync.run("incremental", timeout);
                check(problems, "SUCCEEDED".equals(incremental.path("status").asText()), "incremental: " + incremental);
                check(problems, incremental.path("counts").path("inserted").asLong() == 0
                        && incremental.path("counts").path("updated").asLong() == 0, "incremental wrote " + incremental.path("counts"));
                result.put("feedsyncIncrementalNothingNew", runMeasure(incremental, feedsync.lastCpu));
                result.put("feedsyncWindows", feedsync.windows);
            } finally {
                // filled in by Feedsync.close()
            }
            result.put("feedsyncPeakHeapMiB", Feedsync.lastPeakHeapMiB);
            result.put("feedsyncPeakHeapAfterGcMiB", Feedsync.lastPeakAfterGcMiB);
            result.put("feedsyncMaxHeapMiB", Feedsync.lastMaxHeapMiB);
            result.put("feedsyncGcCount", Feedsync.lastGcCount);
            if (Feedsync.lastProfile != null) {
                result.put("profile", Feedsync.lastProfile);
            }
        }

        double firstRate = rate(result, "feedsyncFirstLoad");
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratios.put("feedsyncOverLimit", round(firstRate / rate(result, "limit"), 3));
        ratios.put("refreshOverLimitRefresh", round(rate(result, "feedsyncRefresh1pct") / rate(result, "limitRefresh1pct"), 3));
        ratios.put("feedsyncOverNaive", round(firstRate / rate(result, "naive"), 2));
        ratios.put("refreshOverFirstLoad", round(rate(result, "feedsyncRefresh1pct") / firstRate, 2));
        double firstLoadPostgresCpu = cpuPerMillion(result, "feedsyncFirstLoad", "postgres");
        double limitPostgresCpu = cpuPerMillion(result, "limit", "postgres");
        // a small run can finish inside one tick of the server's CPU clock: no ratio then, rather than infinity
        if (limitPostgresCpu > 0) {
            ratios.put("postgresCpuFirstLoadOverLimit", round(firstLoadPostgresCpu / limitPostgresCpu, 2));
        }
        result.put("ratios", ratios);
        Map<String, Object> targets = new LinkedHashMap<>();
        targets.put("firstLoadAtLeastHalfTheLimit", (double) ratios.get("feedsyncOverLimit") >= 0.5);
        targets.put("refreshAtLeast06TheLimitRefresh", (double) ratios.get("refreshOverLimitRefresh") >= 0.6);
        targets.put("feedsyncCpuFirstLoadAtMost15sPer1M", cpuPerMillion(result, "feedsyncFirstLoad", "feedsyncJvm") <= 15);
        targets.put("feedsyncCpuRefreshAtMost8sPer1M", cpuPerMillion(result, "feedsyncRefresh1pct", "feedsyncJvm") <= 8);
        targets.put("postgresCpuFirstLoadAtMost1_5xTheLimit", ratios.containsKey("postgresCpuFirstLoadOverLimit")
                ? (Object) ((double) ratios.get("postgresCpuFirstLoadOverLimit") <= 1.5) : "not measurable at this size");
        targets.put("atLeast20xNaive", (double) ratios.get("feedsyncOverNaive") >= 20);
        targets.put("ranWithHeap", options.heap());
        result.put("spec7", targets);
        result.put("problems", problems);
        result.put("ok", problems.isEmpty());

        print(result);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path file = options.outDir().resolve(stamp + "-" + n + ".json");
        JSON.writeValue(file.toFile(), result);
        log("results written to " + file);
        return result;
    }

    // ---------------------------------------------------------------- the limit

    /** COPY of generation {@code g} into the unlogged staging table, then one set-based upsert. */
    private static double limit(String url, long n, int generation) throws SQLException, IOException {
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement()) {
            long start = System.nanoTime();
            sql.execute("truncate bench.bench_staging");
            db.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "copy bench.bench_staging (" + TABLE_COLUMNS + ") from stdin", new CopyRows(n, generation), 1 << 16);
            List<String> updated = COLUMNS.subList(1, COLUMNS.size());
            sql.executeUpdate("insert into bench.bench_limit as t (" + TABLE_COLUMNS + ") select " + TABLE_COLUMNS
                    + " from bench.bench_staging on conflict (id) do update set "
                    + updated.stream().map(c -> c + " = excluded." + c).collect(Collectors.joining(", "))
                    + " where (" + updated.stream().map(c -> "t." + c).collect(Collectors.joining(", "))
                    + ") is distinct from (" + updated.stream().map(c -> "excluded." + c).collect(Collectors.joining(", ")) + ")");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The rows as COPY text, generated as COPY reads them. */
    private static final class CopyRows extends Reader {
        private final long n;
        private final int generation;
        private final StringBuilder buffer = new StringBuilder(1 << 16);
        private long next;
        private int position;

        CopyRows(long n, int generation) {
            this.n = n;
            this.generation = generation;
        }

        @Override
        public int read(char[] target, int offset, int length) {
            if (position == buffer.length()) {
                buffer.setLength(0);
                position = 0;
                while (next < n && buffer.length() < (1 << 15)) {
                    BenchRecords.copyRow(buffer, next++, generation);
                }
                if (buffer.length() == 0) {
                    return -1;
                }
            }
            int count = Math.min(length, buffer.length() - position);
            buffer.getChars(position, position + count, target, offset);
            position += count;
            return count;
        }

        @Override
        public void close() {
        }
    }

    // ---------------------------------------------------------------- the naive route

    /** page → unmarshal → split → one {@code sql:} upsert per record (autocommit), over the first M records. */
    private static double naive(String url, String export, long records) throws Exception {
        try (HikariDataSource dataSource = new HikariDataSource()) {
            dataSource.setJdbcUrl(url);
            dataSource.setUsername(TestDatabase.username());
            dataSource.setPassword(TestDatabase.password());
            dataSource.setMaximumPoolSize(2);
            CamelContext camel = new DefaultCamelContext();
            camel.getRegistry().bind("benchDataSource", dataSource);
            String upsert = "insert into bench.bench_naive (" + TABLE_COLUMNS + ") values (:#id, :#name, :#email,"
                    + " CAST(:#amount AS numeric), CAST(:#qty AS integer), CAST(:#active AS boolean),"
                    + " CAST(:#updated_at AS timestamptz), CAST(:#attrs AS jsonb))"
                    + " on conflict (id) do update set name = excluded.name, email = excluded.email,"
                    + " amount = excluded.amount, qty = excluded.qty, active = excluded.active,"
                    + " updated_at = excluded.updated_at, attrs = excluded.attrs";
            ObjectMapper mapper = new ObjectMapper();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:naive-page").routeId("naive-route")
                            .setHeader("CamelHttpQuery", simple("page=${header.page}&size=1000"))
                            .to(export.replace("http://", "http://") + "?throwExceptionOnFailure=true")
                            .unmarshal().json(Map.class)
                            .split(simple("${body[data]}"))
                                .process(e -> {
                                    @SuppressWarnings("unchecked")
                                    Map<String, Object> record = e.getMessage().getBody(Map.class);
                                    record.put("attrs", mapper.writeValueAsString(record.get("attrs")));
                                })
                                .to("sql:" + upsert + "?dataSource=#benchDataSource")
                            .end();
                }
            });
            camel.start();
            try {
                ProducerTemplate producer = camel.createProducerTemplate();
                long pages = (records + 999) / 1000;
                long start = System.nanoTime();
                for (long page = 1; page <= pages; page++) {
                    producer.sendBodyAndHeader("direct:naive-page", null, "page", page);
                }
                return (System.nanoTime() - start) / 1e9;
            } finally {
                camel.stop();
            }
        }
    }

    // ---------------------------------------------------------------- feedsync in its own JVM

    /** The real application, started as a child JVM with a bench feed and the given heap. */
    static final class Feedsync implements AutoCloseable {
        static Double lastPeakHeapMiB;
        static Double lastMaxHeapMiB;
        static Double lastPeakAfterGcMiB;
        static Integer lastGcCount;
        static Map<String, Object> lastProfile;

        private final Process process;
        private final int port;
        private final String key;
        private final Path gcLog;
        private final Path jfr;
        private final HttpClient http = HttpClient.newHttpClient();
        final List<Map<String, Object>> windows = new ArrayList<>();
        /** CPU seconds of feedsync, PostgreSQL and the bench JVM during the last run. */
        Map<String, Double> lastCpu = Map.of();

        private Feedsync(Process process, int port, String key, Path gcLog, Path jfr) {
            this.process = process;
            this.port = port;
            this.key = key;
            this.gcLog = gcLog;
            this.jfr = jfr;
        }

        static Feedsync start(Options options, String databaseUrl, String exportUrl) throws Exception {
            lastPeakHeapMiB = null;
            lastMaxHeapMiB = null;
            lastGcCount = null;
            lastPeakAfterGcMiB = null;
            lastProfile = null;
            Path work = options.workDir().toAbsolutePath();
            Path gcLog = work.resolve("feedsync-gc.log");
            Path jfr = options.profile() ? work.resolve("feedsync.jfr") : null;
            Files.deleteIfExists(gcLog);
            if (jfr != null) {
                Files.deleteIfExists(jfr);
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            String key = HexFormat.of().formatHex(secret);

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + options.heap());
            command.add("-Xlog:gc:file=" + gcLog);
            if (jfr != null) {
                command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
            }
            String jar = System.getProperty("bench.jar");
            if (jar != null && Files.exists(Path.of(jar))) {
                command.add("-jar");
                command.add(Path.of(jar).toAbsolutePath().toString());
            } else {
                // inside the test JVM (before the jar is packaged): the same classes, without the test ones
                command.add("-cp");
                command.add(Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .filter(entry -> !entry.endsWith("test-classes") && !entry.contains("surefire"))
                        .collect(Collectors.joining(java.io.File.pathSeparator)));
                command.add("io.feedsync.FeedsyncApplication");
            }
            String feed = "--feedsync.feeds.bench.";
            command.addAll(List.of(
                    "--spring.profiles.active=bench",
                    "--server.port=" + port,
                    "--spring.datasource.url=" + databaseUrl,
                    "--spring.datasource.username=" + TestDatabase.username(),
                    feed + "source.url=" + exportUrl,
                    feed + "source.pagination.type=page",
                    feed + "source.pagination.size=1000",
                    feed + "source.records=/data",
                    feed + "source.incremental.cursor=/updated_at",
                    feed + "source.incremental.param=since",
                    feed + "target.table=bench.bench_feedsync",
                    feed + "target.key=id"));
            for (String column : COLUMNS) {
                command.add(feed + "transform.mapping." + column + "=/" + column);
            }
            command.addAll(options.feedsyncArgs());
            ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                    .redirectErrorStream(true).redirectOutput(work.resolve("feedsync.log").toFile());
            builder.environment().put("FEEDSYNC_OPERATOR_KEY", key);
            builder.environment().put("SPRING_DATASOURCE_PASSWORD", TestDatabase.password());
            log("feedsync: starting its JVM (log in " + work.resolve("feedsync.log") + ")");
            Feedsync feedsync = new Feedsync(builder.start(), port, key, gcLog, jfr);
            feedsync.awaitReady(Duration.ofSeconds(180));
            return feedsync;
        }

        private void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("feedsync exited with " + process.exitValue() + " while starting; see feedsync.log");
                }
                try {
                    if (get("/api/feeds").statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException("feedsync did not start within " + timeout);
        }

        /** Starts a run over the REST API and waits for its row to leave RUNNING. */
        JsonNode run(String mode, Duration timeout) throws Exception {
            Map<String, Double> cpuBefore = CpuClock.snapshot(process.pid());
            HttpResponse<String> started = http.send(request("/api/feeds/bench/runs")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"" + mode + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (started.statusCode() != 202) {
                throw new IllegalStateException("starting a run answered " + started.statusCode() + ": " + started.body());
            }
            long runId = JSON.readTree(started.body()).get("runId").asLong();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode run = JSON.readTree(get("/api/runs/" + runId).body());
                if (!"RUNNING".equals(run.path("status").asText())) {
                    windows.add(Map.of("mode", mode, "startedAt", run.path("startedAt").asText(),
                            "finishedAt", run.path("finishedAt").asText()));
                    lastCpu = CpuClock.since(cpuBefore, process.pid());
                    return run;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("feedsync died during run " + runId);
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("run " + runId + " still RUNNING after " + timeout);
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        private HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).header("X-API-Key", key);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            readGcLog();
            if (jfr != null && Files.exists(jfr) && !windows.isEmpty()) {
                lastProfile = Profile.summarise(jfr, windows);
            }
        }

        private void readGcLog() throws IOException {
            if (!Files.exists(gcLog)) {
                return;
            }
            double peak = 0;
            double max = 0;
            double afterGc = 0;
            int gcs = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_HEAP.matcher(line);
                if (m.find()) {
                    gcs++;
                    peak = Math.max(peak, mib(m.group(1), m.group(2)));
                    max = Math.max(max, mib(m.group(5), m.group(6)));
                    afterGc = Math.max(afterGc, mib(m.group(3), m.group(4)));
                }
            }
            lastPeakHeapMiB = peak;
            lastMaxHeapMiB = max;
            lastPeakAfterGcMiB = afterGc;
            lastGcCount = gcs;
        }

        private static double mib(String value, String unit) {
            double v = Double.parseDouble(value);
            return switch (unit) {
                case "K" -> v / 1024;
                case "G" -> v * 1024;
                default -> v;
            };
        }
    }

    // ---------------------------------------------------------------- helpers
    private static long count(String url, String table) throws SQLException {
        return Long.parseLong(scalar(url, "select count(*) from " + table));
    }

    private static String scalar(String url, String query) throws SQLException {
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement(); var rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Map<String, Object> measure(long rows, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("seconds", round(seconds, 3));
        m.put("rowsPerSecond", round(rows / seconds, 0));
        return m;
    }

    private static Map<String, Object> runMeasure(JsonNode run, Map<String, Double> cpu) {
        double seconds = Duration.between(Instant.parse(run.path("startedAt").asText()),
                Instant.parse(run.path("finishedAt").asText())).toNanos() / 1e9;
        long fetched = run.path("counts").path("fetched").asLong();
        Map<String, Object> m = measure(fetched, seconds);
        m.put("runId", run.path("runId").asLong());
        m.put("status", run.path("status").asText());
        m.put("pages", run.path("pages").asInt());
        m.put("counts", JSON.convertValue(run.path("counts"), Map.class));
        return withCpu(m, cpu, fetched);
    }

    /** The CPU seconds of a measurement, and the same per million records (the steadier figure on a shared machine). */
    private static Map<String, Object> withCpu(Map<String, Object> m, Map<String, Double> cpu, long records) {
        m.put("cpuSeconds", cpu);
        Map<String, Double> perMillion = new LinkedHashMap<>();
        cpu.forEach((process, seconds) -> perMillion.put(process, round(seconds * 1_000_000 / Math.max(1, records), 2)));
        m.put("cpuSecondsPer1M", perMillion);
        return m;
    }

    /** The measurement of median rate among {@code runs}, with every run's rate beside it. */
    private static Map<String, Object> median(List<Map<String, Object>> runs) {
        List<Map<String, Object>> byRate = new ArrayList<>(runs);
        byRate.sort(java.util.Comparator.comparingDouble(m -> ((Number) m.get("rowsPerSecond")).doubleValue()));
        Map<String, Object> median = new LinkedHashMap<>(byRate.get(byRate.size() / 2));
        median.put("of", runs.stream().map(m -> m.get("rowsPerSecond")).toList());
        return median;
    }

    @SuppressWarnings("unchecked")
    private static double cpuPerMillion(Map<String, Object> result, String measurement, String process) {
        Map<String, Object> m = (Map<String, Object>) result.get(measurement);
        Map<String, Double> perMillion = m == null ? null : (Map<String, Double>) m.get("cpuSecondsPer1M");
        return perMillion == null || perMillion.get(process) == null ? Double.NaN : perMillion.get(process);
    }

    private static void execute(String url, String statement) throws SQLException {
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement()) {
            sql.execute(statement);
        }
    }

    @SuppressWarnings("unchecked")
    private static double rate(Map<String, Object> result, String key) {
        return ((Number) ((Map<String, Object>) result.get(key)).get("rowsPerSecond")).doubleValue();
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Double.isFinite(value) ? Math.round(value * scale) / scale : value;
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
            log("PROBLEM: " + problem);
        }
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        StringBuilder out = new StringBuilder("\n=== feedsync benchmark: N=" + r.get("size") + ", feedsync -Xmx" + r.get("heap")
                + ", " + ((Map<String, Object>) r.get("machine")).get("cores") + " cores, PostgreSQL " + r.get("postgres") + " ===\n");
        for (String key : List.of("limit", "limitRefresh1pct", "naive", "feedsyncFirstLoad", "feedsyncRefresh1pct",
                "feedsyncIncrementalNothingNew")) {
            Map<String, Object> m = (Map<String, Object>) r.get(key);
            if (m != null) {
                out.append(String.format("%-32s %9s rows in %8.3f s = %10.0f rows/s   cpu s %s%n", key, m.get("rows"),
                        ((Number) m.get("seconds")).doubleValue(), ((Number) m.get("rowsPerSecond")).doubleValue(),
                        m.getOrDefault("cpuSeconds", "")));
            }
        }
        out.append("ratios: ").append(r.get("ratios")).append('\n');
        out.append("feedsync peak heap (GC log, before GC): ").append(r.get("feedsyncPeakHeapMiB")).append(" MiB of ")
                .append(r.get("feedsyncMaxHeapMiB")).append(" MiB committed max; highest after a GC ")
                .append(r.get("feedsyncPeakHeapAfterGcMiB")).append(" MiB; ").append(r.get("feedsyncGcCount")).append(" GCs\n");
        out.append("SPEC §7: ").append(r.get("spec7")).append('\n');
        if (r.get("profile") != null) {
            out.append("profile: ").append(r.get("profile")).append('\n');
        }
        out.append("problems: ").append(r.get("problems")).append('\n');
        System.out.println(out);
    }

    static void log(String message) {
        System.out.println("[bench " + Instant.now() + "] " + message);
    }

    private Benchmark() {
    }
}
