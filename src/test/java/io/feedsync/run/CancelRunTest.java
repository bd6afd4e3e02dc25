package io.feedsync.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.ops.JmxFeedPauses;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncNode;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;
import io.feedsync.upstream.UpstreamRetries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cancelling a run: four feeds retrying forever against a dead port once kept other feeds QUEUED,
 * pause did not stop them and DELETE answered 409. A run waiting minutes before its next attempt
 * (backoff of 10 minutes) is cancelled over the API, by pausing or deleting its feed, over JMX, or from
 * another node, and ends CANCELLED within a couple of seconds; it soft-deletes nothing, leaves the
 * watermark where it was and keeps its checkpoint, and the feed's next run resumes it. A QUEUED run
 * ends CANCELLED without ever starting. Viewers, and keys scoped to other feeds, cannot cancel.
 */
@TestPropertySource(properties = {
        "feedsync.max-concurrent-runs=2",
        // the MBean feedsync:type=Feeds, as outside tests (closed after the class: see DefinedFeedParityTest)
        "spring.jmx.enabled=true",
        // an incremental feed whose upstream is a port nobody listens on: every attempt fails at once
        "feedsync.feeds.cancel-dead.source.url=http://127.0.0.1:1/export",
        "feedsync.feeds.cancel-dead.source.records=/epa_clients",
        "feedsync.feeds.cancel-dead.source.incremental.cursor=/last_validated_at",
        "feedsync.feeds.cancel-dead.source.incremental.param=since",
        "feedsync.feeds.cancel-dead.source.retry.max-attempts=6",
        "feedsync.feeds.cancel-dead.source.retry.initial-backoff=10m",
        "feedsync.feeds.cancel-dead.source.retry.max-backoff=10m",
        "feedsync.feeds.cancel-dead.transform.mapping.epa_type=/key",
        "feedsync.feeds.cancel-dead.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.cancel-dead.transform.mapping.gateway_id=/id",
        "feedsync.feeds.cancel-dead.target.table=test_plans",
        "feedsync.feeds.cancel-dead.target.shared=true",
        "feedsync.feeds.cancel-dead.target.key=epa_type",
        "feedsync.feeds.cancel-dead.target.soft-delete=deleted_at",
        "feedsync.feeds.cancel-dead-too.source.url=http://127.0.0.1:1/export",
        "feedsync.feeds.cancel-dead-too.source.records=/epa_clients",
        "feedsync.feeds.cancel-dead-too.source.retry.max-attempts=6",
        "feedsync.feeds.cancel-dead-too.source.retry.initial-backoff=10m",
        "feedsync.feeds.cancel-dead-too.source.retry.max-backoff=10m",
        "feedsync.feeds.cancel-dead-too.transform.mapping.epa_type=/key",
        "feedsync.feeds.cancel-dead-too.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.cancel-dead-too.transform.mapping.gateway_id=/id",
        "feedsync.feeds.cancel-dead-too.target.table=test_plans",
        "feedsync.feeds.cancel-dead-too.target.shared=true",
        "feedsync.feeds.cancel-dead-too.target.key=epa_type",
        // a full run with soft-delete whose second page fails (transiently) as long as the test likes
        "feedsync.feeds.cancel-resumable.mode=full",
        "feedsync.feeds.cancel-resumable.deletion-guard=100%",
        "feedsync.feeds.cancel-resumable.source.url=${test.upstream}/page/cancel-resumable",
        "feedsync.feeds.cancel-resumable.source.pagination.type=page",
        "feedsync.feeds.cancel-resumable.source.pagination.size=4",
        "feedsync.feeds.cancel-resumable.source.records=/epa_clients",
        "feedsync.feeds.cancel-resumable.source.retry.max-attempts=6",
        "feedsync.feeds.cancel-resumable.source.retry.initial-backoff=10m",
        "feedsync.feeds.cancel-resumable.source.retry.max-backoff=10m",
        "feedsync.feeds.cancel-resumable.transform.mapping.epa_type=/key",
        "feedsync.feeds.cancel-resumable.transform.mapping.ncpdp_version=/version",
        "feedsync.feeds.cancel-resumable.transform.mapping.gateway_id=/id",
        "feedsync.feeds.cancel-resumable.transform.mapping.outgoing_url=/outgoing_url",
        "feedsync.feeds.cancel-resumable.target.table=test_plans",
        "feedsync.feeds.cancel-resumable.target.shared=true",
        "feedsync.feeds.cancel-resumable.target.key=epa_type",
        "feedsync.feeds.cancel-resumable.target.soft-delete=deleted_at",
        "feedsync.feeds.cancel-resumable.target.soft-delete-after=1"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class CancelRunTest extends FeedsyncTest {

    /** "A couple of seconds": a run waiting to retry ends this soon after it is cancelled. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    private static final String SCOPED_OPERATOR_KEY = "test-scoped-key-0123456789ab";

    @Autowired
    DefinedFeeds defined;

    @Autowired
    JmxFeedPauses jmx;

    /** What this application's retries logged in this test: a run's first failed attempt, before its wait. */
    private final ListAppender<ILoggingEvent> retries = new ListAppender<>();

    @BeforeEach
    void watchRetries() {
        retries.start();
        ((Logger) LoggerFactory.getLogger(UpstreamRetries.class)).addAppender(retries);
    }

    @AfterEach
    void stopWatchingRetries() {
        ((Logger) LoggerFactory.getLogger(UpstreamRetries.class)).detachAppender(retries);
        retries.stop();
    }

    @BeforeEach
    @AfterEach
    void nothingLeftRunning() {
        // a run left waiting 10 minutes to retry would hold a slot of this cached application
        for (Long runId : jdbc.queryForList("select id from sync_run where status in ('QUEUED', 'RUNNING')", Long.class)) {
            api.post("/api/runs/" + runId + "/cancel", null);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "select count(*) from sync_run where status in ('QUEUED', 'RUNNING')") == 0);
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
    }

    @Test
    void aRunRetryingAgainstADeadPortIsCancelledOverTheApiWithinSecondsAndChangesNothing() {
        jdbc.update("insert into test_plans (epa_type, ncpdp_version, gateway_id) values ('Payer_1', 'v1', 1), ('Payer_2', 'v1', 2)");
        jdbc.update("insert into sync_watermark (feed, value) values ('cancel-dead', '2026-01-01T00:00:00Z')");
        long runId = api.startRun("cancel-dead", null);
        awaitRetrying(runId);

        Api.Answer viewer = api.as(Api.bearer(Api.VIEWER_KEY)).post(cancel(runId), null);
        Api.Answer scoped = api.as(Api.bearer(SCOPED_OPERATOR_KEY)).post(cancel(runId), null);
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(viewer.json().get("error").asText()).isEqualTo("forbidden");
        assertThat(scoped.status()).as("a key scoped to another feed: the run does not exist for it").isEqualTo(404);
        assertThat(scoped.json().get("message").asText()).isEqualTo("no run with id " + runId);
        assertThat(api.post("/api/runs/987654321/cancel", null).status()).isEqualTo(404);
        assertThat(api.post("/api/runs/abc/cancel", null).status()).isEqualTo(400);
        assertThat(api.post(cancel(runId), "{\"force\": true}").status()).isEqualTo(400);
        JsonNode untouched = api.get("/api/runs/" + runId).json();
        assertThat(untouched.get("status").asText()).as("none of those touched it").isEqualTo("RUNNING");
        assertThat(untouched.get("cancelRequestedAt").isNull()).isTrue();

        Instant asked = Instant.now();
        Api.Answer accepted = api.post(cancel(runId), null);

        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        assertThat(accepted.header("Location")).isEqualTo("/api/runs/" + runId);
        assertThat(accepted.json().get("runId").asLong()).isEqualTo(runId);
        assertThat(accepted.json().get("cancelRequestedBy").asText()).isEqualTo("test-operator");
        JsonNode ended = awaitEnded(runId);
        assertThat(Duration.between(asked, Instant.now())).as("not after its 10-minute backoff").isLessThan(PROMPTLY);
        assertThat(ended.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(ended.at("/error/class").asText()).isEqualTo("TRANSIENT");
        assertThat(ended.at("/error/message").asText())
                .isEqualTo("cancelled by test-operator over the API; the run stopped after page 0");
        assertThat(count("select count(*) from test_plans where deleted_at is null")).as("rows untouched").isEqualTo(2);
        assertThat(jdbc.queryForObject("select value from sync_watermark where feed = 'cancel-dead'", String.class))
                .isEqualTo("2026-01-01T00:00:00Z");
        Map<String, Object> audited = jdbc.queryForMap(
                "select actor, feed, status, run_id, error from sync_audit where action = 'cancel' and status = 202"
                        + " and run_id = ?", runId);
        assertThat(audited).containsEntry("actor", "test-operator").containsEntry("feed", "cancel-dead")
                .containsEntry("error", null);

        int refusedBefore = count("select count(*) from sync_audit where action = 'cancel' and run_id is null"
                + " and status = 409 and error = 'run_finished' and feed = 'cancel-dead'");
        Api.Answer again = api.post(cancel(runId), "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("error").asText()).isEqualTo("run_finished");
        assertThat(again.json().get("runId").asLong()).isEqualTo(runId);
        assertThat(again.json().get("message").asText()).contains("already ended CANCELLED")
                .contains("only a QUEUED or RUNNING run can be cancelled");
        assertThat(count("select count(*) from sync_audit where action = 'cancel' and run_id is null and status = 409"
                + " and error = 'run_finished' and feed = 'cancel-dead'")).as("the refusal audited").isEqualTo(refusedBefore + 1);
    }

    @Test
    void aCancelledRunSoftDeletesNothingAndKeepsItsCheckpointTheNextRunResumesIt() {
        upstream.dataset("cancel-resumable", FakeUpstream.plans(12, "v1"));
        assertThat(api.run("cancel-resumable").get("status").asText()).isEqualTo("SUCCEEDED");
        // the upstream drops plans 9 to 12: a full run that got to its end would soft-delete them
        upstream.dataset("cancel-resumable", FakeUpstream.plans(8, "v2"));
        upstream.failAlways(request -> request.path().equals("/page/cancel-resumable") && request.page() == 2, 503);
        long runId = api.startRun("cancel-resumable", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> pagesRequested().contains(2));
        awaitRetrying(runId);

        Instant asked = Instant.now();
        assertThat(api.post(cancel(runId), null).status()).isEqualTo(202);

        JsonNode cancelled = awaitEnded(runId);
        assertThat(Duration.between(asked, Instant.now())).isLessThan(PROMPTLY);
        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("pages").asInt()).isEqualTo(1);
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).as("nothing soft-deleted").isZero();
        assertThat(count("select count(*) from test_plans where ncpdp_version = 'v2'")).as("page 1 was written").isEqualTo(4);
        assertThat(jdbc.queryForObject("select (checkpoint->>'pages')::int from sync_run where id = ?", Integer.class, runId))
                .as("page 1 committed").isEqualTo(1);

        upstream.reset();
        upstream.dataset("cancel-resumable", FakeUpstream.plans(8, "v2"));
        JsonNode resumed = api.run("cancel-resumable");

        assertThat(resumed.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(resumed.get("resumedFrom").asLong()).isEqualTo(runId);
        assertThat(pagesRequested()).as("from the page the cancelled run did not finish").startsWith(2);
        assertThat(jdbc.queryForList("select epa_type from test_plans where deleted_at is not null order by epa_type",
                String.class)).as("only what no attempt saw").containsExactly("Payer_10", "Payer_11", "Payer_12", "Payer_9");
        Invariants.plans(jdbc, "cancel-resumable").softDelete("deleted_at").deletionsApplied()
                .check(FakeUpstream.plans(8, "v2"));
    }

    @Test
    void aQueuedRunIsCancelledAtOnceAndNeverStarts() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        long first = api.startRun("cancel-dead", null);
        long second = api.startRun("cancel-dead-too", null);
        awaitRetrying(first);
        awaitRetrying(second);
        long queued = api.startRun("plans-single", null);
        assertThat(api.get("/api/runs/" + queued).json().get("status").asText()).as("both slots taken").isEqualTo("QUEUED");

        Api.Answer accepted = api.post(cancel(queued), null);

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(accepted.json().at("/error/message").asText())
                .isEqualTo("cancelled by test-operator over the API; it never started");
        long next = api.startRun("plans-single", null);
        assertThat(api.get("/api/runs/" + next).json().get("status").asText())
                .as("the feed is free again at once, though the cancelled run's turn has not come").isEqualTo("QUEUED");

        api.post(cancel(first), null);
        api.post(cancel(second), null);

        assertThat(awaitEnded(next).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/runs/" + queued).json().get("status").asText()).isEqualTo("CANCELLED");
        assertThat(upstream.requests().stream().filter(request -> request.path().equals("/all/plans")).count())
                .as("the cancelled run never fetched").isOne();
    }

    @Test
    void pausingAFeedCancelsItsRetryingRun() {
        long runId = api.startRun("cancel-dead", null);
        awaitRetrying(runId);

        Instant asked = Instant.now();
        assertThat(api.post("/api/feeds/cancel-dead/pause", "{\"reason\": \"upstream is down\"}").status()).isEqualTo(200);

        JsonNode ended = awaitEnded(runId);
        assertThat(Duration.between(asked, Instant.now())).isLessThan(PROMPTLY);
        assertThat(ended.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(ended.at("/error/message").asText()).startsWith("cancelled: test-operator paused the feed");
        assertThat(api.post("/api/feeds/cancel-dead/resume", null).status()).isEqualTo(200);
    }

    @Test
    void deletingAFeedWithARetryingRunCancelsTheRunAndDeletesTheFeed() {
        Api.Answer defined = api.put("/api/feeds/cancel-defined", """
                {"source": {"url": "http://127.0.0.1:1/export", "records": "/epa_clients",
                            "retry": {"max-attempts": 6, "initial-backoff": "10m", "max-backoff": "10m"}},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""");
        assertThat(defined.status()).as(defined.raw().body()).isEqualTo(201);
        long runId = api.startRun("cancel-defined", null);
        awaitRetrying(runId);

        Instant asked = Instant.now();
        Api.Answer deleted = api.delete("/api/feeds/cancel-defined");

        assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
        assertThat(deleted.json().get("change").asText()).isEqualTo("deleted");
        assertThat(Duration.between(asked, Instant.now())).as("the run ended first, then the feed went").isLessThan(PROMPTLY);
        JsonNode run = api.get("/api/runs/" + runId).json();
        assertThat(run.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(run.at("/error/message").asText()).startsWith("cancelled: test-operator deleted the feed");
        assertThat(api.get("/api/feeds/cancel-defined/definition").status()).isEqualTo(404);
        assertThat(count("select count(*) from sync_audit where action = 'delete' and feed = 'cancel-defined'"
                + " and status = 200")).isOne();
    }

    @Test
    void cancelOverJmxIsTheApisCancelAndAuditedAsIt() {
        String mbean = jmx.getObjectName().toString();
        long runId = api.startRun("cancel-dead", null);
        awaitRetrying(runId);

        JsonNode answer = api.jolokiaExec(mbean, "cancel", String.valueOf(runId));

        assertThat(answer.get("status").asInt()).as(answer.toString()).isEqualTo(200);
        assertThat(awaitEnded(runId).at("/error/message").asText()).startsWith("cancelled by test-operator over JMX");
        assertThat(count("select count(*) from sync_audit where action = 'cancel' and status = 202 and run_id = ?"
                + " and request->>'via' = 'jmx'", runId)).isOne();
        assertThat(api.jolokiaExec(mbean, "cancel", String.valueOf(runId)).get("error").asText()).contains("already ended CANCELLED");

        long another = api.startRun("cancel-dead", null);
        awaitRetrying(another);
        assertThat(api.jolokiaExec(mbean, "cancelRuns", "cancel-dead").get("value").asText()).contains("[" + another + "]");
        assertThat(awaitEnded(another).get("status").asText()).isEqualTo("CANCELLED");
    }

    /**
     * Another node (a JVM of its own) shares the database: the cancel is recorded on the run's row, and
     * the node carrying the run out sees it within a tick of its wait.
     */
    @Test
    void aRunOfAnotherNodeIsCancelledThroughThisOne() {
        try (FeedsyncNode other = FeedsyncNode.launch("cancel-other", otherNode())) {
            other.awaitUp();
            long runId = other.api().startRun("cancel-dead", null);
            awaitRetrying(runId, other::logLines);

            Instant asked = Instant.now();
            assertThat(api.post(cancel(runId), null).status()).isEqualTo(202);

            JsonNode ended = awaitEnded(runId);
            assertThat(Duration.between(asked, Instant.now())).isLessThan(PROMPTLY);
            assertThat(ended.get("status").asText()).isEqualTo("CANCELLED");
            assertThat(ended.at("/error/message").asText()).startsWith("cancelled by test-operator over the API");
        }
    }

    /** The other node runs only the feed cancel-dead (a profile of its own: not the sample feed). */
    private static List<String> otherNode() {
        List<String> args = new java.util.ArrayList<>(List.of("--spring.profiles.active=cancel-other-node"));
        Map.of("source.url", "http://127.0.0.1:1/export", "source.records", "/epa_clients",
                "source.retry.max-attempts", "6", "source.retry.initial-backoff", "10m", "source.retry.max-backoff", "10m",
                "transform.mapping.epa_type", "/key", "transform.mapping.ncpdp_version", "/version",
                "transform.mapping.gateway_id", "/id", "target.table", "test_plans", "target.key", "epa_type")
                .forEach((key, value) -> args.add("--feedsync.feeds.cancel-dead." + key + "=" + value));
        return args;
    }

    private static String cancel(long runId) {
        return "/api/runs/" + runId + "/cancel";
    }

    /** The run is RUNNING and has failed its first attempt: it waits 5 to 10 minutes before the next. */
    private void awaitRetrying(long runId) {
        awaitRetrying(runId, () -> {
            synchronized (retries) { // the lock of its doAppend
                return retries.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            }
        });
    }

    /**
     * As above, for a run whose node logs to {@code log}: its first attempt has failed, and the node
     * said so just before it began to wait (rather than a fixed pause "well into the backoff").
     */
    private void awaitRetrying(long runId, Supplier<List<String>> log) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> log.get().stream().anyMatch(line -> line.contains(" run " + runId + ": attempt 1 of ")
                        && line.contains("; retrying in ")));
        assertThat(api.get("/api/runs/" + runId).json().get("status").asText()).isEqualTo("RUNNING");
    }

    private JsonNode awaitEnded(long runId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> !Api.UNDER_WAY.contains(api.get("/api/runs/" + runId).json().get("status").asText()));
        return api.get("/api/runs/" + runId).json();
    }

    private List<Integer> pagesRequested() {
        return upstream.requests().stream().filter(request -> request.path().equals("/page/cancel-resumable"))
                .map(FakeUpstream.Request::page).toList();
    }

}
