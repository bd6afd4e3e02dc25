package io.feedsync.store;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The idempotent consumer skips records already applied unchanged, before any write. */
class IdempotentConsumerTest extends FeedsyncTest {

    @Test
    void unchangedRecordsAreSkippedBeforeTheyReachTheTable() {
        upstream.dataset("plans", FakeUpstream.plans(50, "v1"));
        api.run("plans-paged");
        List<String> xminBefore = jdbc.queryForList("select xmin::text from test_plans order by epa_type", String.class);
        upstream.dataset("plans").set(7, FakeUpstream.plan(8, "v2"));

        JsonNode second = api.run("plans-paged");

        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(49);
        assertThat(second.get("counts").get("updated").asLong()).isEqualTo(1);
        List<String> xminAfter = jdbc.queryForList("select xmin::text from test_plans order by epa_type", String.class);
        int rewritten = 0;
        for (int i = 0; i < xminBefore.size(); i++) {
            rewritten += xminBefore.get(i).equals(xminAfter.get(i)) ? 0 : 1;
        }
        assertThat(rewritten).isEqualTo(1);
        assertThat(count("select count(*) from sync_record_hash where feed = 'plans-paged'")).isEqualTo(50);
    }

    @Test
    void firstLoadStoresEveryHashSoTheNextRunFindsEveryRecordUnchanged() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));

        JsonNode first = api.run("plans-paged");
        JsonNode second = api.run("plans-paged");

        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(10);
        assertThat(count("select count(*) from sync_record_hash where feed = 'plans-paged'")).isEqualTo(10);
        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(10);
        assertThat(second.get("counts").get("updated").asLong()).isZero();
    }

    @Test
    void hashStoredDuringTheRunByAnotherWriterIsReplacedAndNoRecordIsDeadLettered() {
        upstream.dataset("plans", FakeUpstream.plans(12, "v1"));
        // the run loaded no hash for Payer_6 (page 2 of 3); one appears before that page is read,
        // as if a node that lost the feed's lock had written on
        upstream.changeBeforeServing(request -> request.page() == 2, () -> jdbc.update(
                "insert into sync_record_hash (feed, record_key, key_hash, content_hash) values ('plans-paged', 'Payer_6', 1, 1)"));

        JsonNode run = api.run("plans-paged");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(12);
        assertThat(run.get("counts").get("deadLettered").asLong()).isZero();
        assertThat(count("select count(*) from sync_dead_letter")).isZero();
        assertThat(count("select count(*) from sync_record_hash where feed = 'plans-paged' and content_hash = 1")).isZero();
        JsonNode again = api.run("plans-paged");
        assertThat(again.get("counts").get("unchanged").asLong()).isEqualTo(12);
    }

    @Test
    void identicalRepeatInsideOneExportIsAppliedOnce() {
        List<com.fasterxml.jackson.databind.node.ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(6, "v1"));
        records.add(FakeUpstream.plan(2, "v1"));
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans-paged");

        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(7);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(6);
        assertThat(run.get("counts").get("unchanged").asLong()).isEqualTo(1);
        assertThat(count("select count(*) from test_plans")).isEqualTo(6);
    }

    @Test
    void keyRepeatedWithNewContentAcrossPagesEndsWithTheLastOne() {
        List<com.fasterxml.jackson.databind.node.ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(6, "v1"));
        records.add(FakeUpstream.plan(2, "v2"));
        upstream.dataset("plans", records);

        JsonNode run = api.run("plans-paged");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = 'Payer_2'", String.class))
                .isEqualTo("v2");
        assertThat(count("select count(*) from test_plans")).isEqualTo(6);
    }

    @Test
    void failedBatchLeavesNoHashBehindSoTheRecordIsTriedAgain() {
        List<com.fasterxml.jackson.databind.node.ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(3, "v1"));
        records.get(1).put("version", "rejected-by-db");
        upstream.dataset("plans", records);
        JsonNode first = api.run("plans-single");
        assertThat(first.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        jdbc.execute("alter table test_plans drop constraint test_plans_version_not_rejected");
        try {
            JsonNode second = api.run("plans-single");

            assertThat(second.get("counts").get("inserted").asLong()).isEqualTo(1);
            assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(2);
        } finally {
            jdbc.execute("delete from test_plans where ncpdp_version = 'rejected-by-db'");
            jdbc.execute("alter table test_plans add constraint test_plans_version_not_rejected "
                    + "check (ncpdp_version <> 'rejected-by-db')");
        }
    }

    @Test
    void dryRunLeavesNoHashes() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));

        api.run("plans-paged", "{\"dryRun\": true}");
        JsonNode real = api.run("plans-paged");

        assertThat(real.get("counts").get("inserted").asLong()).isEqualTo(5);
    }

    @Test
    void hashIndexHoldsAMillionEntriesCompactly() {
        HashIndex index = new HashIndex(10);
        for (long i = 1; i <= 1_000_000; i++) {
            index.put(i * 0x9E3779B97F4A7C15L, i);
        }
        assertThat(index.size()).isEqualTo(1_000_000);
        assertThat(index.get(777L * 0x9E3779B97F4A7C15L, -1)).isEqualTo(777);
        assertThat(index.get(12345, -1)).isEqualTo(-1);
        assertThat(index.get(0, -1)).isEqualTo(-1);
    }
}
