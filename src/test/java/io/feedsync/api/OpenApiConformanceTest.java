package io.feedsync.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.OpenApiDocument;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation of /api/openapi.json called for each status it declares, and every answer checked
 * against the schema the document declares for that status (pure Java: json-schema-validator).
 * Only 503 (the database unavailable) is not provoked here: PostgresRestartTest meets it.
 */
@DeliversChanges
class OpenApiConformanceTest extends FeedsyncTest {

    private static final String BIG_BODY = "{\"mode\": \"" + "x".repeat(70 * 1024) + "\"}";

    private OpenApiDocument document;
    private final Set<String> answered = new TreeSet<>();
    private final List<String> violations = new ArrayList<>();

    @Test
    void everyOperationAnswersEachDeclaredStatusWithABodyOfItsSchema() {
        document = new OpenApiDocument(api.get("/api/openapi.json").json());
        List<ObjectNode> records = new ArrayList<>(FakeUpstream.plans(6, "v1"));
        records.get(1).remove("key");
        records.get(2).put("id", "not-a-number");
        upstream.dataset("plans", records);
        long runId = api.run("plans-single").get("runId").asLong();
        long driftId = api.startDrift("plans");
        api.awaitDrift(driftId);
        Api nobody = api.as(Api.anonymous());
        Api viewer = api.as(Api.bearer(Api.VIEWER_KEY));

        check("GET", "/schema/feed", 200, api.get("/api/schema/feed"));
        check("GET", "/schema/feed", 401, nobody.get("/api/schema/feed"));
        for (String feed : List.of("plans", "plans-single")) {
            check("GET", "/feeds", 200, api.get("/api/feeds"));
            check("GET", "/feeds/{feed}/runs", 200, api.get("/api/feeds/" + feed + "/runs"));
            check("GET", "/feeds/{feed}/dead-letters", 200, api.get("/api/feeds/" + feed + "/dead-letters"));
        }
        check("GET", "/feeds", 401, nobody.get("/api/feeds"));
        for (String path : List.of("/feeds/{feed}/runs", "/feeds/{feed}/dead-letters")) {
            check("GET", path, 400, api.get("/api" + path.replace("{feed}", "plans") + "?limit=0"));
            check("GET", path, 401, nobody.get("/api" + path.replace("{feed}", "plans")));
            check("GET", path, 404, api.get("/api" + path.replace("{feed}", "nope")));
        }
        check("GET", "/feeds/{feed}/drift", 200, api.get("/api/feeds/plans/drift"));
        check("GET", "/feeds/{feed}/drift", 401, nobody.get("/api/feeds/plans/drift"));
        check("GET", "/feeds/{feed}/drift", 404, api.get("/api/feeds/plans-single/drift"));
        api.run("plans-notify");
        check("GET", "/feeds/{feed}/changes", 200, api.get("/api/feeds/plans-notify/changes?since=0&limit=2"));
        check("GET", "/feeds/{feed}/changes", 400, api.get("/api/feeds/plans-notify/changes?since=-1"));
        check("GET", "/feeds/{feed}/changes", 401, nobody.get("/api/feeds/plans-notify/changes"));
        check("GET", "/feeds/{feed}/changes", 404, api.get("/api/feeds/nope/changes"));
        check("GET", "/feeds/{feed}/deliveries", 200, api.get("/api/feeds/plans-notify/deliveries"));
        check("GET", "/feeds/{feed}/deliveries", 401, nobody.get("/api/feeds/plans-notify/deliveries"));
        check("GET", "/feeds/{feed}/deliveries", 404, api.get("/api/feeds/nope/deliveries"));
        String retry = "/feeds/{feed}/deliveries/{endpoint}/retry";
        check("POST", retry, 200, api.post("/api/feeds/plans-notify/deliveries/1/retry", null));
        check("POST", retry, 400, api.post("/api/feeds/plans-notify/deliveries/1/retry", "{\"unknown\": true}"));
        check("POST", retry, 401, nobody.post("/api/feeds/plans-notify/deliveries/1/retry", "{}"));
        check("POST", retry, 403, viewer.post("/api/feeds/plans-notify/deliveries/1/retry", "{}"));
        check("POST", retry, 404, api.post("/api/feeds/plans-notify/deliveries/2/retry", "{}"));
        check("POST", retry, 413, api.post("/api/feeds/plans-notify/deliveries/1/retry", BIG_BODY));
        check("POST", retry, 415, api.request("POST", "/api/feeds/plans-notify/deliveries/1/retry",
                Map.of("Content-Type", "text/plain"), "{}"));
        for (String path : List.of("/runs/{id}", "/runs/{id}/drift")) {
            long id = path.endsWith("drift") ? driftId : runId;
            check("GET", path, 200, api.get("/api" + path.replace("{id}", String.valueOf(id))));
            check("GET", path, 400, api.get("/api" + path.replace("{id}", "abc")));
            check("GET", path, 401, nobody.get("/api" + path.replace("{id}", String.valueOf(id))));
            check("GET", path, 404, api.get("/api" + path.replace("{id}", "987654")));
        }

        for (String path : List.of("/feeds/{feed}/runs", "/feeds/{feed}/dead-letters/replay", "/feeds/{feed}/drift")) {
            String url = "/api" + path.replace("{feed}", "plans-single");
            Api.Answer started = api.post(url, null);
            check("POST", path, 202, started);
            api.awaitRun(started.json().get("runId").asLong());
            checkRefusedPosts(path, nobody, viewer);
        }
        for (String path : List.of("/feeds/{feed}/pause", "/feeds/{feed}/resume")) {
            String url = "/api" + path.replace("{feed}", "plans-single");
            check("POST", path, 200, api.post(url, null));
            checkRefusedPosts(path, nobody, viewer);
        }
        checkDefinedFeeds(nobody, viewer);
        upstream.delay(Duration.ofMillis(300));
        long running = api.startRun("plans-single", null);
        check("GET", "/runs/{id}", 200, api.get("/api/runs/" + running));
        for (String path : List.of("/feeds/{feed}/runs", "/feeds/{feed}/dead-letters/replay", "/feeds/{feed}/drift")) {
            check("POST", path, 409, api.post("/api" + path.replace("{feed}", "plans-single"), "{}"));
        }
        api.awaitRun(running);
        checkCancel(runId, nobody, viewer);
        check("GET", "/audit", 200, api.get("/api/audit?feed=plans-single&limit=50"));
        check("GET", "/audit", 400, api.get("/api/audit?since=yesterday"));
        check("GET", "/audit", 401, nobody.get("/api/audit"));
        check("GET", "/audit", 403, viewer.get("/api/audit"));
        checkBatches(nobody, viewer);

        assertThat(violations).isEmpty();
        assertThat(answered).containsExactlyInAnyOrderElementsOf(declaredButUnavailable());
    }

