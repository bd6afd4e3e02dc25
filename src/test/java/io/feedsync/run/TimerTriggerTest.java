package io.feedsync.run;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A scheduled feed runs from its Quartz timer route, and a fire while it runs is skipped, not stacked. */
@TestPropertySource(properties = {
        "feedsync.feeds.ticking.schedule=0/1 * * * * ?",
        "feedsync.feeds.ticking.mode=full",
        "feedsync.feeds.ticking.source.url=${test.upstream}/all/ticks",
        "feedsync.feeds.ticking.source.records=/epa_clients",
        "feedsync.feeds.ticking.transform.mapping.epa_type=/key",
        "feedsync.feeds.ticking.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.ticking.transform.mapping.gateway_id=/id",
        "feedsync.feeds.ticking.target.table=test_plans",
        "feedsync.feeds.ticking.target.key=epa_type"})
// closed after its tests: its every-second timer would otherwise keep calling the shared FakeUpstream
// (eating other tests' one-shot faults) and writing runs into the shared database
@DirtiesContext
class TimerTriggerTest extends FeedsyncTest {

    @Test
    void timerFiresRunsWithTheTimerTriggerAndTheFeedsMode() {
        upstream.dataset("ticks", FakeUpstream.plans(3, "v1"));

        await().atMost(Duration.ofSeconds(15)).until(() -> count(
                "select count(*) from sync_run where feed = 'ticking' and status = 'SUCCEEDED'") >= 2);

        Map<String, Object> run = jdbc.queryForMap(
                "select trigger, mode from sync_run where feed = 'ticking' and status = 'SUCCEEDED' limit 1");
        assertThat(run).containsEntry("trigger", "timer").containsEntry("mode", "full");
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
    }

    @Test
    void fireWhileTheFeedRunsIsSkipped() {
        upstream.dataset("ticks", FakeUpstream.plans(3, "v1"));
        upstream.delay(Duration.ofMillis(2500));

        await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "select count(*) from sync_run where feed = 'ticking' and status = 'SUCCEEDED'") >= 1);

        assertThat(count("select count(*) from sync_run where feed = 'ticking' and status = 'RUNNING'"))
                .isLessThanOrEqualTo(1);
        assertThat(upstream.requests().size()).as("fires during a 2.5 s run did not start runs")
                .isLessThanOrEqualTo(2);
        upstream.delay(Duration.ZERO);
    }
}
