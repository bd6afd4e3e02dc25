package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No false deletes: {@code target.soft-delete-after}. plans-soft pages by page
 * number (3 records a page), so a full run soft-deletes only the rows that two consecutive complete
 * full runs missed; the count is kept per row in {@code sync_missed_key}. plans-notify is set to 1:
 * today's behaviour, where a page shift soft-deletes (and the next run revives) a row still there.
 */
class SoftDeleteAfterTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEED = "plans-soft";

    @BeforeEach
    void noEvents() {
        // not truncate: the delivery routes lock rows of both tables as they go
        jdbc.update("delete from sync_change");
        jdbc.update("delete from sync_delivery");
    }

    private static List<ObjectNode> plans(int... ids) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id : ids) {
            records.add(FakeUpstream.plan(id, "v1"));
        }
        return records;
    }

    private static List<ObjectNode> plansWithout(int count, int... missing) {
        List<ObjectNode> records = new ArrayList<>(FakeUpstream.plans(count, "v1"));
        records.removeIf(record -> java.util.Arrays.stream(missing).anyMatch(id -> record.get("id").asInt() == id));
        return records;
    }

    private JsonNode run(String feed) {
        return run(feed, "{}");
    }

    private JsonNode run(String feed, String body) {
        JsonNode run = api.run(feed, body);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        return run;
    }

    private static long count(JsonNode run, String outcome) {
        return run.get("counts").get(outcome).asLong();
    }

    private List<String> softDeleted() {
        return jdbc.queryForList("select epa_type from test_plans where deleted_at is not null order by epa_type",
                String.class);
    }

    /** The stored miss counts of the feed, by key. */
    private Map<String, Integer> misses(String feed) {
        Map<String, Integer> misses = new java.util.TreeMap<>();
        jdbc.query("select array_to_string(key, '|') as key, misses from sync_missed_key where feed = ?",
                row -> {
                    misses.put(row.getString("key"), row.getInt("misses"));
                }, feed);
        return misses;
    }

    /** The change events of every run of the feed so far but the first load's inserts: "op key", in order. */
    private List<String> events(String feed) {
        return jdbc.queryForList("select op || ' ' || record_key from sync_change where feed = ? and op <> 'inserted'"
                + " order by id",
                String.class, feed);
    }

    private List<String> eventsOf(JsonNode run) {
        return jdbc.queryForList("select op || ' ' || record_key from sync_change where run_id = ? order by id",
                String.class, run.get("runId").asLong());
    }

    @Test
    void aPageShiftDuringAFullRunSoftDeletesNothingAndMakesNoDeletedEvent() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        // record 2 (page 1, already read) goes: record 4 moves up to page 1, which was read already
        upstream.changeBeforeServing(request -> request.page() == 2, () -> upstream.dataset("plans").remove(1));

        JsonNode shifted = run(FEED);

        assertThat(count(shifted, "fetched")).as("pages [1 2 3] [5 6 7] [8 9]").isEqualTo(8);
        assertThat(count(shifted, "deleted")).isZero();
        assertThat(count(shifted, "pendingDeletes")).as("record 4, missed once").isEqualTo(1);
        assertThat(softDeleted()).isEmpty();
        assertThat(eventsOf(shifted)).isEmpty();
        assertThat(misses(FEED)).containsExactly(Map.entry("Payer_4", 1));
        JsonNode stored = api.get("/api/runs/" + shifted.get("runId").asLong()).json();
        assertThat(stored.at("/counts/pendingDeletes").asLong()).as("kept with the run: " + stored).isEqualTo(1);

        JsonNode next = run(FEED);

        assertThat(count(next, "deleted")).as("record 2 is missed for the first time").isZero();
        assertThat(count(next, "pendingDeletes")).isEqualTo(1);
        assertThat(count(next, "unchanged")).as("record 4 is seen again, unchanged: nothing written").isEqualTo(8);
        assertThat(misses(FEED)).as("record 4's count starts over").containsExactly(Map.entry("Payer_2", 1));

        JsonNode third = run(FEED);

        assertThat(count(third, "deleted")).as("record 2, missed by two full runs in a row").isEqualTo(1);
        assertThat(count(third, "pendingDeletes")).isZero();
        assertThat(softDeleted()).containsExactly("Payer_2");
        assertThat(misses(FEED)).isEmpty();
        assertThat(events(FEED)).as("downstream never hears of record 4").containsExactly("deleted Payer_2");
    }

    @Test
    void aRecordReallyGoneIsSoftDeletedByTheSecondConsecutiveFullRunThatMissesIt() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        upstream.dataset("plans", plansWithout(9, 5));

        JsonNode first = run(FEED);

        assertThat(count(first, "deleted")).isZero();
        assertThat(count(first, "pendingDeletes")).isEqualTo(1);
        assertThat(softDeleted()).isEmpty();
        assertThat(first.at("/samples/deleted").size()).as("nothing deleted, nothing sampled").isZero();

        JsonNode second = run(FEED);

        assertThat(count(second, "deleted")).isEqualTo(1);
        assertThat(count(second, "pendingDeletes")).isZero();
        assertThat(second.at("/samples/deleted").toString()).isEqualTo("[\"Payer_5\"]");
        assertThat(softDeleted()).containsExactly("Payer_5");
        assertThat(eventsOf(second)).containsExactly("deleted Payer_5");
        JsonNode row = JSON.readTree(jdbc.queryForObject("select row::text from sync_change where run_id = ?",
                String.class, second.get("runId").asLong()));
        assertThat(row.get("deleted_at").isNull()).as("the row before its soft-delete").isTrue();
        assertThat(row.get("epa_type").asText()).isEqualTo("Payer_5");

        JsonNode third = run(FEED);

        assertThat(count(third, "deleted")).isZero();
        assertThat(count(third, "pendingDeletes")).as("a deleted row is not missed again").isZero();
        assertThat(eventsOf(third)).isEmpty();
        assertThat(misses(FEED)).isEmpty();

        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        JsonNode back = run(FEED);

        assertThat(count(back, "updated")).as("record 5 revived").isEqualTo(1);
        assertThat(eventsOf(back)).containsExactly("revived Payer_5");
    }

    @Test
    void aRowSeenAgainInBetweenStartsItsCountOver() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        upstream.dataset("plans", plansWithout(9, 7));
        assertThat(count(run(FEED), "pendingDeletes")).isEqualTo(1);
        assertThat(misses(FEED)).containsExactly(Map.entry("Payer_7", 1));

        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        JsonNode seen = run(FEED);

        assertThat(count(seen, "pendingDeletes")).isZero();
        assertThat(misses(FEED)).isEmpty();

        upstream.dataset("plans", plansWithout(9, 7));
        JsonNode missedAgain = run(FEED);

        assertThat(count(missedAgain, "deleted")).as("two misses, but not in a row").isZero();
        assertThat(count(missedAgain, "pendingDeletes")).isEqualTo(1);
        assertThat(softDeleted()).isEmpty();

        assertThat(count(run(FEED), "deleted")).isEqualTo(1);
        assertThat(softDeleted()).containsExactly("Payer_7");
        assertThat(events(FEED)).containsExactly("deleted Payer_7");
    }

    @Test
    void softDeleteAfterOneKeepsTodaysBehaviourAPageShiftSoftDeletesAndTheNextRunRevives() {
        // plans-notify: 4 records a page, soft-delete-after: 1
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run("plans-notify");
        // record 2 goes after page 1 was read: record 5 moves up to page 1 and is never read
        upstream.changeBeforeServing(request -> request.page() == 2, () -> upstream.dataset("plans").remove(1));

        JsonNode shifted = run("plans-notify");

        assertThat(count(shifted, "deleted")).isEqualTo(1);
        assertThat(count(shifted, "pendingDeletes")).isZero();
        assertThat(softDeleted()).containsExactly("Payer_5");
        assertThat(misses("plans-notify")).as("nothing left pending").isEmpty();

        JsonNode next = run("plans-notify");

        assertThat(count(next, "deleted")).as("record 2").isEqualTo(1);
        assertThat(softDeleted()).containsExactly("Payer_2");
        assertThat(events("plans-notify")).as("the false delete this key prevents, with page pagination")
                .containsSubsequence("deleted Payer_5", "revived Payer_5", "deleted Payer_2");
    }

    @Test
    void aFailedFullRunCountsNothingAndTheRunThatResumesItCountsOnce() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        upstream.dataset("plans", plansWithout(9, 3));
        // page 3 (records 8, 9 and the end) fails past its retries
        upstream.fail(request -> request.page() == 3, 503, 2);

        JsonNode failed = api.run(FEED);

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(misses(FEED)).as("a failed run misses nothing").isEmpty();
        assertThat(count(failed, "pendingDeletes")).isZero();

        JsonNode resumed = run(FEED);

        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(count(resumed, "deleted")).isZero();
        assertThat(count(resumed, "pendingDeletes")).as("record 3: both attempts make one complete run").isEqualTo(1);
        assertThat(misses(FEED)).containsExactly(Map.entry("Payer_3", 1));

        upstream.fail(request -> request.page() == 2, 503, 2);
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("FAILED");
        assertThat(misses(FEED)).as("still one miss").containsExactly(Map.entry("Payer_3", 1));
        assertThat(softDeleted()).isEmpty();

        JsonNode completed = run(FEED);

        assertThat(count(completed, "deleted")).isEqualTo(1);
        assertThat(softDeleted()).containsExactly("Payer_3");
    }

    @Test
    void aDryRunReportsWhatItWouldDoAndLeavesTheCountsAlone() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        upstream.dataset("plans", plansWithout(9, 1, 6));
        run(FEED);
        upstream.dataset("plans", plansWithout(9, 1, 8));

        JsonNode dry = run(FEED, "{\"dryRun\": true}");

        assertThat(count(dry, "deleted")).as("record 1, missed a second time").isEqualTo(1);
        assertThat(count(dry, "pendingDeletes")).as("record 8, missed a first time").isEqualTo(1);
        assertThat(dry.at("/samples/deleted").toString()).isEqualTo("[\"Payer_1\"]");
        assertThat(misses(FEED)).containsExactly(Map.entry("Payer_1", 1), Map.entry("Payer_6", 1));
        assertThat(softDeleted()).isEmpty();

        JsonNode real = run(FEED);

        assertThat(count(real, "deleted")).isEqualTo(count(dry, "deleted"));
        assertThat(count(real, "pendingDeletes")).isEqualTo(count(dry, "pendingDeletes"));
        assertThat(softDeleted()).containsExactly("Payer_1");
        assertThat(misses(FEED)).containsExactly(Map.entry("Payer_8", 1));
    }

    @Test
    void theDeletionGuardJudgesWhatTheRunDeletesAndARefusedRunCountsNothing() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        // a third of the rows gone: more than plans-soft's 30% guard
        upstream.dataset("plans", plansWithout(9, 2, 5, 8));

        JsonNode first = run(FEED);

        assertThat(count(first, "deleted")).as("nothing to delete yet, so nothing to guard").isZero();
        assertThat(count(first, "pendingDeletes")).isEqualTo(3);

        JsonNode refused = api.run(FEED);

        assertThat(refused.get("status").asText()).isEqualTo("FAILED");
        assertThat(refused.at("/error/message").asText()).contains("would soft-delete 3 of 9 rows");
        assertThat(softDeleted()).isEmpty();
        assertThat(misses(FEED)).as("the refused run counted nothing").containsOnly(Map.entry("Payer_2", 1),
                Map.entry("Payer_5", 1), Map.entry("Payer_8", 1));

        JsonNode confirmed = run(FEED, "{\"confirm\": true}");

        assertThat(count(confirmed, "deleted")).isEqualTo(3);
        assertThat(softDeleted()).containsExactly("Payer_2", "Payer_5", "Payer_8");
    }

    @Test
    void theCountIsReadFromTheDatabaseNotFromTheNodeThatMissedTheRow() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));
        run(FEED);
        // as left by a full run of another node (or before a restart) that missed record 9
        jdbc.update("insert into sync_missed_key (feed, key, misses) values (?, '{Payer_9}', 1)", FEED);
        upstream.dataset("plans", plansWithout(9, 9));

        JsonNode run = run(FEED);

        assertThat(count(run, "deleted")).isEqualTo(1);
        assertThat(softDeleted()).containsExactly("Payer_9");
        assertThat(misses(FEED)).isEmpty();
    }
}
