package io.feedsync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback webhook for {@code notify.changes}, as cheap as a receiver can be: {@code POST /hook}
 * reads the body, answers 200 with none, and counts. It also checks what delivery promises: event
 * ids ({@code X-Feedsync-Event-Id}) arrive in increasing order; one that does not is counted as
 * sent again (at least once allows it, but a bench run with a receiver that never fails should see none).
 */
final class BenchReceiver implements AutoCloseable {

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final HttpServer server;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong notAfterLast = new AtomicLong();
    private volatile long lastId;

    BenchReceiver() {
        server = BenchSupport.loopbackServer("/hook", this::receive, executor);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Events taken (answered 200). */
    long received() {
        return received.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Events whose id was not above the last one taken: sent again, or out of order. */
    long notAfterLast() {
        return notAfterLast.get();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            bytes.addAndGet(body.transferTo(OutputStream.nullOutputStream()));
            String id = exchange.getRequestHeaders().getFirst("X-Feedsync-Event-Id");
            long eventId = id == null ? -1 : Long.parseLong(id);
            synchronized (this) {
                if (eventId <= lastId) {
                    notAfterLast.incrementAndGet();
                } else {
                    lastId = eventId;
                }
            }
            exchange.sendResponseHeaders(200, -1);
            received.incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
