package io.feedsync.notify;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery throughput: with batches of 10 and a poll every 5 s, 100 events go in one
 * go (a full batch polls again at once, not after the delay: ten delays would be 50 s); and an
 * endpoint that fails in the middle of a batch keeps the position at the last event it took, so
 * what follows is retried and nothing it took is sent again.
 */
@DeliversChanges
@TestPropertySource(properties = {"feedsync.delivery.batch-size=10", "feedsync.delivery.poll-interval=5s"})
class DeliveryBatchTest extends FeedsyncTest {

    private static final String FEED = "plans-notify";

    private final WebhookReceiver changes = new WebhookReceiver();

    @BeforeEach
    void receivers() {
        // not truncate: the delivery routes lock rows of both tables as they go
        jdbc.update("delete from sync_change");
        jdbc.update("delete from sync_delivery");
        upstream.serve("/hooks/changes", changes);
        upstream.serve("/hooks/runs", new WebhookReceiver());
    }

    private List<Long> eventIds() {
        return jdbc.queryForList("select id from sync_change where feed = ? order by id", Long.class, FEED);
    }

    private static List<Long> ids(List<WebhookReceiver.Received> received) {
        return received.stream().map(r -> r.json().get("id").asLong()).toList();
    }

    @Test
    void fullBatchesFollowEachOtherWithoutWaitingThePollInterval() {
        upstream.dataset("plans", FakeUpstream.plans(100, "v1"));
        api.run(FEED);
        List<Long> ids = eventIds();
        assertThat(ids).hasSize(100);

        // at most one poll interval before the first batch, then the ten batches back to back
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids(changes.accepted()).equals(ids));
        assertThat(changes.received()).hasSize(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "select position from sync_delivery where feed = ?", Long.class, FEED).equals(ids.get(99)));
    }

    @Test
    void failureInTheMiddleOfABatchKeepsThePositionAtTheLastEventTaken() {
        // the second batch (events 11-20) fails at its sixth event
        changes.acceptAtMost(15);
        upstream.dataset("plans", FakeUpstream.plans(30, "v1"));
        api.run(FEED);
        List<Long> ids = eventIds();
        assertThat(ids).hasSize(30);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> jdbc.queryForObject(
                "select coalesce(max(attempts), 0) from sync_delivery where feed = ?", Integer.class, FEED) > 0);
        assertThat(jdbc.queryForMap("select position, attempts, last_error from sync_delivery where feed = ?", FEED))
                .containsEntry("position", ids.get(14)).containsEntry("attempts", 1)
                .hasEntrySatisfying("last_error", error -> assertThat(error.toString()).contains("503"));
        assertThat(ids(changes.accepted())).isEqualTo(ids.subList(0, 15));

        changes.acceptAtMost(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids(changes.accepted()).equals(ids));
        assertThat(ids(changes.received()).stream().filter(id -> !id.equals(ids.get(15))).toList())
                .as("nothing taken is sent again, only the refused one").doesNotHaveDuplicates();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(jdbc.queryForMap(
                "select position, attempts, last_error from sync_delivery where feed = ?", FEED))
                .containsEntry("position", ids.get(29)).containsEntry("attempts", 0).containsEntry("last_error", null));
    }
}
