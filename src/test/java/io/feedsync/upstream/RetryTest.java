package io.feedsync.upstream;

import java.time.Duration;
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
 * Transient upstream failures are retried by the route's error policy; permanent ones are not.
 * Each case ends with the {@link Invariants}, after the next clean run where that is what makes
 * the table converge.
 */
class RetryTest extends FeedsyncTest {

    /** The fault cleared: the upstream answers again, with {@code records}. */
    private void nextCleanRun(String feed, List<ObjectNode> records) {
        upstream.reset();
        upstream.dataset("plans", records);
        assertThat(api.run(feed).get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void tooManyRequestsWithRetryAfterIsRetriedAfterTheWaitItAskedFor() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.fail(request -> true, 429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "1"), 1);

        JsonNode run = api.run("plans-single");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        List<FakeUpstream.Request> requests = upstream.requests();
        assertThat(requests).hasSize(2);
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        Invariants.plans(jdbc, "plans-single").check(upstream.dataset("plans"));
    }

    @Test
    void serviceUnavailableTwiceThenOkSucceeds() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.fail(request -> true, 503, 2);

        JsonNode run = api.run("plans-single");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(upstream.requests()).hasSize(3);
        Invariants.plans(jdbc, "plans-single").check(upstream.dataset("plans"));
    }

    @Test
    void serviceUnavailableForeverFailsTransientAfterTheConfiguredAttempts() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.failAlways(request -> true, 503);

        JsonNode run = api.run("plans-single");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(run.get("error").get("httpStatus").asInt()).isEqualTo(503);
        assertThat(upstream.requests()).as("source.retry.max-attempts: 3").hasSize(3);
        Invariants invariants = Invariants.plans(jdbc, "plans-single");
        invariants.checkConsistent(upstream.dataset("plans"));

        nextCleanRun("plans-single", FakeUpstream.plans(3, "v1"));

        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void backoffGrowsBetweenAttempts() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        upstream.failAlways(request -> true, 502);

        api.run("plans-single");

        List<FakeUpstream.Request> requests = upstream.requests();
        // initial-backoff 20ms, doubled, half of it jittered: waits of 10..20 ms then 20..40 ms
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(10));
        assertThat(Duration.between(requests.get(1).at(), requests.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    }

    @Test
    void notFoundFailsPermanentWithoutRetry() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.failAlways(request -> true, 404);

        JsonNode run = api.run("plans-single");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(upstream.requests()).hasSize(1);
        Invariants invariants = Invariants.plans(jdbc, "plans-single");
        invariants.checkConsistent(upstream.dataset("plans"));

        nextCleanRun("plans-single", FakeUpstream.plans(3, "v1"));

        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void failureOnALaterPageRetriesOnlyThatPage() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        upstream.fail(request -> request.page() == 2, 500, 1);

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(10);
        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page).containsExactly(1, 2, 2, 3);
        Invariants.plans(jdbc, "plans").check(upstream.dataset("plans"));
    }

    @Test
    void retriesAreCountedPerPageNotPerRun() {
        upstream.dataset("plans", FakeUpstream.plans(10, "v1"));
        for (int page = 1; page <= 3; page++) {
            int failing = page;
            upstream.fail(request -> request.page() == failing, 503, 2);
        }

        JsonNode run = api.run("plans");

        assertThat(run.get("status").asText()).as("two failures per page, max-attempts 3: each page's third try")
                .isEqualTo("SUCCEEDED");
        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page)
                .containsExactly(1, 1, 1, 2, 2, 2, 3, 3, 3);
    }

    @Test
    void connectionRefusedIsRetriedThenFailsTransient() {
        JsonNode run = api.run("plans-unreachable");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        // the feed's URL is its configuration: no clean run can follow, the upstream gave nothing
        Invariants.plans(jdbc, "plans-unreachable").checkConsistent(List.of());
    }

    @Test
    void readTimeoutOfTheFeedIsTransientAndRetried() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        upstream.delay(Duration.ofMillis(1200));

        JsonNode run = api.run("plans-slow");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(run.get("error").get("message").asText()).contains("upstream unreachable").containsIgnoringCase("timeout");
        assertThat(upstream.requests()).as("source.retry.max-attempts: 2").hasSize(2);
        assertThat(Duration.between(run.get("startedAt").asText().isEmpty() ? java.time.Instant.now()
                : java.time.Instant.parse(run.get("startedAt").asText()), java.time.Instant.parse(run.get("finishedAt").asText())))
                .as("the 300 ms timeout, not the upstream's 1.2 s, bounds each attempt").isLessThan(Duration.ofMillis(2000));
        Invariants invariants = Invariants.plans(jdbc, "plans-slow");
        invariants.checkConsistent(upstream.dataset("plans"));

        nextCleanRun("plans-slow", FakeUpstream.plans(1, "v1"));

        invariants.check(upstream.dataset("plans"));
    }
}