    @Test
    void theCheckRejectsBodiesTheSchemasDoNotAllow() throws Exception {
        document = new OpenApiDocument(api.get("/api/openapi.json").json());
        ObjectMapper json = new ObjectMapper();
        JsonNode run = json.readTree("""
                {"runId": 1, "feed": "plans", "status": "RUNNING", "trigger": "rest", "mode": "full", "dryRun": false,
                 "pages": 0, "counts": {"fetched": 0, "inserted": 0, "updated": 0, "unchanged": 0, "deleted": 0,
                 "deadLettered": 0, "pendingDeletes": 0}, "startedAt": "2026-01-01T00:00:00Z", "finishedAt": null, "watermark": null,
                 "error": null, "samples": null, "resumedFrom": null, "range": null, "triggeredBy": "ops-bot",
                 "cancelRequestedAt": null, "cancelRequestedBy": null, "parents": null}""");

        assertThat(document.violations("GET", "/runs/{id}", 200, run)).as("a running run").isEmpty();
        assertThat(document.violations("GET", "/runs/{id}", 200, ((ObjectNode) run.deepCopy()).without("feed")))
                .as("a required field missing").isNotEmpty();
        assertThat(document.violations("GET", "/runs/{id}", 200, ((ObjectNode) run.deepCopy()).put("status", "DONE")))
                .as("a status that does not exist").isNotEmpty();
        assertThat(document.violations("GET", "/feeds/{feed}/runs", 200, run)).as("one run for a list").isNotEmpty();
        assertThat(document.violations("POST", "/feeds/{feed}/runs", 202, json.readTree("{\"runId\": null, \"feed\": \"plans\", \"status\": \"RUNNING\"}")))
                .as("null where the schema says no").isNotEmpty();
        assertThat(document.violations("GET", "/runs/{id}", 404, json.readTree("{\"error\": 404, \"message\": \"x\"}")))
                .as("an error code that is no string").isNotEmpty();
        assertThat(document.violations("GET", "/runs/{id}", 418, json.readTree("{}"))).as("an undeclared status").isNotEmpty();
    }

