package io.feedsync.store;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drift check: compare the upstream with the table — missing, extra, different — writing nothing.
 * Started by POST (202 + Location), read by GET, which never starts anything.
 */
class DriftTest extends FeedsyncTest {

    @Test
    void driftCheckFindsWhatDifferedAndWritesNothing() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        api.run("plans");
        jdbc.update("delete from test_plans where epa_type = 'Payer_2'");
        jdbc.update("update test_plans set ncpdp_version = 'edited-locally' where epa_type = 'Payer_3'");
        jdbc.update("insert into test_plans (epa_type, ncpdp_version, gateway_id) values ('Local_Only', 'v1', 99)");
        upstream.dataset("plans").add(FakeUpstream.plan(7, "v1"));
        String tableBefore = jdbc.queryForList("select t::text from test_plans t order by epa_type", String.class).toString();
        String hashesBefore = jdbc.queryForList("select h::text from sync_record_hash h order by record_key", String.class).toString();

        Api.Answer started = api.post("/api/feeds/plans/drift", null);

        assertThat(started.status()).isEqualTo(202);
        long runId = started.json().get("runId").asLong();
        assertThat(started.header("Location")).isEqualTo("/api/runs/" + runId + "/drift");
        JsonNode drift = api.awaitDrift(runId);
        assertThat(drift.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/feeds/plans/drift").json()).as("the feed's newest drift check").isEqualTo(drift);
        assertThat(drift.get("upstreamRecords").asLong()).isEqualTo(7);
        assertThat(drift.get("missingLocally").get("count").asLong()).isEqualTo(2);
        assertThat(drift.get("missingLocally").get("sample")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("Payer_2", "Payer_7");
        assertThat(drift.get("extraLocally").get("count").asLong()).isEqualTo(1);
        assertThat(drift.get("extraLocally").get("sample")).extracting(JsonNode::asText).containsExactly("Local_Only");
        assertThat(drift.get("different").get("count").asLong()).isEqualTo(1);
        assertThat(drift.get("different").get("sample")).extracting(JsonNode::asText).containsExactly("Payer_3");
        assertThat(drift.get("same").asLong()).isEqualTo(4);
        assertThat(drift.get("drift").asLong()).isEqualTo(4);
        assertThat(jdbc.queryForList("select t::text from test_plans t order by epa_type", String.class).toString())
                .as("nothing written").isEqualTo(tableBefore);
        assertThat(jdbc.queryForList("select h::text from sync_record_hash h order by record_key", String.class).toString())
                .isEqualTo(hashesBefore);
        assertThat(api.get("/api/runs/" + runId).json().get("trigger").asText()).isEqualTo("drift");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("feedsync_drift_records\\{[^}]*feed=\"plans\"[^}]*\\} 4\\.0");
    }

    @Test
    void aDriftCheckThatCannotReadTheUpstreamShowsItFailedAndWhy() {
        upstream.failAlways(request -> true, 404);

        JsonNode drift = api.awaitDrift(api.startDrift("plans"));

        assertThat(drift.get("status").asText()).isEqualTo("FAILED");
        assertThat(drift.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(drift.get("error").get("message").asText()).contains("HTTP 404");
        assertThat(drift.get("missingLocally").isNull()).as("no comparison from a failed check").isTrue();
    }

    @Test
    void readingDriftStartsNothing() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));

        Api.Answer answer = api.get("/api/feeds/plans/drift");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("not_found");
        assertThat(answer.json().get("message").asText()).contains("POST /api/feeds/plans/drift");
        assertThat(count("select count(*) from sync_run")).as("a GET runs nothing").isZero();
        assertThat(upstream.requests()).as("nor reads the upstream").isEmpty();
    }

    @Test
    void whileTheCheckRunsItsResultSaysRunningAndASecondCheckIs409() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        upstream.delay(Duration.ofMillis(400));
        long runId = api.startDrift("plans");

        JsonNode running = api.get("/api/runs/" + runId + "/drift").json();
        Api.Answer second = api.post("/api/feeds/plans/drift", "{}");

        assertThat(running.get("status").asText()).isIn("QUEUED", "RUNNING");
        assertThat(running.get("drift").isNull()).isTrue();
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("error").asText()).isEqualTo("feed_running");
        assertThat(second.json().get("runId").asLong()).isEqualTo(runId);
        assertThat(api.awaitDrift(runId).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void driftOfAnUnknownFeedIs404AndOfARunThatIsNoCheckToo() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        long run = api.run("plans").get("runId").asLong();

        assertThat(api.post("/api/feeds/nope/drift", null).status()).isEqualTo(404);
        assertThat(api.get("/api/feeds/nope/drift").status()).isEqualTo(404);
        assertThat(api.get("/api/runs/" + run + "/drift").status()).isEqualTo(404);
        assertThat(api.get("/api/runs/987654/drift").status()).isEqualTo(404);
    }

    @Test
    void aDriftCheckNeedsNoBodyNorContentType() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));

        Api.Answer started = api.request("POST", "/api/feeds/plans/drift", java.util.Map.of(), null);

        assertThat(started.status()).as(started.raw().body()).isEqualTo(202);
        assertThat(api.awaitDrift(started.json().get("runId").asLong()).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aDriftCheckTakesNoOptionsAndNeedsTheOperatorRole() {
        Api.Answer options = api.post("/api/feeds/plans/drift", "{\"mode\": \"incremental\"}");
        Api.Answer viewer = api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/feeds/plans/drift", null);

        assertThat(options.status()).isEqualTo(400);
        assertThat(options.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(count("select count(*) from sync_run")).isZero();
    }
}
