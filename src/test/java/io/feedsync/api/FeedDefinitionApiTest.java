package io.feedsync.api;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Feeds defined over the API on one node: created, changed, refused, deleted and paused, with their
 * routes, timer and audit log. (ClusterTest's counterpart shows every node following.)
 */
class FeedDefinitionApiTest extends FeedsyncTest {

    private static final String FEED = "api-plans";
    /** A schedule that never fires during the test, so that the feed has a timer route and a stored trigger. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @Autowired
    CamelContext camel;
    @Autowired
    Scheduler quartz;
    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
        upstream.dataset("defined", FakeUpstream.plans(5, "v1"));
        upstream.dataset("defined-v2", FakeUpstream.plans(3, "v2"));
    }

    @Test
    void feedPutOverTheApiRunsAndLandsRows() {
        Api.Answer created = api.put("/api/feeds/" + FEED, definition("/all/defined", null));

        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/feeds/" + FEED + "/definition");
        assertThat(created.json().get("version").asInt()).isEqualTo(1);
        assertThat(created.json().get("source").asText()).isEqualTo("api");
        JsonNode listed = feed(FEED);
        assertThat(listed.get("source").asText()).isEqualTo("api");
        assertThat(feed("plans").get("source").asText()).isEqualTo("config");

        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(5);
    }

    @Test
    void aChangedUrlIsUsedByTheNextRunAndTheHistoryShowsWhoChangedWhat() {
        api.put("/api/feeds/" + FEED, definition("/all/defined", null));
        Api.Answer same = api.put("/api/feeds/" + FEED, definition("/all/defined", null));
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).as("the same definition again stores nothing").isEqualTo(1);

        Api.Answer changed = api.put("/api/feeds/" + FEED, definition("/all/defined-v2", null));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        api.run(FEED);

        assertThat(upstream.requests()).extracting(FakeUpstream.Request::path).contains("/all/defined-v2")
                .doesNotContain("/all/defined");
        JsonNode history = api.get("/api/feeds/" + FEED + "/history").json();
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("change").asText()).isEqualTo("changed");
        assertThat(history.get(0).get("changedBy").asText()).isEqualTo("test-operator");
        assertThat(history.get(0).at("/definition/source/url").asText()).endsWith("/all/defined-v2");
        assertThat(history.get(1).get("change").asText()).isEqualTo("created");
        assertThat(history.get(1).at("/definition/source/url").asText()).endsWith("/all/defined");
    }

    @Test
    void aBadDefinitionIsRefusedWithTheStartupValidationsMessagesAndNothingIsStored() {
        Api.Answer refused = api.put("/api/feeds/" + FEED, """
                {"shedule": "0 0 * * * ?", "mode": "sometimes", "source": {"url": "%s"},
                 "transform": {"mapping": {"epa_type": "/key"}}, "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}"""
                .formatted(upstream.url("/all/defined")));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(refused.json().get("problems")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "feedsync.feeds.api-plans.shedule: unknown key; did you mean 'schedule'?",
                "feedsync.feeds.api-plans.mode: unknown mode 'sometimes' (expected incremental or full)");
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
        assertThat(api.get("/api/feeds/" + FEED + "/definition").status()).isEqualTo(404);
        assertThat(camel.hasComponent("upstream-" + FEED)).as("nothing of it on the node").isNull();
    }

    @Test
    void aTargetTableWithoutAUniqueKeyOrABeanThatDoesNotExistIsRefusedAsAtStartup() {
        Api.Answer noUniqueKey = api.put("/api/feeds/" + FEED, definition("/all/defined", null)
                .replace("test_plans", "test_no_unique_key").replace(", \"gateway_id\": \"/id\"", ""));
        Api.Answer noBean = api.put("/api/feeds/" + FEED, """
                {"source": {"url": "%s"}, "transform": {"bean": "noSuchMapper"},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(upstream.url("/all/defined")));

        assertThat(noUniqueKey.status()).isEqualTo(400);
        assertThat(noUniqueKey.json().get("problems").get(0).asText())
                .startsWith("feedsync.feeds.api-plans.target.key: table 'test_no_unique_key' has no unique constraint on (epa_type)");
        assertThat(noBean.status()).isEqualTo(400);
        assertThat(noBean.json().get("problems").get(0).asText())
                .startsWith("feedsync.feeds.api-plans.transform.bean: no bean named 'noSuchMapper'");
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    @Test
    void aLiteralSecretIsRefusedAndNeverStoredOrAnswered() {
        Api.Answer refused = api.put("/api/feeds/" + FEED, definition("/all/defined",
                "{\"type\": \"bearer\", \"token\": \"literal-upstream-token\"}"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.raw().body()).contains("source.auth.token: a secret is given as a ${NAME} placeholder")
                .doesNotContain("literal-upstream-token");
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    @Test
    void aPlaceholderIsStoredAsWrittenAndResolvedFromTheNodesEnvironmentAtRunTime() {
        // test.upstream is a property of this node; any property or environment variable will do
        Api.Answer created = api.put("/api/feeds/" + FEED, definition("/all/defined",
                "{\"type\": \"bearer\", \"token\": \"${test.upstream}\"}"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        upstream.requireHeader("Authorization", "Bearer " + upstream.url(""));

        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/feeds/" + FEED + "/definition").json().at("/definition/source/auth/token").asText())
                .isEqualTo("${test.upstream}");
        assertThat(jdbc.queryForObject("select definition->'source'->'auth'->>'token' from sync_feed_definition",
                String.class)).isEqualTo("${test.upstream}");
    }

    @Test
    void aConfiguredFeedRefusesPutAndDeleteButShowsItsDefinitionWithSecretsMasked() {
        Api.Answer put = api.put("/api/feeds/plans", definition("/all/defined", null));
        Api.Answer delete = api.delete("/api/feeds/plans");

        assertThat(put.status()).isEqualTo(409);
        assertThat(put.json().get("error").asText()).isEqualTo("feed_configured");
        assertThat(put.json().get("message").asText()).contains("feedsync.feeds.plans");
        assertThat(delete.status()).isEqualTo(409);
        JsonNode shown = api.get("/api/feeds/plans/definition").json();
        assertThat(shown.get("source").asText()).isEqualTo("config");
        assertThat(shown.at("/definition/target/table").asText()).isEqualTo("test_plans");
        assertThat(shown.at("/definition/transform/mapping/epa_type").asText()).as("a pointer, as written").isEqualTo("/key");
        assertThat(shown.at("/definition/source/pagination/type").asText()).isEqualTo("link-header");
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    @Test
    void deleteWhileTheFeedRunsCancelsTheRunThenItsComponentAndTriggerAreGoneAndTheRunsStay() throws Exception {
        int routes = camel.getRoutes().size();
        api.put("/api/feeds/" + FEED, definition("/all/defined", NEVER));
        assertThat(camel.getRoutes()).as("the routes are every feed's").hasSize(routes);
        assertThat(camel.hasComponent("upstream-" + FEED)).isNotNull();
        assertThat(quartz.getTrigger(TriggerKey.triggerKey(FEED, "feedsync"))).isNotNull();
        upstream.delay(Duration.ofSeconds(1)); // the run is in its page when the feed is deleted
        long runId = api.startRun(FEED, null);

        Api.Answer deleted = api.delete("/api/feeds/" + FEED);

        assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
        assertThat(deleted.json().get("change").asText()).isEqualTo("deleted");
        JsonNode cancelled = api.awaitRun(runId);
        assertThat(cancelled.get("status").asText()).as("it stopped after its page").isEqualTo("CANCELLED");
        assertThat(cancelled.at("/error/message").asText()).startsWith("cancelled: test-operator deleted the feed");
        assertThat(camel.hasComponent("upstream-" + FEED)).isNull();
        assertThat(quartz.getTrigger(TriggerKey.triggerKey(FEED, "feedsync"))).isNull();
        assertThat(api.get("/api/feeds/" + FEED + "/runs").status()).isEqualTo(404);
        assertThat(count("select count(*) from sync_run where feed = ?", FEED)).isEqualTo(1);
        assertThat(api.get("/api/feeds/" + FEED + "/history").json()).hasSize(2);
        assertThat(api.delete("/api/feeds/" + FEED).status()).isEqualTo(404);
    }

    @Test
    void aFeedDefinedAgainAfterItsDeletionIsCreatedAnew() {
        api.put("/api/feeds/" + FEED, definition("/all/defined", null));
        api.delete("/api/feeds/" + FEED);

        Api.Answer again = api.put("/api/feeds/" + FEED, definition("/all/defined-v2", null));

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().get("version").asInt()).isEqualTo(3);
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
    }

    @Test
    void aDeletedFeedLeavesNoMemoryToAFeedDefinedLaterUnderItsName() {
        api.put("/api/feeds/" + FEED, definition("/all/defined", null));
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from sync_record_hash where feed = '" + FEED + "'")).isEqualTo(5);
        jdbc.update("insert into sync_missed_key (feed, key, misses) values (?, array['Payer_9'], 1)", FEED);
        jdbc.update("insert into sync_watermark (feed, value) values (?, '2026-01-01T00:00:00Z')", FEED);
        jdbc.update("update sync_run set checkpoint = '{}'::jsonb, checkpoint_at = now() where feed = ?", FEED);

        assertThat(api.delete("/api/feeds/" + FEED).status()).isEqualTo(200);

        for (String memory : new String[] {"sync_record_hash", "sync_missed_key", "sync_watermark"}) {
            assertThat(count("select count(*) from " + memory + " where feed = '" + FEED + "'")).as(memory).isZero();
        }
        assertThat(count("select count(*) from sync_run where feed = '" + FEED + "' and checkpoint is not null")).isZero();
        assertThat(count("select count(*) from sync_run where feed = '" + FEED + "'")).as("its runs stay").isEqualTo(1);
        assertThat(count("select count(*) from test_plans")).as("its rows stay").isEqualTo(5);
    }

    @Test
    void aPausedApiFeedStartsNoRun() {
        api.put("/api/feeds/" + FEED, definition("/all/defined", null));

        assertThat(api.post("/api/feeds/" + FEED + "/pause", null).status()).isEqualTo(200);
        Api.Answer refused = api.post("/api/feeds/" + FEED + "/runs", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("feed_paused");

        assertThat(api.post("/api/feeds/" + FEED + "/resume", null).status()).isEqualTo(200);
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aViewerCannotDefineOrDeleteAFeed() {
        Api viewer = api.as(Api.bearer(Api.VIEWER_KEY));

        assertThat(viewer.put("/api/feeds/" + FEED, definition("/all/defined", null)).status()).isEqualTo(403);
        assertThat(viewer.delete("/api/feeds/plans").status()).isEqualTo(403);
        assertThat(count("select count(*) from sync_feed_definition")).isZero();
    }

    private JsonNode feed(String name) {
        for (JsonNode feed : api.get("/api/feeds").json()) {
            if (feed.get("feed").asText().equals(name)) {
                return feed;
            }
        }
        throw new AssertionError("feed " + name + " is not listed");
    }

    private String definition(String path, String authOrSchedule) {
        String auth = authOrSchedule != null && authOrSchedule.startsWith("{") ? ", \"auth\": " + authOrSchedule : "";
        String schedule = authOrSchedule != null && !authOrSchedule.startsWith("{")
                ? "\"schedule\": \"" + authOrSchedule + "\", " : "";
        return """
                {%s"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"%s},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(schedule, upstream.url(path), auth);
    }
}
