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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * feedsync against PostgreSQL's limit and the naive route, in one run on one machine, checked against the
 * performance targets of docs/performance.md. Usage: {@code bench/run [--size N] [--heap 256m] [--naive-size M] [--changed P] [--notify]
 * [--drain-seconds S] [--profile]}.
 * <ol>
 *   <li>the <b>limit</b>, three times (the median counts): the same N rows COPYed into an unlogged staging table, then one
 *       set-based {@code INSERT … ON CONFLICT … DO UPDATE} into the target (and again with 1 % changed);</li>
 *   <li>the <b>naive route</b>: a plain Camel route, page → split → one {@code sql:} upsert per record, on M records;</li>
 *   <li><b>feedsync</b>: the real application in its own JVM ({@code -Xmx<heap>}), a feed pointed at the
 *       loopback upstream: first load (full), refresh with 1 % changed (full), incremental with nothing new.</li>
 *   <li>with {@code --notify}, the cost of change events in the same feedsync JVM: the same first load and
 *       refresh of a feed whose {@code notify} section has no endpoint (the outbox written, nothing delivered), then
 *       of a feed whose {@code notify.changes} is a loopback webhook (delivered while it syncs), then the delivery
 *       alone until every event is taken or {@code --drain-seconds} pass.</li>
 * </ol>
 * Prints rows/s, the ratios and feedsync's peak heap (from its GC log), and writes them as JSON.
 */
