package io.feedsync.run;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pause is the cluster-wide switch: kept in the database, it stops the timer and every other trigger
 * until the feed is resumed, and says who paused it and why.
 */
@TestPropertySource(properties = {
        "feedsync.feeds.pausable.schedule=0/1 * * * * ?",
        "feedsync.feeds.pausable.mode=full",
        "feedsync.feeds.pausable.source.url=${test.upstream}/all/pausable",
        "feedsync.feeds.pausable.source.records=/epa_clients",
        "feedsync.feeds.pausable.transform.mapping.epa_type=/key",
        "feedsync.feeds.pausable.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.pausable.transform.mapping.gateway_id=/id",
        "feedsync.feeds.pausable.target.table=test_plans",
        "feedsync.feeds.pausable.target.shared=true",
        "feedsync.feeds.pausable.target.key=epa_type"})
// closed after its tests: its every-second timer would otherwise keep running in the shared database
@DirtiesContext
class PauseTest extends FeedsyncTest {

    @Test
    void aPausedFeedStartsNoRunFromItsTimerOrTheApiUntilItIsResumed() throws InterruptedException {
        upstream.dataset("pausable", FakeUpstream.plans(3, "v1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> runs() >= 1);

        Api.Answer paused = api.post("/api/feeds/pausable/pause", "{\"reason\": \"upstream migrating\"}");

        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(paused.json().get("pausedBy").asText()).isEqualTo("test-operator");
        assertThat(paused.json().get("reason").asText()).isEqualTo("upstream migrating");
        await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "select count(*) from sync_run where feed = 'pausable' and status in ('QUEUED', 'RUNNING')") == 0);
        int before = runs();
        Thread.sleep(2_000); // two due fires
        assertThat(runs()).as("no timer fire started a run").isEqualTo(before);

        Api.Answer refused = api.post("/api/feeds/pausable/runs", "{}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("feed_paused");
        assertThat(refused.json().get("message").asText()).contains("paused (by test-operator").contains("upstream migrating");
        JsonNode feed = feed("pausable");
        assertThat(feed.at("/pause/paused").asBoolean()).isTrue();
        JsonNode health = api.get("/actuator/health").json().at("/components/feeds/components/pausable");
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.at("/details/paused/by").asText()).isEqualTo("test-operator");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .contains("feedsync_feed_paused{application=\"feedsync\",feed=\"pausable\"} 1.0");

        Api.Answer again = api.post("/api/feeds/pausable/pause", null);
        assertThat(again.json().get("pausedAt").asText()).as("the first pause stays").isEqualTo(paused.json().get("pausedAt").asText());

        Api.Answer resumed = api.post("/api/feeds/pausable/resume", null);

        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
        assertThat(feed("pausable").at("/pause/paused").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> runs() > before);
    }

    @Test
    void pausingAnUnknownFeedOrWithABadBodyIsRefused() {
        assertThat(api.post("/api/feeds/nope/pause", null).status()).isEqualTo(404);
        assertThat(api.post("/api/feeds/pausable/pause", "{\"reason\": 42}").status()).isEqualTo(400);
        assertThat(api.post("/api/feeds/pausable/pause", "{\"until\": \"tomorrow\"}").status()).isEqualTo(400);
        assertThat(api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/feeds/pausable/pause", null).status()).isEqualTo(403);
        assertThat(count("select count(*) from sync_feed_pause")).as("nothing paused").isZero();
    }

    private int runs() {
        return count("select count(*) from sync_run where feed = 'pausable'");
    }

    private JsonNode feed(String name) {
        for (JsonNode feed : api.get("/api/feeds").json()) {
            if (name.equals(feed.get("feed").asText())) {
                return feed;
            }
        }
        throw new AssertionError("no feed " + name);
    }
}
