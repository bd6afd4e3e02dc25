package io.feedsync.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A selective run ({@code since}, perhaps {@code until}) re-syncs one cursor range:
 * it asks the upstream from {@code since}, applies the records in the range, and never moves the
 * watermark backwards, nor past records no run has fetched.
 */
class SelectiveRunTest extends FeedsyncTest {

    private static final String FEED = "plans-incremental";
    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    private static List<ObjectNode> validated(int from, int to, String version) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            records.add(FakeUpstream.plan(id, version, T0.plusSeconds(60L * id)));
        }
        return records;
    }

    private static String at(int id) {
        return T0.plusSeconds(60L * id).toString();
    }

    private String watermark() {
        List<String> values = jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, FEED);
        return values.isEmpty() ? null : values.get(0);
    }

    private String version(int id) {
        return jdbc.queryForObject("select ncpdp_version from test_plans where gateway_id = ?", String.class, id);
    }

    /** The upstream now serves these records, and its request log starts empty. */
    private void serving(List<ObjectNode> records) {
        upstream.reset();
        upstream.dataset("plans", records);
    }

    @Test
    void aSelectiveRunFetchesOnlyFromItsCursorAndLeavesTheNewerWatermarkWhereItWas() {
        serving(validated(1, 8, "v1"));
        api.run(FEED);
        assertThat(watermark()).isEqualTo(at(8));
        // the upstream corrected records 2 and 4 without stamping them anew: no incremental run sees that
        List<ObjectNode> corrected = validated(1, 8, "v1");
        corrected.set(1, FakeUpstream.plan(2, "v2", T0.plusSeconds(120)));
        corrected.set(3, FakeUpstream.plan(4, "v2", T0.plusSeconds(240)));
        serving(corrected);

        JsonNode run = api.run(FEED, "{\"since\": \"" + at(3) + "\"}");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(upstream.requests()).isNotEmpty()
                .allSatisfy(request -> assertThat(request.query().get("since")).isEqualTo(at(3)));
        assertThat(run.get("mode").asText()).isEqualTo("incremental");
        assertThat(run.get("range").get("since").asText()).isEqualTo(at(3));
        assertThat(run.get("range").get("until").isNull()).isTrue();
        assertThat(run.get("counts").get("fetched").asLong()).as("records 3 to 8").isEqualTo(6);
        assertThat(run.get("counts").get("updated").asLong()).as("record 4").isEqualTo(1);
        assertThat(run.get("counts").get("unchanged").asLong()).isEqualTo(5);
        assertThat(version(4)).isEqualTo("v2");
        assertThat(version(2)).as("before since").isEqualTo("v1");
        assertThat(watermark()).as("not moved back to what the run saw").isEqualTo(at(8));
        assertThat(run.get("watermark").asText()).isEqualTo(at(8));
        assertThat(jdbc.queryForObject("select range_since from sync_run where id = ?", String.class,
                run.get("runId").asLong())).isEqualTo(at(3));
    }

    @Test
    void recordsAfterUntilAreCountedUnchangedAndLeftAlone() {
        serving(validated(1, 8, "v1"));
        api.run(FEED);
        List<ObjectNode> corrected = validated(1, 8, "v2");
        serving(corrected);

        JsonNode run = api.run(FEED, "{\"since\": \"" + at(2) + "\", \"until\": \"" + at(4) + "\"}");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("range").get("until").asText()).isEqualTo(at(4));
        assertThat(run.get("counts").get("fetched").asLong()).as("records 2 to 8").isEqualTo(7);
        assertThat(run.get("counts").get("updated").asLong()).as("records 2, 3, 4").isEqualTo(3);
        assertThat(run.get("counts").get("unchanged").asLong()).as("records 5 to 8, after until").isEqualTo(4);
        assertThat(jdbc.queryForList("select gateway_id from test_plans where ncpdp_version = 'v2' order by gateway_id",
                Integer.class)).containsExactly(2, 3, 4);
        assertThat(watermark()).isEqualTo(at(8));
    }

    @Test
    void aRangeThatStartsAtOrBeforeTheWatermarkMovesItForwardButNeverPastUntil() {
        serving(validated(1, 5, "v1"));
        api.run(FEED);
        assertThat(watermark()).isEqualTo(at(5));
        serving(validated(1, 10, "v1"));

        JsonNode bounded = api.run(FEED, "{\"since\": \"" + at(2) + "\", \"until\": \"" + at(7) + "\"}");

        assertThat(bounded.get("counts").get("inserted").asLong()).as("records 6 and 7").isEqualTo(2);
        assertThat(watermark()).as("what the run applied, up to until").isEqualTo(at(7));

        serving(validated(1, 10, "v1"));
        JsonNode open = api.run(FEED, "{\"since\": \"" + at(7) + "\"}");

        assertThat(open.get("counts").get("inserted").asLong()).as("records 8 to 10").isEqualTo(3);
        assertThat(watermark()).isEqualTo(at(10));
    }

    @Test
    void aRangeThatStartsAfterTheWatermarkLeavesItThereSoThatTheRecordsBetweenAreStillFetched() {
        serving(validated(1, 3, "v1"));
        api.run(FEED);
        serving(validated(1, 9, "v1"));

        JsonNode selective = api.run(FEED, "{\"since\": \"" + at(7) + "\"}");

        assertThat(selective.get("counts").get("inserted").asLong()).as("records 7 to 9").isEqualTo(3);
        assertThat(watermark()).as("records 4 to 6 were not fetched").isEqualTo(at(3));

        serving(validated(1, 9, "v1"));
        JsonNode next = api.run(FEED);

        assertThat(upstream.requests()).allSatisfy(request -> assertThat(request.query().get("since")).isEqualTo(at(3)));
        assertThat(next.get("counts").get("inserted").asLong()).as("records 4 to 6").isEqualTo(3);
        assertThat(watermark()).isEqualTo(at(9));
        assertThat(count("select count(*) from test_plans")).isEqualTo(9);
    }

    @Test
    void anUpstreamThatIgnoresSinceStillHasOnlyTheRangeApplied() {
        serving(validated(1, 6, "v1"));
        api.run(FEED);
        serving(validated(1, 6, "v2"));
        upstream.ignoreSince();

        JsonNode run = api.run(FEED, "{\"since\": \"" + at(3) + "\", \"until\": \"" + at(4) + "\"}");

        assertThat(run.get("counts").get("fetched").asLong()).as("the whole export").isEqualTo(6);
        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(2);
        assertThat(run.get("counts").get("unchanged").asLong()).as("before since, after until").isEqualTo(4);
        assertThat(jdbc.queryForList("select gateway_id from test_plans where ncpdp_version = 'v2' order by gateway_id",
                Integer.class)).containsExactly(3, 4);
        assertThat(watermark()).isEqualTo(at(6));
    }

    @Test
    void aSelectiveRunOfAFeedWithNoWatermarkYetLeavesItWithout() {
        serving(validated(1, 6, "v1"));

        JsonNode run = api.run(FEED, "{\"since\": \"" + at(4) + "\"}");

        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(watermark()).as("records 1 to 3 have never been fetched").isNull();
    }

    @Test
    void aDrySelectiveRunCountsWhatItWouldApplyAndWritesNothing() {
        serving(validated(1, 6, "v1"));
        api.run(FEED);
        serving(validated(1, 6, "v2"));

        JsonNode run = api.run(FEED, "{\"since\": \"" + at(5) + "\", \"dryRun\": true}");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("dryRun").asBoolean()).isTrue();
        assertThat(run.get("range").get("since").asText()).isEqualTo(at(5));
        assertThat(upstream.requests()).allSatisfy(request -> assertThat(request.query().get("since")).isEqualTo(at(5)));
        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(2);
        assertThat(run.get("samples").get("updated")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Payer_5", "Payer_6");
        assertThat(count("select count(*) from test_plans where ncpdp_version = 'v2'")).isZero();
        assertThat(watermark()).isEqualTo(at(6));
    }

    @Test
    void aFailedSelectiveRunLeavesNoCheckpointAndTheNextRunStartsFromTheWatermark() {
        serving(validated(1, 2, "v1"));
        api.run(FEED);
        serving(validated(1, 10, "v1"));
        upstream.failAlways(request -> request.page() == 3, 503);

        JsonNode failed = api.run(FEED, "{\"since\": \"" + at(1) + "\"}");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("pages").asInt()).isEqualTo(2);
        assertThat(jdbc.queryForObject("select checkpoint is null from sync_run where id = ?", Boolean.class,
                failed.get("runId").asLong())).isTrue();
        assertThat(watermark()).isEqualTo(at(2));

        serving(validated(1, 10, "v1"));
        JsonNode next = api.run(FEED);

        assertThat(next.get("resumedFrom").isNull()).isTrue();
        assertThat(next.get("range").isNull()).isTrue();
        assertThat(upstream.requests()).allSatisfy(request -> assertThat(request.query().get("since")).isEqualTo(at(2)));
        assertThat(watermark()).isEqualTo(at(10));
    }

    @Test
    void aSelectiveRunDoesNotResumeAnUnfinishedRunNorHideItFromTheNextRun() {
        serving(validated(1, 10, "v1"));
        upstream.failAlways(request -> request.page() == 3, 503);
        JsonNode unfinished = api.run(FEED);
        assertThat(unfinished.get("status").asText()).isEqualTo("FAILED");

        serving(validated(1, 10, "v1"));
        JsonNode selective = api.run(FEED, "{\"since\": \"" + at(9) + "\"}");
        assertThat(selective.get("resumedFrom").isNull()).isTrue();

        serving(validated(1, 10, "v1"));
        JsonNode next = api.run(FEED);

        assertThat(next.get("resumedFrom").asLong()).isEqualTo(unfinished.get("runId").asLong());
        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(10);
    }

    @Test
    void badRangesAnswer400NamingWhatIsWrong() {
        assertBadRequest(FEED, "{\"since\": \"yesterday\"}", "ISO-8601 timestamp");
        assertBadRequest(FEED, "{\"since\": \"" + at(5) + "\", \"until\": \"" + at(4) + "\"}", "before 'since'");
        assertBadRequest(FEED, "{\"until\": \"" + at(4) + "\"}", "'until' needs 'since'");
        assertBadRequest(FEED, "{\"since\": \"" + at(4) + "\", \"mode\": \"full\"}", "incremental run");
        assertBadRequest(FEED, "{\"since\": true}", "'since' must be a cursor value");
        assertBadRequest(FEED, "{\"since\": \"\"}", "'since' must not be empty");
        assertBadRequest("plans", "{\"since\": \"" + at(4) + "\"}", "has no source.incremental");
        assertThat(count("select count(*) from sync_run")).isZero();
        assertThat(upstream.requests()).isEmpty();
    }

    private void assertBadRequest(String feed, String body, String message) {
        Api.Answer answer = api.post("/api/feeds/" + feed + "/runs", body);
        assertThat(answer.status()).as(body).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(answer.json().get("message").asText()).as(body).contains(message);
    }
}
