package io.feedsync.upstream;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code source.rate-limit}: the upstream never sees more requests in a second than the feed allows
 * ({@code requests-per-second}), retries of failed pages included, nor a page requested while more
 * than {@code prefetch} pages wait for the writer; and the run still completes.
 */
class RateLimitTest extends FeedsyncTest {

    private static final int REQUESTS_PER_SECOND = 5;

    @Test
    void upstreamNeverSeesMoreRequestsASecondThanTheRateLimitRetriesIncluded() {
        upstream.dataset("plans", FakeUpstream.plans(30, "v1"));
        // pages 3 and 4 fail once first: their retries are requests like any other
        upstream.fail(request -> request.page() == 3, 503, 1);
        upstream.fail(request -> request.page() == 4, 503, 1);

        JsonNode run = api.run("plans-polite");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(30);
        List<FakeUpstream.Request> requests = upstream.requests();
        assertThat(requests.size()).as("16 pages (15 full, 1 empty) and 2 retries").isEqualTo(18);
        // feedsync holds every request until it is the only one in its second, by when it is sent;
        // the upstream sees them a little later, the first one (a new connection) latest — by more than
        // the jitter on a loaded machine, which shortens the windows it opens: those are not judged
        Duration jitter = Duration.ofMillis(250);
        for (int i = REQUESTS_PER_SECOND + 1; i < requests.size(); i++) {
            Duration window = Duration.between(requests.get(i - REQUESTS_PER_SECOND).at(), requests.get(i).at());
            assertThat(window).as("requests %d..%d: %d requests inside one second; requests: %s", i - REQUESTS_PER_SECOND,
                    i, REQUESTS_PER_SECOND + 1, requests.stream().map(r -> r.page() + "@" + r.at()).toList())
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1).minus(jitter));
        }
        Duration total = Duration.between(requests.get(0).at(), requests.get(requests.size() - 1).at());
        assertThat(total).as("18 requests at 5 a second").isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        Invariants.plans(jdbc, "plans-polite").check(upstream.dataset("plans"));
    }

    @Test
    void pagesAreFetchedAtMostPrefetchAheadOfTheWriter() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(30, "v1"));
        long runId;
        // the writer is held up: its first merge waits for this transaction's lock on the table
        try (Connection holder = jdbc.getDataSource().getConnection()) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("lock table test_plans in exclusive mode");
            runId = api.startRun("plans-polite", null);

            // page 1 is with the writer, page 2 read ahead of it (prefetch 1); page 3 waits
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requests().size() >= 2);
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .until(() -> upstream.requests().size() == 2);
            holder.rollback();
        }
        JsonNode run = api.awaitRun(runId);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(30);
        assertThat(upstream.requests()).hasSize(16);
    }

    @Test
    void feedWithoutRateLimitIsNotHeldBack() {
        upstream.dataset("plans", FakeUpstream.plans(30, "v1"));

        api.run("plans-paged");

        List<FakeUpstream.Request> requests = upstream.requests();
        assertThat(requests).hasSize(8);
        assertThat(Duration.between(requests.get(0).at(), requests.get(requests.size() - 1).at()))
                .as("8 requests, no limit").isLessThan(Duration.ofMillis(1_500));
    }
}
