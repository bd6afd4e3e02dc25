package io.feedsync.run;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncNode;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two feedsync nodes, each in a JVM of its own, on one database, and a feed that neither has in its
 * configuration: defined over one node's API, it runs from the other's timer and REST API; a change
 * sent to one node is used by the next run on the other; a pause holds on both; and once deleted
 * (which cancels its run on the other node) its routes and trigger are gone from both. The tests run in this order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DefinedFeedsClusterTest {

    private static final String FEED = "runtime-plans";
    private static final String NEVER = "0 0 0 1 1 ? 2099";
    /** How long a change may take to reach the other node: it is announced, not waited for by the reconcile (30 s). */
    private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(10);
    private static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(3);

    private final FakeUpstream upstream = FakeUpstream.start();
    private final JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(
            TestDatabase.withOwnSchema(TestDatabase.url()), TestDatabase.username(), TestDatabase.password()));
    private final List<FeedsyncNode> nodes = new ArrayList<>();
    private final Timestamp launched = Timestamp.from(Instant.now());

    @BeforeAll
    void startTwoNodes() {
        upstream.dataset("first", FakeUpstream.plans(4, "v1"));
        upstream.dataset("second", FakeUpstream.plans(4, "v2"));
        // the feed fires every second: faster than a node lets an API feed fire by default; and the test
        // steers a node's Quartz scheduler over Jolokia, which the shipped policy refuses
        List<String> arguments = List.of("--spring.profiles.active=cluster-node", "--feedsync.limits.min-schedule-interval=1s",
                "--management.endpoint.jolokia.config.policyLocation=classpath:/jolokia-access-test-nodes.xml",
                // a fire more than 3 s late is a misfire (10 s in application.yaml): the test holds fires back less long
                "--spring.quartz.properties.org.quartz.jobStore.misfireThreshold=" + MISFIRE_THRESHOLD.toMillis());
        nodes.add(FeedsyncNode.launch("defined-a", arguments));
        nodes.add(FeedsyncNode.launch("defined-b", arguments));
        nodes.forEach(FeedsyncNode::awaitUp);
        // a database named by FEEDSYNC_TEST_DATABASE_URL outlives the test JVM: the feed starts anew
        db.update("delete from sync_feed_definition where feed = ?", FEED);
        db.update("delete from sync_feed_pause where feed = ?", FEED);
        // the other two-node tests share this table
        db.update("delete from cluster_plans");
    }

    @AfterAll
    void stopNodes() {
        nodes.forEach(FeedsyncNode::close);
        upstream.close();
    }

    @Test
    @Order(1)
    void aFeedAddedThroughOneNodeRunsFromTheOthersTimerAndRestApi() {
        Api.Answer created = a().put("/api/feeds/" + FEED, definition("/all/first", "0/1 * * * * ?"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        // A's scheduler takes no fire for a while, so that the fires are B's (Quartz would share them out)
        quartz(nodes.get(0), "standby()");
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> db.queryForList(
                    "select node from sync_run where feed = ? and trigger = 'timer' and status = 'SUCCEEDED' and started_at >= ?",
                    String.class, FEED, launched).stream().anyMatch(node -> nodes.get(1).signed(node)));
        } finally {
            quartz(nodes.get(0), "start()");
        }
        assertThat(count("select count(*) from cluster_plans where ncpdp_version = 'v1'")).isEqualTo(4);

        Api.Answer paused = b().post("/api/feeds/" + FEED + "/pause", null);
        assertThat(paused.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "select count(*) from sync_run where feed = ? and status in ('QUEUED', 'RUNNING')", FEED) == 0);
        assertThat(b().post("/api/feeds/" + FEED + "/resume", null).status()).isEqualTo(200);
        long restRun = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                () -> b().startRun(FEED, null), id -> id > 0);
        assertThat(b().awaitRun(restRun).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(2)
    void aUrlChangedOnOneNodeIsUsedByTheNextRunOnTheOther() {
        Api.Answer changed = b().put("/api/feeds/" + FEED, definition("/all/second", null));
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        Instant sent = Instant.now();

        await().atMost(FOLLOWS_WITHIN).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            long run = a().startRun(FEED, null);
            a().awaitRun(run);
            return upstream.requests().stream().filter(request -> request.at().isAfter(sent))
                    .reduce((first, second) -> second).orElseThrow().path().equals("/all/second");
        });
        assertThat(count("select count(*) from cluster_plans where ncpdp_version = 'v2'")).isEqualTo(4);
        await().atMost(FOLLOWS_WITHIN).until(() -> trigger() == 0);
    }

    @Test
    @Order(3)
    void aPauseHoldsOnBothNodesAcrossAScheduleChange() throws InterruptedException {
        assertThat(a().post("/api/feeds/" + FEED + "/pause", "{\"reason\": \"defined feeds test\"}").status()).isEqualTo(200);
        assertThat(b().put("/api/feeds/" + FEED, definition("/all/second", "0/1 * * * * ?")).status()).isEqualTo(200);
        await().atMost(FOLLOWS_WITHIN).until(() -> trigger() == 1);
        int before = count("select count(*) from sync_run where feed = ?", FEED);

        Thread.sleep(2_000); // two due fires

        assertThat(count("select count(*) from sync_run where feed = ?", FEED)).as("no fire started a run").isEqualTo(before);
        Api.Answer refused = a().post("/api/feeds/" + FEED + "/runs", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("feed_paused");
        assertThat(b().post("/api/feeds/" + FEED + "/resume", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from sync_run where feed = ?", FEED) > before);
    }

    @Test
    @Order(4)
    void deleteOnOneNodeCancelsTheRunOnTheOtherAndTheRoutesAndTriggerAreGoneFromBothNodes() {
        assertThat(a().put("/api/feeds/" + FEED, definition("/all/second", NEVER)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "select count(*) from sync_run where feed = ? and status in ('QUEUED', 'RUNNING')", FEED) == 0);
        upstream.delay(Duration.ofSeconds(3));
        long running = await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(
                () -> a().startRun(FEED, null), id -> id > 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(a().get("/api/runs/" + running).json().get("status").asText()));

        Api.Answer deleted = b().delete("/api/feeds/" + FEED);
        assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
        upstream.delay(Duration.ZERO);
        JsonNode cancelled = a().awaitRun(running);
        assertThat(cancelled.get("status").asText()).as(cancelled.toString()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("error").get("message").asText()).contains("deleted the feed");
        for (FeedsyncNode node : nodes) {
            await().atMost(FOLLOWS_WITHIN).pollInterval(Duration.ofMillis(200))
                    .until(() -> componentGone(node) && node.api().post("/api/feeds/" + FEED + "/runs", null).status() == 404);
        }
        assertThat(trigger()).isZero();
        assertThat(count("select count(*) from sync_run where feed = ? and started_at >= ?", FEED, launched))
                .as("the feed's runs stay").isPositive();
        JsonNode history = a().get("/api/feeds/" + FEED + "/history").json();
        assertThat(history.get(0).get("change").asText()).isEqualTo("deleted");
        assertThat(history).extracting(version -> version.get("changedBy").asText()).containsOnly("test");
    }

    private Api a() {
        return nodes.get(0).api();
    }

    private Api b() {
        return nodes.get(1).api();
    }

    /**
     * Every fire once: fires held back by both nodes' schedulers (as a long GC pause or a busy database
     * would) run late, each fire time at most once across the nodes; a fire held back past Quartz's
     * misfire threshold (3 s on these nodes) is dropped, not run late.
     */
    @Test
    @Order(5)
    void aFireHeldBackRunsOnceAndOneTooLateIsDropped() throws InterruptedException {
        String feed = "held-back";
        db.update("delete from sync_feed_definition where feed = ?", feed);
        Api.Answer created = a().put("/api/feeds/" + feed, definition("/all/first", "0/1 * * * * ?"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> timerRuns(feed, Instant.EPOCH) >= 1);

        nodes.forEach(node -> quartz(node, "standby()"));
        Instant heldBack = Instant.now();
        Thread.sleep(MISFIRE_THRESHOLD.toMillis() / 2);
        nodes.forEach(node -> quartz(node, "start()"));
        await().atMost(Duration.ofSeconds(20)).until(() -> timerRuns(feed, heldBack) >= 1);

        nodes.forEach(node -> quartz(node, "standby()"));
        Instant tooLate = Instant.now().plusSeconds(1);
        Thread.sleep(MISFIRE_THRESHOLD.toMillis() * 2);
        Instant restarted = Instant.now();
        nodes.forEach(node -> quartz(node, "start()"));
        await().atMost(Duration.ofSeconds(20)).until(() -> timerRuns(feed, restarted) >= 1);
        a().delete("/api/feeds/" + feed);

        assertThat(db.queryForList("select fire_time from sync_run where feed = ? and fire_time is not null"
                + " group by fire_time having count(*) > 1", Timestamp.class, feed)).as("fire times run twice").isEmpty();
        assertThat(count("select count(*) from sync_run where feed = ? and fire_time > ? and fire_time < ?", feed,
                Timestamp.from(tooLate), Timestamp.from(restarted.minus(MISFIRE_THRESHOLD)))).as("fires past the threshold").isZero();
    }

    /** Timer runs of the feed for fire times from {@code since}. */
    private int timerRuns(String feed, Instant since) {
        return count("select count(*) from sync_run where feed = ? and trigger = 'timer' and fire_time >= ?", feed,
                Timestamp.from(since));
    }

    /** The feed's stored Quartz trigger in the nodes' scheduler: 1 or 0. */
    private int trigger() {
        return count("select count(*) from qrtz_triggers where sched_name = 'feedsync' and trigger_group = 'feedsync'"
                + " and trigger_name = ?", FEED);
    }

    /** Runs an operation of the node's Quartz scheduler MBean over Jolokia (allowed on these test nodes only). */
    private static void quartz(FeedsyncNode node, String operation) {
        Api api = node.api();
        Api.Answer search = api.post("/actuator/jolokia", "{\"type\":\"search\",\"mbean\":\"quartz:type=QuartzScheduler,*\"}");
        assertThat(search.json().get("value")).hasSize(1);
        Api.Answer answer = api.post("/actuator/jolokia", "{\"type\":\"exec\",\"mbean\":\""
                + search.json().get("value").get(0).asText() + "\",\"operation\":\"" + operation + "\",\"arguments\":[]}");
        assertThat(answer.json().get("status").asInt()).as(answer.raw().body()).isEqualTo(200);
    }

    /** The node has let go of the feed's http component (and its timer), as its log says. */
    private static boolean componentGone(FeedsyncNode node) {
        return node.logLines().stream().anyMatch(line -> line.contains("Feed " + FEED + ": deleted; its http component"));
    }

    private String definition(String path, String schedule) {
        return """
                {%s"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "cluster_plans", "key": ["epa_type"]}}"""
                .formatted(schedule == null ? "" : "\"schedule\": \"" + schedule + "\", ", upstream.url(path));
    }

    private int count(String sql, Object... args) {
        return db.queryForObject(sql, Integer.class, args);
    }
}
