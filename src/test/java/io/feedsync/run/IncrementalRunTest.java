package io.feedsync.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An incremental feed: the watermark is sent upstream, applied here, and never runs ahead of committed data.
 * The fault cases end with the {@link Invariants}.
 */
class IncrementalRunTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    private static List<ObjectNode> validated(int from, int to) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            records.add(FakeUpstream.plan(id, "v1", T0.plusSeconds(60L * id)));
        }
        return records;
    }

    private String watermark(String feed) {
        List<String> values = jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, feed);
        return values.isEmpty() ? null : values.get(0);
    }

    @Test
    void firstRunTakesTheBacklogAndTheSecondSendsTheWatermarkAndFetchesOnlyNewer() {
        upstream.dataset("plans", validated(1, 5));

        JsonNode first = api.run("plans-incremental");

        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(5);
        assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.query()).doesNotContainKey("since"));
        assertThat(watermark("plans-incremental")).isEqualTo(T0.plusSeconds(300).toString());
        assertThat(first.get("watermark").asText()).isEqualTo(T0.plusSeconds(300).toString());

        List<ObjectNode> more = new ArrayList<>(validated(1, 5));
        more.addAll(validated(6, 8));
        upstream.dataset("plans", more);
        upstream.reset();
        upstream.dataset("plans", more);

        JsonNode second = api.run("plans-incremental");

        assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.query().get("since"))
                .isEqualTo(T0.plusSeconds(300).toString()));
        assertThat(second.get("counts").get("fetched").asLong()).as("record 5 (= watermark) and 6..8").isEqualTo(4);
        assertThat(second.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(1);
        assertThat(watermark("plans-incremental")).isEqualTo(T0.plusSeconds(480).toString());
        assertThat(count("select count(*) from test_plans")).isEqualTo(8);
    }

    @Test
    void failureOnPageThreeOfFiveLeavesTheWatermarkAndTheNextRunFinishesWithoutDuplicates() {
        upstream.dataset("plans", validated(1, 2));
        api.run("plans-incremental");
        String before = watermark("plans-incremental");
        List<ObjectNode> all = new ArrayList<>(validated(1, 2));
        all.addAll(validated(3, 10));
        upstream.dataset("plans", all);
        upstream.failAlways(request -> request.page() == 3, 500);

        JsonNode failed = api.run("plans-incremental");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("pages").asInt()).isEqualTo(2);
        assertThat(watermark("plans-incremental")).as("untouched by the failed run").isEqualTo(before);
        assertThat(failed.get("watermark").asText()).isEqualTo(before);
        Invariants invariants = Invariants.plans(jdbc, "plans-incremental");
        invariants.checkConsistent(all);

        upstream.reset();
        upstream.dataset("plans", all);
        JsonNode retried = api.run("plans-incremental");

        assertThat(retried.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(10);
        assertThat(count("select count(distinct epa_type) from test_plans")).isEqualTo(10);
        assertThat(watermark("plans-incremental")).isEqualTo(T0.plusSeconds(600).toString());
        invariants.check(all);
    }

    @Test
    void recordsOlderThanTheWatermarkAreSkippedEvenIfTheUpstreamSendsThem() {
        upstream.dataset("plans", validated(1, 4));
        api.run("plans-incremental");
        jdbc.update("update test_plans set ncpdp_version = 'local-edit' where gateway_id = 1");
        upstream.reset();
        // an upstream that ignores ?since= and sends everything again, record 1 changed
        List<ObjectNode> ignoresSince = new ArrayList<>(validated(1, 4));
        ignoresSince.set(0, FakeUpstream.plan(1, "v9", T0.plusSeconds(60)));
        upstream.dataset("plans", ignoresSince);
        upstream.ignoreSince();

        JsonNode run = api.run("plans-incremental");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(4);
        assertThat(run.get("counts").get("unchanged").asLong()).isEqualTo(4);
        assertThat(run.get("counts").get("updated").asLong()).isZero();
        assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where gateway_id = 1", String.class))
                .isEqualTo("local-edit");
    }

    @Test
    void recordWithoutCursorIsDeadLetteredAndPinsNothing() {
        List<ObjectNode> records = new ArrayList<>(validated(1, 3));
        records.add(FakeUpstream.plan(4, "v1"));
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans-incremental");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select error_message from sync_dead_letter", String.class))
                .contains("no cursor value at /last_validated_at");
        assertThat(watermark("plans-incremental")).isEqualTo(T0.plusSeconds(180).toString());
        Invariants.plans(jdbc, "plans-incremental").badRecords("Payer_4").check(records);
    }

    @Test
    void failedRecordPinsTheWatermarkToItsCursorUnlessTheFeedAdvancesAnyway() {
        List<ObjectNode> records = new ArrayList<>(validated(1, 6));
        records.get(2).remove("key");
        upstream.dataset("plans", records);

        JsonNode pinned = api.run("plans-incremental");
        JsonNode advanced = api.run("plans-incremental-advance");

        assertThat(pinned.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(watermark("plans-incremental")).as("pinned at record 3").isEqualTo(T0.plusSeconds(180).toString());
        assertThat(advanced.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(watermark("plans-incremental-advance")).isEqualTo(T0.plusSeconds(360).toString());
        // both feeds write test_plans; record 3, without its key, is in the dead letters of each
        Invariants.plans(jdbc, "plans-incremental").tableSharedWith("plans-incremental-advance").check(records);
        Invariants.plans(jdbc, "plans-incremental-advance").tableSharedWith("plans-incremental").check(records);
    }

    @Test
    void fullRunOfAnIncrementalFeedFetchesEverythingAndSendsNoWatermark() {
        upstream.dataset("plans", validated(1, 3));
        api.run("plans-incremental");
        upstream.reset();
        upstream.dataset("plans", validated(1, 3));

        JsonNode full = api.run("plans-incremental", "{\"mode\": \"full\"}");

        assertThat(full.get("mode").asText()).isEqualTo("full");
        assertThat(full.get("counts").get("fetched").asLong()).isEqualTo(3);
        assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.query()).doesNotContainKey("since"));
    }
}
