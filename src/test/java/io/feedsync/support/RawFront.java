package io.feedsync.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiPredicate;

/**
 * A raw TCP front of {@link FakeUpstream}, for a fault its HTTP server cannot produce: a
 * connection reset (RST) in the middle of a response body. Each connection carries one request,
 * which the front passes to the upstream; it then writes the answer back with
 * {@code Connection: close} — or, when {@code resetNow} says so, the status, the headers and the
 * body but for its last bytes, and resets the connection.
 */
final class RawFront implements AutoCloseable {

    /** Headers java.net.http will not set itself; the upstream does not need them. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    /** A reset answer leaves out this much of the body's end: the last record is cut off. */
    private static final int CUT = 16;
    /** Long enough for the client to read the head and the first records before the reset arrives. */
    private static final Duration BEFORE_RESET = Duration.ofMillis(500);

    private final ServerSocket server;
    private final URI upstream;
    private final BiPredicate<URI, Map<String, List<String>>> resetNow;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService connections = Executors.newCachedThreadPool(daemon -> {
        Thread thread = new Thread(daemon, "raw-front");
        thread.setDaemon(true);
        return thread;
    });

    private RawFront(ServerSocket server, URI upstream, BiPredicate<URI, Map<String, List<String>>> resetNow) {
        this.server = server;
        this.upstream = upstream;
        this.resetNow = resetNow;
    }

    static RawFront start(URI upstream, BiPredicate<URI, Map<String, List<String>>> resetNow) {
        try {
            RawFront front = new RawFront(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), upstream, resetNow);
            front.connections.execute(front::accept);
            return front;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.shutdownNow();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            String[] head = readHead(client.getInputStream()).split("\r\n");
            URI target = URI.create(head[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(target.toString())).GET();
            for (int i = 1; i < head.length; i++) {
                String[] header = head[i].split(":", 2);
                String name = header[0].trim();
                String value = header[1].trim();
                headers.put(name, List.of(value));
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    request.header(name, value);
                }
            }
            boolean reset = resetNow.test(target, headers);
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            StringBuilder answer = new StringBuilder("HTTP/1.1 " + response.statusCode() + " \r\n");
            response.headers().map().forEach((name, values) -> {
                if (!Set.of("content-length", "connection", "transfer-encoding", "date").contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> answer.append(name).append(": ").append(value).append("\r\n"));
                }
            });
            answer.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream out = client.getOutputStream();
            out.write(answer.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!reset) {
                out.write(body);
                out.flush();
                return;
            }
            out.write(body, 0, Math.max(0, body.length - CUT));
            out.flush();
            Thread.sleep(BEFORE_RESET.toMillis());
            // linger on, timeout 0: close() discards the connection with an RST instead of a FIN
            client.setSoLinger(true, 0);
        } catch (IOException e) {
            // the client went away; nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request line and headers, up to the blank line (a GET has no body). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b != -1; b = in.read()) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return head.toString(StandardCharsets.ISO_8859_1).trim();
            }
        }
        throw new IOException("connection closed before the request was complete");
    }
}
