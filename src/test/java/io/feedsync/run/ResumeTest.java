package io.feedsync.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs that resume where an unfinished run stopped: a run that fails for a transient
 * reason after its retries leaves a checkpoint after its last committed page, and the feed's next
 * run in the same mode starts there — unless it asks for a restart, the checkpoint is too old, or
 * the failure was permanent. (A killed node's run resumes too: {@link KilledNodeTest}.)
 */
class ResumeTest extends FeedsyncTest {

    private static final String FEED = "plans-resumable";

    private List<Integer> pagesRequested() {
        return upstream.requests().stream().filter(r -> r.path().startsWith("/page/")).map(FakeUpstream.Request::page)
                .toList();
    }

    private JsonNode failAtPage(String feed, int page, int status, int attempts) {
        upstream.fail(request -> request.page() == page, status, attempts);
        JsonNode failed = api.run(feed);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        return failed;
    }

    @Test
    void aFullRunThatFailedPartWayIsResumedAfterItsLastCommittedPageAndSoftDeletesOnlyWhatNoAttemptSaw() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));
        assertThat(api.run(FEED).get("counts").get("inserted").asLong()).isEqualTo(20);
        // the upstream drops its last two records and changes one on every page
        List<ObjectNode> next = new ArrayList<>(FakeUpstream.plans(18, "v1"));
        for (int id : new int[] {2, 6, 10, 14, 18}) {
            next.set(id - 1, FakeUpstream.plan(id, "v2"));
        }
        upstream.dataset("plans", next);
        JsonNode failed = failAtPage(FEED, 3, 503, 2);
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(jdbc.queryForObject("select (checkpoint->>'pages')::int from sync_run where id = ?", Integer.class,
                failed.get("runId").asLong())).as("pages 1 and 2 committed").isEqualTo(2);
        int requestsBefore = upstream.requests().size();

        JsonNode resumed = api.run(FEED);

        assertThat(resumed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(pagesRequested().subList(requestsBefore, upstream.requests().size()))
                .as("the resumed run starts at the page that failed").containsExactly(3, 4, 5);
        JsonNode counts = resumed.get("counts");
        assertThat(counts.get("fetched").asLong()).as("pages 3 to 5: its own records only").isEqualTo(10);
        assertThat(counts.get("updated").asLong()).as("plans 10, 14, 18").isEqualTo(3);
        assertThat(counts.get("deleted").asLong()).as("plans 19 and 20 only: 1 to 8 were seen by the failed run")
                .isEqualTo(2);
        assertThat(jdbc.queryForList("select epa_type from test_plans where deleted_at is not null order by epa_type",
                String.class)).containsExactly("Payer_19", "Payer_20");
        assertThat(jdbc.queryForObject("select count(*) from test_plans where ncpdp_version = 'v2'", Integer.class))
                .as("what the failed run committed stays, what it did not is written by the resumed one").isEqualTo(5);
        Invariants.plans(jdbc, FEED).check(next);
    }

    @Test
    void restartTrueStartsFromTheFirstPageDespiteTheCheckpoint() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));
        failAtPage(FEED, 4, 500, 2);
        int requestsBefore = upstream.requests().size();

        JsonNode restarted = api.run(FEED, "{\"restart\": true}");

        assertThat(restarted.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(restarted.get("resumedFrom").isNull()).isTrue();
        assertThat(pagesRequested().subList(requestsBefore, upstream.requests().size()))
                .as("page 6 is the empty page that ends the export").containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(restarted.get("counts").get("fetched").asLong()).isEqualTo(20);
    }

    @Test
    void aCheckpointOlderThanResumeWithinIsIgnored() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));
        JsonNode failed = failAtPage(FEED, 4, 500, 2);
        jdbc.update("update sync_run set checkpoint_at = now() - interval '25 hours' where id = ?",
                failed.get("runId").asLong());

        JsonNode next = api.run(FEED);

        assertThat(next.get("resumedFrom").isNull()).as("resume-within defaults to 24h").isTrue();
        assertThat(next.get("counts").get("fetched").asLong()).isEqualTo(20);
    }

    @Test
    void aRunThatFailedPermanentlyIsNotResumed() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));
        JsonNode failed = failAtPage(FEED, 3, 404, 1);
        assertThat(failed.get("error").get("class").asText()).isEqualTo("PERMANENT");

        JsonNode next = api.run(FEED);

        assertThat(next.get("resumedFrom").isNull()).isTrue();
        assertThat(next.get("counts").get("fetched").asLong()).isEqualTo(20);
    }

    @Test
    void dryRunsAndDriftChecksNeitherResumeNorLeaveACheckpoint() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));
        failAtPage(FEED, 4, 500, 2);

        JsonNode dry = api.run(FEED, "{\"dryRun\": true}");
        assertThat(dry.get("resumedFrom").isNull()).isTrue();
        assertThat(dry.get("counts").get("fetched").asLong()).isEqualTo(20);
        upstream.fail(request -> request.page() == 2, 500, 2);
        JsonNode dryFailed = api.run(FEED, "{\"dryRun\": true}");
        assertThat(jdbc.queryForObject("select checkpoint is null from sync_run where id = ?", Boolean.class,
                dryFailed.get("runId").asLong())).isTrue();

        JsonNode resumed = api.run(FEED);
        assertThat(resumed.get("resumedFrom").isNull()).as("the newest run was a dry run").isTrue();
    }

    @Test
    void anIncrementalRunThatResumedLeavesTheWatermarkOfEveryAttempt() {
        Instant t0 = Instant.parse("2026-05-18T01:00:00Z");
        // newest first: the highest cursor is on the first page, which only the failed attempt reads
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 10; id >= 1; id--) {
            records.add(FakeUpstream.plan(id, "v1", t0.plusSeconds(60L * id)));
        }
        upstream.dataset("plans", records);
        JsonNode failed = failAtPage("plans-incremental", 3, 500, 2);

        JsonNode resumed = api.run("plans-incremental");

        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(resumed.get("counts").get("fetched").asLong()).isEqualTo(6);
        assertThat(resumed.get("watermark").asText()).isEqualTo(t0.plusSeconds(600).toString());
        assertThat(jdbc.queryForObject("select count(*) from test_plans", Integer.class)).isEqualTo(10);
    }

    @Test
    void aCheckpointKeepsNoCredentialEvenWhenTheUpstreamEchoesItInItsNextLinks() {
        String key = "key-Resume-7c8d9e0f1a";
        upstream.serve("/echo-key/plans", exchange -> echoKeyPage(exchange, key));

        JsonNode failed = api.run("plans-resumable-secret");
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        String checkpoint = jdbc.queryForObject("select checkpoint::text from sync_run where id = ?", String.class,
                failed.get("runId").asLong());
        assertThat(checkpoint).contains("page=3").doesNotContain(key).doesNotContain("api_key");

        JsonNode resumed = api.run("plans-resumable-secret");
        assertThat(resumed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(jdbc.queryForObject("select count(*) from test_plans", Integer.class)).isEqualTo(4);
    }

    private int echoAttempts;

    /**
     * Three pages of two records whose next links carry the API key back; page 3 fails on the
     * first run's two attempts, then answers.
     */
    private void echoKeyPage(HttpExchange exchange, String key) throws IOException {
        String query = String.valueOf(exchange.getRequestURI().getRawQuery());
        int page = query.contains("page=3") ? 3 : query.contains("page=2") ? 2 : 1;
        boolean keyed = query.contains("api_key=" + key);
        if (!keyed || page == 3 && echoAttempts++ < 2) {
            exchange.sendResponseHeaders(keyed ? 503 : 401, -1);
            exchange.close();
            return;
        }
        String records = page == 3 ? ""
                : FakeUpstream.plan(2 * page - 1, "v1") + "," + FakeUpstream.plan(2 * page, "v1");
        String next = page == 3 ? "null"
                : "\"" + upstream.url("/echo-key/plans") + "?api_key=" + key + "&page=" + (page + 1) + "\"";
        byte[] body = ("{\"epa_clients\":[" + records + "],\"next\":" + next + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
