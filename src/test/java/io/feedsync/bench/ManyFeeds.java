package io.feedsync.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;


/**
 * Many feeds on one node, or two: feedsync, as the built jar in its own JVM(s) on
 * one database, gets {@code --feeds} feeds defined through {@code PUT /api/feeds/{feed}}, each with a
 * schedule and a tiny export of its own on a loopback upstream. Measures the time to define them all
 * (per PUT: p50, p99), until every node has them, each node's heap after a GC and live threads (and
 * what those threads are, from {@code jcmd Thread.print}), then, over {@code --minutes} whole
 * minutes, how late each timer fire started its run ({@code sync_run.started_at} against the fire
 * time) and whether every fire ran exactly once. Feeds {@code 0 .. burst-1} are all due at second 0
 * of every minute; the others at second {@code i % 60}. Usage: {@code bench/feeds [--feeds 1000]
 * [--burst 200] [--minutes 3] [--nodes 1|2|3] [--heap 512m] [-- feedsync args]}.
 */
public final class ManyFeeds {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int RECORDS_PER_FEED = 3;
    /** After the last measured minute, fires due in it may still start this late. */
    private static final Duration LATE_FIRES = Duration.ofSeconds(45);
    private static final int PUT_RETRIES = 10;

    /** What to run. */
    public record Options(int feeds, int burst, int minutes, int nodes, String heap, Path outDir, Path workDir,
                          List<String> feedsyncArgs) {

        public static Options parse(String... args) {
            int feeds = 1000;
            int burst = -1;
            int minutes = 3;
            int nodes = 1;
            String heap = "512m";
            Path out = Path.of("bench/results");
            Path work = Path.of("target/bench-feeds");
            List<String> feedsyncArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--")) {
                    feedsyncArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                switch (args[i]) {
                    case "--feeds" -> feeds = Integer.parseInt(args[++i]);
                    case "--burst" -> burst = Integer.parseInt(args[++i]);
                    case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                    case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                    case "--heap" -> heap = args[++i];
                    case "--out" -> out = Path.of(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --feeds N, --burst B, --minutes M, --nodes 1 to 3, --heap 512m, --out DIR,"
                            + " --work DIR [-- feedsync args])");
                }
            }
            if (feeds < 1 || minutes < 1 || nodes < 1 || nodes > 3) {
                throw new IllegalArgumentException("--feeds and --minutes must be positive, --nodes 1 to 3");
            }
            if (burst < 0) {
                burst = feeds / 5;
            }
            return new Options(feeds, Math.min(burst, feeds), minutes, nodes, heap, out, work, List.copyOf(feedsyncArgs));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result = run(Options.parse(args));
        System.exit(Boolean.TRUE.equals(result.get("ok")) ? 0 : 1);
    }

    public static Map<String, Object> run(Options options) throws Exception {
        Files.createDirectories(options.workDir());
        Files.createDirectories(options.outDir());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("options", Map.of("feeds", options.feeds(), "burstAtSecond0", options.burst(),
                "minutes", options.minutes(), "nodes", options.nodes(), "heap", options.heap(),
                "feedsyncArgs", options.feedsyncArgs()));
        result.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version")));
        List<String> problems = new ArrayList<>();

        Benchmark.log("PostgreSQL: starting / connecting");
        String url = BenchSupport.fresh("feedsync_feeds");
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement()) {
            sql.execute("create schema bench_many");
            sql.execute("create table bench_many.tenant_rows (id text primary key, feed text not null, name text)");
        }

