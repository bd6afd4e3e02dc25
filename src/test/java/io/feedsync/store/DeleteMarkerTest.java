package io.feedsync.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream that says a record is deleted by a flag on it ({@code is_deleted: true},
 * {@code status: "removed"}; feed plans-markers) soft-deletes exactly that record's row, in any
 * mode, counted as deleted; the same marker again changes nothing, and the record back without
 * it revives the row.
 */
class DeleteMarkerTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");
    private static final Instant T1 = T0.plusSeconds(3600);
    private static final Instant T2 = T0.plusSeconds(7200);

    private static ObjectNode plan(int id, Instant validatedAt) {
        return FakeUpstream.plan(id, "v1", validatedAt);
    }

    /** The whole record, flagged. */
    private static ObjectNode flagged(int id, Instant validatedAt) {
        ObjectNode record = plan(id, validatedAt);
        record.put("is_deleted", true);
        return record;
    }

    /** A tombstone: the key, the flag and the cursor, none of the columns the mapping needs. */
    private static ObjectNode removed(int id, Instant validatedAt) {
        ObjectNode record = JSON.createObjectNode();
        record.put("key", "Payer_" + id);
        record.put("status", "removed");
        record.put("last_validated_at", validatedAt.toString());
        return record;
    }

    private static List<ObjectNode> validated(int from, int to) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = from; id <= to; id++) {
            records.add(plan(id, T0.plusSeconds(60L * id)));
        }
        return records;
    }

    private List<Integer> deletedIds() {
        return jdbc.queryForList("select gateway_id from test_plans where deleted_at is not null order by gateway_id",
                Integer.class);
    }

    private Timestamp deletedAt(int id) {
        return jdbc.queryForObject("select deleted_at from test_plans where gateway_id = ?", Timestamp.class, id);
    }

    private static long count(JsonNode run, String outcome) {
        return run.get("counts").get(outcome).asLong();
    }

    private static List<String> sample(JsonNode run, String outcome) {
        List<String> keys = new ArrayList<>();
        run.get("samples").get(outcome).forEach(key -> keys.add(key.asText()));
        return keys;
    }

    private String table() {
        return jdbc.queryForList("select t::text from test_plans t order by epa_type", String.class).toString();
    }

    /** Six rows loaded, then Payer_2 flagged and Payer_5 removed (a tombstone), and Payer_7 new. */
    private JsonNode deleteTwoOfSix() {
        upstream.dataset("plans", validated(1, 6));
        assertThat(count(api.run("plans-markers"), "inserted")).isEqualTo(6);
        upstream.dataset("plans", markTwoOfSix());
        return api.run("plans-markers");
    }

    private static List<ObjectNode> markTwoOfSix() {
        List<ObjectNode> next = new ArrayList<>(validated(1, 6));
        next.set(1, flagged(2, T1));
        next.set(4, removed(5, T1));
        next.add(plan(7, T1));
        return next;
    }

    @Test
    void recordsFlaggedDeletedSoftDeleteExactlyTheirRowsInAnIncrementalRun() {
        JsonNode run = deleteTwoOfSix();

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("mode").asText()).isEqualTo("incremental");
        assertThat(count(run, "fetched")).as("Payer_6 at the watermark, the two marked, Payer_7").isEqualTo(4);
        assertThat(count(run, "deleted")).isEqualTo(2);
        assertThat(count(run, "inserted")).isEqualTo(1);
        assertThat(count(run, "unchanged")).isEqualTo(1);
        assertThat(count(run, "updated")).isZero();
        assertThat(count(run, "deadLettered")).as("the tombstone maps no version, and needs none").isZero();
        assertThat(sample(run, "deleted")).containsExactlyInAnyOrder("Payer_2", "Payer_5");
        assertThat(deletedIds()).containsExactly(2, 5);
        assertThat(count("select count(*) from test_plans")).as("never hard-deleted").isEqualTo(7);
        assertThat(jdbc.queryForMap("select ncpdp_version, gateway_id from test_plans where epa_type = 'Payer_5'"))
                .as("only the soft-delete column is written").isEqualTo(Map.of("ncpdp_version", "v1", "gateway_id", 5));
        Map<String, Object> row = jdbc.queryForMap("select deleted, inserted, unchanged, samples->'deleted' as sample"
                + " from sync_run where id = ?", run.get("runId").asLong());
        assertThat(row.get("deleted")).isEqualTo(2L);
        assertThat(row.get("inserted")).isEqualTo(1L);
        assertThat(row.get("unchanged")).isEqualTo(1L);
        assertThat(row.get("sample").toString()).contains("Payer_2").contains("Payer_5");
    }

    @Test
    void theSameMarkersAgainAreUnchangedAndDeleteNothing() {
        deleteTwoOfSix();
        Timestamp deletedAt = deletedAt(2);

        JsonNode again = api.run("plans-markers");

        assertThat(again.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(again, "fetched")).as("the two marked and Payer_7, at the watermark").isEqualTo(3);
        assertThat(count(again, "deleted")).isZero();
        assertThat(count(again, "unchanged")).isEqualTo(3);
        assertThat(sample(again, "deleted")).isEmpty();
        assertThat(deletedIds()).containsExactly(2, 5);
        assertThat(deletedAt(2)).as("the deletion time is the first marker's").isEqualTo(deletedAt);
    }

    @Test
    void recordBackWithoutItsMarkerRevivesItsRowAsUpdated() {
        deleteTwoOfSix();
        List<ObjectNode> back = markTwoOfSix();
        back.set(1, plan(2, T2));
        upstream.dataset("plans", back);

        JsonNode run = api.run("plans-markers");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(run, "updated")).isEqualTo(1);
        assertThat(sample(run, "updated")).containsExactly("Payer_2");
        assertThat(count(run, "deleted")).isZero();
        assertThat(deletedIds()).containsExactly(5);
    }

    @Test
    void markersOfAnyConfiguredKindCountAndTheOthersAreOrdinaryValues() {
        upstream.dataset("plans", validated(1, 5));
        api.run("plans-markers");
        List<ObjectNode> next = validated(1, 5);
        next.set(0, flagged(1, T1));
        next.set(1, removed(2, T1));
        // near misses: another status, and the text "true" where the marker is the boolean
        next.set(2, plan(3, T1).put("status", "active"));
        next.set(3, plan(4, T1).put("is_deleted", "true"));
        next.set(4, plan(5, T1).put("is_deleted", false));
        upstream.dataset("plans", next);

        JsonNode run = api.run("plans-markers");

        assertThat(count(run, "deleted")).isEqualTo(2);
        assertThat(deletedIds()).containsExactly(1, 2);
    }

    @Test
    void markerForAKeyTheTableNeverHadDeletesNothingAndLosesNothing() {
        upstream.dataset("plans", validated(1, 3));
        api.run("plans-markers");
        List<ObjectNode> next = new ArrayList<>(validated(1, 3));
        next.add(flagged(99, T1));
        upstream.dataset("plans", next);

        JsonNode marked = api.run("plans-markers");

        assertThat(marked.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(marked, "deleted")).isZero();
        assertThat(count(marked, "inserted")).isZero();
        assertThat(count(marked, "unchanged")).as("Payer_3 at the watermark and the marker").isEqualTo(2);
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
        assertThat(deletedIds()).isEmpty();

        next.set(3, plan(99, T2));
        upstream.dataset("plans", next);
        JsonNode arrived = api.run("plans-markers");

        assertThat(count(arrived, "inserted")).isEqualTo(1);
        assertThat(count("select count(*) from test_plans where epa_type = 'Payer_99' and deleted_at is null"))
                .isEqualTo(1);
    }

    @Test
    void dryRunCountsTheMarkedDeletesExactlyAndWritesNothing() {
        upstream.dataset("plans", validated(1, 6));
        api.run("plans-markers");
        upstream.dataset("plans", markTwoOfSix());
        String table = table();
        List<String> hashes = jdbc.queryForList("select record_key || ':' || content_hash from sync_record_hash"
                + " order by record_key", String.class);

        JsonNode dry = api.run("plans-markers", "{\"dryRun\": true}");

        assertThat(dry.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(count(dry, "deleted")).isEqualTo(2);
        assertThat(sample(dry, "deleted")).containsExactlyInAnyOrder("Payer_2", "Payer_5");
        assertThat(table()).as("a dry run writes nothing").isEqualTo(table);
        assertThat(jdbc.queryForList("select record_key || ':' || content_hash from sync_record_hash"
                + " order by record_key", String.class)).as("nor remembers anything").isEqualTo(hashes);
        assertThat(jdbc.queryForObject("select deleted from sync_run where id = ?", Long.class,
                dry.get("runId").asLong())).isEqualTo(2L);

        JsonNode real = api.run("plans-markers");

        assertThat(dry.get("counts")).as("the dry run predicts the real one").isEqualTo(real.get("counts"));
        assertThat(deletedIds()).containsExactly(2, 5);
    }

    @Test
    void fullRunThatSeesAMarkerDeletesItsRowOnceAndSweepsTheRest() {
        upstream.dataset("plans", validated(1, 10));
        api.run("plans-markers");
        List<ObjectNode> next = new ArrayList<>(validated(1, 10));
        next.set(2, flagged(3, T1));
        next.remove(7);
        upstream.dataset("plans", next);

        JsonNode dry = api.run("plans-markers", "{\"mode\": \"full\", \"dryRun\": true}");
        JsonNode full = api.run("plans-markers", "{\"mode\": \"full\"}");

        assertThat(full.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(full, "fetched")).isEqualTo(9);
        assertThat(count(full, "deleted")).as("Payer_3 marked, Payer_8 gone; each once").isEqualTo(2);
        assertThat(count(full, "unchanged")).isEqualTo(8);
        assertThat(sample(full, "deleted")).containsExactlyInAnyOrder("Payer_3", "Payer_8");
        assertThat(deletedIds()).containsExactly(3, 8);
        assertThat(dry.get("counts")).as("the dry run predicts it").isEqualTo(full.get("counts"));
        assertThat(count("select count(*) from sync_seen_key")).isZero();
    }

    @Test
    void driftCheckCountsARowMarkedUpstreamButLiveHereAsExtraAndWritesNothing() {
        upstream.dataset("plans", validated(1, 4));
        api.run("plans-markers");
        List<ObjectNode> next = validated(1, 4);
        next.set(1, flagged(2, T1));
        upstream.dataset("plans", next);
        String table = table();

        JsonNode drift = api.awaitDrift(api.startDrift("plans-markers"));

        assertThat(drift.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(drift.get("extraLocally").get("count").asLong()).isEqualTo(1);
        assertThat(drift.get("extraLocally").get("sample")).extracting(JsonNode::asText).containsExactly("Payer_2");
        assertThat(drift.get("same").asLong()).isEqualTo(3);
        assertThat(drift.get("drift").asLong()).isEqualTo(1);
        assertThat(table()).as("nothing written").isEqualTo(table);

        api.run("plans-markers");
        JsonNode after = api.awaitDrift(api.startDrift("plans-markers"));

        assertThat(after.get("drift").asLong()).as("the row is deleted here too").isZero();
        assertThat(after.get("same").asLong()).isEqualTo(4);
    }

    @Test
    void theDeletionGuardDoesNotHoldBackWhatTheUpstreamSaysIsDeleted() {
        upstream.dataset("plans", validated(1, 5));
        api.run("plans-markers");
        List<ObjectNode> next = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            next.add(flagged(id, T1));
        }
        upstream.dataset("plans", next);

        JsonNode run = api.run("plans-markers");

        assertThat(run.get("status").asText()).as("80% of the rows, above the 20% guard").isEqualTo("SUCCEEDED");
        assertThat(count(run, "deleted")).isEqualTo(4);
        assertThat(deletedIds()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void withinOneExportTheLatestRecordOfAKeyWins() {
        upstream.dataset("plans", validated(1, 3));
        api.run("plans-markers");
        upstream.dataset("plans", List.of(
                flagged(1, T1), FakeUpstream.plan(1, "v2", T1.plusSeconds(1)),
                plan(2, T1), flagged(2, T1.plusSeconds(1))));

        JsonNode run = api.run("plans-markers");

        assertThat(count(run, "deleted")).isEqualTo(1);
        assertThat(count(run, "updated")).isEqualTo(1);
        assertThat(count(run, "unchanged")).as("the two superseded").isEqualTo(2);
        assertThat(deletedIds()).containsExactly(2);
        assertThat(jdbc.queryForObject("select ncpdp_version from test_plans where gateway_id = 1", String.class))
                .isEqualTo("v2");
    }

    @Test
    void markedRecordWithoutItsKeyIsDeadLetteredAndDeletesNothing() {
        upstream.dataset("plans", validated(1, 3));
        api.run("plans-markers");
        List<ObjectNode> next = new ArrayList<>(validated(1, 3));
        ObjectNode keyless = flagged(2, T1);
        keyless.remove("key");
        next.add(keyless);
        upstream.dataset("plans", next);

        JsonNode run = api.run("plans-markers");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(run, "deadLettered")).isEqualTo(1);
        assertThat(count(run, "deleted")).isZero();
        assertThat(jdbc.queryForObject("select error_message from sync_dead_letter", String.class))
                .contains("no value for key column 'epa_type'");
        assertThat(deletedIds()).isEmpty();
    }

    @Test
    void markerSettlesTheDeadLettersOfItsKeySoThatNoReplayBringsTheRecordBack() {
        List<ObjectNode> first = validated(1, 3);
        first.get(2).put("version", "rejected-by-db");
        upstream.dataset("plans", first);
        assertThat(count(api.run("plans-markers"), "deadLettered")).isEqualTo(1);
        List<ObjectNode> next = validated(1, 3);
        next.set(2, flagged(3, T1));
        upstream.dataset("plans", next);

        JsonNode run = api.run("plans-markers");

        assertThat(count(run, "deleted")).as("Payer_3 never landed").isZero();
        assertThat(jdbc.queryForObject("select replay_run_id from sync_dead_letter where record_key = 'Payer_3'",
                Long.class)).as("settled by the run that saw the marker").isEqualTo(run.get("runId").asLong());
        assertThat(count("select count(*) from test_plans where epa_type = 'Payer_3'")).isZero();
    }

    @Test
    void mapperBeanThatRejectsATombstoneButNamesItsKeySoftDeletesTheParentRowOnly() {
        upstream.dataset("clients", List.of(client(1), client(2)));
        api.run("epa-clients-markers");
        ObjectNode tombstone = JSON.createObjectNode();
        tombstone.put("key", "Plan_1");
        tombstone.put("is_deleted", true);
        upstream.dataset("clients", List.of(tombstone, client(2)));

        JsonNode run = api.run("epa-clients-markers");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count(run, "deadLettered")).as("epaClientMapper wants a version and an id; a marker needs neither")
                .isZero();
        assertThat(count(run, "deleted")).isEqualTo(1);
        assertThat(count(run, "unchanged")).isEqualTo(1);
        assertThat(jdbc.queryForList("select epa_type from epa_plans where deleted_at is not null", String.class))
                .containsExactly("Plan_1");
        assertThat(count("select count(*) from epa_auth_configs where epa_type = 'Plan_1'"))
                .as("the child rows stay").isEqualTo(1);
        assertThat(count("select count(*) from epa_certificates where epa_type = 'Plan_1'")).isEqualTo(1);
        assertThat(count("select count(*) from epa_partners where name = 'Plan'")).isEqualTo(1);
    }

    private static ObjectNode client(int id) {
        ObjectNode client = JSON.createObjectNode();
        client.put("id", id);
        client.put("key", "Plan_" + id);
        client.put("version", "v2014041");
        client.put("incoming_username", "plan" + id + "_in");
        client.put("outgoing_url", "https://plan" + id + ".example.org/epa");
        ObjectNode certificate = client.putArray("client_certificates").addObject();
        certificate.put("id", 100 + id);
        certificate.put("direction", "incoming");
        return client;
    }
}