public final class Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The limit is measured this many times; its median counts. */
    private static final int LIMIT_RUNS = 3;
    private static final String TABLE_COLUMNS = BenchRecords.COLUMNS;
    private static final List<String> COLUMNS = Arrays.stream(TABLE_COLUMNS.split(", ")).toList();
    /** The feed without notify; with --notify, one whose outbox is written but has no endpoint, and one delivered to a webhook. */
    static final String FEED = "bench";
    static final String OUTBOX_FEED = "benchoutbox";
    static final String NOTIFY_FEED = "benchnotify";
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** What to run. */
    public record Options(long size, String heap, long naiveSize, Path outDir, Path workDir, boolean profile,
                          List<String> feedsyncArgs, int changedPercent, boolean changeEvents, int drainSeconds,
                          boolean outboxFirst) {

        public static Options parse(String... args) {
            long size = 10_000;
            String heap = "256m";
            long naive = -1;
            Path out = Path.of("bench/results");
            Path work = Path.of("target/bench-work");
            boolean profile = false;
            int changed = 1;
            boolean notify = false;
            int drain = 300;
            boolean outboxFirst = false;
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
                    case "--changed" -> changed = Integer.parseInt(args[++i].replace("%", ""));
                    case "--notify" -> notify = true;
                    case "--drain-seconds" -> drain = Integer.parseInt(args[++i]);
                    case "--outbox-first" -> outboxFirst = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --size N, --heap 256m, --naive-size M, --changed P, --notify, --drain-seconds S, --outbox-first,"
                            + " --out DIR, --work DIR, --profile [-- feedsync args])");
                }
            }
            if (size < 1_000 || size > 10_000_000) {
                throw new IllegalArgumentException("--size must be between 1000 and 10000000");
            }
            if (naive < 0) {
                naive = Math.min(size, size <= 10_000 ? 2_000 : size <= 100_000 ? 5_000 : 10_000);
            }
            if (changed < 1 || changed > 100 || 100 % changed != 0) {
                throw new IllegalArgumentException("--changed must divide 100 (1, 2, 5, 10, 20, 25, 50, 100)");
            }
            return new Options(size, heap, Math.min(naive, size), out, work, profile, List.copyOf(feedsyncArgs), changed,
                    notify, drain, outboxFirst);
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
        result.put("changedPercent", options.changedPercent());
        result.put("notify", options.changeEvents());
        result.put("drainSeconds", options.drainSeconds());
        BenchRecords.changedPercent(options.changedPercent());
        // e.g. limitRefresh1pct, feedsyncRefresh10pct: the refresh's share of changed records is in its name
        String refreshKey = "Refresh" + options.changedPercent() + "pct";
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
            for (String table : List.of("bench.bench_limit", "bench.bench_naive", "bench.bench_feedsync",
                    "bench.bench_outbox", "bench.bench_notify")) {
                sql.execute(BenchRecords.ddl(table));
            }
            sql.execute("create unlogged table bench.bench_staging (like bench.bench_limit)");
        }

        try (BenchUpstream upstream = new BenchUpstream(n); BenchReceiver receiver = new BenchReceiver()) {
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
                log("limit " + attempt + "/" + LIMIT_RUNS + ": refresh with " + options.changedPercent() + " % changed");
                cpu = CpuClock.snapshot(-1);
                double limitRefreshSeconds = limit(benchUrl, n, 1);
                limitRefreshRuns.add(withCpu(measure(n, limitRefreshSeconds), CpuClock.since(cpu, -1), n));
            }
            result.put("limit", median(limitRuns));
            result.put("limit" + refreshKey, median(limitRefreshRuns));

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
            try (Feedsync feedsync = Feedsync.start(options, benchUrl, upstream.url(), receiver.url())) {
                Duration timeout = Duration.ofSeconds(120 + n / 500);
                long changed = (n + BenchRecords.changedEvery() - 1) / BenchRecords.changedEvery();
                // with --notify, the feed whose outbox is written interleaved with the one without, so that both see
                // the machine in the same state; the first of a JVM's runs also pays for its warm-up (--outbox-first)
                List<String> feeds = !options.changeEvents() ? List.of(FEED)
                        : options.outboxFirst() ? List.of(OUTBOX_FEED, FEED) : List.of(FEED, OUTBOX_FEED);
                result.put("order", feeds);
                for (String feed : feeds) {
                    if (feed.equals(FEED)) {
                        result.put("feedsyncFirstLoad", firstLoad(feedsync, FEED, "bench.bench_feedsync", benchUrl, n, timeout, problems));
                    } else {
                        result.put("outboxFirstLoad", firstLoad(feedsync, OUTBOX_FEED, "bench.bench_outbox", benchUrl, n, timeout, problems));
                        result.put("outboxAfterFirstLoad", outboxSize(benchUrl, OUTBOX_FEED));
                        check(problems, outboxEvents(result, "outboxAfterFirstLoad") == n,
                                "the first load's outbox holds " + outboxEvents(result, "outboxAfterFirstLoad") + " events, not " + n);
                    }
                }

                upstream.generation(1);
                for (String feed : feeds) {
                    if (feed.equals(FEED)) {
                        result.put("feedsync" + refreshKey, refresh(feedsync, FEED, n, changed, timeout, problems));
                    } else {
                        result.put("outbox" + refreshKey, refresh(feedsync, OUTBOX_FEED, n, changed, timeout, problems));
                        result.put("outboxAfterRefresh", outboxSize(benchUrl, OUTBOX_FEED));
                        check(problems, outboxEvents(result, "outboxAfterRefresh") == n + changed,
                                "after the refresh the outbox holds " + outboxEvents(result, "outboxAfterRefresh") + " events, not " + (n + changed));
                    }
                }

                log("feedsync: incremental, nothing new");
                JsonNode incremental = feedsync.run(FEED, "incremental", timeout);
                check(problems, "SUCCEEDED".equals(incremental.path("status").asText()), "incremental: " + incremental);
                check(problems, incremental.path("counts").path("inserted").asLong() == 0
                        && incremental.path("counts").path("updated").asLong() == 0, "incremental wrote " + incremental.path("counts"));
                result.put("feedsyncIncrementalNothingNew", runMeasure(incremental, feedsync.lastCpu));

                if (options.changeEvents()) {
                    // last: its delivery route works on while it syncs, and after
                    upstream.generation(0);
                    Map<String, Object> first = firstLoad(feedsync, NOTIFY_FEED, "bench.bench_notify", benchUrl, n, timeout, problems);
                    first.put("delivery", deliveryState(feedsync, receiver));
                    result.put("notifyFirstLoad", first);
                    upstream.generation(1);
                    Map<String, Object> refresh = refresh(feedsync, NOTIFY_FEED, n, changed, timeout, problems);
                    refresh.put("delivery", deliveryState(feedsync, receiver));
                    result.put("notify" + refreshKey, refresh);
                    result.put("notifyDrain", drain(feedsync, receiver, n + changed, options.drainSeconds(), problems));
                }
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
        ratios.put("refreshOverLimitRefresh", round(rate(result, "feedsync" + refreshKey) / rate(result, "limit" + refreshKey), 3));
        ratios.put("feedsyncOverNaive", round(firstRate / rate(result, "naive"), 2));
        ratios.put("refreshOverFirstLoad", round(rate(result, "feedsync" + refreshKey) / firstRate, 2));
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
        targets.put("feedsyncCpuRefreshAtMost8sPer1M", options.changedPercent() == 1
                ? (Object) (cpuPerMillion(result, "feedsync" + refreshKey, "feedsyncJvm") <= 8) : "set for 1 % changed");
        targets.put("postgresCpuFirstLoadAtMost1_5xTheLimit", ratios.containsKey("postgresCpuFirstLoadOverLimit")
                ? (Object) ((double) ratios.get("postgresCpuFirstLoadOverLimit") <= 1.5) : "not measurable at this size");
        targets.put("atLeast20xNaive", (double) ratios.get("feedsyncOverNaive") >= 20);
        targets.put("ranWithHeap", options.heap());
        // "spec7": the key the stored results have always used for the performance targets
        result.put("spec7", targets);
        if (options.changeEvents()) {
            result.put("notifyCost", notifyCost(result, refreshKey));
        }
        result.put("problems", problems);
        result.put("ok", problems.isEmpty());

        print(result);
        BenchSupport.writeResult(options.outDir(), n + (options.changeEvents() ? "-notify" : "")
                + (options.changedPercent() != 1 ? "-changed" + options.changedPercent() : ""), result);
        return result;
    }

    // ---------------------------------------------------------------- feedsync's runs

    private static Map<String, Object> firstLoad(Feedsync feedsync, String feed, String table, String url, long n,
                                                 Duration timeout, List<String> problems) throws Exception {
        log("feedsync: first load (full) of " + n + " records, feed " + feed);
        JsonNode first = feedsync.run(feed, "full", timeout);
        check(problems, "SUCCEEDED".equals(first.path("status").asText()), feed + " first load: " + first);
        check(problems, first.path("counts").path("inserted").asLong() == n, feed + " first load inserted " + first.path("counts"));
        long rows = count(url, table);
        check(problems, rows == n, feed + " first load left " + rows + " rows");
        return runMeasure(first, feedsync.lastCpu);
    }

    private static Map<String, Object> refresh(Feedsync feedsync, String feed, long n, long changed, Duration timeout,
                                               List<String> problems) throws Exception {
        log("feedsync: refresh (full), " + changed + " of " + n + " records changed, feed " + feed);
        JsonNode refresh = feedsync.run(feed, "full", timeout);
        check(problems, "SUCCEEDED".equals(refresh.path("status").asText()), feed + " refresh: " + refresh);
        check(problems, refresh.path("counts").path("updated").asLong() == changed
                && refresh.path("counts").path("unchanged").asLong() == n - changed,
                feed + " refresh expected " + changed + " updated, got " + refresh.path("counts"));
        return runMeasure(refresh, feedsync.lastCpu);
    }

    // ---------------------------------------------------------------- change events (--notify)

    /** The outbox table on disk (every feed's events: with --notify, only the feed asked for has any yet) and its events of {@code feed}. */
    private static Map<String, Object> outboxSize(String url, String feed) throws SQLException {
        Map<String, Object> size = new LinkedHashMap<>();
        size.put("events", Long.parseLong(scalar(url, "select count(*) from feedsync.sync_change where feed = '" + feed + "'")));
        size.put("eventsOfEveryFeed", Long.parseLong(scalar(url, "select count(*) from feedsync.sync_change")));
        // the table with its TOAST, its indexes, all of it
        for (String part : List.of("pg_table_size", "pg_indexes_size", "pg_total_relation_size")) {
            long bytes = Long.parseLong(scalar(url, "select " + part + "('feedsync.sync_change')"));
            size.put(part + "MiB", round(bytes / 1048576.0, 1));
        }
        size.put("bytesPerEvent", round(Long.parseLong(scalar(url, "select pg_total_relation_size('feedsync.sync_change')"))
                / (double) Math.max(1, (Long) size.get("eventsOfEveryFeed")), 0));
        // the feed's own table (rows and primary key) beside it, for scale
        size.put("targetTableTotalMiB", round(Long.parseLong(scalar(url, "select pg_total_relation_size('bench.bench_outbox')"))
                / 1048576.0, 1));
        size.put("avgRowJsonBytes", Double.parseDouble(scalar(url, "select coalesce(avg(pg_column_size(row)), 0)::numeric(10,1)"
                + " from (select row from feedsync.sync_change where feed = '" + feed + "' limit 10000) r")));
        return size;
    }

    @SuppressWarnings("unchecked")
    private static long outboxEvents(Map<String, Object> result, String key) {
        return ((Number) ((Map<String, Object>) result.get(key)).get("events")).longValue();
    }

    /** Where the delivery to the webhook stands: as the API shows it, and as the receiver counted. */
    private static Map<String, Object> deliveryState(Feedsync feedsync, BenchReceiver receiver) throws Exception {
        JsonNode endpoint = JSON.readTree(feedsync.get("/api/feeds/" + NOTIFY_FEED + "/deliveries").body()).path(0);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("received", receiver.received());
        state.put("pending", endpoint.path("pending").asLong());
        state.put("lagSeconds", round(endpoint.path("lagSeconds").asDouble(), 1));
        state.put("attempts", endpoint.path("attempts").asInt());
        state.put("lastError", endpoint.path("lastError").isNull() ? null : endpoint.path("lastError").asText());
        state.put("notInOrder", receiver.notAfterLast());
        return state;
    }

    /**
     * Delivery alone, after the syncs: until the webhook took all {@code events} or {@code seconds}
     * passed. Its CPU per million events delivered is what delivery costs; the rest is projected from its rate.
     */
    private static Map<String, Object> drain(Feedsync feedsync, BenchReceiver receiver, long events, int seconds,
                                             List<String> problems) throws Exception {
        log("delivery: until the webhook took all " + events + " events, at most " + seconds + " s");
        long before = receiver.received();
        Map<String, Double> cpu = CpuClock.snapshot(feedsync.pid());
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        while (receiver.received() < events && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, Double> used = CpuClock.since(cpu, feedsync.pid());
        long delivered = receiver.received() - before;
        Map<String, Object> m = withCpu(measure(delivered, elapsed), used, delivered);
        m.put("eventsToDeliver", events);
        m.put("end", deliveryState(feedsync, receiver));
        long pending = events - receiver.received();
        m.put("secondsToDeliverTheRest", pending <= 0 ? 0 : round(pending / (delivered / elapsed), 0));
        m.put("receivedBytes", receiver.bytes());
        check(problems, receiver.notAfterLast() == 0, receiver.notAfterLast() + " events reached the webhook again or out of order");
        check(problems, receiver.received() <= events, "the webhook took " + receiver.received() + " events, more than " + events);
        return m;
    }

    /** Change events against none: CPU per 1M records and wall time of the same runs, from the same run of the bench. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> notifyCost(Map<String, Object> result, String refreshKey) {
        Map<String, Object> cost = new LinkedHashMap<>();
        for (String[] pair : new String[][] {{"FirstLoad", "FirstLoad"}, {refreshKey, refreshKey}}) {
            Map<String, Object> one = new LinkedHashMap<>();
            for (String variant : List.of("feedsync", "outbox", "notify")) {
                String key = variant + pair[0];
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("seconds", seconds(result, key));
                m.put("feedsyncJvmCpuPer1M", cpuPerMillion(result, key, "feedsyncJvm"));
                m.put("postgresCpuPer1M", cpuPerMillion(result, key, "postgres"));
                one.put(variant, m);
            }
            for (String variant : List.of("outbox", "notify")) {
                Map<String, Object> over = new LinkedHashMap<>();
                for (String measure : List.of("seconds", "feedsyncJvmCpuPer1M", "postgresCpuPer1M")) {
                    double base = ((Number) ((Map<String, Object>) one.get("feedsync")).get(measure)).doubleValue();
                    double with = ((Number) ((Map<String, Object>) one.get(variant)).get(measure)).doubleValue();
                    over.put(measure, base > 0 ? round(with / base, 2) : Double.NaN);
                }
                one.put(variant + "OverNone", over);
            }
            cost.put(pair[0], one);
        }
        Map<String, Object> drain = (Map<String, Object>) result.get("notifyDrain");
        cost.put("deliveryCpuPer1MEvents", drain.get("cpuSecondsPer1M"));
        cost.put("deliveryEventsPerSecond", drain.get("rowsPerSecond"));
        return cost;
    }

    @SuppressWarnings("unchecked")
    private static double seconds(Map<String, Object> result, String key) {
        Map<String, Object> m = (Map<String, Object>) result.get(key);
        return m == null ? Double.NaN : ((Number) m.get("seconds")).doubleValue();
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

        static Feedsync start(Options options, String databaseUrl, String exportUrl, String webhookUrl) throws Exception {
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
            command.addAll(List.of(
                    "--spring.profiles.active=bench",
                    "--server.port=" + port,
                    "--spring.datasource.url=" + databaseUrl,
                    "--spring.datasource.username=" + TestDatabase.username()));
            command.addAll(feed(FEED, "bench.bench_feedsync", exportUrl));
            if (options.changeEvents()) {
                // a notify section without endpoints: events written, none delivered
                command.addAll(feed(OUTBOX_FEED, "bench.bench_outbox", exportUrl));
                command.add("--feedsync.feeds." + OUTBOX_FEED + ".notify.retention=7d");
                command.addAll(feed(NOTIFY_FEED, "bench.bench_notify", exportUrl));
                command.add("--feedsync.feeds." + NOTIFY_FEED + ".notify.changes[0]=" + webhookUrl);
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

        /** The bench's feed {@code name}: page pagination, a column mapping, an incremental cursor. */
        private static List<String> feed(String name, String table, String exportUrl) {
            String feed = "--feedsync.feeds." + name + ".";
            List<String> command = new ArrayList<>(List.of(
                    feed + "source.url=" + exportUrl,
                    feed + "source.pagination.type=page",
                    feed + "source.pagination.size=1000",
                    feed + "source.records=/data",
                    feed + "source.incremental.cursor=/updated_at",
                    feed + "source.incremental.param=since",
                    feed + "target.table=" + table,
                    feed + "target.key=id"));
            for (String column : COLUMNS) {
                command.add(feed + "transform.mapping." + column + "=/" + column);
            }
            return command;
        }

        long pid() {
            return process.pid();
        }

        private void awaitReady(Duration timeout) throws Exception {
            BenchSupport.awaitReady(timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("feedsync exited with " + process.exitValue()
                            + " while starting; see feedsync.log");
                }
            }, () -> get("/api/feeds").statusCode(), "feedsync");
        }

        /** Starts a run over the REST API and waits for it to end (leave QUEUED and RUNNING). */
        JsonNode run(String feed, String mode, Duration timeout) throws Exception {
            Map<String, Double> cpuBefore = CpuClock.snapshot(process.pid());
            HttpResponse<String> started = http.send(request("/api/feeds/" + feed + "/runs")
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
                if (!Set.of("QUEUED", "RUNNING").contains(run.path("status").asText())) {
                    windows.add(Map.of("feed", feed, "mode", mode, "startedAt", run.path("startedAt").asText(),
                            "finishedAt", run.path("finishedAt").asText()));
                    lastCpu = CpuClock.since(cpuBefore, process.pid());
                    return run;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("feedsync died during run " + runId);
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("run " + runId + " still under way after " + timeout);
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
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
        m.put("loadAverage1m", loadAverage());
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

    /** The machine's load average over the last minute, at the end of a measurement (-1 where /proc has none). */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException none) {
            return -1;
        }
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
        String refresh = "Refresh" + r.get("changedPercent") + "pct";
        for (String key : List.of("limit", "limit" + refresh, "naive", "feedsyncFirstLoad", "feedsync" + refresh,
                "feedsyncIncrementalNothingNew", "outboxFirstLoad", "outbox" + refresh, "notifyFirstLoad", "notify" + refresh,
                "notifyDrain")) {
            Map<String, Object> m = (Map<String, Object>) r.get(key);
            if (m != null) {
                out.append(String.format("%-32s %9s rows in %8.3f s = %10.0f rows/s   cpu s %s  load %s%n", key, m.get("rows"),
                        ((Number) m.get("seconds")).doubleValue(), ((Number) m.get("rowsPerSecond")).doubleValue(),
                        m.getOrDefault("cpuSeconds", ""), m.getOrDefault("loadAverage1m", "")));
                if (m.get("delivery") != null) {
                    out.append("    delivery at its end: ").append(m.get("delivery")).append('\n');
                }
                if (m.get("end") != null) {
                    out.append("    delivery at the end: ").append(m.get("end")).append(", seconds to deliver the rest: ")
                            .append(m.get("secondsToDeliverTheRest")).append('\n');
                }
            }
        }
        out.append("ratios: ").append(r.get("ratios")).append('\n');
        if (r.get("notifyCost") != null) {
            out.append("outbox after the first load: ").append(r.get("outboxAfterFirstLoad")).append('\n');
            out.append("outbox after the refresh: ").append(r.get("outboxAfterRefresh")).append('\n');
            out.append("change events' cost: ").append(r.get("notifyCost")).append('\n');
        }
        out.append("feedsync peak heap (GC log, before GC): ").append(r.get("feedsyncPeakHeapMiB")).append(" MiB of ")
                .append(r.get("feedsyncMaxHeapMiB")).append(" MiB committed max; highest after a GC ")
                .append(r.get("feedsyncPeakHeapAfterGcMiB")).append(" MiB; ").append(r.get("feedsyncGcCount")).append(" GCs\n");
        out.append("targets: ").append(r.get("spec7")).append('\n');
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
