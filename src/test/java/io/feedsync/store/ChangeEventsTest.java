package io.feedsync.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Change events: a run of a feed with a {@code notify} section (plans-notify, full, with
 * soft-delete and a delete marker) writes one event per row it changed, in the transaction of the
 * change, and the events say exactly what the table shows; unchanged records, dry runs, rolled-back
 * writes and feeds without {@code notify} make none.
 */
class ChangeEventsTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FEED = "plans-notify";

    @BeforeEach
    void noEvents() {
        // not truncate: the delivery routes lock rows of both tables as they go
        jdbc.update("delete from sync_change");
        jdbc.update("delete from sync_delivery");
    }

    private record Event(String op, JsonNode row) {
    }

    /** The run's events by key, in the order they were written. */
    private Map<String, Event> events(JsonNode run) throws Exception {
        Map<String, Event> events = new LinkedHashMap<>();
        for (Map<String, Object> event : jdbc.queryForList("select feed, op, record_key, row::text as row"
                + " from sync_change where run_id = ? order by id", run.get("runId").asLong())) {
            assertThat(event.get("feed")).isEqualTo(FEED);
            Event previous = events.put((String) event.get("record_key"),
                    new Event((String) event.get("op"), JSON.readTree((String) event.get("row"))));
            assertThat(previous).as("one event per key and run: " + event.get("record_key")).isNull();
        }
        return events;
    }

    /** The table's row of the key, as {@code to_jsonb} shows it. */
    private JsonNode row(String key) throws Exception {
        return JSON.readTree(jdbc.queryForObject("select to_jsonb(t)::text from test_plans t where epa_type = ?",
                String.class, key));
    }

    /** The row as it was before its soft-delete: the table's row, deleted_at still null. */
    private JsonNode rowBeforeDelete(String key) throws Exception {
        ObjectNode row = (ObjectNode) row(key);
        assertThat(row.get("deleted_at").isNull()).as(key + " is soft-deleted").isFalse();
        row.putNull("deleted_at");
        return row;
    }

    private static List<ObjectNode> plans(int from, int to, String version) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            records.add(FakeUpstream.plan(id, version));
        }
        return records;
    }

    private static long count(JsonNode run, String outcome) {
        return run.get("counts").get(outcome).asLong();
    }

    private JsonNode run() {
        JsonNode run = api.run(FEED);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
        return run;
    }

    @Test
    void insertedAndUpdatedRowsMakeOneEventEachWithTheRowAsTheTableHoldsIt() throws Exception {
        upstream.dataset("plans", plans(1, 6, "v1"));
        JsonNode first = run();

        Map<String, Event> inserted = events(first);
        assertThat(inserted).hasSize(6);
        for (int id = 1; id <= 6; id++) {
            Event event = inserted.get("Payer_" + id);
            assertThat(event.op()).isEqualTo("inserted");
            assertThat(event.row()).isEqualTo(row("Payer_" + id));
        }

        List<ObjectNode> changed = plans(1, 6, "v1");
        changed.set(1, FakeUpstream.plan(2, "v2"));
        changed.set(4, FakeUpstream.plan(5, "v2"));
        upstream.dataset("plans", changed);
        JsonNode second = run();

        assertThat(count(second, "updated")).isEqualTo(2);
        assertThat(count(second, "unchanged")).isEqualTo(4);
        Map<String, Event> updated = events(second);
        assertThat(updated.keySet()).as("unchanged records make no event").containsExactlyInAnyOrder("Payer_2", "Payer_5");
        for (String key : updated.keySet()) {
            assertThat(updated.get(key).op()).isEqualTo("updated");
            assertThat(updated.get(key).row()).isEqualTo(row(key));
            assertThat(updated.get(key).row().get("ncpdp_version").asText()).isEqualTo("v2");
        }

        assertThat(events(run())).as("the same export again changes nothing").isEmpty();
    }

    @Test
    void fullRunSoftDeleteMakesDeletedEventsWithTheRowBeforeAndTheRecordBackMakesRevived() throws Exception {
        upstream.dataset("plans", plans(1, 6, "v1"));
        run();
        List<ObjectNode> fourLeft = plans(1, 6, "v1");
        fourLeft.remove(5);
        fourLeft.remove(2);
        upstream.dataset("plans", fourLeft);

        JsonNode deleting = run();

        assertThat(count(deleting, "deleted")).isEqualTo(2);
        Map<String, Event> deleted = events(deleting);
        assertThat(deleted.keySet()).containsExactlyInAnyOrder("Payer_3", "Payer_6");
        for (String key : deleted.keySet()) {
            assertThat(deleted.get(key).op()).isEqualTo("deleted");
            assertThat(deleted.get(key).row()).isEqualTo(rowBeforeDelete(key));
        }

        List<ObjectNode> back = plans(1, 6, "v1");
        back.set(2, FakeUpstream.plan(3, "v2"));
        upstream.dataset("plans", back);
        JsonNode reviving = run();

        Map<String, Event> revived = events(reviving);
        assertThat(revived.keySet()).containsExactlyInAnyOrder("Payer_3", "Payer_6");
        for (String key : revived.keySet()) {
            assertThat(revived.get(key).op()).as(key).isEqualTo("revived");
            assertThat(revived.get(key).row()).isEqualTo(row(key));
            assertThat(revived.get(key).row().get("deleted_at").isNull()).isTrue();
        }
        assertThat(revived.get("Payer_3").row().get("ncpdp_version").asText()).isEqualTo("v2");
    }

    @Test
    void recordFlaggedDeletedMakesADeletedEventWithTheRowBefore() throws Exception {
        upstream.dataset("plans", plans(1, 4, "v1"));
        run();
        List<ObjectNode> flagged = plans(1, 4, "v1");
        flagged.get(1).put("is_deleted", true);
        upstream.dataset("plans", flagged);

        JsonNode run = run();

        assertThat(count(run, "deleted")).isEqualTo(1);
        Map<String, Event> events = events(run);
        assertThat(events.keySet()).containsExactly("Payer_2");
        assertThat(events.get("Payer_2").op()).isEqualTo("deleted");
        assertThat(events.get("Payer_2").row()).isEqualTo(rowBeforeDelete("Payer_2"));
    }

    @Test
    void dryRunMakesNoEvent() throws Exception {
        upstream.dataset("plans", plans(1, 6, "v1"));
        run();
        List<ObjectNode> changed = plans(1, 5, "v2");
        upstream.dataset("plans", changed);

        JsonNode dry = api.run(FEED, "{\"dryRun\": true}");

        assertThat(dry.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(dry, "updated")).isEqualTo(5);
        assertThat(count(dry, "deleted")).isEqualTo(1);
        assertThat(events(dry)).isEmpty();
        assertThat(count("select count(*) from sync_change")).as("only the first run's").isEqualTo(6);
    }

    @Test
    void recordsPostgresRejectsMakeNoEventWhileTheRestOfTheirChunkDo() throws Exception {
        List<ObjectNode> records = plans(1, 8, "v1");
        records.get(2).put("version", "rejected-by-db");
        records.get(5).put("id", "not-a-number");
        upstream.dataset("plans", records);

        JsonNode run = run();

        assertThat(count(run, "deadLettered")).isEqualTo(2);
        Map<String, Event> events = events(run);
        assertThat(events.keySet()).containsExactlyInAnyOrder("Payer_1", "Payer_2", "Payer_4", "Payer_5", "Payer_7",
                "Payer_8");
        assertThat(jdbc.queryForList("select epa_type from test_plans", String.class))
                .containsExactlyInAnyOrderElementsOf(events.keySet());
        for (String key : events.keySet()) {
            assertThat(events.get(key).row()).isEqualTo(row(key));
        }
    }

    @Test
    void feedWithoutNotifyMakesNoEvent() {
        upstream.dataset("plans", plans(1, 6, "v1"));

        JsonNode run = api.run("plans-full");

        assertThat(count(run, "inserted")).isEqualTo(6);
        assertThat(count("select count(*) from sync_change")).isZero();
    }
}
