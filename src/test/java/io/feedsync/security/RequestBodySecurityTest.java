package io.feedsync.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A huge chunked body, on every spelling of an API path and with every kind of caller: answered 413
 * (or 400 for a spelling refused outright) after at most the 64 KB limit was read, the heap unmoved
 * and nothing done. The body is streamed from a generator over a raw socket, never built in memory,
 * and the path is sent exactly as written (no client normalises it).
 */
class RequestBodySecurityTest extends FeedsyncTest {

    private static final long HUGE = 400L << 20;
    /** Far more than the limit and the socket buffers between the test and the server, far less than the body. */
    private static final long READ_AT_MOST = 32L << 20;
    /** What the heap may keep or grow by for one refused request: a few buffers, not the body. */
    private static final long HEAP_AT_MOST = 16L << 20;
    private static final String SCOPED_VIEWER_KEY = "test-scoped-viewer-key-01234";

    /** {@code /api/feeds}, spelled as an attacker would to slip past a check of the raw path. */
    private static final List<String> SPELLINGS = List.of(
            "/api/feeds",
            "/%61pi/feeds",
            "/%61%70%69/%66eeds",
            "//api/feeds",
            "/api//feeds",
            "/api/./feeds",
            "/./api/feeds",
            "/api/x/../feeds",
            "/api;x=y/feeds",
            "/api/feeds;x=y",
            "/API/feeds",
            "/Api/Feeds",
            "/api%2Ffeeds",
            "/api%2ffeeds");

    /** The live heap when the test started (after a full collection: one per test, each costs a second or so). */
    private long heapAtStart;

    @BeforeEach
    void measureHeap() {
        heapAtStart = liveHeap();
    }

    @AfterEach
    void theLiveHeapDidNotGrow() {
        assertThat(liveHeap() - heapAtStart).as("the live heap after the test's requests").isLessThan(HEAP_AT_MOST);
    }

    /**
     * Each caller on a path its role may use: a scoped viewer reads {@code plans}' runs (a GET route
     * would read a body too), an operator starts a run and defines a feed.
     */
    @Test
    void hugeChunkedBodyOnEverySpellingIs413AndTheHeapDoesNotMove() {
        Map<String, String> scopedViewer = Map.of("Authorization", "Bearer " + SCOPED_VIEWER_KEY);
        Map<String, String> operator = Map.of("X-API-Key", Api.OPERATOR_KEY);
        for (String feeds : SPELLINGS) {
            for (String[] call : List.of(new String[] {"GET", "/plans/runs", "scoped viewer"},
                    new String[] {"POST", "/plans/runs", "scoped viewer"},
                    new String[] {"POST", "/plans/runs?x=%00", "operator"},
                    new String[] {"PUT", "/x", "operator"},
                    new String[] {"PUT", "/x/", "operator"})) {
                String what = call[0] + " " + feeds + call[1] + " as " + call[2];
                Refusal refusal = send(call[0], feeds + call[1], call[2].equals("operator") ? operator : scopedViewer,
                        "application/json", HUGE);
                assertRefused(refusal, what);
            }
        }
        assertThat(api.get("/api/feeds/x/definition").status()).as("no feed x was defined").isEqualTo(404);
        // (a feed of the shared test configuration may fire its timer meanwhile: those runs are not the API's)
        assertThat(count("select count(*) from sync_run where trigger = 'rest'")).as("no run started").isZero();
    }

    /** Nothing reads a body before the limit: not the form parser, not authentication. */
    @Test
    void hugeChunkedFormWithoutCredentialsIs413() {
        for (String method : List.of("PUT", "POST", "DELETE")) {
            assertRefused(send(method, "/%61pi/feeds/x", Map.of(), "application/x-www-form-urlencoded", HUGE),
                    method + " form without credentials");
        }
        assertRefused(send("POST", "/actuator/jolokia", Map.of(), "text/json", HUGE), "POST jolokia without credentials");
        assertRefused(send("POST", "/actuator/%6Aolokia", Map.of("X-API-Key", Api.OPERATOR_KEY), "text/json", HUGE),
                "POST jolokia as an operator");
    }

