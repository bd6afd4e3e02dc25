package io.feedsync.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static io.feedsync.support.Api.apiKey;
import static io.feedsync.support.Api.basic;
import static io.feedsync.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key scoped to some feeds (application-test.yaml: test-scoped sees
 * plans-incremental, test-scoped-viewer also plans) sees and operates only those. Every other feed
 * answers it exactly as a feed that does not exist, and it gets no console, Jolokia or metrics.
 */
class ScopedKeyTest extends FeedsyncTest {

    private static final String SCOPED_KEY = "test-scoped-key-0123456789ab";
    private static final String SCOPED_VIEWER_KEY = "test-scoped-viewer-key-01234";
    private static final String OWN = "plans-incremental";
    private static final String OTHER = "plans";

    private final List<String> otherFeedPaths = List.of("/api/feeds/" + OTHER + "/runs",
            "/api/feeds/" + OTHER + "/dead-letters", "/api/feeds/" + OTHER + "/drift");
    private final List<String> otherFeedPosts = List.of("/api/feeds/" + OTHER + "/runs",
            "/api/feeds/" + OTHER + "/drift", "/api/feeds/" + OTHER + "/dead-letters/replay",
            "/api/feeds/" + OTHER + "/pause", "/api/feeds/" + OTHER + "/resume");

