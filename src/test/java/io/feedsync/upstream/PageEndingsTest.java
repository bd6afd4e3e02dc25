package io.feedsync.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How exports end, and how they fail to: a page whose record array is null, that is otherwise empty
 * ({@code {}}), that says has-more false, or that has no content at all (204), is an empty last page;
 * a page that carries something else but no record array (an error answered with 200) fails the run
 * and deletes nothing, unless the feed takes such pages for the end; a next link that does not move on
 * fails the run at once instead of loading the same page until max-pages.
 */
@TestPropertySource(properties = {
        "feedsync.feeds.ending.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.ending.source.pagination.type=next-url",
        "feedsync.feeds.ending.source.records=/items",
        "feedsync.feeds.ending.transform.mapping.epa_type=/key",
        "feedsync.feeds.ending.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.ending.transform.mapping.gateway_id=/id",
        "feedsync.feeds.ending.target.table=test_plans",
        "feedsync.feeds.ending.target.shared=true",
        "feedsync.feeds.ending.target.key=epa_type",
        "feedsync.feeds.ending.target.soft-delete=deleted_at",
        "feedsync.feeds.lenient.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.lenient.source.pagination.type=next-url",
        "feedsync.feeds.lenient.source.pagination.end-on-missing-records=true",
        "feedsync.feeds.lenient.source.records=/items",
        "feedsync.feeds.lenient.transform.mapping.epa_type=/key",
        "feedsync.feeds.lenient.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.lenient.transform.mapping.gateway_id=/id",
        "feedsync.feeds.lenient.target.table=test_plans",
        "feedsync.feeds.lenient.target.shared=true",
        "feedsync.feeds.lenient.target.key=epa_type",
        "feedsync.feeds.ending-since.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.ending-since.source.pagination.type=next-url",
        "feedsync.feeds.ending-since.source.records=/items",
        "feedsync.feeds.ending-since.source.incremental.cursor=/version",
        "feedsync.feeds.ending-since.source.incremental.param=since",
        "feedsync.feeds.ending-since.source.incremental.type=text",
        "feedsync.feeds.ending-since.transform.mapping.epa_type=/key",
        "feedsync.feeds.ending-since.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.ending-since.transform.mapping.gateway_id=/id",
        "feedsync.feeds.ending-since.target.table=test_plans",
        "feedsync.feeds.ending-since.target.shared=true",
        "feedsync.feeds.ending-since.target.key=epa_type",
        "feedsync.feeds.ending-since.target.soft-delete=deleted_at",
        "feedsync.feeds.flagged.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.flagged.source.pagination.type=next-url",
        "feedsync.feeds.flagged.source.pagination.has-more=/meta/has_more",
        "feedsync.feeds.flagged.source.records=/items",
        "feedsync.feeds.flagged.transform.mapping.epa_type=/key",
        "feedsync.feeds.flagged.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.flagged.transform.mapping.gateway_id=/id",
        "feedsync.feeds.flagged.target.table=test_plans",
        "feedsync.feeds.flagged.target.shared=true",
        "feedsync.feeds.flagged.target.key=epa_type",
        "feedsync.feeds.erring.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.erring.source.pagination.type=next-url",
        "feedsync.feeds.erring.source.error-when.pointer=/error",
        "feedsync.feeds.erring.source.retry.max-attempts=3",
        "feedsync.feeds.erring.source.retry.initial-backoff=20ms",
        "feedsync.feeds.erring.source.retry.max-backoff=50ms",
        "feedsync.feeds.erring.source.records=/items",
        "feedsync.feeds.erring.transform.mapping.epa_type=/key",
        "feedsync.feeds.erring.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.erring.transform.mapping.gateway_id=/id",
        "feedsync.feeds.erring.target.table=test_plans",
        "feedsync.feeds.erring.target.shared=true",
        "feedsync.feeds.erring.target.key=epa_type",
        "feedsync.feeds.erring.target.soft-delete=deleted_at",
        "feedsync.feeds.erring-retry.source.url=${test.upstream}/ending/1",
        "feedsync.feeds.erring-retry.source.error-when.pointer=/error",
        "feedsync.feeds.erring-retry.source.error-when.retry=true",
        "feedsync.feeds.erring-retry.source.retry.max-attempts=3",
        "feedsync.feeds.erring-retry.source.retry.initial-backoff=20ms",
        "feedsync.feeds.erring-retry.source.retry.max-backoff=50ms",
        "feedsync.feeds.erring-retry.source.records=/items",
        "feedsync.feeds.erring-retry.transform.mapping.epa_type=/key",
        "feedsync.feeds.erring-retry.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.erring-retry.transform.mapping.gateway_id=/id",
        "feedsync.feeds.erring-retry.target.table=test_plans",
        "feedsync.feeds.erring-retry.target.shared=true",
        "feedsync.feeds.erring-retry.target.key=epa_type"})
class PageEndingsTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void noPagesYet() {
        asked.clear();
    }

    /** A row as if the feed had written it (its hash stored): on the shared test table, one its full runs may delete. */
    private void ownRow(String feed, String key) {
        jdbc.update("insert into test_plans (epa_type, ncpdp_version, gateway_id) values (?, 'v0', 0)", key);
        jdbc.update("insert into sync_record_hash (feed, record_key, key_hash, content_hash) values (?, ?, 1, 1)", feed, key);
    }

    @Test
    void aPageWhoseRecordArrayIsNullEndsTheExport() {
        serve(page(1, 2, "/ending/2"), nullItems("/ending/3"), page(5, 6, null));

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).isEqualTo(2);
        assertThat(asked).containsExactly("/ending/1", "/ending/2");
    }

    @Test
    void anEmptyPageEndsTheExport() {
        serve(page(1, 2, "/ending/2"), JSON.createObjectNode(), page(5, 6, null));

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).isEqualTo(2);
        assertThat(asked).containsExactly("/ending/1", "/ending/2");
    }

    @Test
    void anErrorPageWithoutTheRecordArrayFailsAFullRunAndDeletesNothing() {
        serve(page(1, 4, null));
        assertThat(api.run("ending", "{\"mode\":\"full\"}").get("status").asText()).isEqualTo("SUCCEEDED");
        serve(page(1, 2, "/ending/2"), quotaExceeded(), page(3, 4, null));

        JsonNode run = api.run("ending", "{\"mode\":\"full\", \"confirm\": true}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("FAILED");
        assertThat(run.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(run.at("/error/message").asText())
                .contains("page 2 has no record array at '/items': {\"error\":{\"code\":101,\"message\":\"daily quota exceeded\"}}");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
        assertThat(count("select count(*) from test_plans where epa_type in ('Payer_3', 'Payer_4')")).isEqualTo(2);
    }

    @Test
    void anErrorPageWithoutTheRecordArrayFailsAnIncrementalRunAndLeavesTheWatermark() {
        serve(page(1, 2, null));
        assertThat(api.run("ending-since", "{\"mode\":\"incremental\"}").get("status").asText()).isEqualTo("SUCCEEDED");
        String watermark = jdbc.queryForObject("select value from sync_watermark where feed = 'ending-since'", String.class);
        ObjectNode newer = page(3, 4, "/ending/2");
        newer.withArray("items").forEach(record -> ((ObjectNode) record).put("version", "v2"));
        serve(newer, quotaExceeded());

        JsonNode run = api.run("ending-since", "{\"mode\":\"incremental\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("FAILED");
        assertThat(run.at("/error/message").asText()).contains("page 2 has no record array");
        assertThat(jdbc.queryForObject("select value from sync_watermark where feed = 'ending-since'", String.class))
                .isEqualTo(watermark);
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
    }

    @Test
    void anErrorPageIsNamedByErrorWhenWhenTheFeedHasIt() {
        serve(page(1, 2, "/ending/2"), quotaExceeded());

        JsonNode run = api.run("erring", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.at("/error/message").asText()).contains("an error at /error").contains("daily quota exceeded");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
    }

    @Test
    void aFeedMayTakeAnyPageWithoutTheRecordArrayForTheEnd() {
        serve(page(1, 2, "/ending/2"), JSON.createObjectNode().put("next", "/ending/3"), page(5, 6, null));

        JsonNode run = api.run("lenient", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(asked).containsExactly("/ending/1", "/ending/2");
    }

    @Test
    void aNextLinkThatRepeatsFailsTheRunAtOnceAndDeletesNothing() {
        ownRow("ending", "Local_1");
        serve(page(1, 2, "/ending/2"), page(3, 4, "/ending/2"));

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(run.at("/error/message").asText()).contains("the upstream sent the same next page twice");
        assertThat(asked).as("no page loaded again").containsExactly("/ending/1", "/ending/2");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
    }

    @Test
    void aPageAnsweredWithNoContentIsAnEmptyLastPage() {
        serve(page(1, 2, "/ending/2"), null);

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).isEqualTo(2);
        assertThat(asked).containsExactly("/ending/1", "/ending/2");
    }

    @Test
    void anExportAnsweredWithNoContentIsEmpty() {
        serve((ObjectNode) null);

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/fetched").asInt()).isZero();
    }

    @Test
    void aPageThatSaysHasMoreFalseIsTheLast() {
        ObjectNode first = page(1, 2, "/ending/2");
        first.putObject("meta").put("has_more", true);
        ObjectNode second = page(3, 4, "/ending/3");
        second.putObject("meta").put("has_more", false);
        serve(first, second, page(5, 6, null));

        JsonNode run = api.run("flagged", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).isEqualTo(4);
        assertThat(asked).containsExactly("/ending/1", "/ending/2");
    }

    @Test
    void anErrorAnsweredWith200FailsTheRunWithTheUpstreamsMessageAndDeletesNothing() {
        ownRow("erring", "Local_1");
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", "quota exceeded");
        error.putNull("items");
        serve(page(1, 2, "/ending/2"), error);

        JsonNode run = api.run("erring", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.at("/error/class").asText()).isEqualTo("PERMANENT");
        assertThat(run.at("/error/message").asText()).contains("an error at /error").contains("quota exceeded");
        assertThat(asked).as("a permanent error page is not asked for again").containsExactly("/ending/1", "/ending/2");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();
    }

    @Test
    void anErrorAnsweredWith200IsRetriedWhenTheFeedSaysItIsTransient() {
        ObjectNode error = JSON.createObjectNode().put("error", "busy, try again");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        upstream.serve("/ending", exchange -> {
            asked.add(exchange.getRequestURI().getPath());
            answer(exchange, calls.incrementAndGet() == 1 ? error : page(1, 3, null));
        });

        JsonNode run = api.run("erring-retry", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        assertThat(run.at("/counts/inserted").asInt()).isEqualTo(3);
        assertThat(asked).containsExactly("/ending/1", "/ending/1");
    }

    @Test
    void theFirstPageStillNeedsItsRecordArray() {
        serve(JSON.createObjectNode().putNull("items"));

        JsonNode run = api.run("ending", "{\"mode\":\"full\"}");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.at("/error/message").asText()).contains("page has no array at records pointer '/items'");
    }

    /** Serves {@code pages} at /ending/1, /ending/2, …; next links are made absolute. */
    private void serve(ObjectNode... pages) {
        upstream.serve("/ending", exchange -> {
            String path = exchange.getRequestURI().getPath();
            asked.add(path);
            int index = Integer.parseInt(path.substring("/ending/".length())) - 1;
            if (pages[index] == null) {
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
                return;
            }
            ObjectNode page = pages[index].deepCopy();
            if (page.hasNonNull("next")) {
                page.put("next", upstream.url(page.get("next").asText()));
            }
            answer(exchange, page);
        });
    }

    private static ObjectNode page(int first, int last, String next) {
        ObjectNode page = JSON.createObjectNode();
        for (int id = first; id <= last; id++) {
            page.withArray("items").add(FakeUpstream.plan(id, "v1"));
        }
        return next == null ? page : page.put("next", next);
    }

    private static ObjectNode quotaExceeded() {
        ObjectNode page = JSON.createObjectNode();
        page.putObject("error").put("code", 101).put("message", "daily quota exceeded");
        return page;
    }

    private static ObjectNode nullItems(String next) {
        ObjectNode page = JSON.createObjectNode();
        page.putNull("items");
        return page.put("next", next);
    }

    private static void answer(HttpExchange exchange, ObjectNode page) throws IOException {
        byte[] body = page.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