    /**
     * Jolokia, the console's JMX over HTTP, takes the console's bulk requests (its permission check of
     * every operation is ~600 KB on a small node) with a Content-Length, up to 16 MB; beyond, or chunked
     * beyond 64 KB, 413 before it is read.
     */
    @Test
    void jolokiaTakesTheConsolesBulkRequestsButNoMore() {
        Map<String, String> operator = Map.of("X-API-Key", Api.OPERATOR_KEY);
        for (String jolokia : List.of("/actuator/jolokia", "/actuator/hawtio/jolokia")) {
            Refusal taken = send("POST", jolokia, operator, "text/json", 1L << 20, false);
            assertThat(taken.status()).as(jolokia + " 1 MB: " + taken).isEqualTo(200);
            assertThat(taken.body()).as(jolokia).contains("\"agent\"");

            assertRefused(send("POST", jolokia, operator, "text/json", HUGE, false), jolokia + " 400 MB with a Content-Length");
            assertRefused(send("POST", jolokia, operator, "text/json", 1L << 20, true), jolokia + " 1 MB chunked");
        }
        assertRefused(send("POST", "/api/runs", operator, "application/json", 1L << 20, false),
                "the API: 1 MB with a Content-Length");
        assertRefused(send("POST", "/actuator/jolokia/../../api/runs", operator, "application/json", 1L << 20, false),
                "the API through Jolokia's path");
        // (a feed of the shared test configuration may fire its timer meanwhile: those runs are not the API's)
        assertThat(count("select count(*) from sync_run where trigger = 'rest'")).as("no run started").isZero();
    }

    /** A chunked body that also declares a small length is not taken at its word. */
    @Test
    void chunkedBodyWithASmallContentLengthIsNotTakenAtItsWord() {
        Refusal refusal = send("PUT", "/api/feeds/x", Map.of("X-API-Key", Api.OPERATOR_KEY, "Content-Length", "10"),
                "application/json", HUGE);

        assertRefused(refusal, "Content-Length 10 and Transfer-Encoding chunked");
        assertThat(api.get("/api/feeds/x/definition").status()).isEqualTo(404);
    }

    /** The JSON-only rule, too, holds on every spelling of an API path. */
    @Test
    void aFormOnAnySpellingOfAnApiPathIs415() {
        for (String path : List.of("/api/feeds/plans/runs", "/%61pi/feeds/plans/runs", "/api;x=y/feeds/plans/runs",
                "/api/./feeds/plans/runs", "/%61pi/feeds/plans/%72uns")) {
            Refusal refusal = send("POST", path, Map.of("X-API-Key", Api.OPERATOR_KEY),
                    "application/x-www-form-urlencoded", 20);

            assertThat(refusal.status()).as(path + ": " + refusal).isIn(400, 415);
            assertThat(refusal.body()).as(path).contains("\"error\"");
        }
        // (a feed of the shared test configuration may fire its timer meanwhile: those runs are not the API's)
        assertThat(count("select count(*) from sync_run where trigger = 'rest'")).as("no run started").isZero();
    }

    private void assertRefused(Refusal refusal, String what) {
        assertThat(refusal.status()).as(what + ": " + refusal).isIn(413, 400);
        if (refusal.status() == 413) {
            assertThat(refusal.body()).as(what).contains("\"error\":\"payload_too_large\"")
                    .contains("request body is larger than");
        } else {
            assertThat(refusal.body()).as(what).contains("\"error\":\"bad_request\"");
        }
        assertThat(refusal.sent()).as(what + ": bytes the server took before it answered").isLessThan(READ_AT_MOST);
        assertThat(refusal.oldGenerationPeak()).as(what + ": the old generation's peak above what it held before")
                .isLessThan(HEAP_AT_MOST);
    }

    /** What the server answered, how much of the body it took, and what the heap did meanwhile. */
    private record Refusal(int status, String head, String body, long sent, long oldGenerationPeak) {