    /** The operations of feeds defined over the API, each answering every status it declares. */
    private void checkDefinedFeeds(Api nobody, Api viewer) {
        jdbc.update("delete from sync_feed_definition");
        String feed = "/api/feeds/conformance";
        String definition = """
                {"source": {"url": "%s", "records": "/epa_clients"}, "transform": {"mapping": {"epa_type": "/key"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(upstream.url("/all/plans"));
        check("PUT", "/feeds/{feed}", 201, api.put(feed, definition));
        check("PUT", "/feeds/{feed}", 200, api.put(feed, definition));
        check("PUT", "/feeds/{feed}", 400, api.put(feed, "{\"shedule\": \"0 0 * * * ?\"}"));
        check("PUT", "/feeds/{feed}", 401, nobody.put(feed, definition));
        check("PUT", "/feeds/{feed}", 403, viewer.put(feed, definition));
        check("PUT", "/feeds/{feed}", 409, api.put("/api/feeds/plans", definition));
        check("PUT", "/feeds/{feed}", 413, api.put(feed, BIG_BODY));
        check("PUT", "/feeds/{feed}", 415, api.request("PUT", feed, Map.of("Content-Type", "text/plain"), definition));
        for (String path : List.of("/feeds/{feed}/definition", "/feeds/{feed}/history")) {
            check("GET", path, 200, api.get("/api" + path.replace("{feed}", "conformance")));
            check("GET", path, 200, api.get("/api" + path.replace("{feed}", "plans")));
            check("GET", path, 401, nobody.get("/api" + path.replace("{feed}", "conformance")));
            check("GET", path, 404, api.get("/api" + path.replace("{feed}", "nope")));
        }
        check("DELETE", "/feeds/{feed}", 401, nobody.delete(feed));
        check("DELETE", "/feeds/{feed}", 403, viewer.delete(feed));
        check("DELETE", "/feeds/{feed}", 409, api.delete("/api/feeds/plans"));
        check("DELETE", "/feeds/{feed}", 200, api.delete(feed));
        check("DELETE", "/feeds/{feed}", 404, api.delete(feed));
        jdbc.update("delete from sync_feed_definition");
    }

    /** Cancelling a run: one under way (202), one that has ended (409), and each refusal. */
    private void checkCancel(long finishedRunId, Api nobody, Api viewer) {
        String path = "/runs/{id}/cancel";
        upstream.delay(Duration.ofMillis(300));
        long running = api.startRun("plans-single", null);
        check("POST", path, 202, api.post("/api/runs/" + running + "/cancel", null));
        api.awaitRun(running);
        String url = "/api/runs/" + finishedRunId + "/cancel";
        check("POST", path, 409, api.post(url, "{}"));
        check("POST", path, 400, api.post("/api/runs/abc/cancel", null));
        check("POST", path, 400, api.post(url, "{\"unknown\": true}"));
        check("POST", path, 401, nobody.post(url, "{}"));
        check("POST", path, 403, viewer.post(url, "{}"));
        check("POST", path, 404, api.post("/api/runs/987654/cancel", "{}"));
        check("POST", path, 413, api.post(url, BIG_BODY));
        check("POST", path, 415, api.request("POST", url, Map.of("Content-Type", "text/plain"), "{}"));
        upstream.delay(Duration.ZERO);
    }

    /** Each operation's declared statuses, but 503. */
    private Set<String> declaredButUnavailable() {
        Set<String> declared = new TreeSet<>();
        document.json().get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(
                operation -> operation.getValue().get("responses").fieldNames().forEachRemaining(status -> {
                    if (!"503".equals(status)) {
                        declared.add(operation.getKey().toUpperCase() + " " + path.getKey() + " " + status);
                    }
                })));
        return declared;
    }

    private void checkBatches(Api nobody, Api viewer) {
        Api.Answer batch = api.post("/api/runs", "{\"feeds\": [\"plans-single\", \"nope\"], \"dryRun\": true}");
        check("POST", "/runs", 202, batch);
        String url = "/api/batches/" + batch.json().get("batchId").asLong();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get(url).json().get("finished").asBoolean());
        check("GET", "/batches/{id}", 200, api.get(url));
        check("GET", "/batches/{id}", 400, api.get("/api/batches/abc"));
        check("GET", "/batches/{id}", 401, nobody.get(url));
        check("GET", "/batches/{id}", 404, api.get("/api/batches/987654"));
        check("POST", "/runs", 400, api.post("/api/runs", "{\"unknown\": true}"));
        check("POST", "/runs", 401, nobody.post("/api/runs", "{\"tag\": \"x\"}"));
        check("POST", "/runs", 403, viewer.post("/api/runs", "{\"tag\": \"x\"}"));
        check("POST", "/runs", 413, api.post("/api/runs", BIG_BODY));
        check("POST", "/runs", 415, api.request("POST", "/api/runs", Map.of("Content-Type", "text/plain"), "{}"));
    }

    /** A POST of a feed's path refused for each reason it declares: body, credentials, role, feed, size, type. */
    private void checkRefusedPosts(String path, Api nobody, Api viewer) {
        String url = "/api" + path.replace("{feed}", "plans-single");
        check("POST", path, 400, api.post(url, "{\"unknown\": true}"));
        check("POST", path, 401, nobody.post(url, "{}"));
        check("POST", path, 403, viewer.post(url, "{}"));
        check("POST", path, 404, api.post("/api" + path.replace("{feed}", "nope"), "{}"));
        check("POST", path, 413, api.post(url, BIG_BODY));
        check("POST", path, 415, api.request("POST", url, Map.of("Content-Type", "text/plain"), "{}"));
    }

    private void check(String method, String path, int status, Api.Answer answer) {
        String call = method + " " + path + " " + answer.status();
        if (answer.status() != status) {
            violations.add(call + ": expected " + status + ", body " + answer.raw().body());
            return;
        }
        answered.add(method + " " + path + " " + status);
        assertThat(answer.header("Content-Type")).as(call).startsWith("application/json");
        document.violations(method, path, status, answer.json()).forEach(found -> violations.add(call + ": " + found));
    }
}
