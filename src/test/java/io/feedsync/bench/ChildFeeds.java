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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.postgresql.PGConnection;

/**
 * Child feeds ({@code source.for-each}) against a slow upstream: a parent feed {@code clients}
 * ({@code --parents} rows, cursor-paged 1000 a page, no added latency) and a child feed
 * {@code appointments} fetched once per client ({@code --children} records in one page, each request
 * answered after {@code --latency-ms}). For each {@code --concurrency} level, feedsync (the built jar
 * in its own JVM, {@code -Xmx<heap>}, both feeds configured by command-line properties) gets a fresh
 * database on the one PostgreSQL of the bench, runs {@code clients} once (full), then the measured
 * full run of {@code appointments}, a first load of parents × children rows. Reports per level the
 * run's wall time (finishedAt − startedAt) against the ideal {@code parents × latency / concurrency},
 * feedsync's CPU seconds (and per 1M child rows), rows/s, the most requests the upstream saw in flight
 * at once (never more than the concurrency), feedsync's heap after a GC, the run's status and parent
 * counts; the machine's load average at the start and the end. Usage: {@code bench/children
 * [--parents 10000] [--children 10] [--latency-ms 20] [--concurrency 1,4,16] [--heap 256m] [-- feedsync args]}.
 */
public final class ChildFeeds {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String PARENT_FEED = "clients";
    static final String CHILD_FEED = "appointments";
    private static final String SCHEMA = "bench_children";
    private static final int PARENT_PAGE = 1000;
    private static final Pattern ERROR_OR_WARN = Pattern.compile("^\\S+\\s+(ERROR|WARN) ");
    private static final int MAX_CONCURRENCY = 16;