        @Override
        public String toString() {
            return status + " after " + sent + " bytes sent (old generation +" + (oldGenerationPeak >> 20) + " MiB): "
                    + head.lines().findFirst().orElse("") + " " + body;
        }
    }

    /**
     * Sends {@code method path} with a chunked body of {@code length} bytes made on the fly, while
     * reading the answer; stops sending when the server stops reading (it answered and closed).
     */
    private Refusal send(String method, String path, Map<String, String> headers, String contentType, long length) {
        return send(method, path, headers, contentType, length, true);
    }

    /** As above, the body sent with a Content-Length instead when not {@code chunked}. */
    private Refusal send(String method, String path, Map<String, String> headers, String contentType, long length,
                         boolean chunked) {
        List<MemoryPoolMXBean> oldGeneration = oldGeneration();
        long oldBefore = oldGeneration.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
        oldGeneration.forEach(MemoryPoolMXBean::resetPeakUsage);
        AtomicLong sent = new AtomicLong();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(120_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: " + contentType + "\r\n"
                    + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + length) + "\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = new Thread(() -> writeChunks(out, length, sent, chunked), "huge-body");
            writer.setDaemon(true);
            writer.start();
            byte[] answer = readAnswer(socket.getInputStream());
            // what the server had taken when it answered; then the rest is not waited for
            long taken = sent.get();
            socket.close();
            writer.join(60_000);
            assertThat(writer.isAlive()).as("the body's writer stopped").isFalse();
            String text = new String(answer, StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("an answer came: " + text).isPositive();
            String answerHead = text.substring(0, end);
            long oldPeak = oldGeneration.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
            return new Refusal(Integer.parseInt(answerHead.split(" ")[1]), answerHead, dechunked(answerHead, text.substring(end + 4)),
                    taken, oldPeak - oldBefore);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The body, {@code length} bytes of one JSON object ({@code {"type":"version","padding":"xxx…"}}), in
     * chunks of 64 KiB (or as they are); {@code sent} counts what the server took.
     */
    private static void writeChunks(OutputStream out, long length, AtomicLong sent, boolean chunked) {
        byte[] chunk = new byte[64 << 10];
        Arrays.fill(chunk, (byte) 'x');
        byte[] start = "{\"type\":\"version\",\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] end = "\"}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, chunk, 0, start.length);
        try {
            for (long left = length; left > 0; left -= chunk.length) {
                int size = (int) Math.min(chunk.length, left);
                if (left <= chunk.length) {
                    System.arraycopy(end, 0, chunk, size - end.length, end.length);
                }
                if (chunked) {
                    out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(chunk, 0, size);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                sent.addAndGet(size);
                if (left == length) {
                    Arrays.fill(chunk, 0, start.length, (byte) 'x');
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException closed) {
            // the server answered and closed the connection: what it has not read is not sent
        }
    }

    /** Everything the server sends until it closes the connection (or resets it, after its answer). */
    private static byte[] readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                answer.write(buffer, 0, read);
                if (complete(answer.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within the timeout; got: " + answer.toString(StandardCharsets.UTF_8), e);
        } catch (IOException reset) {
            if (answer.size() == 0) {
                throw reset;
            }
        }
        return answer.toByteArray();
    }

    /** An answer is complete at its Content-Length or its last chunk; else at the connection's end. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(Locale.ROOT);
        String body = text.substring(end + 4);
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return body.length() >= Integer.parseInt(line.substring(15).trim());
            }
        }
        return head.contains("transfer-encoding: chunked") && body.endsWith("0\r\n\r\n");
    }

    private static String dechunked(String head, String body) {
        if (!head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            return body;
        }
        StringBuilder text = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int eol = body.indexOf("\r\n", at);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            text.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
            at = eol + 2 + size + 2;
        }
        return text.toString();
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The heap's pools that outlive a young collection (where a huge array goes at once). */
    private static List<MemoryPoolMXBean> oldGeneration() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isUsageThresholdSupported()
                        && !pool.getName().contains("Eden") && !pool.getName().contains("Survivor"))
                .toList();
    }
}
