package io.feedsync.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Seed 000's drift: compare the upstream with the table — missing, extra, different — writing nothing. */
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

        Api.Answer answer = api.get("/api/feeds/plans/drift");

        assertThat(answer.status()).isEqualTo(200);
        JsonNode drift = answer.json();
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
        assertThat(api.get("/api/runs/" + drift.get("runId").asLong()).json().get("trigger").asText()).isEqualTo("drift");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("feedsync_drift_records\\{[^}]*feed=\"plans\"[^}]*\\} 4\\.0");
    }

    @Test
    void driftCheckThatCannotReadTheUpstreamAnswers502() {
        upstream.failAlways(request -> true, 404);

        Api.Answer answer = api.get("/api/feeds/plans/drift");

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(502);
        assertThat(answer.json().get("error").asText()).isEqualTo("drift_check_failed");
        assertThat(answer.json().get("message").asText()).contains("HTTP 404");
    }

    @Test
    void driftOfAnUnknownFeedIs404() {
        assertThat(api.get("/api/feeds/nope/drift").status()).isEqualTo(404);
    }
}
