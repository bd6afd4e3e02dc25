package io.feedsync.faults;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static io.feedsync.support.FakeUpstream.plan;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream whose records change while a run pages through it (page-number pagination, so
 * inserts and deletes shift the pages): the run completes without duplicates, its watermark
 * skips nothing, and the next runs converge on the upstream's latest content.
 */
class ChangingUpstreamTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");
    private static final Instant T1 = T0.plusSeconds(3600);
    private static final String FULL = "{\"mode\":\"full\"}";

    private Invariants invariants() {
        return Invariants.plans(jdbc, "faults-changing").softDelete("deleted_at");
    }

    private static List<ObjectNode> validated(int count, String version, Instant from) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            records.add(plan(id, version, from.plusSeconds(60L * id)));
        }
        return records;
    }

    @Test
    void recordsChangedWhileARunPagesThroughAreNeitherDuplicatedNorSkippedByTheWatermark() {
        upstream.dataset("plans", validated(9, "v1", T0));
        api.run("faults-changing", FULL);
        upstream.dataset("plans", validated(9, "v2", T1));
        // pages of 3; before page 2 is served, the upstream changes under the run
        upstream.changeBeforeServing(request -> request.page() == 2, () -> {
            Instant now = Instant.now();
            List<ObjectNode> records = upstream.dataset("plans");
            records.set(0, plan(1, "v3", now));                 // on page 1, already read
            records.set(7, plan(8, "v3", now.plusSeconds(1)));  // on page 3, not read yet, stamped later
            records.remove(5);                                  // record 6, on page 2
            records.add(0, plan(100, "v1", now));               // every later page shifts by one
        });

        JsonNode changing = api.run("faults-changing");

        assertThat(changing.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page).endsWith(1, 2, 3, 4);
        JsonNode counts = changing.get("counts");
        assertThat(counts.get("fetched").asLong()).as("pages [1 2 3] [3 4 5] [7 8 9] []").isEqualTo(9);
        assertThat(counts.get("updated").asLong()).isEqualTo(8);
        assertThat(counts.get("unchanged").asLong()).as("record 3, read twice, applied once").isEqualTo(1);
        assertThat(count("select count(*) from test_plans")).isEqualTo(9);
        assertThat(changing.get("watermark").asText())
                .as("record 8 was stamped during the run: the watermark stays below it, and below record 1's change")
                .isEqualTo(T1.plusSeconds(540).toString());
        invariants().checkConsistent(upstream.dataset("plans"));

        JsonNode incremental = api.run("faults-changing");

        assertThat(incremental.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(incremental.get("counts").get("inserted").asLong()).as("record 100").isEqualTo(1);
        assertThat(incremental.get("counts").get("updated").asLong()).as("record 1").isEqualTo(1);
        invariants().check(upstream.dataset("plans"));

        JsonNode full = api.run("faults-changing", FULL);

        assertThat(full.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(full.get("counts").get("pendingDeletes").asLong())
                .as("record 6, missed once: page pagination waits for a second full run").isEqualTo(1);
        JsonNode again = api.run("faults-changing", FULL);

        assertThat(again.get("counts").get("deleted").asLong()).as("record 6").isEqualTo(1);
        invariants().deletionsApplied().check(upstream.dataset("plans"));
    }

    @Test
    void recordThatSlipsPastAFullRunWhenAnEarlierOneIsDeletedIsNeitherSoftDeletedNorReported() {
        upstream.dataset("plans", validated(9, "v1", T0));
        api.run("faults-changing", FULL);
        // record 2 (page 1, already read) goes: record 4 moves up to page 1, and page 2 starts at 5
        upstream.changeBeforeServing(request -> request.page() == 2, () -> upstream.dataset("plans").remove(1));

        JsonNode changing = api.run("faults-changing", FULL);

        assertThat(changing.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(changing.get("counts").get("fetched").asLong()).as("pages [1 2 3] [5 6 7] [8 9]").isEqualTo(8);
        // page numbers (and offsets) give no snapshot: record 4 was never read, so this run took it
        // for gone, while record 2, read before it went, stays. soft-delete-after (2 with page
        // pagination) keeps record 4's row until a second full run in a row misses it too.
        assertThat(changing.get("counts").get("deleted").asLong()).isZero();
        assertThat(changing.get("counts").get("pendingDeletes").asLong()).as("record 4").isEqualTo(1);
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isZero();

        JsonNode next = api.run("faults-changing", FULL);

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("counts").get("updated").asLong()).as("record 4 was never deleted").isZero();
        assertThat(next.get("counts").get("pendingDeletes").asLong()).as("record 2, missed once").isEqualTo(1);

        JsonNode last = api.run("faults-changing", FULL);

        assertThat(last.get("counts").get("deleted").asLong()).as("record 2").isEqualTo(1);
        invariants().deletionsApplied().check(upstream.dataset("plans"));
    }
}
