package io.feedsync.store;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad records end in the dead letters with their payload and reason; every other record lands. */
class DeadLetterTest extends FeedsyncTest {

    @Test
    void malformedAndRejectedRecordsAreDeadLetteredWhileTheRestOfThePageLands() {
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(1000, "v1"));
        records.get(9).remove("key");                              // cannot be transformed
        records.get(499).put("version", "rejected-by-db");         // violates a check constraint
        records.get(699).put("id", "not-a-number");                // not an integer for gateway_id
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans-single");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(1000);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(997);
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(3);
        assertThat(count("select count(*) from test_plans")).isEqualTo(997);
        List<Map<String, Object>> letters = jdbc.queryForList(
                "select record_key, error_message, payload::text as payload from sync_dead_letter order by id");
        assertThat(letters).hasSize(3);
        assertThat(letters).anySatisfy(l -> assertThat(l.get("error_message").toString())
                .contains("no value for key column 'epa_type'"));
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.get("record_key")).isEqualTo("Payer_500");
            assertThat(l.get("error_message").toString()).contains("test_plans_version_not_rejected");
        });
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.get("record_key")).isEqualTo("Payer_700");
            assertThat(l.get("error_message").toString()).contains("invalid input syntax for type integer");
            assertThat(l.get("payload").toString()).contains("not-a-number");
        });
    }

    @Test
    void schemaErrorFailsTheRunInsteadOfDeadLetteringEveryRecord() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));
        jdbc.execute("alter table test_plans rename column outgoing_url to outgoing_url_renamed");
        try {
            JsonNode run = api.run("plans-single");

            assertThat(run.get("status").asText()).isEqualTo("FAILED");
            assertThat(run.get("counts").get("deadLettered").asLong()).isZero();
            assertThat(count("select count(*) from sync_dead_letter")).isZero();
        } finally {
            jdbc.execute("alter table test_plans rename column outgoing_url_renamed to outgoing_url");
        }
    }
}
