package io.feedsync.ops;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** /actuator/prometheus counts runs, records, pages, durations and the last success, plus Camel's route metrics. */
class MetricsTest extends FeedsyncTest {

    @Test
    void aRunMovesTheFeedsMetrics() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));
        api.run("plans");
        upstream.dataset("plans", FakeUpstream.plans(6, "v2"));
        String before = scrape();

        api.run("plans");

        String after = scrape();
        assertThat(delta(before, after, "feedsync_runs_total", "feed=\"plans\"", "status=\"SUCCEEDED\"", "trigger=\"rest\""))
                .isEqualTo(1);
        assertThat(delta(before, after, "feedsync_records_total", "feed=\"plans\"", "outcome=\"inserted\"")).isEqualTo(1);
        assertThat(delta(before, after, "feedsync_records_total", "feed=\"plans\"", "outcome=\"updated\"")).isEqualTo(5);
        assertThat(delta(before, after, "feedsync_records_fetched_total", "feed=\"plans\"")).isEqualTo(6);
        assertThat(delta(before, after, "feedsync_pages_fetched_total", "feed=\"plans\"")).isEqualTo(2);
        assertThat(delta(before, after, "feedsync_run_duration_seconds_count", "feed=\"plans\"", "status=\"SUCCEEDED\""))
                .isEqualTo(1);
        assertThat(after).containsPattern("feedsync_run_duration_seconds_bucket\\{[^}]*feed=\"plans\"[^}]*le=\"");
        assertThat(value(after, "feedsync_last_success_timestamp_seconds", "feed=\"plans\""))
                .isGreaterThan(value(before, "feedsync_last_success_timestamp_seconds", "feed=\"plans\""))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(30.0));
        assertThat(delta(before, after, "camel_exchanges_total", "routeId=\"feed-sync\"")).isEqualTo(1);
    }

    @Test
    void dryRunsAndDriftChecksCountThePagesAndRecordsTheyFetchedButNothingApplied() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        String before = scrape();

        api.run("plans", "{\"dryRun\": true}");
        api.awaitDrift(api.startDrift("plans"));

        String after = scrape();
        assertThat(delta(before, after, "feedsync_pages_fetched_total", "feed=\"plans\"")).isEqualTo(4);
        assertThat(delta(before, after, "feedsync_records_fetched_total", "feed=\"plans\"")).isEqualTo(12);
        assertThat(delta(before, after, "feedsync_records_total", "feed=\"plans\"")).as("nothing applied").isZero();
        assertThat(delta(before, after, "feedsync_runs_total", "feed=\"plans\"", "trigger=\"drift\"")).isEqualTo(1);
        assertThat(value(after, "feedsync_last_success_timestamp_seconds", "feed=\"plans\""))
                .as("a dry run refreshes nothing").isEqualTo(value(before, "feedsync_last_success_timestamp_seconds", "feed=\"plans\""));
    }

    @Test
    void aFailedRunCountsAsFailedAndLeavesTheLastSuccessAlone() {
        String before = scrape();

        api.run("plans-unreachable");

        String after = scrape();
        assertThat(delta(before, after, "feedsync_runs_total", "feed=\"plans-unreachable\"", "status=\"FAILED\"")).isEqualTo(1);
        assertThat(after).containsPattern("feedsync_last_success_timestamp_seconds\\{[^}]*feed=\"plans-unreachable\"[^}]*} NaN");
    }

    @Test
    void deadLettersWaitingForAReplayAreAGauge() {
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(10, "v1"));
        records.get(2).remove("key");
        records.get(5).put("id", "not-a-number");
        upstream.dataset("plans", records);
        assertThat(value(scrape(), "feedsync_dead_letters", "feed=\"plans-single\"")).isZero();

        api.run("plans-single");

        assertThat(value(scrape(), "feedsync_dead_letters", "feed=\"plans-single\"")).isEqualTo(2);
        jdbc.update("update sync_dead_letter set replayed_at = now() where record_key = 'Payer_6'");
        assertThat(value(scrape(), "feedsync_dead_letters", "feed=\"plans-single\"")).as("a replayed letter no longer waits")
                .isEqualTo(1);
        assertThat(scrape()).containsPattern("(?m)^feedsync_feed_stale\\{[^}]*feed=\"plans\"[^}]*} 0");
    }

    @Test
    void theLastFullRunsPendingDeletesAreAGauge() {
        jdbc.update("delete from sync_change");
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        api.run("plans-soft");
        assertThat(value(scrape(), "feedsync_feed_pending_deletes", "feed=\"plans-soft\"")).isZero();
        assertThat(scrape()).as("a feed without a full run yet")
                .containsPattern("(?m)^feedsync_feed_pending_deletes\\{[^}]*feed=\"plans-incremental\"[^}]*} NaN");
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));

        api.run("plans-soft");

        assertThat(value(scrape(), "feedsync_feed_pending_deletes", "feed=\"plans-soft\""))
                .as("a row missed once: soft-delete-after is 2").isEqualTo(1);
        api.run("plans-soft", "{\"dryRun\": true}");
        assertThat(value(scrape(), "feedsync_feed_pending_deletes", "feed=\"plans-soft\""))
                .as("a dry run deletes nothing and leaves the gauge").isEqualTo(1);
        api.run("plans-soft");
        assertThat(value(scrape(), "feedsync_feed_pending_deletes", "feed=\"plans-soft\""))
                .as("deleted at the second miss").isZero();
    }

    private String scrape() {
        Api.Answer answer = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus");
        assertThat(answer.status()).isEqualTo(200);
        return answer.raw().body();
    }

    private static double delta(String before, String after, String name, String... labels) {
        return value(after, name, labels) - value(before, name, labels);
    }

    /** The sum of the samples of {@code name} that carry all the labels (0 when there is none yet). */
    private static double value(String scrape, String name, String... labels) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(scrape);
        double sum = 0;
        while (sample.find()) {
            String found = sample.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all && !"NaN".equals(sample.group(2))) {
                sum += Double.parseDouble(sample.group(2));
            }
        }
        return sum;
    }
}
