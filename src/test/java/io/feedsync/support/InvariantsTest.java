package io.feedsync.support;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link Invariants} catch what they promise to: after a real run, each case breaks one
 * thing the way a bug would, and the check fails on it.
 */
class InvariantsTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    private List<ObjectNode> withKeylessThird() {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            records.add(FakeUpstream.plan(id, "v1", T0.plusSeconds(60L * id)));
        }
        records.get(2).remove("key");
        upstream.dataset("plans", records);
        return records;
    }

    @Test
    void recordWithoutItsKeyMustBeInTheDeadLetters() {
        List<ObjectNode> records = withKeylessThird();
        api.run("plans-single");
        Invariants invariants = Invariants.plans(jdbc, "plans-single");
        invariants.check(records);

        jdbc.update("delete from sync_dead_letter");

        assertThatThrownBy(() -> invariants.check(records)).hasMessageContaining("dead letters");
    }

    @Test
    void deadLetterOfARecordWithoutItsKeyIsKnownByItsWholePayload() {
        List<ObjectNode> records = withKeylessThird();
        api.run("plans-single");

        jdbc.update("update sync_dead_letter set payload = jsonb_set(payload, '{version}', '\"v0\"')");

        assertThatThrownBy(() -> Invariants.plans(jdbc, "plans-single").check(records))
                .hasMessageContaining("dead letters");
    }

    @Test
    void letterMarkedReplayedWhileItsRecordIsNotInTheTableFails() {
        List<ObjectNode> records = withKeylessThird();
        api.run("plans-single");

        jdbc.update("update sync_dead_letter set replayed_at = now()");

        assertThatThrownBy(() -> Invariants.plans(jdbc, "plans-single").check(records))
                .hasMessageContaining("dead letters");
    }

    @Test
    void feedsSharingATableMustTogetherReportTheRowsInIt() {
        List<ObjectNode> records = withKeylessThird();
        api.run("plans-incremental");
        api.run("plans-incremental-advance");
        Invariants invariants = Invariants.plans(jdbc, "plans-incremental-advance")
                .tableSharedWith("plans-incremental");
        invariants.check(records);

        jdbc.update("update sync_run set inserted = inserted + 1 where feed = 'plans-incremental'");

        assertThatThrownBy(() -> invariants.check(records)).hasMessageContaining("rows the runs say they inserted");
    }

    @Test
    void abandonedRunMayReportFewerInsertsThanItCommittedButNeverMore() {
        List<ObjectNode> records = FakeUpstream.plans(6, "v1");
        upstream.dataset("plans", records);
        api.run("plans-single");
        Invariants invariants = Invariants.plans(jdbc, "plans-single");

        jdbc.update("update sync_run set status = 'ABANDONED', error_class = 'TRANSIENT', inserted = 4");
        invariants.check(records);
        jdbc.update("update sync_run set inserted = 7");

        assertThatThrownBy(() -> invariants.check(records)).hasMessageContaining("one abandoned");
        assertThat(count("select count(*) from test_plans")).isEqualTo(6);
    }

    /** plans-markers' upstream after a first load of six: Payer_2 flagged, Payer_5 a tombstone, Payer_7 new. */
    private List<ObjectNode> markedAfterALoadOfSix() {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= 6; id++) {
            records.add(FakeUpstream.plan(id, "v1", T0.plusSeconds(60L * id)));
        }
        upstream.dataset("plans", records);
        api.run("plans-markers");
        List<ObjectNode> marked = new ArrayList<>(records);
        marked.set(1, FakeUpstream.plan(2, "v1", T0.plusSeconds(3600)).put("is_deleted", true));
        marked.set(4, JsonNodeFactory.instance.objectNode().put("key", "Payer_5").put("status", "removed")
                .put("last_validated_at", T0.plusSeconds(3600).toString()));
        marked.add(FakeUpstream.plan(7, "v1", T0.plusSeconds(3600)));
        upstream.dataset("plans", marked);
        api.run("plans-markers");
        return marked;
    }

    private Invariants markers() {
        return Invariants.plans(jdbc, "plans-markers").softDelete("deleted_at")
                .deleteMarker("/is_deleted", true).deleteMarker("/status", "removed");
    }

    @Test
    void recordsMarkedDeletedHaveTheirRowsSoftDeletedAndCountAsDeleted() {
        List<ObjectNode> records = markedAfterALoadOfSix();
        Invariants invariants = markers();
        invariants.check(records);

        jdbc.update("update test_plans set deleted_at = null where epa_type = 'Payer_2'");

        assertThatThrownBy(() -> invariants.check(records)).hasMessageContaining("marked deleted, is soft-deleted");
    }

    @Test
    void markerDeletesMustAddUpWithTheOtherCounts() {
        List<ObjectNode> records = markedAfterALoadOfSix();
        Invariants invariants = markers();
        invariants.check(records);

        jdbc.update("update sync_run set deleted = deleted - 1 where feed = 'plans-markers' and deleted > 0");

        assertThatThrownBy(() -> invariants.check(records)).hasMessageContaining("deleted (by markers)");
    }

    @Test
    void aMarkerIsComparedAsJsonAndOnlyConfiguredMarkersCount() {
        List<ObjectNode> records = markedAfterALoadOfSix();

        assertThatThrownBy(() -> Invariants.plans(jdbc, "plans-markers").softDelete("deleted_at")
                .deleteMarker("/is_deleted", "true").deleteMarker("/status", "removed").check(records))
                .as("the text \"true\" is not the flag: Payer_2 would have to be alive")
                .hasMessageContaining("row of upstream record Payer_2");
    }
}