        List<Node> nodes = new ArrayList<>();
        try (TinyExports exports = new TinyExports()) {
            for (int n = 0; n < options.nodes(); n++) {
                nodes.add(Node.start(options, url, "node" + (char) ('a' + n)));
            }
            for (Node node : nodes) {
                result.put(node.name + "Idle", node.footprint());
            }

            // defined through node a, one PUT after another, as an operator's script would
            Node a = nodes.get(0);
            Map<String, Integer> second = new HashMap<>();
            long[] putMicros = new long[options.feeds()];
            Benchmark.log("defining " + options.feeds() + " feeds through PUT /api/feeds/{feed} on " + a.name);
            Map<String, Integer> putRefusals = new TreeMap<>();
            int defined = 0;
            // how long a definition takes to reach the other node: every 25th feed, sampled in the background
            java.util.concurrent.ExecutorService followers = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<Double>> followLags = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < options.feeds(); i++) {
                String feed = feedName(i);
                int s = i < options.burst() ? 0 : i % 60;
                second.put(feed, s);
                String body = definition(s, exports.url(feed));
                long t = System.nanoTime();
                HttpResponse<String> answer = a.put("/api/feeds/" + feed, body);
                // a busy node answers 503 (the database pool, while timer fires hold it): retried, as a client would
                for (int attempt = 1; answer.statusCode() == 503 && attempt <= PUT_RETRIES; attempt++) {
                    putRefusals.merge(answer.statusCode() + " " + answer.body(), 1, Integer::sum);
                    Thread.sleep(1000);
                    answer = a.put("/api/feeds/" + feed, body);
                }
                putMicros[i] = (System.nanoTime() - t) / 1000;
                if (answer.statusCode() == 201) {
                    defined++;
                    if (nodes.size() > 1 && i % 25 == 0) {
                        long putDone = System.nanoTime();
                        Node other = nodes.get(1);
                        followLags.add(followers.submit(() -> {
                            while (!other.runs(feed) && System.nanoTime() - putDone < 60_000_000_000L) {
                                Thread.sleep(20);
                            }
                            return (System.nanoTime() - putDone) / 1e6;
                        }));
                    }
                } else {
                    putRefusals.merge(answer.statusCode() + " " + answer.body(), 1, Integer::sum);
                    problems.add("PUT " + feed + " answered " + answer.statusCode() + " after " + PUT_RETRIES + " retries");
                }
                if ((i + 1) % 100 == 0) {
                    Benchmark.log((i + 1) + " defined");
                }
            }
            double createSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> create = new LinkedHashMap<>();
            create.put("feeds", options.feeds());
            create.put("defined", defined);
            create.put("putRefusalsRetried", putRefusals);
            create.put("seconds", round(createSeconds, 2));
            Arrays.sort(putMicros);
            create.put("putMillisP50", round(putMicros[putMicros.length / 2] / 1000.0, 1));
            create.put("putMillisP99", round(putMicros[(int) Math.min(putMicros.length - 1, putMicros.length * 0.99)] / 1000.0, 1));
            create.put("putMillisMax", round(putMicros[putMicros.length - 1] / 1000.0, 1));
            List<Double> lags = new ArrayList<>();
            for (java.util.concurrent.Future<Double> lag : followLags) {
                lags.add(lag.get());
            }
            followers.shutdown();
            if (!lags.isEmpty()) {
                create.put("followedByOtherNodeMillis", distribution(lags));
                if (java.util.Collections.max(lags) > 5000) {
                    problems.add("a definition took " + round(java.util.Collections.max(lags), 0) + " ms to reach the other node");
                }
            }
            for (Node node : nodes) {
                double seconds = node.awaitFeeds(defined, start, Duration.ofMinutes(2));
                create.put("allFeedsOn" + node.name + "AfterSeconds", seconds < 0 ? null : round(seconds, 2));
                if (seconds < 0) {
                    problems.add(node.name + " runs " + node.feedCount() + " of " + defined + " defined feeds");
                }
            }
            create.put("quartzTriggers", scalar(url, "select count(*) from feedsync.qrtz_triggers"));
            result.put("create", create);
            Benchmark.log("created: " + create);

