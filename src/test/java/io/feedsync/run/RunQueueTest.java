package io.feedsync.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The run queue, feedsync.max-concurrent-runs. With 2 slots, never more than 2 runs fetch at once
 * (counted on the upstream), the others wait QUEUED in order and each gets its turn; queued runs hold
 * no connection, so 10 feeds triggered together on a pool of 4 connections all succeed (before the
 * queue, each admitted run held a pooled connection for its lock while it waited for a thread).
 */
@TestPropertySource(properties = {"feedsync.max-concurrent-runs=2", "spring.datasource.hikari.maximum-pool-size=4"})
class RunQueueTest extends FeedsyncTest {

    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
    }

    @Test
    void neverMoreThanTheCapRunAtOnceAndTheOthersWaitQueuedInOrder() {
        List<String> feeds = define(5);
        upstream.delay(Duration.ofMillis(600));

        Api.Answer batch = api.post("/api/runs", "{\"feeds\": " + json(feeds) + "}");

        assertThat(batch.status()).as(batch.raw().body()).isEqualTo(202);
        List<Long> runs = new ArrayList<>();
        batch.json().get("entries").forEach(entry -> runs.add(entry.get("runId").asLong()));
        JsonNode last = api.get("/api/runs/" + runs.get(4)).json();
        assertThat(last.get("status").asText()).as("the fifth waits for a slot").isEqualTo("QUEUED");
        assertThat(last.get("finishedAt").isNull()).isTrue();
        assertThat(api.post("/api/feeds/" + feeds.get(4) + "/runs", "{}").json().get("runId").asLong())
                .as("a second trigger of a queued feed is refused, naming the queued run").isEqualTo(runs.get(4));
        JsonNode listed = api.get("/api/feeds/" + feeds.get(4) + "/runs").json();
        assertThat(listed.get(0).get("status").asText()).isEqualTo("QUEUED");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/api/batches/" + batch.json().get("batchId").asLong()).json().get("finished").asBoolean());
        for (long run : runs) {
            assertThat(api.get("/api/runs/" + run).json().get("status").asText()).isEqualTo("SUCCEEDED");
        }
        assertThat(upstream.maxInFlight()).as("the cap, and no more").isEqualTo(2);
        List<java.sql.Timestamp> started = jdbc.queryForList(
                "select started_at from sync_run where id in (" + join(runs) + ") order by id", java.sql.Timestamp.class);
        // first in, first out: two slots may free at the same moment, but no run starts before one
        // queued two places earlier
        for (int i = 0; i + 2 < started.size(); i++) {
            assertThat(started.get(i + 2)).as("run %d starts after run %d", i + 2, i).isAfterOrEqualTo(started.get(i));
        }
        assertThat(count("select count(*) from sync_run where status = 'RUNNING' or status = 'QUEUED'")).isZero();
    }

    @Test
    void queuedRunsAreAGaugeAndASecondTriggerOfAQueuedFeedIsRefusedAsQueued() {
        List<String> feeds = define(4);
        upstream.delay(Duration.ofMillis(1500));
        List<Long> runs = new ArrayList<>();
        for (String feed : feeds) {
            runs.add(api.startRun(feed, null));
        }
        assertThat(api.get("/api/runs/" + runs.get(3)).json().get("status").asText()).isEqualTo("QUEUED");

        assertThat(queuedGauge()).as("two runs hold the two slots, two wait").isEqualTo(2.0);
        Api.Answer refused = api.post("/api/feeds/" + feeds.get(3) + "/runs", "{}");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("feed_running");
        assertThat(refused.json().get("message").asText())
                .isEqualTo("feed '" + feeds.get(3) + "' already has a run queued, waiting for a slot (run " + runs.get(3) + ")");
        assertThat(count("select count(*) from sync_run where feed = ?", feeds.get(3))).as("no second run").isEqualTo(1);
        for (long run : runs) {
            assertThat(api.awaitRun(run).get("status").asText()).isEqualTo("SUCCEEDED");
        }
        assertThat(queuedGauge()).isZero();
    }

    private double queuedGauge() {
        String scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus").raw().body();
        java.util.regex.Matcher sample = java.util.regex.Pattern.compile("(?m)^feedsync_runs_queued(\\{[^}]*})? (\\S+)$")
                .matcher(scrape);
        assertThat(sample.find()).as("feedsync_runs_queued is scraped").isTrue();
        return Double.parseDouble(sample.group(2));
    }

    @Test
    void tenFeedsTriggeredTogetherOnASmallPoolAllSucceed() {
        List<String> feeds = define(10);
        upstream.delay(Duration.ofMillis(200));

        List<Long> runs = new ArrayList<>();
        for (String feed : feeds) {
            runs.add(api.startRun(feed, null));
        }

        for (long run : runs) {
            assertThat(api.awaitRun(run).get("status").asText()).isEqualTo("SUCCEEDED");
        }
        assertThat(count("select count(*) from test_plans")).isEqualTo(10 * 3);
        assertThat(upstream.maxInFlight()).isLessThanOrEqualTo(2);
    }

    @Test
    void aQueuedRunLeftByANodeThatDiedIsAbandonedAndAQueuedRunWhoseFeedIsTakenIsSkipped() {
        List<String> feeds = define(1);
        String feed = feeds.get(0);
        long orphan = jdbc.queryForObject("""
                insert into sync_run (feed, trigger, mode, status, node, queued_by, queued_at)
                values (?, 'rest', 'full', 'QUEUED', 'node-that-died', 'node-that-died/0', now()) returning id""",
                Long.class, feed);

        JsonNode run = api.run(feed);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode abandoned = api.get("/api/runs/" + orphan).json();
        assertThat(abandoned.get("status").asText()).isEqualTo("ABANDONED");
        assertThat(abandoned.get("error").get("message").asText()).contains("queued it stopped");

        // a run queued here whose feed another process holds when its turn comes: SKIPPED, never run
        upstream.delay(Duration.ofMillis(500));
        List<String> blockers = define(3).subList(1, 3);
        api.startRun(blockers.get(0), null);
        api.startRun(blockers.get(1), null);
        long skipped = api.startRun(feed, null);
        try (var otherNode = lockOnAnotherSession(feed)) {
            assertThat(api.get("/api/runs/" + skipped).json().get("status").asText()).isEqualTo("QUEUED");
            JsonNode ended = api.awaitRun(skipped);
            assertThat(ended.get("status").asText()).isEqualTo("SKIPPED");
            assertThat(ended.get("error").get("message").asText()).contains("running elsewhere");
        }
    }

    private FeedLock lockOnAnotherSession(String feed) {
        return locks.lockWithin(feed, Duration.ofSeconds(1)).orElseThrow();
    }

    @Autowired
    FeedLocks locks;

    private List<String> define(int count) {
        List<String> feeds = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            int dataset = n;
            upstream.dataset("queue-" + n, IntStream.rangeClosed(1, 3)
                    .mapToObj(i -> (ObjectNode) FakeUpstream.plan(dataset * 100 + i, "v1")).toList());
            String feed = "queue-" + n;
            Api.Answer answer = api.put("/api/feeds/" + feed, """
                    {"mode": "full", "source": {"url": "%s", "records": "/epa_clients"},
                     "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                     "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(upstream.url("/all/queue-" + n)));
            assertThat(answer.status()).as(answer.raw().body()).isIn(200, 201);
            feeds.add(feed);
        }
        return feeds;
    }

    private static String json(List<String> feeds) {
        return feeds.stream().map(feed -> "\"" + feed + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static String join(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }
}
