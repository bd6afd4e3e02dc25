package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A full refresh soft-deletes what disappeared upstream — safely, and only after a complete fetch. */
class FullRefreshTest extends FeedsyncTest {

    private List<ObjectNode> plans(int... ids) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id : ids) {
            records.add(FakeUpstream.plan(id, "v1"));
        }
        return records;
    }

    private List<Integer> deletedIds() {
        return jdbc.queryForList("select gateway_id from test_plans where deleted_at is not null order by gateway_id",
                Integer.class);
    }

    @Test
    void fullRefreshSoftDeletesRowsMissingUpstream() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        upstream.dataset("plans", plans(1, 2, 3, 5, 6, 7, 8, 10));

        JsonNode run = api.run("plans-full");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("deleted").asLong()).isEqualTo(2);
        assertThat(deletedIds()).containsExactly(4, 9);
        assertThat(count("select count(*) from test_plans")).as("never hard-deleted").isEqualTo(10);
        assertThat(count("select count(*) from sync_seen_key")).as("scratch keys cleaned up").isZero();
    }

    @Test
    void rowThatComesBackIsRevived() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9));
        api.run("plans-full");
        assertThat(deletedIds()).containsExactly(10);
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));

        JsonNode run = api.run("plans-full");

        assertThat(deletedIds()).isEmpty();
        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(1);
        assertThat(run.get("counts").get("unchanged").asLong()).isEqualTo(9);
    }

    @Test
    void deletionGuardRefusesAMassDeletionUnlessConfirmed() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6));

        JsonNode refused = api.run("plans-full");

        assertThat(refused.get("status").asText()).isEqualTo("FAILED");
        assertThat(refused.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(refused.get("error").get("message").asText())
                .contains("deletion guard").contains("4 of 10 rows (40%)").contains("confirm: true");
        assertThat(deletedIds()).isEmpty();

        JsonNode confirmed = api.run("plans-full", "{\"confirm\": true}");

        assertThat(confirmed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(confirmed.get("counts").get("deleted").asLong()).isEqualTo(4);
        assertThat(deletedIds()).containsExactly(7, 8, 9, 10);
    }

    @Test
    void aRunThatFailsAtItsLastStepHasSoftDeletedAndCountedNothing() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        upstream.dataset("plans", plans(1, 2, 3, 5, 6, 7, 8, 10));
        // the run's SUCCEEDED row cannot be written: its last step fails after the soft-deletes
        jdbc.execute("create function refuse_success() returns trigger language plpgsql as $$"
                + " begin raise exception 'the success row is refused'; end $$");
        jdbc.execute("create trigger refuse_success before update on sync_run for each row"
                + " when (new.status = 'SUCCEEDED' and new.feed = 'plans-full') execute function refuse_success()");
        JsonNode failed;
        try {
            failed = api.run("plans-full");
        } finally {
            jdbc.execute("drop trigger refuse_success on sync_run");
            jdbc.execute("drop function refuse_success()");
        }

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("message").asText()).contains("the success row is refused");
        assertThat(failed.get("counts").get("deleted").asLong()).as("what the run reports").isZero();
        assertThat(failed.get("samples").get("deleted")).isEmpty();
        assertThat(deletedIds()).as("what the run did").isEmpty();
        assertThat(count("select count(*) from sync_missed_key where feed = 'plans-full'")).isZero();
        assertThat(count("select count(*) from sync_seen_key")).as("scratch keys cleaned up").isZero();

        JsonNode next = api.run("plans-full");
        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("counts").get("deleted").asLong()).isEqualTo(2);
        assertThat(deletedIds()).containsExactly(4, 9);
    }

    @Test
    void failedFetchDeletesNothing() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        upstream.failAlways(request -> request.page() == 2, 500);

        JsonNode run = api.run("plans-full");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("counts").get("deleted").asLong()).isZero();
        assertThat(deletedIds()).isEmpty();
        assertThat(count("select count(*) from sync_seen_key where run_id = " + run.get("runId").asLong()))
                .as("page 1's keys, kept for the run that resumes this one").isEqualTo(4);

        upstream.reset();
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        JsonNode resumed = api.run("plans-full");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(run.get("runId").asLong());
        assertThat(resumed.get("counts").get("deleted").asLong()).as("page 1 was seen by the failed run").isZero();
        assertThat(count("select count(*) from sync_seen_key")).as("scratch keys cleaned up").isZero();
    }

    @Test
    void recordRejectedBeforeItsKeyWasKnownStopsSoftDeletesUnlessConfirmed() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        List<ObjectNode> next = plans(1, 2, 3, 4, 5, 6, 7, 8, 9);
        next.get(4).remove("key");
        upstream.dataset("plans", next);

        JsonNode dry = api.run("plans-full", "{\"dryRun\": true}");
        JsonNode run = api.run("plans-full");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(run.get("counts").get("deleted").asLong())
                .as("the keyless record may be Payer_5 or Payer_10: no row can be called gone").isZero();
        assertThat(deletedIds()).isEmpty();
        assertThat(dry.get("counts")).as("the dry run predicts it").isEqualTo(run.get("counts"));
        assertThat(count("select count(*) from sync_seen_key")).isZero();

        JsonNode confirmed = api.run("plans-full", "{\"confirm\": true}");

        assertThat(confirmed.get("counts").get("deleted").asLong()).isEqualTo(2);
        assertThat(deletedIds()).containsExactly(5, 10);
    }

    @Test
    void incrementalRunNeverDeletes() {
        upstream.dataset("plans", plans(1, 2, 3, 4));
        api.run("plans-full");
        upstream.dataset("plans", plans(1));

        JsonNode run = api.run("plans-full", "{\"mode\": \"incremental\"}");

        assertThat(run.get("counts").get("deleted").asLong()).isZero();
        assertThat(deletedIds()).isEmpty();
    }

    @Test
    void dryRunPredictsTheRealRunExactlyAndWritesNothing() {
        upstream.dataset("plans", plans(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        api.run("plans-full");
        List<ObjectNode> next = plans(1, 2, 3, 4, 5, 6, 8, 9, 11, 12);
        next.set(0, FakeUpstream.plan(1, "v2"));
        next.set(1, FakeUpstream.plan(2, "v2"));
        upstream.dataset("plans", next);
        String before = jdbc.queryForList("select t::text from test_plans t order by epa_type", String.class).toString();

        JsonNode dry = api.run("plans-full", "{\"dryRun\": true}");

        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        JsonNode samples = dry.get("samples");
        assertThat(samples.get("inserted")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Payer_11", "Payer_12");
        assertThat(samples.get("updated")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Payer_1", "Payer_2");
        assertThat(samples.get("deleted")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Payer_7", "Payer_10");
        assertThat(samples.get("unchanged")).extracting(JsonNode::asText).contains("Payer_3", "Payer_9").hasSize(6);
        assertThat(jdbc.queryForList("select t::text from test_plans t order by epa_type", String.class).toString())
                .as("a dry run writes nothing").isEqualTo(before);
        JsonNode real = api.run("plans-full");
        assertThat(dry.get("counts")).isEqualTo(real.get("counts"));
        assertThat(real.get("counts").get("inserted").asLong()).isEqualTo(2);
        assertThat(real.get("counts").get("updated").asLong()).isEqualTo(2);
        assertThat(real.get("counts").get("unchanged").asLong()).isEqualTo(6);
        assertThat(real.get("counts").get("deleted").asLong()).isEqualTo(2);
    }

    @Test
    void runLeftRunningByADeadNodeIsAbandonedAndTheNextRunSucceeds() {
        long stale = jdbc.queryForObject("insert into sync_run (feed, trigger, mode, status, node) "
                + "values ('plans-full', 'timer', 'full', 'RUNNING', 'node-that-died') returning id", Long.class);
        jdbc.update("insert into sync_seen_key (run_id, key) values (?, '{Payer_1}')", stale);
        upstream.dataset("plans", plans(1, 2, 3));

        JsonNode run = api.run("plans-full");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.queryForObject("select status from sync_run where id = ?", String.class, stale))
                .isEqualTo("ABANDONED");
        assertThat(api.get("/api/runs/" + stale).json().get("error").get("message").asText())
                .contains("stopped before it finished");
        assertThat(count("select count(*) from sync_seen_key")).isZero();
    }
}
