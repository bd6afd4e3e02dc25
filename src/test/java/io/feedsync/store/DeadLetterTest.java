package io.feedsync.store;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad records end in the dead letters with their payload and reason; every other record lands.
 * Each case ends with the {@link Invariants}.
 */
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
        Invariants.plans(jdbc, "plans-single").badRecords("Payer_500", "Payer_700").check(records);
    }

    @Test
    void recordRejectedAgainByTheNextRunStaysOneLetterWithTheLatestReason() {
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(20, "v1"));
        records.get(4).remove("key");
        records.get(9).put("id", "not-a-number");
        upstream.dataset("plans", records);
        api.run("plans-single");
        long firstRun = jdbc.queryForObject("select max(id) from sync_run", Long.class);

        JsonNode second = api.run("plans-single");

        assertThat(second.get("counts").get("deadLettered").asLong()).as("each run says what it rejected").isEqualTo(2);
        List<Map<String, Object>> letters = jdbc.queryForList(
                "select run_id, record_key from sync_dead_letter order by id");
        assertThat(letters).as("one letter per record, not one per run").hasSize(2)
                .allSatisfy(letter -> assertThat(letter.get("run_id")).isEqualTo(firstRun));
        records.get(11).put("id", "also-not-a-number");
        upstream.dataset("plans", records);

        api.run("plans-single");

        assertThat(count("select count(*) from sync_dead_letter")).as("a new bad record is a new letter").isEqualTo(3);
        Invariants.plans(jdbc, "plans-single").badRecords("Payer_10", "Payer_12").check(records);
    }

    @Test
    void schemaErrorFailsTheRunInsteadOfDeadLetteringEveryRecord() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));
        JsonNode run;
        jdbc.execute("alter table test_plans rename column outgoing_url to outgoing_url_renamed");
        try {
            run = api.run("plans-single");
        } finally {
            jdbc.execute("alter table test_plans rename column outgoing_url_renamed to outgoing_url");
        }

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("counts").get("deadLettered").asLong()).isZero();
        assertThat(count("select count(*) from sync_dead_letter")).isZero();
        Invariants invariants = Invariants.plans(jdbc, "plans-single");
        invariants.checkConsistent(upstream.dataset("plans"));

        // the misconfiguration undone, the next run lands every record the failed one left out
        JsonNode next = api.run("plans-single");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("counts").get("inserted").asLong()).isEqualTo(5);
        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void deadLettersAreListedAndReplayedOnceTheCauseIsFixed() {
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(5, "v1"));
        records.get(1).remove("key");
        records.get(3).put("version", "rejected-by-db");
        upstream.dataset("plans", records);
        long firstRun = api.run("plans-single").get("runId").asLong();

        JsonNode listed = api.get("/api/feeds/plans-single/dead-letters").json();
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).get("runId").asLong()).isEqualTo(firstRun);
        assertThat(listed).anySatisfy(letter -> {
            assertThat(letter.get("key").asText()).isEqualTo("Payer_4");
            assertThat(letter.get("payload").get("version").asText()).isEqualTo("rejected-by-db");
            assertThat(letter.get("errorMessage").asText()).contains("test_plans_version_not_rejected");
            assertThat(letter.get("replayedAt").isNull()).isTrue();
        });

        jdbc.execute("alter table test_plans drop constraint test_plans_version_not_rejected");
        try {
            io.feedsync.support.Api.Answer started = api.post("/api/feeds/plans-single/dead-letters/replay", null);
            assertThat(started.status()).isEqualTo(202);
            JsonNode replay = api.awaitRun(started.json().get("runId").asLong());

            assertThat(replay.get("trigger").asText()).isEqualTo("replay");
            assertThat(replay.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(replay.get("counts").get("fetched").asLong()).isEqualTo(2);
            assertThat(replay.get("counts").get("inserted").asLong()).isEqualTo(1);
            assertThat(replay.get("counts").get("deadLettered").asLong()).as("the keyless one, again").isEqualTo(1);
            assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = 'Payer_4'", String.class))
                    .isEqualTo("rejected-by-db");
            JsonNode after = api.get("/api/feeds/plans-single/dead-letters").json();
            assertThat(after).hasSize(2);
            assertThat(after.get(0).get("replayedAt").isNull()).as("unreplayed first").isTrue();
            assertThat(after.get(1).get("key").asText()).isEqualTo("Payer_4");
            assertThat(after.get(1).get("replayRunId").asLong()).isEqualTo(replay.get("runId").asLong());
            assertThat(count("select count(*) from sync_dead_letter")).as("no new letters").isEqualTo(2);
            Invariants.plans(jdbc, "plans-single").check(records);
        } finally {
            jdbc.execute("delete from test_plans where ncpdp_version = 'rejected-by-db'");
            jdbc.execute("alter table test_plans add constraint test_plans_version_not_rejected "
                    + "check (ncpdp_version <> 'rejected-by-db')");
        }
    }

    @Test
    void letterWhoseRecordALaterRunAppliesIsSettledAndNeverReplayedOverIt() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));
        api.run("plans-single");
        List<ObjectNode> rejected = new java.util.ArrayList<>(FakeUpstream.plans(5, "v1"));
        rejected.get(1).put("version", "rejected-by-db");
        rejected.get(3).put("version", "rejected-by-db");
        upstream.dataset("plans", rejected);
        api.run("plans-single");
        assertThat(count("select count(*) from sync_dead_letter")).isEqualTo(2);
        // the upstream corrects both: record 2 back to what is in the table, record 4 to a new version
        List<ObjectNode> corrected = new java.util.ArrayList<>(FakeUpstream.plans(5, "v1"));
        corrected.set(3, FakeUpstream.plan(4, "v2"));
        upstream.dataset("plans", corrected);

        JsonNode later = api.run("plans-single");

        assertThat(later.get("counts").get("updated").asLong()).isEqualTo(1);
        assertThat(later.get("counts").get("unchanged").asLong()).isEqualTo(4);
        assertThat(jdbc.queryForList("select replay_run_id from sync_dead_letter", Long.class))
                .as("both letters settled by the run that sent their records anew")
                .containsExactly(later.get("runId").asLong(), later.get("runId").asLong());
        Invariants invariants = Invariants.plans(jdbc, "plans-single");
        invariants.check(corrected);

        jdbc.execute("alter table test_plans drop constraint test_plans_version_not_rejected");
        try {
            JsonNode replay = api.awaitRun(api.post("/api/feeds/plans-single/dead-letters/replay", null).json()
                    .get("runId").asLong());

            assertThat(replay.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(replay.get("counts").get("fetched").asLong()).as("nothing waits").isZero();
            assertThat(count("select count(*) from test_plans where ncpdp_version = 'rejected-by-db'")).isZero();
            invariants.check(corrected);
        } finally {
            jdbc.execute("delete from test_plans where ncpdp_version = 'rejected-by-db'");
            jdbc.execute("alter table test_plans add constraint test_plans_version_not_rejected "
                    + "check (ncpdp_version <> 'rejected-by-db')");
        }
    }

    @Test
    void letterWhoseRecordIsGoneUpstreamIsSettledByTheFullRunAndNeverReplayedBack() {
        upstream.dataset("plans", FakeUpstream.plans(6, "v1"));
        api.run("plans-full");
        List<ObjectNode> rejected = new java.util.ArrayList<>(FakeUpstream.plans(7, "v1"));
        rejected.get(3).put("version", "rejected-by-db");   // its row stays as it was
        rejected.get(6).put("version", "rejected-by-db");   // never landed
        upstream.dataset("plans", rejected);
        api.run("plans-full");
        assertThat(count("select count(*) from sync_dead_letter")).isEqualTo(2);
        List<ObjectNode> gone = new java.util.ArrayList<>(FakeUpstream.plans(6, "v1"));
        gone.remove(3);
        upstream.dataset("plans", gone);

        JsonNode full = api.run("plans-full");

        assertThat(full.get("counts").get("deleted").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForList("select replay_run_id from sync_dead_letter", Long.class))
                .as("both letters settled by the full run that found their records gone")
                .containsExactly(full.get("runId").asLong(), full.get("runId").asLong());
        Invariants invariants = Invariants.plans(jdbc, "plans-full").softDelete("deleted_at").deletionsApplied();
        invariants.check(gone);

        jdbc.execute("alter table test_plans drop constraint test_plans_version_not_rejected");
        try {
            JsonNode replay = api.awaitRun(api.post("/api/feeds/plans-full/dead-letters/replay", null).json()
                    .get("runId").asLong());

            assertThat(replay.get("counts").get("fetched").asLong()).as("nothing waits").isZero();
            assertThat(count("select count(*) from test_plans where deleted_at is null")).isEqualTo(5);
            invariants.check(gone);
        } finally {
            jdbc.execute("delete from test_plans where ncpdp_version = 'rejected-by-db'");
            jdbc.execute("alter table test_plans add constraint test_plans_version_not_rejected "
                    + "check (ncpdp_version <> 'rejected-by-db')");
        }
    }

    @Test
    void replayedLetterSettlesTheOlderLettersOfItsRecord() {
        List<ObjectNode> records = new java.util.ArrayList<>(FakeUpstream.plans(3, "v1"));
        records.get(1).put("id", "not-a-number");
        upstream.dataset("plans", records);
        api.run("plans-single");
        List<ObjectNode> newer = new java.util.ArrayList<>(FakeUpstream.plans(3, "v1"));
        newer.get(1).put("version", "rejected-by-db");
        upstream.dataset("plans", newer);
        api.run("plans-single");
        assertThat(jdbc.queryForList("select record_key from sync_dead_letter", String.class))
                .containsExactly("Payer_2", "Payer_2");

        jdbc.execute("alter table test_plans drop constraint test_plans_version_not_rejected");
        try {
            JsonNode replay = api.awaitRun(api.post("/api/feeds/plans-single/dead-letters/replay", null).json()
                    .get("runId").asLong());

            assertThat(replay.get("counts").get("fetched").asLong()).isEqualTo(2);
            assertThat(replay.get("counts").get("deadLettered").asLong()).as("the older letter, again").isEqualTo(1);
            assertThat(replay.get("counts").get("inserted").asLong()).as("the newer letter").isEqualTo(1);
            assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where epa_type = 'Payer_2'",
                    String.class)).isEqualTo("rejected-by-db");
            // the older letter failed again before the newer one landed: it is settled, lest a
            // later replay write its older payload over the newer one
            assertThat(count("select count(*) from sync_dead_letter where replayed_at is null")).isZero();
            Invariants.plans(jdbc, "plans-single").check(newer);
        } finally {
            jdbc.execute("delete from test_plans where ncpdp_version = 'rejected-by-db'");
            jdbc.execute("alter table test_plans add constraint test_plans_version_not_rejected "
                    + "check (ncpdp_version <> 'rejected-by-db')");
        }
    }

    @Test
    void deadLettersOfAnUnknownFeedAre404() {
        assertThat(api.get("/api/feeds/nope/dead-letters").status()).isEqualTo(404);
        assertThat(api.post("/api/feeds/nope/dead-letters/replay", null).status()).isEqualTo(404);
    }
}
