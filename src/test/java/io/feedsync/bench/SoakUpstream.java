package io.feedsync.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The soak run's loopback export, {@code GET /export?page=N&size=S} → {@code {"data": [...]}} over
 * {@code records} records, that answers a share of its requests with a fault drawn at random:
 * <ul>
 *   <li>{@code 500}, {@code 503}, {@code 429} with {@code Retry-After: 1} — retried by feedsync;</li>
 *   <li>{@code no-answer}: the connection is closed before any response (what a reset looks like to a
 *       client) — retried;</li>
 *   <li>{@code slow}: the answer comes after feedsync's read timeout — retried;</li>
 *   <li>{@code cut-off}: the body stops halfway, the connection closes — the page is retried;</li>
 *   <li>{@code broken-json}: a page whose JSON is cut inside a record — the run fails (permanent);</li>
 *   <li>{@code bad-records}: a good page plus one record without a key and one whose {@code n} is not a
 *       number — both dead-lettered, the run goes on.</li>
 * </ul>
 * Every few seconds 5 % of the records change (a new {@code version}), so runs write as well as skip.
 */
final class SoakUpstream implements AutoCloseable {

    /** Faults by cumulative probability per request; the rest are answered properly. */
    private static final Object[][] FAULTS = {
            {"500", 0.04}, {"503", 0.07}, {"429", 0.10}, {"no-answer", 0.13}, {"slow", 0.15},
            {"cut-off", 0.16}, {"broken-json", 0.165}, {"bad-records", 0.21}};
    static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final int records;
    private final long slowMillis;
    private final Random random;
    private final Map<String, AtomicLong> answered = new ConcurrentHashMap<>();

    SoakUpstream(int records, long slowMillis, long seed) {
        this.records = records;
        this.slowMillis = slowMillis;
        this.random = new Random(seed);
        server = BenchSupport.loopbackServer("/export", this::export, executor);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/export";
    }

    /** How many requests got each kind of answer ({@code ok} or a fault's name). */
    Map<String, Long> answered() {
        Map<String, Long> counts = new TreeMap<>();
        answered.forEach((kind, count) -> counts.put(kind, count.get()));
        return counts;
    }

    private void export(HttpExchange exchange) throws IOException {
        String fault = draw();
        answered.computeIfAbsent(fault, k -> new AtomicLong()).incrementAndGet();
        try (exchange) {
            Map<String, String> query = BenchSupport.query(exchange.getRequestURI().getRawQuery());
            int page = Integer.parseInt(query.getOrDefault("page", "1"));
            int size = Integer.parseInt(query.getOrDefault("size", "100"));
            switch (fault) {
                case "500", "503" -> BenchSupport.sendJson(exchange, Integer.parseInt(fault), "{\"error\":\"injected\"}");
                case "429" -> {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    BenchSupport.sendJson(exchange, 429, "{\"error\":\"slow down\"}");
                }
                case "no-answer" -> {
                    // closing the exchange unanswered drops the connection
                }
                case "slow" -> {
                    sleep(slowMillis);
                    BenchSupport.sendJson(exchange, 200, page(page, size, false));
                }
                case "cut-off" -> {
                    byte[] body = page(page, size, false).getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    OutputStream out = exchange.getResponseBody();
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    // the exchange closes with half the promised body sent: the client sees the connection end
                }
                case "broken-json" -> {
                    String body = page(page, size, false);
                    BenchSupport.sendJson(exchange, 200, body.substring(0, body.length() / 2));
                }
                case "bad-records" -> BenchSupport.sendJson(exchange, 200, page(page, size, true));
                default -> BenchSupport.sendJson(exchange, 200, page(page, size, false));
            }
        } catch (IOException | RuntimeException clientGone) {
            // feedsync timed out or gave up on this answer: nothing to do
        }
    }

    private synchronized String draw() {
        double r = random.nextDouble();
        for (Object[] fault : FAULTS) {
            if (r < (double) fault[1]) {
                return (String) fault[0];
            }
        }
        return "ok";
    }

    /** Page {@code page} of the export; {@code bad} adds a record without key and one with a non-numeric n. */
    private String page(int page, int size, boolean bad) {
        StringBuilder json = new StringBuilder(size * 100).append("{\"data\":[");
        long tick = Instant.now().getEpochSecond() / 5;
        int from = (page - 1) * size;
        for (int i = from; i < Math.min(records, from + size); i++) {
            // 5 % of the records (a different 5 % each tick) get a new version every 5 s
            long version = i % 20 == tick % 20 ? tick : 0;
            json.append(i == from ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"version\":\"v")
                    .append(version).append("\",\"n\":").append(i).append(",\"updated_at\":\"")
                    .append(BASE.plusSeconds(i)).append("\"}");
        }
        if (bad) {
            json.append(from < records ? "," : "").append("{\"version\":\"v0\",\"n\":1,\"updated_at\":\"")
                    .append(BASE).append("\"},{\"key\":\"bad-").append(page).append("\",\"version\":\"v0\",")
                    .append("\"n\":\"not-a-number\",\"updated_at\":\"").append(BASE).append("\"}");
        }
        return json.append("]}").toString();
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
