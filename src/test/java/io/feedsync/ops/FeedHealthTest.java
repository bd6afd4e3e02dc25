package io.feedsync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A scheduled feed whose last success is older than stale-after of its intervals turns health DOWN. */
@TestPropertySource(properties = {
        "feedsync.health.stale-after=3",
        "feedsync.feeds.hourly.schedule=0 0 * * * ?",
        "feedsync.feeds.hourly.source.url=${test.upstream}/all/hourly",
        "feedsync.feeds.hourly.source.records=/epa_clients",
        "feedsync.feeds.hourly.transform.mapping.epa_type=/key",
        "feedsync.feeds.hourly.target.table=test_plans",
        "feedsync.feeds.hourly.target.shared=true",
        "feedsync.feeds.hourly.target.key=epa_type"})
class FeedHealthTest extends FeedsyncTest {

    @Test
    void feedLastSucceededLongerAgoThanThreeIntervalsIsDown() {
        succeeded("hourly", "now() - interval '3 hours 30 minutes'");

        Api.Answer open = api.as(Api.anonymous()).get("/actuator/health");
        assertThat(open.status()).isEqualTo(503);
        assertThat(open.json().get("status").asText()).isEqualTo("DOWN");
        JsonNode hourly = feeds().get("hourly");
        assertThat(hourly.get("status").asText()).isEqualTo("DOWN");
        assertThat(hourly.get("details").get("lastSuccess").asText()).isNotBlank();
        assertThat(hourly.get("details").get("staleFrom").asText()).isNotBlank();
        assertThat(feeds().get("plans").get("status").asText()).as("manual feeds are never stale").isEqualTo("UP");
    }

    @Test
    void theStaleGaugeTellsWhatHealthTells() {
        assertThat(staleGauge("hourly")).as("never succeeded, counted from startup").isEqualTo("0");

        succeeded("hourly", "now() - interval '3 hours 30 minutes'");

        assertThat(staleGauge("hourly")).isEqualTo("1");
        assertThat(staleGauge("plans")).as("manual feeds are never stale").isEqualTo("0");
        succeeded("hourly", "now() - interval '90 minutes'");
        assertThat(staleGauge("hourly")).isEqualTo("0");
    }

    @Test
    void feedThatSucceededWithinItsIntervalsIsUp() {
        succeeded("hourly", "now() - interval '3 hours 30 minutes'");
        succeeded("hourly", "now() - interval '90 minutes'");

        Api.Answer open = api.as(Api.anonymous()).get("/actuator/health");
        assertThat(open.status()).isEqualTo(200);
        assertThat(open.json().get("status").asText()).isEqualTo("UP");
        assertThat(feeds().get("hourly").get("status").asText()).isEqualTo("UP");
    }

    @Test
    void dryRunsAndFailuresDoNotRefreshAFeed() {
        succeeded("hourly", "now() - interval '1 day'");
        jdbc.update("""
                insert into sync_run (feed, trigger, mode, dry_run, status, started_at, finished_at)
                values ('hourly', 'rest', 'full', true, 'SUCCEEDED', now(), now()),
                       ('hourly', 'timer', 'full', false, 'FAILED', now(), now())""");

        assertThat(feeds().get("hourly").get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void feedThatNeverSucceededCountsFromStartup() {
        assertThat(feeds().get("hourly").get("status").asText()).isEqualTo("UP");
    }

    private String staleGauge(String feed) {
        Api.Answer scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        java.util.regex.Matcher sample = java.util.regex.Pattern
                .compile("(?m)^feedsync_feed_stale\\{[^}]*feed=\"" + feed + "\"[^}]*} (\\S+)$").matcher(scrape.raw().body());
        assertThat(sample.find()).as("feedsync_feed_stale of " + feed).isTrue();
        return sample.group(1).replaceAll("\\.0$", "");
    }

    private JsonNode feeds() {
        return api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/health").json().get("components").get("feeds")
                .get("components");
    }

    private void succeeded(String feed, String finishedAt) {
        jdbc.update("insert into sync_run (feed, trigger, mode, status, started_at, finished_at) values (?, 'timer', 'full', "
                + "'SUCCEEDED', " + finishedAt + ", " + finishedAt + ")", feed);
    }
}
