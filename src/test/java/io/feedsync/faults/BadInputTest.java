package io.feedsync.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages no export should ever send — too large, nested absurdly deep, not JSON at all — fail the
 * run as permanent with an error that says what was wrong, and change nothing that a failed run
 * may not change: it never moves the watermark and never soft-deletes, and of the bad page it
 * writes at most the whole batches completed before the fault was read (valid records, which the
 * next run applies again idempotently) — never the partial batch, never anything after it. A
 * page refused on its headers, or smaller than a batch, writes nothing at all.
 * Feed {@code plans-raw}: one page at {@code /raw/plans}, full mode with soft-delete, a cursor,
 * {@code max-page-size: 1MB}.
 */
class BadInputTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEED = "plans-raw";
    private static final Instant SYNCED_AT = Instant.parse("2024-03-01T00:00:00Z");
    private static final long RUNAWAY_PAGE = 64L << 20;

    private final AtomicInteger requests = new AtomicInteger();

    /** Every test starts from three rows synced by a good run, and the watermark that run set. */
    @BeforeEach
    void threeRowsSynced() {
        serve(exchange -> send(exchange, "application/json", page(goodRecords("v1"))));
        JsonNode run = api.run(FEED);
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(watermark()).isEqualTo(SYNCED_AT.toString());
        requests.set(0);
    }

    @Test
    void pageGrowingPastMaxPageSizeWithoutContentLengthFailsPermanentlyAndIsNotReadToItsEnd() {
        StreamedPage runaway = new StreamedPage(RUNAWAY_PAGE, false);
        serve(runaway);

        JsonNode run = api.run(FEED);

        assertFailedPermanently(run, "page is larger than source.max-page-size (1MB)");
        assertSoftDeletesAndWatermarkUntouched();
        int landed = count("select count(*) from test_plans where epa_type not in ('Payer_1', 'Payer_2', 'Payer_3')");
        assertThat(landed).as("whole chunks (chunk-size 500) written before the limit was hit stay; the "
                + "partial one is discarded").isPositive().isEqualTo(landed / 500 * 500);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(landed);
        long written = runaway.awaitWritten();
        assertThat(written).as("bytes the upstream got to send of its 64 MB: the connection was dropped, "
                + "not drained").isLessThan(RUNAWAY_PAGE / 4);
    }

    @Test
    void pageAnnouncingMoreThanMaxPageSizeFailsBeforeItsBodyIsRead() {
        StreamedPage announced = new StreamedPage(RUNAWAY_PAGE, true);
        serve(announced);

        JsonNode run = api.run(FEED);

        assertFailedPermanently(run, "page is larger than source.max-page-size (1MB): its Content-Length is "
                + RUNAWAY_PAGE + " bytes");
        assertThat(run.get("counts").get("fetched").asLong()).as("not a record read").isZero();
        assertNothingChanged();
        assertThat(announced.awaitWritten()).isLessThan(RUNAWAY_PAGE / 4);
    }

    @Test
    void recordNestedAHundredThousandLevelsDeepFailsPermanentlyInsteadOfOverflowingTheStack() {
        StringBuilder deep = new StringBuilder("{\"epa_clients\": [");
        deep.append(JSON.valueToTree(FakeUpstream.plan(1, "v2", SYNCED_AT.plusSeconds(60))).toString());
        deep.append(", {\"key\": \"Payer_4\", \"version\": \"v1\", \"id\": 4, \"client_certificates\": ");
        deep.append("[".repeat(100_000)).append("]".repeat(100_000)).append("}]}");
        serve(exchange -> send(exchange, "application/json", deep.toString()));

        JsonNode run = api.run(FEED);

        assertFailedPermanently(run, "page breaks a JSON parser limit: Document nesting depth (1001) exceeds the "
                + "maximum allowed (1000");
        assertNothingChanged();
    }

    @Test
    void recordNestedDeepButWithinTheLimitLandsWhole() {
        String certificates = "[".repeat(990) + "\"bottom\"" + "]".repeat(990);
        ObjectNode record = FakeUpstream.plan(4, "v1", SYNCED_AT);
        record.remove("client_certificates");
        String deep = record.toString().replaceFirst("}$", ",\"client_certificates\":" + certificates + "}");
        String page = page(goodRecords("v1")).replaceFirst("]}$", "," + deep + "]}");
        serve(exchange -> send(exchange, "application/json", page));

        JsonNode run = api.run(FEED);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select certificates::text from test_plans where epa_type = 'Payer_4'",
                String.class).replace(" ", "")).isEqualTo(certificates);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/html; charset=utf-8", "text/plain"})
    void okAnswerThatIsNotJsonFailsPermanentlyNamingTheTypeReceivedAndExpected(String contentType) {
        String body = contentType.startsWith("text/html")
                ? "<html><body><form action=\"/login\">Please sign in</form></body></html>"
                : page(List.of(FakeUpstream.plan(1, "v2", SYNCED_AT.plusSeconds(60))));
        serve(exchange -> send(exchange, contentType, body));

        JsonNode run = api.run(FEED);

        assertFailedPermanently(run, "upstream answered HTTP 200 with Content-Type '" + contentType
                + "', expected application/json (or application/*+json)");
        assertThat(requests.get()).as("not retried").isEqualTo(1);
        assertNothingChanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=UTF-8", "application/vnd.api+json",
            "APPLICATION/JSON;charset=utf-8", "(none)"})
    void jsonIsAcceptedWhateverItsJsonContentTypeAndWithoutOne(String contentType) {
        serve(exchange -> send(exchange, contentType.equals("(none)") ? null : contentType, page(goodRecords("v2"))));

        JsonNode run = api.run(FEED);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(3);
    }

    @Test
    void errorStatusWithAnHtmlPageIsStillTransientAndRetried() {
        serve(exchange -> {
            if (requests.get() == 1) {
                exchange.getResponseHeaders().set("Retry-After", "0");
                sendStatus(exchange, 503, "text/html", "<html><body>Service Unavailable</body></html>");
            } else {
                send(exchange, "application/json", page(goodRecords("v2")));
            }
        });

        JsonNode run = api.run(FEED);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(requests.get()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ helpers

    private void assertFailedPermanently(JsonNode run, String message) {
        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).startsWith(message);
        assertThat(run.get("error").get("url").asText()).isEqualTo(upstream.url("/raw/plans"));
    }

    /** The table holds exactly the three rows as the good run left them, and the watermark it set. */
    private void assertNothingChanged() {
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
        assertSoftDeletesAndWatermarkUntouched();
    }

    /**
     * The three rows the good run wrote: same versions, none soft-deleted (the bad page does not list
     * them, so a full run that went on to its end would have); the watermark where that run left it.
     */
    private void assertSoftDeletesAndWatermarkUntouched() {
        assertThat(jdbc.queryForList("select epa_type || ' ' || ncpdp_version || ' ' || (deleted_at is null)"
                + " from test_plans where epa_type in ('Payer_1', 'Payer_2', 'Payer_3') order by epa_type", String.class))
                .containsExactly("Payer_1 v1 true", "Payer_2 v1 true", "Payer_3 v1 true");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
        assertThat(watermark()).isEqualTo(SYNCED_AT.toString());
        // and the suite's invariants: run rows truthful (counts, classes, inserted rows), watermark over committed data
        Invariants.plans(jdbc, FEED).cursor("/last_validated_at").softDelete("deleted_at")
                .checkConsistent(goodRecords("v1"));
    }

    private String watermark() {
        return jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, FEED)
                .stream().findFirst().orElse(null);
    }

    private static List<ObjectNode> goodRecords(String version) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            records.add(FakeUpstream.plan(id, version, SYNCED_AT.minusSeconds(3 - id)));
        }
        return records;
    }

    private static String page(List<ObjectNode> records) {
        ObjectNode page = JSON.createObjectNode();
        page.putArray("epa_clients").addAll(records);
        return page.toString();
    }

    private void serve(HttpHandler handler) {
        upstream.serve("/raw/plans", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                handler.handle(exchange);
            }
        });
    }

    private static void send(HttpExchange exchange, String contentType, String body) throws IOException {
        sendStatus(exchange, 200, contentType, body);
    }

    private static void sendStatus(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * A valid export page of {@code size} bytes, streamed as it is generated: new records (keys
     * Payer_1000 and up, newer cursors) as long as there is room. With {@code announce} it says its
     * length up front; otherwise it is sent chunked. Counts what it got to send before the
     * client went away.
     */
    private static final class StreamedPage implements HttpHandler {

        private final long size;
        private final boolean announce;
        private final AtomicLong written = new AtomicLong();
        private final CountDownLatch done = new CountDownLatch(1);

        StreamedPage(long size, boolean announce) {
            this.size = size;
            this.announce = announce;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, announce ? size : 0);
                OutputStream out = exchange.getResponseBody();
                byte[] head = "{\"epa_clients\": [".getBytes(StandardCharsets.UTF_8);
                byte[] tail = "]}".getBytes(StandardCharsets.UTF_8);
                write(out, head);
                for (int id = 1000; ; id++) {
                    byte[] record = ((id == 1000 ? "" : ",") + FakeUpstream.plan(id, "v9",
                            SYNCED_AT.plusSeconds(id))).getBytes(StandardCharsets.UTF_8);
                    if (written.get() + record.length + tail.length > size) {
                        break;
                    }
                    write(out, record);
                }
                write(out, " ".repeat((int) (size - written.get() - tail.length)).getBytes(StandardCharsets.UTF_8));
                write(out, tail);
                out.close();
            } catch (IOException clientWentAway) {
                // what the test wants to see: feedsync stopped reading
            } finally {
                done.countDown();
            }
        }

        private void write(OutputStream out, byte[] bytes) throws IOException {
            out.write(bytes);
            written.addAndGet(bytes.length);
        }

        long awaitWritten() {
            try {
                assertThat(done.await(30, TimeUnit.SECONDS)).as("the upstream finished or was cut off").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return written.get();
        }
    }
}
