package io.feedsync.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback export of {@code size} generated records: {@code GET /export?page=N&size=S}
 * (1-based) answers {@code {"data": [...]}}, a short or empty page at the end. Records are
 * generated while the response streams (chunked), so neither a page nor the export is ever held in
 * memory. {@code since} (ISO instant) keeps only the records updated after it.
 */
final class BenchUpstream implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final long size;
    private volatile int generation;
    private final AtomicLong requests = new AtomicLong();

    BenchUpstream(long size) {
        this.size = size;
        server = BenchSupport.loopbackServer("/export", this::export, executor);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/export";
    }

    /** From now on, serve generation {@code g} (1 % of records changed per generation). */
    void generation(int g) {
        generation = g;
    }

    long requests() {
        return requests.get();
    }

    private void export(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            Map<String, String> query = BenchSupport.query(exchange.getRequestURI().getRawQuery());
            long page = Long.parseLong(query.getOrDefault("page", "1"));
            long pageSize = Long.parseLong(query.getOrDefault("size", "1000"));
            Instant since = query.containsKey("since") ? Instant.parse(query.get("since")) : null;
            int g = generation;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            Writer out = new BufferedWriter(new OutputStreamWriter(exchange.getResponseBody(), StandardCharsets.UTF_8),
                    1 << 16);
            out.write("{\"data\":[");
            StringBuilder record = new StringBuilder(512);
            long from = (page - 1) * pageSize;
            boolean first = true;
            for (long n = from; n < from + pageSize; n++) {
                long i = index(n, since, g);
                if (i < 0) {
                    break;
                }
                record.setLength(0);
                if (!first) {
                    record.append(',');
                }
                BenchRecords.json(record, i, g);
                out.append(record);
                first = false;
            }
            out.write("]}");
            out.flush();
        }
    }

    /** The n-th record (0-based) of the export as filtered by {@code since}, or -1 past its end. */
    private long index(long n, Instant since, int g) {
        if (since == null || since.isBefore(BenchRecords.BASE)) {
            return n < size ? n : -1;
        }
        // every record not changed has updated_at <= BASE + 1 day; changed ones are every changedEvery-th
        Instant latestBase = BenchRecords.BASE.plusSeconds(86_399);
        if (since.isBefore(latestBase)) {
            throw new IllegalArgumentException("the bench upstream filters only past the base records: " + since);
        }
        if (g == 0 || !BenchRecords.updatedAt(0, g).isAfter(since)) {
            return -1;
        }
        long i = n * BenchRecords.changedEvery();
        return i < size ? i : -1;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