    /** What to run. */
    public record Options(int parents, int children, int latencyMs, List<Integer> concurrency, String heap, Path outDir,
                          Path workDir, List<String> feedsyncArgs) {

        public static Options parse(String... args) {
            int parents = 10_000;
            int children = 10;
            int latency = 20;
            List<Integer> concurrency = List.of(1, 4, 16);
            String heap = "256m";
            Path out = Path.of("bench/results");
            Path work = Path.of("target/bench-children/work");
            List<String> feedsyncArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--")) {
                    feedsyncArgs.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    break;
                }
                switch (args[i]) {
                    case "--parents" -> parents = Integer.parseInt(args[++i].replace("_", ""));
                    case "--children" -> children = Integer.parseInt(args[++i]);
                    case "--latency-ms" -> latency = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Arrays.stream(args[++i].split(","))
                            .map(String::trim).map(Integer::parseInt).toList();
                    case "--heap" -> heap = args[++i];
                    case "--out" -> out = Path.of(args[++i]);
                    case "--work" -> work = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --parents N, --children C, --latency-ms L, --concurrency 1,4,16, --heap 256m,"
                            + " --out DIR, --work DIR [-- feedsync args])");
                }
            }
            if (parents < 1 || children < 1 || latency < 0) {
                throw new IllegalArgumentException("--parents and --children must be positive, --latency-ms not negative");
            }
            if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > MAX_CONCURRENCY)) {
                throw new IllegalArgumentException("--concurrency: levels from 1 to " + MAX_CONCURRENCY + ", e.g. 1,4,16");
            }
            return new Options(parents, children, latency, List.copyOf(concurrency), heap, out, work,
                    List.copyOf(feedsyncArgs));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result = run(Options.parse(args));
        System.exit(Boolean.TRUE.equals(result.get("ok")) ? 0 : 1);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> run(Options options) throws Exception {
        Files.createDirectories(options.workDir());
        Files.createDirectories(options.outDir());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("loadAverageAtStart", loadAverage());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("parents", options.parents());
        opts.put("children", options.children());
        opts.put("latencyMs", options.latencyMs());
        opts.put("concurrency", options.concurrency());
        opts.put("heap", options.heap());
        opts.put("feedsyncArgs", options.feedsyncArgs());
        result.put("options", opts);
        result.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version")));
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> levels = new ArrayList<>();
        result.put("levels", levels);

        try (Upstream upstream = new Upstream(options.parents(), options.children(), options.latencyMs())) {
            for (int concurrency : options.concurrency()) {
                Map<String, Object> level = new LinkedHashMap<>();
                level.put("concurrency", concurrency);
                levels.add(level);
                try {
                    level(options, concurrency, upstream, level, problems);
                } catch (Exception e) {
                    // a level that could not be measured (feedsync did not start, died, a run that never ended): the next one still runs
                    level.put("error", String.valueOf(e));
                    check(problems, false, "concurrency " + concurrency + ": " + e);
                }
            }
        }
        result.put("loadAverageAtEnd", loadAverage());
        result.put("finishedAt", Instant.now().toString());
        result.put("problems", problems);
        result.put("ok", problems.isEmpty());
        print(result);
        BenchSupport.writeResult(options.outDir(), "children" + options.parents(), result);
        return result;
    }

    /** One concurrency level: a fresh database, feedsync started, the parents loaded, the child run measured, feedsync stopped. */
    private static void level(Options options, int concurrency, Upstream upstream, Map<String, Object> level,
                              List<String> problems) throws Exception {
        String tag = "concurrency " + concurrency + ": ";
        Benchmark.log(tag + "PostgreSQL: a fresh database");
        String url = BenchSupport.fresh("feedsync_children");
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement()) {
            // PostgreSQL's CPU is this server's, not that of other servers on a shared machine
            CpuClock.onlyPostgresOf(db.unwrap(PGConnection.class).getBackendPID());
            sql.execute("create schema " + SCHEMA);
        }
        long expectedRows = (long) options.parents() * options.children();
        double idealSeconds = options.parents() * (options.latencyMs() / 1000.0) / concurrency;
        try (Node node = Node.start(options, concurrency, url, upstream.url())) {
            Benchmark.log(tag + "clients (full): " + options.parents() + " parents");
            JsonNode parentRun = node.run(PARENT_FEED, Duration.ofSeconds(120 + options.parents() / 100));
            level.put("parentRun", Map.of("status", parentRun.path("status").asText(),
                    "seconds", round(wallSeconds(parentRun), 3),
                    "counts", JSON.convertValue(parentRun.path("counts"), Map.class)));
            check(problems, "SUCCEEDED".equals(parentRun.path("status").asText()), tag + "clients run: " + parentRun);
            check(problems, parentRun.path("counts").path("inserted").asLong() == options.parents(),
                    tag + "clients run inserted " + parentRun.path("counts"));

            Benchmark.log(tag + "appointments (full): " + options.parents() + " parents × " + options.children()
                    + " children, " + options.latencyMs() + " ms a request; ideal " + round(idealSeconds, 1) + " s");
            upstream.resetChildRequests();
            Map<String, Double> cpu = CpuClock.snapshot(node.pid());
            JsonNode childRun = node.run(CHILD_FEED, Duration.ofSeconds(120 + (long) (5 * idealSeconds)));
            Map<String, Double> cpuUsed = CpuClock.since(cpu, node.pid());
            double wall = wallSeconds(childRun);
            long rows = count(url, SCHEMA + "." + CHILD_FEED);
            long inserted = childRun.path("counts").path("inserted").asLong();
            double feedsyncCpu = cpuUsed.getOrDefault("feedsyncJvm", Double.NaN);

            level.put("runId", childRun.path("runId").asLong());
            level.put("status", childRun.path("status").asText());
            level.put("startedAt", childRun.path("startedAt").asText());
            level.put("finishedAt", childRun.path("finishedAt").asText());
            level.put("wallSeconds", round(wall, 3));
            level.put("idealSeconds", round(idealSeconds, 3));
            level.put("wallOverIdeal", idealSeconds > 0 ? round(wall / idealSeconds, 3) : null);
            level.put("rows", rows);
            level.put("rowsPerSecond", round(inserted / wall, 0));
            level.put("cpuSeconds", cpuUsed);
            level.put("feedsyncCpuSecondsPer1MRows", round(feedsyncCpu * 1_000_000 / Math.max(1, inserted), 2));
            level.put("upstreamChildRequests", upstream.childRequests.get());
            level.put("maxRequestsInFlight", upstream.maxInFlight.get());
            level.put("parents", JSON.convertValue(childRun.path("parents"), Map.class));
            level.put("counts", JSON.convertValue(childRun.path("counts"), Map.class));
            level.put("heapUsedMaxSeenMiB", round(node.heapMaxSeenMiB, 1));
            level.put("heapAfterGcMiB", round(node.heapAfterGcMiB(), 1));
            level.put("threadsLive", (long) node.metric("jvm.threads.live"));
            level.put("loadAverageAfter", loadAverage());

            check(problems, "SUCCEEDED".equals(childRun.path("status").asText()), tag + "appointments run: " + childRun);
            check(problems, inserted == expectedRows, tag + "appointments run inserted " + childRun.path("counts")
                    + ", not " + expectedRows);
            check(problems, rows == expectedRows, tag + "the child table holds " + rows + " rows, not " + expectedRows);
            JsonNode parents = childRun.path("parents");
            check(problems, parents.path("total").asLong() == options.parents()
                    && parents.path("fetched").asLong() == options.parents()
                    && parents.path("notFound").asLong() == 0 && parents.path("failed").asLong() == 0,
                    tag + "parents " + parents);
            check(problems, upstream.maxInFlight.get() <= concurrency, tag + "the upstream saw "
                    + upstream.maxInFlight.get() + " requests in flight at once, more than the concurrency");
            check(problems, upstream.childRequests.get() == options.parents(), tag + "the upstream answered "
                    + upstream.childRequests.get() + " child requests, not one per parent (" + options.parents() + ")");

            // the same run again in the same JVM, warm: every record unchanged, each parent still a request
            Benchmark.log(tag + "appointments again (full, nothing changed)");
            upstream.resetChildRequests();
            Map<String, Double> againCpu = CpuClock.snapshot(node.pid());
            JsonNode again = node.run(CHILD_FEED, Duration.ofSeconds(120 + (long) (5 * idealSeconds)));
            Map<String, Double> againUsed = CpuClock.since(againCpu, node.pid());
            double againWall = wallSeconds(again);
            level.put("again", Map.of("status", again.path("status").asText(),
                    "wallSeconds", round(againWall, 3),
                    "wallOverIdeal", idealSeconds > 0 ? round(againWall / idealSeconds, 3) : Double.NaN,
                    "cpuSeconds", againUsed,
                    "feedsyncCpuSecondsPer1MRows", round(againUsed.getOrDefault("feedsyncJvm", Double.NaN)
                            * 1_000_000 / Math.max(1, expectedRows), 2),
                    "counts", JSON.convertValue(again.path("counts"), Map.class),
                    "maxRequestsInFlight", upstream.maxInFlight.get()));
            check(problems, "SUCCEEDED".equals(again.path("status").asText())
                    && again.path("counts").path("unchanged").asLong() == expectedRows,
                    tag + "appointments again: " + again.path("status").asText() + " " + again.path("counts"));
            level.put("logWarningsAndErrors", node.warningsAndErrors(20));
        }
        Benchmark.log(tag + "done: " + level.get("wallSeconds") + " s (ideal " + level.get("idealSeconds") + " s), max "
                + level.get("maxRequestsInFlight") + " in flight, feedsync cpu " + level.get("cpuSeconds"));
    }

    // ---------------------------------------------------------------- the upstream

    /**
     * A loopback upstream on a cached thread pool (every request served at once, however many):
     * {@code GET /clients?cursor=N} pages the parents 1000 at a time, at once; {@code GET
     * /clients/{id}/appointments} answers that client's children in one page after the latency, and
     * counts the requests it holds at once.
     */
    private static final class Upstream implements AutoCloseable {
        private final int parents;
        private final int children;
        private final int latencyMs;
        private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "bench-upstream");
            thread.setDaemon(true);
            return thread;
        });
        private final HttpServer server;
        private final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicLong childRequests = new AtomicLong();
        private final Instant base = Instant.parse("2026-01-01T08:00:00Z");

        Upstream(int parents, int children, int latencyMs) {
            this.parents = parents;
            this.children = children;
            this.latencyMs = latencyMs;
            this.server = BenchSupport.loopbackServer("/clients", this::handle, executor);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void resetChildRequests() {
            inFlight.set(0);
            maxInFlight.set(0);
            childRequests.set(0);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/clients") || path.equals("/clients/")) {
                    BenchSupport.sendJson(exchange, 200, clientsPage(BenchSupport.query(exchange.getRequestURI().getRawQuery()).get("cursor")));
                    return;
                }
                String[] parts = path.split("/");
                // "", "clients", "{id}", "appointments"
                if (parts.length != 4 || !parts[3].equals("appointments")) {
                    BenchSupport.sendJson(exchange, 404, "{\"error\":\"no such path\"}");
                    return;
                }
                long client;
                try {
                    client = Long.parseLong(parts[2]);
                } catch (NumberFormatException e) {
                    BenchSupport.sendJson(exchange, 404, "{\"error\":\"no such client\"}");
                    return;
                }
                childRequests.incrementAndGet();
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                String body;
                try {
                    if (latencyMs > 0) {
                        Thread.sleep(latencyMs);
                    }
                    body = appointments(client);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    // before the answer leaves: the client cannot have its next request in flight before this
                    inFlight.decrementAndGet();
                }
                BenchSupport.sendJson(exchange, client >= 1 && client <= parents ? 200 : 404, body);
            }
        }

        /** Clients {@code cursor+1 ..}, 1000 of them, and the next cursor (null after the last). */
        private String clientsPage(String cursor) {
            long after = cursor == null ? 0 : Long.parseLong(cursor);
            long last = Math.min(parents, after + PARENT_PAGE);
            StringBuilder json = new StringBuilder(64 * PARENT_PAGE).append("{\"items\":[");
            for (long id = after + 1; id <= last; id++) {
                json.append(id == after + 1 ? "" : ",").append("{\"id\":").append(id)
                        .append(",\"name\":\"client ").append(id).append("\"}");
            }
            json.append("],\"next\":").append(last < parents ? "\"" + last + "\"" : "null").append('}');
            return json.toString();
        }

        private String appointments(long client) {
            StringBuilder json = new StringBuilder(96 * children).append("{\"items\":[");
            for (int j = 0; j < children; j++) {
                long id = client * children + j;
                json.append(j == 0 ? "" : ",").append("{\"id\":").append(id)
                        .append(",\"starts_at\":\"").append(base.plusSeconds(id * 900)).append('"')
                        .append(",\"note\":\"appointment ").append(j).append(" of client ").append(client).append("\"}");
            }
            return json.append("]}").toString();
        }


        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- feedsync in its own JVM

    /** feedsync from the built jar with the two feeds of the bench, the child's concurrency as given. */
    private static final class Node implements AutoCloseable {
        private final Process process;
        private final int port;
        private final String key;
        private final Path log;
        private final BenchApi api;
        /** The most heap in use that the polls during the last run saw (before any GC), in MiB. */
        double heapMaxSeenMiB;

        private Node(Process process, int port, String key, Path log) {
            this.process = process;
            this.port = port;
            this.key = key;
            this.api = new BenchApi(port, key, Duration.ofSeconds(60));
            this.log = log;
        }

        static Node start(Options options, int concurrency, String databaseUrl, String upstreamUrl) throws Exception {
            String jar = System.getProperty("bench.jar");
            if (jar == null || !Files.exists(Path.of(jar))) {
                throw new IllegalStateException("no feedsync jar (-Dbench.jar); run bench/children");
            }
            Path work = options.workDir().toAbsolutePath().resolve("concurrency" + concurrency);
            Files.createDirectories(work);
            List<String> args = new ArrayList<>();
            String parent = "--feedsync.feeds." + PARENT_FEED + ".";
            args.addAll(List.of(
                    parent + "mode=full",
                    parent + "source.url=" + upstreamUrl + "/clients",
                    parent + "source.records=/items",
                    parent + "source.pagination.type=cursor",
                    parent + "source.pagination.cursor-pointer=/next",
                    parent + "transform.mapping.client_id.pointer=/id",
                    parent + "transform.mapping.client_id.type=integer",
                    parent + "transform.mapping.name=/name",
                    parent + "target.table=" + SCHEMA + "." + PARENT_FEED,
                    parent + "target.key=client_id",
                    parent + "target.create=true"));
            String child = "--feedsync.feeds." + CHILD_FEED + ".";
            args.addAll(List.of(
                    child + "mode=full",
                    child + "source.url=" + upstreamUrl + "/clients/{client_id}/appointments",
                    child + "source.records=/items",
                    child + "source.for-each.feed=" + PARENT_FEED,
                    child + "source.for-each.columns=client_id",
                    child + "source.for-each.concurrency=" + concurrency,
                    child + "transform.mapping.appointment_id.pointer=/id",
                    child + "transform.mapping.appointment_id.type=bigint",
                    child + "transform.mapping.client_id.parent=client_id",
                    child + "transform.mapping.client_id.type=integer",
                    child + "transform.mapping.starts_at.pointer=/starts_at",
                    child + "transform.mapping.starts_at.type=timestamptz",
                    child + "transform.mapping.note=/note",
                    child + "target.table=" + SCHEMA + "." + CHILD_FEED,
                    child + "target.key=appointment_id",
                    child + "target.create=true"));
            args.addAll(options.feedsyncArgs());
            BenchSupport.Launched launched = BenchSupport.launch(jar, options.heap(), "bench", databaseUrl, args, work,
                    "concurrency " + concurrency + ": starting feedsync, -Xmx" + options.heap());
            Node node = new Node(launched.process(), launched.port(), launched.key(), launched.log());
            try {
                node.awaitReady(Duration.ofSeconds(180));
            } catch (Exception e) {
                node.close();
                throw e;
            }
            return node;
        }

        long pid() {
            return process.pid();
        }

        private void awaitReady(Duration timeout) throws Exception {
            BenchSupport.awaitReady(timeout, this::checkAlive, () -> get("/api/feeds").statusCode(), "feedsync (see " + log + ")");
        }

        /** A full run of the feed over the REST API, waited for until it leaves QUEUED and RUNNING: its run JSON. */
        JsonNode run(String feed, Duration timeout) throws Exception {
            heapMaxSeenMiB = 0;
            HttpResponse<String> started = api.send(request("/api/feeds/" + feed + "/runs")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"mode\":\"full\"}")).build());
            if (started.statusCode() != 202) {
                throw new IllegalStateException("starting a run of " + feed + " answered " + started.statusCode() + ": "
                        + started.body());
            }
            long runId = JSON.readTree(started.body()).get("runId").asLong();
            long deadline = System.nanoTime() + timeout.toNanos();
            int polls = 0;
            while (System.nanoTime() < deadline) {
                checkAlive();
                JsonNode run = JSON.readTree(get("/api/runs/" + runId).body());
                if (!Set.of("QUEUED", "RUNNING").contains(run.path("status").asText())) {
                    return run;
                }
                if (++polls % 5 == 0) {
                    heapMaxSeenMiB = Math.max(heapMaxSeenMiB, metric("jvm.memory.used?tag=area:heap") / (1 << 20));
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("run " + runId + " of " + feed + " still under way after " + timeout
                    + ": " + get("/api/runs/" + runId).body() + "; see " + log);
        }

        /** Heap in use after a GC (asked over Jolokia, as bench/feeds and bench/soak do), in MiB. */
        double heapAfterGcMiB() throws Exception {
            jolokia("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}");
            return metric("jvm.memory.used?tag=area:heap") / (1 << 20);
        }

        double metric(String nameAndTags) throws Exception {
            return api.metric(nameAndTags);
        }

        private JsonNode jolokia(String request) throws Exception {
            return api.jolokia(request);
        }

        /** The log's WARN and ERROR lines, the first {@code limit} of them, and how many there were. */
        Map<String, Object> warningsAndErrors(int limit) throws IOException {
            List<String> lines;
            try (var all = Files.lines(log)) {
                lines = all.filter(line -> ERROR_OR_WARN.matcher(line).find()).toList();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("count", lines.size());
            out.put("first", lines.subList(0, Math.min(limit, lines.size())));
            out.put("log", log.toString());
            return out;
        }

        private HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return api.get(path);
        }

        private HttpRequest.Builder request(String path) {
            return api.request(path);
        }

        private void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException("feedsync exited with " + process.exitValue() + "; see " + log);
            }
        }

        @Override
        public void close() {
            BenchSupport.stop(process);
        }
    }

    // ---------------------------------------------------------------- the report

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> r) {
        Map<String, Object> o = (Map<String, Object>) r.get("options");
        StringBuilder out = new StringBuilder(String.format("%n=== child feeds: %s parents × %s children, %s ms a request,"
                        + " feedsync -Xmx%s, %s cores ===%n", o.get("parents"), o.get("children"), o.get("latencyMs"),
                o.get("heap"), ((Map<String, Object>) r.get("machine")).get("cores")));
        out.append("load average at start: ").append(r.get("loadAverageAtStart")).append('\n');
        out.append(String.format("%5s %9s %9s %6s %9s %8s %10s %8s %9s %9s %-10s %-38s %s%n", "conc", "wall s",
                "ideal s", "ratio", "rows/s", "cpu s", "cpu s/1M", "inflight", "heap MiB", "peak MiB", "status",
                "parents total/fetched/notFound/failed", "again: wall s / ratio / cpu s/1M"));
        for (Map<String, Object> l : (List<Map<String, Object>>) r.get("levels")) {
            Map<String, Object> p = (Map<String, Object>) l.get("parents");
            Map<String, Double> cpu = (Map<String, Double>) l.getOrDefault("cpuSeconds", Map.of());
            Map<String, Object> again = (Map<String, Object>) l.getOrDefault("again", Map.of());
            out.append(String.format("%5s %9.3f %9.3f %6.2f %9.0f %8.2f %10.2f %8s %9.1f %9.1f %-10s %-38s %.3f / %.2f / %.2f%n",
                    l.get("concurrency"), num(l.get("wallSeconds")), num(l.get("idealSeconds")), num(l.get("wallOverIdeal")),
                    num(l.get("rowsPerSecond")), num(cpu.get("feedsyncJvm")), num(l.get("feedsyncCpuSecondsPer1MRows")),
                    l.get("maxRequestsInFlight"), num(l.get("heapAfterGcMiB")), num(l.get("heapUsedMaxSeenMiB")),
                    l.get("status"), p == null ? "-" : p.get("total") + "/" + p.get("fetched") + "/" + p.get("notFound")
                            + "/" + p.get("failed"), num(again.get("wallSeconds")), num(again.get("wallOverIdeal")),
                    num(again.get("feedsyncCpuSecondsPer1MRows"))));
        }
        out.append("load average at end: ").append(r.get("loadAverageAtEnd")).append('\n');
        out.append("(cpu s: feedsync's JVM during the child run, its first load in a fresh JVM; heap MiB: after a GC at"
                + " the end; peak MiB: most heap in use seen while it ran; again: the same run once more in the same"
                + " JVM, every record unchanged)\n");
        out.append("problems: ").append(r.get("problems")).append('\n');
        System.out.println(out);
    }

    private static double num(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    // ---------------------------------------------------------------- helpers

    private static double wallSeconds(JsonNode run) {
        if (run.path("startedAt").isNull() || run.path("finishedAt").isNull()
                || run.path("startedAt").isMissingNode() || run.path("finishedAt").isMissingNode()) {
            return Double.NaN;
        }
        return Duration.between(Instant.parse(run.path("startedAt").asText()),
                Instant.parse(run.path("finishedAt").asText())).toNanos() / 1e9;
    }

    /** /proc/loadavg's 1, 5 and 15 minute load averages ("" where there is none). */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return String.join(" ", Arrays.asList(fields).subList(0, 3));
        } catch (IOException | RuntimeException none) {
            return "";
        }
    }

    private static long count(String url, String table) throws SQLException {
        try (Connection db = BenchSupport.connect(url); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
            Benchmark.log("PROBLEM: " + problem);
        }
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Double.isFinite(value) ? Math.round(value * scale) / scale : value;
    }

    private ChildFeeds() {
    }
}
