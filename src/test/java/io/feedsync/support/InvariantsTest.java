package io.feedsync.support;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
}
