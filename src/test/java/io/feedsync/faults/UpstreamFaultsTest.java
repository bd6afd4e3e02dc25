package io.feedsync.faults;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream faults through the real routes, each case ending with the {@link Invariants}: errors
 * at random pages, and connections reset in the middle of a page's body.
 */
class UpstreamFaultsTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    private static List<ObjectNode> validated(int count, String version, Instant from) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            records.add(FakeUpstream.plan(id, version, from.plusSeconds(60L * id)));
        }
        return records;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 42, 2026})
    void serverErrorsAndTooManyRequestsAtRandomPagesAreRetriedAndEverythingLandsOnce(long seed) {
        Random random = new Random(seed);
        int pages = 12;
        upstream.dataset("plans", FakeUpstream.plans(pages * 4 - 1, "v1"));
        int[] failures = new int[pages + 1];
        for (int page = 1; page <= pages; page++) {
            int page_ = page;
            // up to two failures per page: the feed tries each page three times
            failures[page] = random.nextInt(3);
            for (int i = 0; i < failures[page]; i++) {
                if (random.nextBoolean()) {
                    upstream.fail(request -> request.page() == page_, 500, 1);
                } else {
                    upstream.fail(request -> request.page() == page_, 429, "{\"error\":\"slow down\"}",
                            Map.of("Retry-After", "0"), 1);
                }
            }
        }

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).as("seed %d", seed).isEqualTo("SUCCEEDED");
        assertThat(run.get("pages").asInt()).isEqualTo(pages);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(pages * 4 - 1);
        for (int page = 1; page <= pages; page++) {
            int page_ = page;
            assertThat(upstream.requests().stream().filter(request -> request.page() == page_))
                    .as("seed %d: requests for page %d", seed, page).hasSize(failures[page] + 1);
        }
        Invariants.plans(jdbc, "plans").check(upstream.dataset("plans"));
    }

    @Test
    void connectionResetMidBodyIsRetriedAndTheRunCompletesWithEverythingOnce() {
        upstream.dataset("plans", validated(10, "v1", T0));
        upstream.resetMidBody(request -> request.page() == 2, 1);

        JsonNode run = api.run("faults-raw");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page).containsExactly(1, 2, 2, 3);
        JsonNode counts = run.get("counts");
        assertThat(counts.get("inserted").asLong()).isEqualTo(10);
        assertThat(counts.get("fetched").asLong())
                .as("the records page 2 gave before the reset are read again, but counted once")
                .isEqualTo(10);
        assertThat(counts.get("unchanged").asLong()).isZero();
        assertThat(run.get("watermark").asText()).isEqualTo(T0.plusSeconds(600).toString());
        Invariants.plans(jdbc, "faults-raw").check(upstream.dataset("plans"));
    }

    @Test
    void connectionResetOnEveryAttemptFailsTheRunAsTransientAndTheWatermarkStays() {
        upstream.dataset("plans", validated(10, "v1", T0));
        api.run("faults-raw");
        Invariants invariants = Invariants.plans(jdbc, "faults-raw");
        String watermark = invariants.watermark();
        upstream.dataset("plans", validated(10, "v2", T0.plusSeconds(3600)));
        upstream.resetMidBodyAlways(request -> request.page() == 2);
        int before = upstream.requests().size();

        JsonNode failed = api.run("faults-raw");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("message").asText()).startsWith("connection broke while reading the page");
        assertThat(failed.get("error").get("url").asText()).contains("page=2");
        assertThat(upstream.requests().subList(before, upstream.requests().size()))
                .extracting(FakeUpstream.Request::page)
                .as("page 1 once, page 2 three times (source.retry.max-attempts)").containsExactly(1, 2, 2, 2);
        assertThat(failed.get("pages").asInt()).isEqualTo(1);
        assertThat(invariants.watermark()).as("page 1 is committed, but the run failed").isEqualTo(watermark);
        // faults-raw writes chunks of one record: those page 2 gave before it broke are written too
        int landed = count("select count(*) from test_plans where ncpdp_version = 'v2'");
        assertThat(landed).as("page 1, and the records page 2 gave before it broke").isBetween(4, 7);
        invariants.checkConsistent(upstream.dataset("plans"));

        upstream.reset();
        upstream.dataset("plans", validated(10, "v2", T0.plusSeconds(3600)));
        JsonNode next = api.run("faults-raw");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("counts").get("updated").asLong()).isEqualTo(10 - landed);
        invariants.check(upstream.dataset("plans"));
    }

    /** Records 1..count at {@code from}, those of {@code flagged} marked deleted, Payer_5 as a tombstone if named. */
    static List<ObjectNode> marked(int count, String version, Instant from, List<Integer> flagged) {
        List<ObjectNode> records = validated(count, version, from);
        for (int id : flagged) {
            ObjectNode record = records.get(id - 1);
            if (id == 5) {
                record.removeAll();
                record.put("key", "Payer_5").put("status", "removed")
                        .put("last_validated_at", from.plusSeconds(60L * id).toString());
            } else {
                record.put("is_deleted", true);
            }
        }
        return records;
    }

    static Invariants markerInvariants(org.springframework.jdbc.core.JdbcTemplate jdbc) {
        return Invariants.plans(jdbc, "plans-markers").softDelete("deleted_at")
                .deleteMarker("/is_deleted", true).deleteMarker("/status", "removed");
    }

    @Test
    void pagesCarryingDeleteMarkersReadAgainAfterTransientFailuresDeleteEachMarkedRowOnce() {
        Invariants invariants = markerInvariants(jdbc);
        upstream.dataset("plans", validated(8, "v1", T0));
        api.run("plans-markers");
        upstream.dataset("plans", marked(8, "v2", T0.plusSeconds(3600), List.of(3, 5, 6)));
        upstream.fail(request -> request.page() == 2, 500, 1);

        JsonNode retried = api.run("plans-markers");

        assertThat(retried.get("status").asText()).as(retried.toString()).isEqualTo("SUCCEEDED");
        assertThat(retried.get("counts").get("deleted").asLong()).isEqualTo(3);
        invariants.check(upstream.dataset("plans"));

        upstream.dataset("plans", marked(8, "v3", T0.plusSeconds(7200), List.of(1, 3, 5, 6, 8)));
        upstream.fail(request -> request.page() == 2, 500, 2);
        JsonNode failed = api.run("plans-markers");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        invariants.checkConsistent(upstream.dataset("plans"));

        JsonNode next = api.run("plans-markers");

        assertThat(next.get("status").asText()).as(next.toString()).isEqualTo("SUCCEEDED");
        assertThat(jdbc.queryForList("select gateway_id from test_plans where deleted_at is not null order by 1",
                Integer.class)).containsExactly(1, 3, 5, 6, 8);
        assertThat(count("select sum(deleted) from sync_run where feed = 'plans-markers'"))
                .as("each marked row deleted once, by one run").isEqualTo(5);
        invariants.check(upstream.dataset("plans"));
    }
}
