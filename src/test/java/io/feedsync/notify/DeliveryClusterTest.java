package io.feedsync.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncNode;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Change event delivery across nodes, each in a JVM of its own, on one database: two nodes deliver
 * each event of a feed once, in order (the endpoint's position row is locked FOR UPDATE SKIP
 * LOCKED, so one node delivers at a time); and when the nodes are killed in the middle of a
 * delivery, a node started afterwards delivers every event (at least once: those of the batch that
 * was cut short again), none lost, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryClusterTest {

    private static final String FEED = "cluster-notify";

    private final FakeUpstream upstream = FakeUpstream.start();
    private final JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(
            TestDatabase.withOwnSchema(TestDatabase.url()), TestDatabase.username(), TestDatabase.password()));
    private final List<FeedsyncNode> nodes = new ArrayList<>();
    private final WebhookReceiver receiver = new WebhookReceiver();

    @BeforeAll
    void startTwoNodes() {
        upstream.serve("/hooks/changes", receiver);
        nodes.add(FeedsyncNode.launch("notify-a", arguments()));
        nodes.add(FeedsyncNode.launch("notify-b", arguments()));
        nodes.forEach(FeedsyncNode::awaitUp);
        // what an earlier test JVM left, on a database that outlives it (FEEDSYNC_TEST_DATABASE_URL)
        db.update("delete from sync_change where feed = ?", FEED);
        db.update("delete from cluster_plans");
    }

    @AfterAll
    void stopNodes() {
        nodes.forEach(FeedsyncNode::close);
        upstream.close();
    }

    private List<Long> eventIds() {
        return db.queryForList("select id from sync_change where feed = ? order by id", Long.class, FEED);
    }

    private static List<Long> ids(List<WebhookReceiver.Received> received) {
        return received.stream().map(r -> r.json().get("id").asLong()).toList();
    }

    @Test
    @Order(1)
    void twoNodesDeliverEachEventOnceInOrder() {
        upstream.dataset("cluster", FakeUpstream.plans(40, "v1"));

        nodes.get(0).api().run(FEED);

        List<Long> ids = eventIds();
        assertThat(ids).hasSize(40);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 40);
        // a little longer, for a duplicate to show if there were one
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        assertThat(ids(receiver.received())).as("each event once, in order").containsExactlyElementsOf(ids);
    }

    @Test
    @Order(2)
    void nodesKilledMidDeliveryLeaveNothingUndeliveredForTheNextNode() throws Exception {
        int before = receiver.received().size();
        CountDownLatch hold = new CountDownLatch(1);
        AtomicLong held = new AtomicLong();
        // the receiver takes the first two events of the next run, then holds the third's request
        upstream.serve("/hooks/changes", exchange -> {
            if (receiver.received().size() == before + 2 && held.compareAndSet(0, 1)) {
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            receiver.handle(exchange);
        });
        upstream.dataset("cluster", FakeUpstream.plans(40, "v2"));
        nodes.get(0).api().run(FEED);
        List<Long> ids = eventIds().subList(40, 80);
        await().atMost(Duration.ofSeconds(30)).until(() -> held.get() == 1);

        for (FeedsyncNode node : nodes) {
            node.kill();
        }
        hold.countDown();
        FeedsyncNode restarted = FeedsyncNode.launch("notify-c", arguments());
        nodes.add(restarted);
        restarted.awaitUp();

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedSince(before).containsAll(ids));
        List<Long> after = acceptedSince(before);
        assertThat(after.subList(0, 2)).as("taken before the kill").isEqualTo(ids.subList(0, 2));
        assertThat(after.subList(2, after.size())).as("after the restart: the cut batch again, then the rest, in order")
                .containsExactlyElementsOf(ids);
    }

    /** The ids the receiver accepted after the first {@code before}: one snapshot, as deliveries go on meanwhile. */
    private List<Long> acceptedSince(int before) {
        List<WebhookReceiver.Received> accepted = receiver.accepted();
        return ids(accepted.subList(before, accepted.size()));
    }

    private List<String> arguments() {
        return List.of(
                "--spring.profiles.active=cluster-node",
                "--feedsync.delivery.poll-interval=50ms",
                "--feedsync.delivery.initial-backoff=100ms",
                "--feedsync.delivery.batch-size=5",
                "--feedsync.feeds." + FEED + ".mode=full",
                "--feedsync.feeds." + FEED + ".source.url=" + upstream.url("/all/cluster"),
                "--feedsync.feeds." + FEED + ".source.records=/epa_clients",
                "--feedsync.feeds." + FEED + ".transform.mapping.epa_type=/key",
                "--feedsync.feeds." + FEED + ".transform.mapping.ncpdp_version=/version",
                "--feedsync.feeds." + FEED + ".transform.mapping.gateway_id=/id",
                "--feedsync.feeds." + FEED + ".target.table=cluster_plans",
                "--feedsync.feeds." + FEED + ".target.key=epa_type",
                "--feedsync.feeds." + FEED + ".notify.changes[0]=" + upstream.url("/hooks/changes"));
    }
}