    @Test
    void anotherFeedAnswers404AsIfItDidNotExist() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        api.run(OTHER);
        for (Map<String, String> scoped : List.of(bearer(SCOPED_KEY), apiKey(SCOPED_KEY))) {
            Api caller = api.as(scoped);
            for (String path : otherFeedPaths) {
                assertHidden(caller.get(path), path);
            }
            for (String path : otherFeedPosts) {
                assertHidden(caller.request("POST", path, json(scoped), "{}"), "POST " + path);
            }
            // a decoded path names the same feed
            assertHidden(caller.get("/api/feeds/pl%61ns/runs"), "encoded name");
        }
        assertThat(count("select count(*) from sync_run where feed = ? and trigger = 'rest'", OTHER)).as("only the test's own")
                .isEqualTo(1);
        assertThat(count("select count(*) from sync_feed_pause")).isZero();
    }

    @Test
    void theAnswerForAHiddenFeedIsTheAnswerForAnUnknownOne() {
        Api scoped = api.as(bearer(SCOPED_KEY));

        Api.Answer hidden = scoped.get("/api/feeds/" + OTHER + "/runs");
        Api.Answer unknown = api.get("/api/feeds/no-such/runs");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(hidden.raw().body()).isEqualTo(unknown.raw().body().replace("no-such", OTHER));
        assertThat(hidden.header("Content-Type")).isEqualTo(unknown.header("Content-Type"));
        assertThat(scoped.get("/api/feeds/no-such/runs").raw().body()).isEqualTo(unknown.raw().body());
    }

    /** Whatever is wrong with the request besides the feed, the answer is the one an unknown feed gets. */
    @Test
    void aHiddenFeedAndAnUnknownOneAnswerAlikeWhateverElseIsWrong() {
        Map<String, String> scoped = bearer(SCOPED_KEY);
        Map<String, String> asJson = json(scoped);
        Map<String, String> asText = new java.util.LinkedHashMap<>(scoped);
        asText.put("Content-Type", "text/plain");
        String big = "{\"reason\": \"" + "x".repeat(70_000) + "\"}";
        List<Object[]> requests = List.of(
                new Object[] {"GET", "/runs", scoped, null},
                new Object[] {"GET", "/runs?limit=abc", scoped, null},
                new Object[] {"GET", "/dead-letters?limit=0", scoped, null},
                new Object[] {"PUT", "/runs", asJson, "{}"},
                new Object[] {"DELETE", "/drift", scoped, null},
                new Object[] {"GET", "/nothing-here", scoped, null},
                new Object[] {"POST", "/runs", asText, "mode=full"},
                new Object[] {"POST", "/runs", asJson, "{\"mode\": \"sideways\"}"},
                new Object[] {"POST", "/pause", asJson, big});
        for (Object[] request : requests) {
            @SuppressWarnings("unchecked")
            Map<String, String> headers = (Map<String, String>) request[2];
            Api.Answer hidden = api.as(Map.of()).request((String) request[0], "/api/feeds/" + OTHER + request[1], headers,
                    (String) request[3]);
            Api.Answer unknown = api.as(Map.of()).request((String) request[0], "/api/feeds/no-such" + request[1], headers,
                    (String) request[3]);
            String what = request[0] + " " + request[1];
            assertThat(hidden.status()).as(what).isEqualTo(unknown.status());
            assertThat(hidden.raw().body()).as(what).isEqualTo(unknown.raw().body().replace("no-such", OTHER));
            assertThat(hidden.header("Allow")).as(what).isEqualTo(unknown.header("Allow"));
        }
        assertThat(count("select count(*) from sync_run")).isZero();
        assertThat(count("select count(*) from sync_feed_pause")).isZero();
    }

    @Test
    void runsOfAnotherFeedAreUnknownRuns() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        long other = api.run(OTHER).get("runId").asLong();
        long drift = api.startDrift(OTHER);
        api.awaitDrift(drift);
        Api scoped = api.as(bearer(SCOPED_KEY));

        for (long runId : List.of(other, drift)) {
            Api.Answer run = scoped.get("/api/runs/" + runId);
            assertThat(run.status()).isEqualTo(404);
            assertThat(run.json().get("message").asText()).isEqualTo("no run with id " + runId);
        }
        Api.Answer driftResult = scoped.get("/api/runs/" + drift + "/drift");
        assertThat(driftResult.status()).isEqualTo(404);
        assertThat(driftResult.json().get("message").asText()).isEqualTo("no run with id " + drift);
        assertThat(api.get("/api/runs/" + other).status()).as("the unscoped key").isEqualTo(200);
    }

    @Test
    void itSeesAndOperatesItsOwnFeed() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        Api scoped = api.as(bearer(SCOPED_KEY));

        JsonNode feeds = scoped.get("/api/feeds").json();
        assertThat(feeds).extracting(feed -> feed.get("feed").asText()).containsExactly(OWN);
        assertThat(api.as(bearer(SCOPED_VIEWER_KEY)).get("/api/feeds").json())
                .extracting(feed -> feed.get("feed").asText()).containsExactlyInAnyOrder(OWN, OTHER);

        JsonNode run = scoped.run(OWN, null);
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(scoped.get("/api/feeds/" + OWN + "/runs").json()).hasSize(1);
        assertThat(scoped.get("/api/feeds/" + OWN + "/dead-letters").status()).isEqualTo(200);
        assertThat(scoped.post("/api/feeds/" + OWN + "/pause", "{}").json().get("pausedBy").asText())
                .isEqualTo("test-scoped");
        assertThat(scoped.post("/api/feeds/" + OWN + "/resume", "{}").status()).isEqualTo(200);
        assertThat(scoped.get("/api/openapi.json").status()).isEqualTo(200);
        assertThat(scoped.request("PUT", "/api/feeds/" + OWN, Map.of("Content-Type", "application/json"), "{}").status())
                .as("no feed definitions for a scoped key, not even of its own feeds").isEqualTo(403);
        assertThat(scoped.request("DELETE", "/api/feeds/" + OWN, Map.of(), null).status()).isEqualTo(403);
    }

    @Test
    void aScopedViewerMayReadItsFeedsButNotStartRuns() {
        Api viewer = api.as(bearer(SCOPED_VIEWER_KEY));

        assertThat(viewer.get("/api/feeds/" + OTHER + "/runs").status()).isEqualTo(200);
        Api.Answer start = viewer.post("/api/feeds/" + OWN + "/runs", "{}");
        assertThat(start.status()).isEqualTo(403);
        assertHidden(viewer.get("/api/feeds/plans-paged/runs"), "outside its two feeds");
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void scopedKeysGetNoConsoleJolokiaNorMetricsButHealthWithoutDetails() {
        for (Map<String, String> scoped : List.of(bearer(SCOPED_KEY), bearer(SCOPED_VIEWER_KEY),
                basic("test-scoped", SCOPED_KEY))) {
            Api caller = api.as(scoped);
            for (String path : List.of("/actuator/hawtio/", "/actuator/prometheus", "/actuator/metrics",
                    "/actuator/info", "/actuator/jolokia")) {
                Api.Answer answer = caller.get(path);
                assertThat(answer.status()).as(scoped + " " + path).isEqualTo(403);
                assertThat(answer.json().get("error").asText()).isEqualTo("forbidden");
            }
            assertThat(caller.request("POST", "/actuator/jolokia", json(scoped), "{\"type\":\"version\"}").status())
                    .isEqualTo(403);
            Api.Answer health = caller.get("/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().has("components")).as("no other feed's freshness").isFalse();
        }
    }

    @Test
    void unscopedKeysAreUnchanged() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        long runId = api.run(OTHER).get("runId").asLong();

        assertThat(api.get("/api/feeds").json().size()).isGreaterThan(2);
        assertThat(api.get("/api/runs/" + runId).status()).isEqualTo(200);
        assertThat(api.get("/api/feeds/" + OTHER + "/dead-letters").status()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(api.get("/actuator/hawtio/").status()).isEqualTo(200);
        assertThat(api.as(bearer(Api.VIEWER_KEY)).get("/api/feeds/" + OTHER + "/runs").status()).isEqualTo(200);
        assertThat(api.as(bearer(Api.VIEWER_KEY)).get("/actuator/health").json().has("components")).isTrue();
    }

    private static void assertHidden(Api.Answer answer, String what) {
        assertThat(answer.status()).as(what).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).as(what).isEqualTo("not_found");
        assertThat(answer.json().get("message").asText()).as(what).startsWith("no feed named '");
    }

    private static Map<String, String> json(Map<String, String> credentials) {
        Map<String, String> headers = new java.util.LinkedHashMap<>(credentials);
        headers.put("Content-Type", "application/json");
        return headers;
    }
}
