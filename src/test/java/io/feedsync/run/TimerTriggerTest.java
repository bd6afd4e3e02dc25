package io.feedsync.run;

import java.time.Duration;
import java.util.Map;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A scheduled feed runs from its Quartz trigger through the feed-timer route; a fire while it runs is
 * skipped, not stacked; and a fire time delivered twice (two nodes, a scheduler that woke from a pause)
 * runs once.
 */
@TestPropertySource(properties = {
        "feedsync.feeds.ticking.schedule=0/1 * * * * ?",
        "feedsync.feeds.ticking.mode=full",
        "feedsync.feeds.ticking.source.url=${test.upstream}/all/ticks",
        "feedsync.feeds.ticking.source.records=/epa_clients",
        "feedsync.feeds.ticking.transform.mapping.epa_type=/key",
        "feedsync.feeds.ticking.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.ticking.transform.mapping.gateway_id=/id",
        "feedsync.feeds.ticking.target.table=test_plans",
        "feedsync.feeds.ticking.target.shared=true",
        "feedsync.feeds.ticking.target.key=epa_type"})
// closed after its tests: its every-second timer would otherwise keep calling the shared FakeUpstream
// (eating other tests' one-shot faults) and writing runs into the shared database
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class TimerTriggerTest extends FeedsyncTest {

    @Autowired
    private Scheduler quartz;

    @Autowired
    private ProducerTemplate camel;

    @Test
    void aFireTimeDeliveredTwiceRunsOnce(CapturedOutput output) throws Exception {
        upstream.dataset("ticks", FakeUpstream.plans(3, "v1"));
        Instant fireTime = Instant.parse("2020-01-01T00:00:00Z");
        // the feed's own every-second fires held back, so that the feed is free for the fire sent here
        TriggerKey ticking = TriggerKey.triggerKey("ticking", FeedTimers.GROUP);
        quartz.pauseTrigger(ticking);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> count(
                    "select count(*) from sync_run where feed = 'ticking' and status in ('QUEUED', 'RUNNING')") == 0);
            fireTwice(fireTime, output);
        } finally {
            quartz.resumeTrigger(ticking);
        }
    }

    private void fireTwice(Instant fireTime, CapturedOutput output) {
        fire(fireTime);
        await().atMost(Duration.ofSeconds(15)).until(() -> count(
                "select count(*) from sync_run where feed = 'ticking' and fire_time = ? and status = 'SUCCEEDED'",
                java.sql.Timestamp.from(fireTime)) == 1);
        fire(fireTime);

        assertThat(count("select count(*) from sync_run where feed = 'ticking' and fire_time = ?",
                java.sql.Timestamp.from(fireTime))).isEqualTo(1);
        assertThat(output.getAll()).contains("Feed ticking: timer fire skipped, the fire of 2020-01-01T00:00:00Z already started run");
    }

    private void fire(Instant fireTime) {
        camel.sendBodyAndHeaders("direct:feed-timer", null,
                Map.of(FeedTimerJob.FEED, "ticking", FeedTimerJob.FIRE_TIME, fireTime));
    }

    @Test
    void timerFiresRunsWithTheTimerTriggerAndTheFeedsMode() {
        upstream.dataset("ticks", FakeUpstream.plans(3, "v1"));

        await().atMost(Duration.ofSeconds(15)).until(() -> count(
                "select count(*) from sync_run where feed = 'ticking' and status = 'SUCCEEDED'") >= 2);

        Map<String, Object> run = jdbc.queryForMap(
                "select trigger, triggered_by, mode from sync_run where feed = 'ticking' and status = 'SUCCEEDED' limit 1");
        assertThat(run).containsEntry("trigger", "timer").containsEntry("triggered_by", "timer").containsEntry("mode", "full");
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
    }

    @Test
    void fireWhileTheFeedRunsIsSkipped() {
        upstream.dataset("ticks", FakeUpstream.plans(3, "v1"));
        upstream.delay(Duration.ofMillis(2500));

        await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "select count(*) from sync_run where feed = 'ticking' and status = 'SUCCEEDED'") >= 1);

        assertThat(count("select count(*) from sync_run where feed = 'ticking' and status in ('QUEUED', 'RUNNING')"))
                .isLessThanOrEqualTo(1);
        assertThat(upstream.requests().size()).as("fires during a 2.5 s run did not start runs")
                .isLessThanOrEqualTo(2);
        upstream.delay(Duration.ZERO);
    }

    @Test
    void theFeedListShowsTheStoredTriggersNextFireAndNoneOnceTheTriggerIsGone() throws Exception {
        upstream.dataset("ticks", FakeUpstream.plans(1, "v1"));
        TriggerKey key = TriggerKey.triggerKey("ticking", FeedTimers.GROUP);
        await().atMost(Duration.ofSeconds(10)).until(() -> quartz.getTrigger(key) != null);

        String nextFire = ticking().get("nextFire").asText();
        assertThat(Instant.parse(nextFire)).isCloseTo(Instant.now(), within(5, ChronoUnit.SECONDS));

        Trigger trigger = quartz.getTrigger(key);
        JobDetail job = quartz.getJobDetail(trigger.getJobKey());
        quartz.unscheduleJob(key);
        try {
            assertThat(ticking().get("nextFire").isNull()).as("no trigger, no fire, whatever the cron says").isTrue();
        } finally {
            quartz.scheduleJob(trigger);
        }
    }

    private com.fasterxml.jackson.databind.JsonNode ticking() {
        for (com.fasterxml.jackson.databind.JsonNode feed : api.get("/api/feeds").json()) {
            if ("ticking".equals(feed.get("feed").asText())) {
                return feed;
            }
        }
        throw new AssertionError("no feed ticking in " + api.get("/api/feeds").raw().body());
    }
}
