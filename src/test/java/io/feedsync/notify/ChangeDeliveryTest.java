package io.feedsync.notify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.Api;
import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery: the change events of plans-notify reach its webhook (a receiver on loopback)
 * each once, in order, with a stable id and a signature a receiver can check; a receiver that is
 * down holds back only its own deliveries, which all arrive once it is back; finished runs are
 * notified; delivered events go after the retention.
 */
@DeliversChanges
class ChangeDeliveryTest extends FeedsyncTest {

    private static final String FEED = "plans-notify";
    private static final String SECRET = "whsec-Test-Signing-Key-0042";

    private final WebhookReceiver changes = new WebhookReceiver();
    private final WebhookReceiver runs = new WebhookReceiver();

    @Autowired
    private ChangeRetention retention;

    @BeforeEach
    void receivers() {
        // not truncate: the delivery routes lock rows of both tables as they go
        jdbc.update("delete from sync_change");
        jdbc.update("delete from sync_delivery");
        upstream.serve("/hooks/changes", changes);
        upstream.serve("/hooks/runs", runs);
    }

    private static List<ObjectNode> plans(int from, int to, String version) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            records.add(FakeUpstream.plan(id, version));
        }
        return records;
    }

    private List<Long> eventIds() {
        return jdbc.queryForList("select id from sync_change where feed = ? order by id", Long.class, FEED);
    }

    private static List<Long> ids(List<WebhookReceiver.Received> received) {
        return received.stream().map(r -> r.json().get("id").asLong()).toList();
    }

    private void awaitAllAccepted() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids(changes.accepted()).equals(eventIds()));
    }

    @Test
    void everyChangeIsDeliveredOnceInOrderWithItsIdAndAValidSignature() {
        upstream.dataset("plans", plans(1, 6, "v1"));
        api.run(FEED);
        awaitAllAccepted();
        List<ObjectNode> changed = plans(1, 6, "v1");
        changed.set(3, FakeUpstream.plan(4, "v2"));
        upstream.dataset("plans", changed);
        api.run(FEED);
        awaitAllAccepted();

        List<WebhookReceiver.Received> received = changes.received();
        assertThat(received).hasSize(7);
        assertThat(ids(received)).isSorted().doesNotHaveDuplicates();
        for (WebhookReceiver.Received event : received) {
            JsonNode body = event.json();
            assertThat(event.eventId()).isEqualTo(body.get("id").asText());
            assertThat(event.contentType()).startsWith("application/json");
            assertThat(body.get("feed").asText()).isEqualTo(FEED);
            assertThat(body.get("row").get("epa_type").asText()).isEqualTo(body.get("key").asText());
            assertThat(WebhookReceiver.verifies(event.signature(), event.body(), SECRET)).as(event.signature()).isTrue();
            assertThat(WebhookReceiver.timestamp(event.signature()))
                    .isBetween(Instant.now().minusSeconds(60).getEpochSecond(), Instant.now().getEpochSecond());
        }
        assertThat(received.stream().map(r -> r.json().get("op").asText()))
                .containsExactly("inserted", "inserted", "inserted", "inserted", "inserted", "inserted", "updated");
        assertThat(received.get(6).json().get("row").get("ncpdp_version").asText()).isEqualTo("v2");
        // the receiver has the last event before the delivery commits its position: a moment later
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForMap(
                "select position, attempts, last_error from sync_delivery where feed = ?", FEED))
                .containsEntry("position", eventIds().get(6)).containsEntry("attempts", 0).containsEntry("last_error", null));
    }

    @Test
    void tamperedBodyOrAnotherSecretDoesNotVerify() {
        upstream.dataset("plans", plans(1, 1, "v1"));
        api.run(FEED);
        awaitAllAccepted();
        WebhookReceiver.Received event = changes.received().get(0);
        assertThat(WebhookReceiver.verifies(event.signature(), event.body(), SECRET)).isTrue();

        byte[] tampered = new String(event.body(), StandardCharsets.UTF_8).replace("Payer_1", "Payer_9")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(tampered).isNotEqualTo(event.body());
        assertThat(WebhookReceiver.verifies(event.signature(), tampered, SECRET)).isFalse();
        assertThat(WebhookReceiver.verifies(event.signature(), event.body(), "another-secret")).isFalse();
        String otherTime = event.signature().replaceFirst("t=\\d+", "t=" + (WebhookReceiver.timestamp(event.signature()) - 1));
        assertThat(WebhookReceiver.verifies(otherTime, event.body(), SECRET)).as("the time is signed too").isFalse();
    }

    @Test
    void receiverDownForAWhileGetsEveryEventOnceItIsBackInOrder() {
        changes.down(true);
        upstream.dataset("plans", plans(1, 6, "v1"));
        api.run(FEED);
        await().atMost(Duration.ofSeconds(20)).until(() -> changes.received().size() >= 3);

        Map<String, Object> failing = jdbc.queryForMap("select position, attempts, last_error from sync_delivery"
                + " where feed = ?", FEED);
        assertThat(failing.get("position")).as("nothing taken yet").isEqualTo(0L);
        assertThat((Integer) failing.get("attempts")).isGreaterThanOrEqualTo(2);
        assertThat(failing.get("last_error").toString()).contains("503");
        assertThat(changes.received()).as("always the first event again")
                .allSatisfy(r -> assertThat(r.json().get("id").asLong()).isEqualTo(eventIds().get(0)));
        List<ObjectNode> next = plans(1, 8, "v1");
        upstream.dataset("plans", next);
        JsonNode run = api.run(FEED);
        assertThat(run.get("status").asText()).as("syncs go on while a receiver is down").isEqualTo("SUCCEEDED");

        changes.down(false);
        awaitAllAccepted();

        assertThat(ids(changes.accepted())).hasSize(8).isSorted().doesNotHaveDuplicates();
        // the receiver has the last event before the delivery commits its position: a moment later
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForMap(
                "select attempts, last_error from sync_delivery where feed = ?", FEED))
                .containsEntry("attempts", 0).containsEntry("last_error", null));
    }

    @Test
    void finishedRunIsNotifiedAsTheApiShowsItSigned() {
        upstream.dataset("plans", plans(1, 3, "v1"));

        JsonNode run = api.run(FEED);

        await().atMost(Duration.ofSeconds(10)).until(() -> !runs.received().isEmpty());
        WebhookReceiver.Received notified = runs.received().get(0);
        assertThat(notified.json().get("runId").asLong()).isEqualTo(run.get("runId").asLong());
        assertThat(notified.json().get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(notified.json().get("counts")).isEqualTo(run.get("counts"));
        assertThat(WebhookReceiver.verifies(notified.signature(), notified.body(), SECRET)).isTrue();
    }

    @Test
    void deliveredEventsOlderThanTheRetentionGoAndTheOthersStay() {
        changes.down(true);
        upstream.dataset("plans", plans(1, 4, "v1"));
        api.run(FEED);
        List<Long> ids = eventIds();
        // the first two delivered, all four older than the feed's 7 days
        jdbc.update("update sync_delivery set position = ? where feed = ?", ids.get(1), FEED);
        jdbc.update("update sync_change set at = now() - interval '8 days' where feed = ?", FEED);

        retention.purge();

        assertThat(eventIds()).as("undelivered events stay, however old").containsExactly(ids.get(2), ids.get(3));
        jdbc.update("update sync_delivery set position = ? where feed = ?", ids.get(3), FEED);
        jdbc.update("update sync_change set at = now() - interval '6 days' where id = ?", ids.get(3));
        retention.purge();
        assertThat(eventIds()).as("a delivered event younger than the retention stays").containsExactly(ids.get(3));
    }

    @Test
    void changesArePagedSinceAnIdAndDeliveriesShowPositionLagAndLastError() {
        changes.down(true);
        upstream.dataset("plans", plans(1, 5, "v1"));
        api.run(FEED);
        List<Long> ids = eventIds();
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.received().size() >= 2);

        JsonNode first = api.get("/api/feeds/" + FEED + "/changes?limit=2").json();
        assertThat(first).hasSize(2);
        assertThat(first.get(0).get("id").asLong()).isEqualTo(ids.get(0));
        assertThat(first.get(0).get("op").asText()).isEqualTo("inserted");
        assertThat(first.get(0).get("row").get("epa_type").asText()).isEqualTo(first.get(0).get("key").asText());
        JsonNode rest = api.get("/api/feeds/" + FEED + "/changes?limit=10&since=" + first.get(1).get("id").asLong()).json();
        assertThat(rest).hasSize(3);
        assertThat(rest.get(0).get("id").asLong()).isEqualTo(ids.get(2));
        assertThat(api.get("/api/feeds/" + FEED + "/changes?since=x").status()).isEqualTo(400);
        assertThat(api.get("/api/feeds/plans/changes").json()).as("a feed without notify").isEmpty();

        JsonNode failing = api.get("/api/feeds/" + FEED + "/deliveries").json();
        assertThat(failing).hasSize(1);
        assertThat(failing.get(0).get("endpoint").asText()).isEqualTo(upstream.url("/hooks/changes"));
        assertThat(failing.get(0).get("position").asLong()).isZero();
        assertThat(failing.get(0).get("pending").asLong()).isEqualTo(5);
        assertThat(failing.get(0).get("lagSeconds").asDouble()).isPositive();
        assertThat(failing.get(0).get("attempts").asInt()).isPositive();
        assertThat(failing.get(0).get("lastError").asText()).contains("503");

        changes.down(false);
        awaitAllAccepted();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode caughtUp = api.get("/api/feeds/" + FEED + "/deliveries").json().get(0);
            assertThat(caughtUp.get("position").asLong()).isEqualTo(ids.get(4));
            assertThat(caughtUp.get("pending").asLong()).isZero();
            assertThat(caughtUp.get("lagSeconds").asDouble()).isZero();
            assertThat(caughtUp.get("lastError").isNull()).isTrue();
        });
    }

    @Test
    void retryClearsTheBackoffOfAFailingEndpointAndKeepsItsLastErrorUntilASuccess() {
        changes.down(true);
        upstream.dataset("plans", plans(1, 2, "v1"));
        api.run(FEED);
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.received().size() >= 2);
        changes.down(false);
        // a long backoff ahead, as after many failures in a row
        jdbc.update("update sync_delivery set attempts = 30, updated_at = now() + interval '1 hour' where feed = ?", FEED);

        Api.Answer retried = api.post("/api/feeds/" + FEED + "/deliveries/1/retry", null);

        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.json().get("attempts").asInt()).isZero();
        assertThat(retried.json().get("lastError").asText()).contains("503");
        awaitAllAccepted();
        assertThat(api.post("/api/feeds/" + FEED + "/deliveries/2/retry", null).status()).isEqualTo(404);
        assertThat(api.post("/api/feeds/" + FEED + "/deliveries/x/retry", null).status()).isEqualTo(400);
        assertThat(api.post("/api/feeds/plans/deliveries/1/retry", null).status()).as("a feed without notify").isEqualTo(404);
    }

    @Test
    void metricsCountEventsWrittenDeliveredAndFailedAndShowTheLag() {
        String before = scrape();
        changes.down(true);
        upstream.dataset("plans", plans(1, 3, "v1"));
        api.run(FEED);
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.received().size() >= 2);
        String failing = scrape();

        assertThat(value(failing, "feedsync_changes_written_total") - value(before, "feedsync_changes_written_total"))
                .isEqualTo(3);
        assertThat(value(failing, "feedsync_changes_delivery_failures_total")
                - value(before, "feedsync_changes_delivery_failures_total")).isGreaterThanOrEqualTo(2);
        assertThat(value(failing, "feedsync_changes_delivery_lag_seconds")).isPositive();

        changes.down(false);
        awaitAllAccepted();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String after = scrape();
            assertThat(value(after, "feedsync_changes_delivered_total") - value(before, "feedsync_changes_delivered_total"))
                    .isEqualTo(3);
            assertThat(value(after, "feedsync_changes_delivery_lag_seconds")).isZero();
        });
    }

    private String scrape() {
        return api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus")
                .raw().body();
    }

    /** The sample of plans-notify's webhook (0 when there is none yet). */
    private double value(String scrape, String name) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$")
                .matcher(scrape);
        double sum = 0;
        while (sample.find()) {
            if (sample.group(1).contains("feed=\"" + FEED + "\"")) {
                sum += Double.parseDouble(sample.group(2));
            }
        }
        return sum;
    }
}
