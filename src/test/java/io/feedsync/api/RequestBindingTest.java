package io.feedsync.api;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies as the REST binding binds them (io.feedsync.api.ApiJson): each refusal answered 400
 * in the error shape, with the words it had before the binding, after the checks that come first (the
 * feed's 404, a configured feed's 409), and audited; no body, or a blank one, is none; a GET or a
 * DELETE reads no body.
 */
class RequestBindingTest extends FeedsyncTest {

    @BeforeEach
    void noAuditNorPause() {
        jdbc.update("truncate sync_audit");
        jdbc.update("delete from sync_feed_pause");
    }

    @Test
    void aRunsFieldOfAnotherJsonTypeIsNamedWithWhatItMustBe() {
        Map<String, String> refused = Map.of(
                "{\"mode\": 3}", "'mode' must be \"incremental\" or \"full\"",
                "{\"mode\": [\"full\"]}", "'mode' must be \"incremental\" or \"full\"",
                "{\"dryRun\": \"true\"}", "'dryRun' must be true or false",
                "{\"dryRun\": \"\"}", "'dryRun' must be true or false",
                "{\"confirm\": 1}", "'confirm' must be true or false",
                "{\"restart\": []}", "'restart' must be true or false",
                "{\"since\": true}", "'since' must be a cursor value of the feed, as text",
                "{\"until\": {}}", "'until' must be a cursor value of the feed, as text");
        refused.forEach((body, message) -> assertRefused(api.post("/api/feeds/plans/runs", body), body, message));
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void aBodyThatIsNoObjectOfTheOperationsFieldsIsRefusedInTheOperationsWords() {
        assertRefused(api.post("/api/feeds/plans/runs", "{\"modus\": \"full\"}"), "unknown field",
                "unknown field 'modus' (expected mode, dryRun, confirm, restart, since, until)");
        assertRefused(api.post("/api/feeds/plans/runs", "null"), "null",
                "body must be a JSON object like {\"mode\": \"full\", \"dryRun\": false}");
        assertRefused(api.post("/api/feeds/plans/runs", "{\"mode\": \"full\"} {}"), "trailing", "body is not valid JSON");
        assertRefused(api.post("/api/feeds/plans/pause", "{\"reason\": 5}"), "reason",
                "'reason' must be text of at most 500 characters");
        assertRefused(api.post("/api/feeds/plans/pause", "{\"why\": \"x\"}"), "pause", "unknown field 'why' (expected reason)");
        assertRefused(api.post("/api/feeds/plans/resume", "[]"), "resume",
                "body must be a JSON object or no body at all: resuming takes no options");
        assertRefused(api.post("/api/runs/1/cancel", "{\"force\": true}"), "cancel",
                "unknown field 'force' (cancelling takes no options)");
        assertRefused(api.post("/api/runs", "{\"feeds\": null}"), "feeds", "'feeds' must be a list of 1 to 1000 feed names");
        assertRefused(api.post("/api/runs", "{\"feeds\": [\"plans\", null]}"), "feeds[]",
                "'feeds' must list feed names as text, not null");
        assertRefused(api.post("/api/runs", "{\"tag\": 5}"), "tag",
                "'tag' must be a tag: lower-case letters, digits and '-', at most 40 characters");
        assertRefused(api.put("/api/feeds/new-feed", "[]"), "definition",
                "body must be a JSON object with the keys of feedsync.feeds.<name>");
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void theFeedAndTheConfigurationAreJudgedBeforeTheBody() {
        Api.Answer unknownFeed = api.post("/api/feeds/nope/runs", "{\"dryRun\": \"yes\"}");
        Api.Answer unknownFeedNotJson = api.post("/api/feeds/nope/pause", "{not json");
        Api.Answer configured = api.put("/api/feeds/plans", "{not json");
        Api.Answer viewer = api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/feeds/plans/runs", "{not json");

        assertThat(unknownFeed.status()).isEqualTo(404);
        assertThat(unknownFeed.json().get("error").asText()).isEqualTo("not_found");
        assertThat(unknownFeedNotJson.status()).isEqualTo(404);
        assertThat(configured.status()).isEqualTo(409);
        assertThat(configured.json().get("error").asText()).isEqualTo("feed_configured");
        assertThat(viewer.status()).isEqualTo(403);
    }

    @Test
    void aRefusedBodyIsAuditedAsItWasSent() {
        assertThat(api.post("/api/feeds/plans/runs", "{\"dryRun\": \"yes\", \"token\": \"s3cret\"}").status()).isEqualTo(400);

        Map<String, Object> row = jdbc.queryForMap("select action, feed, request::text as request, status, error from sync_audit");
        assertThat(row.get("action")).isEqualTo("run");
        assertThat(row.get("feed")).isEqualTo("plans");
        assertThat(row.get("status")).isEqualTo(400);
        assertThat(row.get("error")).isEqualTo("bad_request");
        assertThat((String) row.get("request")).contains("\"dryRun\": \"yes\"").doesNotContain("s3cret");
    }

    @Test
    void noBodyAnEmptyOneAndABlankOneAreNone() {
        for (String none : new String[] {null, "", "  \n"}) {
            Api.Answer paused = api.post("/api/feeds/plans/pause", none);
            Api.Answer resumed = api.post("/api/feeds/plans/resume", none);

            assertThat(paused.status()).as(String.valueOf(none)).isEqualTo(200);
            assertThat(paused.json().get("reason").isNull()).isTrue();
            assertThat(resumed.status()).as(String.valueOf(none)).isEqualTo(200);
            assertThat(resumed.header("Content-Type")).startsWith("application/json");
        }
        assertRefused(api.post("/api/runs", "  "), "batch",
                "a batch needs a body: {\"feeds\": [\"a\", \"b\"]} or {\"tag\": \"nightly\"}");
    }

    @Test
    void aGetOrADeleteReadsNoBody() {
        for (String body : new String[] {"{not json", "{\"unknown\": 1}", "null"}) {
            Api.Answer runs = api.request("GET", "/api/feeds/plans/runs", Map.of("Content-Type", "application/json"), body);
            Api.Answer delete = api.request("DELETE", "/api/feeds/nope", Map.of("Content-Type", "application/json"), body);

            assertThat(runs.status()).as(body).isEqualTo(200);
            assertThat(runs.json().isArray()).isTrue();
            assertThat(delete.status()).as(body).isEqualTo(404);
            assertThat(delete.json().get("message").asText()).isEqualTo("no feed named 'nope'");
        }
    }

    private static void assertRefused(Api.Answer answer, String what, String message) {
        assertThat(answer.status()).as(what).isEqualTo(400);
        assertThat(answer.header("Content-Type")).as(what).startsWith("application/json");
        assertThat(answer.json().get("error").asText()).as(what).isEqualTo("bad_request");
        assertThat(answer.json().get("message").asText()).as(what).isEqualTo(message);
    }
}