            for (Node node : nodes) {
                result.put(node.name + "AfterCreate", node.footprint());
            }
            // what a health check and a Prometheus scrape cost with every feed defined (median of 5, after one)
            result.put("healthMillis", nodes.get(0).timed("/actuator/health"));
            result.put("scrapeMillis", nodes.get(0).timed("/actuator/prometheus"));
            Benchmark.log("health " + result.get("healthMillis") + " ms, scrape " + result.get("scrapeMillis") + " ms");

            // whole minutes of fires, measured from the next minute on
            Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
            Instant until = from.plus(options.minutes(), ChronoUnit.MINUTES);
            Benchmark.log("measuring timer fires from " + from + " until " + until + " (+" + LATE_FIRES.toSeconds() + " s for late ones)");
            Sampler sampler = new Sampler(nodes);
            sampler.start();
            sleepUntil(until.plus(LATE_FIRES));
            sampler.stop();
            result.put("duringFires", sampler.peaks());
            result.put("fires", fires(url, second, from, until, options, problems));
            for (Node node : nodes) {
                result.put(node.name + "AfterFires", node.footprint());
                result.put(node.name + "LogErrors", node.errorLines());
                result.put(node.name + "QuartzLog", node.quartzLines());
            }
            result.put("upstreamRequests", exports.requests.get());
        } finally {
            for (Node node : nodes) {
                node.close();
            }
        }
        result.put("problems", problems);
        result.put("ok", problems.isEmpty());
        System.out.println("\n=== many feeds: " + options.feeds() + " feeds, " + options.nodes() + " node(s) ===\n"
                + JSON.writeValueAsString(result));
        BenchSupport.writeResult(options.outDir(), "feeds" + options.feeds() + "-nodes" + options.nodes(), result);
        return result;
    }

    static String feedName(int i) {
        return String.format("tenant%04d", i);
    }

    private static String definition(int second, String exportUrl) {
        return """
                {"schedule": "%d * * * * ?", "mode": "full",
                 "source": {"url": "%s", "records": "/data"},
                 "transform": {"mapping": {"id": "/id", "feed": "/feed", "name": "/name"}},
                 "target": {"table": "bench_many.tenant_rows", "key": ["id"], "shared": true}}""".formatted(second, exportUrl);
    }

    /**
     * Every timer run that started for a fire in [from, until): its fire time is the latest
     * second-{@code s} boundary at or before its start, so lateness is read modulo a minute.
     */
    private static Map<String, Object> fires(String url, Map<String, Integer> second, Instant from, Instant until,
                                             Options options, List<String> problems) throws SQLException {
        Map<String, Integer> perFire = new HashMap<>();
        Map<String, List<String>> runsPerFire = new HashMap<>();
        List<Double> lateBurst = new ArrayList<>();
        List<Double> lateSpread = new ArrayList<>();
        // admitted (QUEUED) against the fire time: how much of the lateness is the fire's, how much the run slots'
        List<Double> admittedBurst = new ArrayList<>();
        Map<String, Integer> byNode = new TreeMap<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("select feed, started_at, node, status, id, finished_at, queued_at from feedsync.sync_run"
                     + " where trigger = 'timer' order by started_at")) {
            while (rs.next()) {
                String feed = rs.getString(1);
                Instant started = rs.getTimestamp(2).toInstant();
                Integer s = second.get(feed);
                if (s == null) {
                    continue;
                }
                Instant minute = started.minusSeconds(s).truncatedTo(ChronoUnit.MINUTES);
                Instant fire = minute.plusSeconds(s);
                if (fire.isBefore(from) || !fire.isBefore(until)) {
                    continue;
                }
                double late = Duration.between(fire, started).toNanos() / 1e9;
                (s == 0 && feedIndex(feed) < options.burst() ? lateBurst : lateSpread).add(late);
                if (s == 0 && feedIndex(feed) < options.burst() && rs.getTimestamp(7) != null) {
                    admittedBurst.add(Duration.between(fire, rs.getTimestamp(7).toInstant()).toNanos() / 1e9);
                }
                perFire.merge(feed + "@" + fire, 1, Integer::sum);
                runsPerFire.computeIfAbsent(feed + "@" + fire, k -> new ArrayList<>()).add("run " + rs.getLong(5)
                        + " on " + rs.getString(3) + " " + started + ".." + rs.getTimestamp(6).toInstant() + " " + rs.getString(4));
                byNode.merge(rs.getString(3), 1, Integer::sum);
                byStatus.merge(rs.getString(4), 1, Integer::sum);
            }
        }
        long expected = (long) second.size() * options.minutes();
        long ranOnce = perFire.values().stream().filter(c -> c == 1).count();
        long ranTwice = perFire.values().stream().filter(c -> c > 1).count();
        long missed = expected - perFire.size();
        Map<String, Object> fires = new LinkedHashMap<>();
        fires.put("expected", expected);
        fires.put("ranOnce", ranOnce);
        fires.put("ranOnceAndSucceeded", byStatus.getOrDefault("SUCCEEDED", 0));
        fires.put("ranMoreThanOnce", ranTwice);
        fires.put("missed", missed);
        fires.put("runsByNode", byNode);
        fires.put("runsByStatus", byStatus);
        fires.put("lateSecondsBurst", distribution(lateBurst));
        fires.put("lateSecondsSpread", distribution(lateSpread));
        fires.put("admittedLateSecondsBurst", distribution(admittedBurst));
        // a fire that ran more than once: its runs (which node, when), to tell a second fire from a late one
        Map<String, List<String>> twice = new TreeMap<>();
        perFire.forEach((fire, n) -> {
            if (n > 1) {
                twice.put(fire, runsPerFire.get(fire));
            }
        });
        fires.put("firesRunMoreThanOnce", twice);
        if (ranTwice > 0) {
            problems.add(ranTwice + " fires ran more than once");
        }
        if (missed > 0) {
            problems.add(missed + " of " + expected + " fires started no run");
        }
        if (byStatus.getOrDefault("SUCCEEDED", 0) < perFire.size()) {
            problems.add((perFire.size() - byStatus.getOrDefault("SUCCEEDED", 0)) + " timer runs did not succeed: " + byStatus);
        }
        return fires;
    }

    private static int feedIndex(String feed) {
        return Integer.parseInt(feed.substring("tenant".length()));
    }

    private static Map<String, Object> distribution(List<Double> values) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("count", values.size());
        if (values.isEmpty()) {
            return d;
        }
        List<Double> sorted = values.stream().sorted().toList();
        d.put("p50", round(sorted.get(sorted.size() / 2), 2));
        d.put("p90", round(sorted.get((int) (sorted.size() * 0.9)), 2));
        d.put("p99", round(sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))), 2));
        d.put("max", round(sorted.get(sorted.size() - 1), 2));
        return d;
    }

    /** Samples every node once a second while the fires are measured, keeping the peaks. */
    private static final class Sampler {
        private final List<Node> nodes;
        private final Map<String, Double> peaks = new TreeMap<>();
        private volatile boolean running = true;
        private Thread thread;

        Sampler(List<Node> nodes) {
            this.nodes = nodes;
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    for (Node node : nodes) {
                        try {
                            peak(node.name + ".jvm.threads.live", node.metric("jvm.threads.live"));
                            peak(node.name + ".hikaricp.connections.active", node.metric("hikaricp.connections.active"));
                            peak(node.name + ".hikaricp.connections.pending", node.metric("hikaricp.connections.pending"));
                            peak(node.name + ".jvm.memory.used.heap.MiB", node.metric("jvm.memory.used?tag=area:heap") / (1 << 20));
                        } catch (Exception e) {
                            peak(node.name + ".samplesFailed", peaks.getOrDefault(node.name + ".samplesFailed", 0.0) + 1);
                        }
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "many-feeds-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private synchronized void peak(String name, double value) {
            peaks.merge(name, value, Math::max);
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }

        synchronized Map<String, Object> peaks() {
            Map<String, Object> out = new LinkedHashMap<>();
            peaks.forEach((k, v) -> out.put("max " + k, round(v, 1)));
            return out;
        }
    }

    /** A loopback upstream: {@code GET /feed/<name>} answers that feed's few records. */
    private static final class TinyExports implements AutoCloseable {
        private final ExecutorService executor = Executors.newFixedThreadPool(8);
        private final HttpServer server = BenchSupport.loopbackServer("/feed/", this::export, executor);
        final AtomicLong requests = new AtomicLong();

        String url(String feed) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/feed/" + feed;
        }

        private void export(HttpExchange exchange) throws IOException {
            requests.incrementAndGet();
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String feed = path.substring(path.lastIndexOf('/') + 1);
                StringBuilder json = new StringBuilder("{\"data\":[");
                for (int r = 0; r < RECORDS_PER_FEED; r++) {
                    json.append(r == 0 ? "" : ",").append("{\"id\":\"").append(feed).append('-').append(r)
                            .append("\",\"feed\":\"").append(feed).append("\",\"name\":\"record ").append(r).append("\"}");
                }
                byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** One feedsync node: the built jar in its own JVM, no feed in its configuration. */
    private static final class Node implements AutoCloseable {
        private static final Pattern ERROR_LINE = Pattern.compile("^\\S+\\s+ERROR ");
        private static final Pattern THREAD_NAME = Pattern.compile("^\"([^\"]*)\"");
        /** {@code   1:   123456   7890123  java.lang.String (java.base@17)}: instances, bytes, class. */
        private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
        private static final Pattern QUARTZ_LINE = Pattern.compile(
                "failed or restarted instances|Scanning for instance|still active but was recovered|missed their scheduled fire-time|Recovering");

        final String name;
        private final Process process;
        private final int port;
        private final String key;
        private final Path log;
        private final BenchApi api;

        private Node(String name, Process process, int port, String key, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.key = key;
            this.api = new BenchApi(port, key, Duration.ofSeconds(60));
            this.log = log;
        }

        static Node start(Options options, String databaseUrl, String name) throws Exception {
            Path work = options.workDir().toAbsolutePath().resolve(name);
            Files.createDirectories(work);
            String jar = System.getProperty("bench.jar");
            if (jar == null || !Files.exists(Path.of(jar))) {
                throw new IllegalStateException("no feedsync jar (-Dbench.jar); run bench/feeds");
            }
            List<String> feedsyncArgs = new ArrayList<>(options.feedsyncArgs());
            feedsyncArgs.add("--feedsync.limits.max-feeds=" + Math.max(1000, options.feeds()));
            BenchSupport.Launched launched = BenchSupport.launch(jar, options.heap(), "bench", databaseUrl,
                    feedsyncArgs, work, name + ": starting feedsync, -Xmx" + options.heap());
            Node node = new Node(name, launched.process(), launched.port(), launched.key(), launched.log());
            node.awaitReady(Duration.ofSeconds(240));
            return node;
        }

        private void awaitReady(Duration timeout) throws Exception {
            BenchSupport.awaitReady(timeout, this::checkAlive, () -> get("/api/feeds").statusCode(), name);
        }

        /** Seconds from {@code since} (nanoTime) until this node runs {@code feeds} feeds; -1 if not within timeout. */
        double awaitFeeds(int feeds, long since, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                checkAlive();
                if (feedCount() >= feeds) {
                    return (System.nanoTime() - since) / 1e9;
                }
                Thread.sleep(200);
            }
            return -1;
        }

        /** The feeds this node runs ({@code feedsync:type=Feeds}, FeedCount), over Jolokia. */
        int feedCount() throws Exception {
            JsonNode answer = jolokia("{\"type\":\"read\",\"mbean\":\"feedsync:type=Feeds\",\"attribute\":\"FeedCount\"}");
            return answer.path("value").asInt();
        }

        /** Whether this node runs the feed: it lists its runs (GET /api/feeds/{feed}/runs answers 404 for a feed it does not know). */
        boolean runs(String feed) throws Exception {
            return api.get("/api/feeds/" + feed + "/runs?limit=1").statusCode() == 200;
        }

        /** Heap after a GC, live threads, and the threads by kind (digits of their names folded). */
        Map<String, Object> footprint() throws Exception {
            jolokia("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}");
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("heapAfterGcMiB", round(metric("jvm.memory.used?tag=area:heap") / (1 << 20), 1));
            f.put("nonHeapMiB", round(metric("jvm.memory.used?tag=area:nonheap") / (1 << 20), 1));
            f.put("threadsLive", (long) metric("jvm.threads.live"));
            f.put("hikariConnections", (long) metric("hikaricp.connections"));
            f.put("camelRoutes", jolokia("{\"type\":\"search\",\"mbean\":\"org.apache.camel:context=feedsync,type=routes,*\"}")
                    .path("value").size());
            f.put("threadsByKind", threadsByKind());
            f.put("heapTopClassesMiB", heapTopClasses(12));
            return f;
        }

        /** The classes holding the most live heap ({@code jcmd GC.class_histogram}, which collects first), in MiB. */
        private Map<String, Double> heapTopClasses(int top) throws Exception {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String histogram = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(60, TimeUnit.SECONDS);
            Map<String, Double> classes = new LinkedHashMap<>();
            for (String line : histogram.split("\n")) {
                Matcher m = HISTOGRAM_LINE.matcher(line);
                if (m.find() && classes.size() < top) {
                    classes.put(m.group(2), round(Long.parseLong(m.group(1)) / (double) (1 << 20), 1));
                }
            }
            return classes;
        }

        private Map<String, Integer> threadsByKind() throws Exception {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            Map<String, Integer> kinds = new TreeMap<>();
            for (String line : dump.split("\n")) {
                Matcher m = THREAD_NAME.matcher(line);
                if (m.find()) {
                    String kind = m.group(1).replaceAll("tenant\\d+", "tenant#").replaceAll("\\d+", "#");
                    kinds.merge(kind, 1, Integer::sum);
                }
            }
            // the many kinds of one thread each are of no interest here
            Map<String, Integer> shown = new LinkedHashMap<>();
            int others = 0;
            for (Map.Entry<String, Integer> e : kinds.entrySet()) {
                if (e.getValue() >= 4) {
                    shown.put(e.getKey(), e.getValue());
                } else {
                    others += e.getValue();
                }
            }
            shown.put("(kinds with fewer than 4 threads)", others);
            return shown;
        }

        double metric(String nameAndTags) throws Exception {
            return api.metric(nameAndTags);
        }

        private JsonNode jolokia(String request) throws Exception {
            return api.jolokia(request);
        }

        HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
            return api.send(request(path).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        }

        /** The median time of 5 GETs of the path, after one to warm up, in ms. */
        double timed(String path) throws Exception {
            get(path);
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                HttpResponse<String> answer = get(path);
                millis.add((System.nanoTime() - start) / 1e6);
                if (answer.statusCode() != 200 && answer.statusCode() != 503) {
                    throw new IllegalStateException(path + " answered " + answer.statusCode());
                }
            }
            java.util.Collections.sort(millis);
            return round(millis.get(2), 1);
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return api.get(path);
        }

        private HttpRequest.Builder request(String path) {
            return api.request(path);
        }

        void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
        }

        /**
         * Quartz's own word on fires that could run twice: another node taken for dead (its claimed
         * fires handed to the others) and fires handled as misfires, with their times.
         */
        List<String> quartzLines() throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.filter(line -> QUARTZ_LINE.matcher(line).find()).limit(50).toList();
            }
        }

        long errorLines() throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.filter(line -> ERROR_LINE.matcher(line).find()).count();
            }
        }

        @Override
        public void close() {
            BenchSupport.stop(process);
        }
    }

    private static String scalar(String url, String query) throws SQLException {
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement(); ResultSet rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }

    private ManyFeeds() {
    }
}
