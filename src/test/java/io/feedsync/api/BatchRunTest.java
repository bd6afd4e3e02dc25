package io.feedsync.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch refresh by feeds or by tag (POST /api/runs, GET /api/batches/{id}),
 * feeds' tags, and API keys scoped by tags (application-test.yaml: test-tagged sees the feeds tagged
 * partners).
 */
class BatchRunTest extends FeedsyncTest {

    private static final String TAGGED_KEY = "test-tagged-key-0123456789abc";

    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
        jdbc.update("truncate sync_batch_entry, sync_batch");
    }

    @Test
    void aBatchByTagStartsEachTaggedFeedOnceAndSaysWhyTheOthersDidNot() {
        define("b-one", 1, "[\"nightly\"]");
        define("b-two", 2, "[\"nightly\", \"partners\"]");
        define("b-three", 3, "[\"nightly\"]");
        define("b-other", 4, "[\"weekly\"]");
        assertThat(api.post("/api/feeds/b-three/pause", "{}").status()).isEqualTo(200);
        upstream.delay(Duration.ofMillis(1500));
        long running = api.startRun("b-two", null);

        Api.Answer answer = api.post("/api/runs", "{\"tag\": \"nightly\", \"mode\": \"full\"}");

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(202);
        long batch = answer.json().get("batchId").asLong();
        assertThat(answer.header("Location")).isEqualTo("/api/batches/" + batch);
        JsonNode entries = answer.json().get("entries");
        assertThat(entries).hasSize(3);
        // in the order GET /api/feeds lists them: API-defined feeds by name
        assertThat(entries.get(0).get("feed").asText()).isEqualTo("b-one");
        assertThat(entries.get(0).get("runId").isNumber()).isTrue();
        assertThat(entries.get(0).get("status").asText()).isIn("QUEUED", "RUNNING");
        assertThat(entries.get(0).get("reason").isNull()).isTrue();
        assertThat(entries.get(1).get("feed").asText()).isEqualTo("b-three");
        assertThat(entries.get(1).get("reason").asText()).isEqualTo("paused");
        assertThat(entries.get(2).get("feed").asText()).isEqualTo("b-two");
        assertThat(entries.get(2).get("reason").asText()).isEqualTo("running");
        assertThat(entries.get(2).get("runId").isNull()).isTrue();
        long started = entries.get(0).get("runId").asLong();

        JsonNode whileRunning = api.get("/api/batches/" + batch).json();
        assertThat(whileRunning.get("finished").asBoolean()).isFalse();
        assertThat(whileRunning.get("entries").get(0).get("status").asText()).isIn("QUEUED", "RUNNING");
        JsonNode done = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/api/batches/" + batch).json(), shown -> shown.get("finished").asBoolean());
        assertThat(done.get("entries").get(0).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.get("entries").get(1).get("status").isNull()).isTrue();
        assertThat(done.get("createdBy").asText()).isEqualTo("test-operator");
        assertThat(api.awaitRun(running).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from sync_run where feed = 'b-one'")).as("started once").isEqualTo(1);
        assertThat(count("select count(*) from sync_run where feed = 'b-two'")).as("not again").isEqualTo(1);
        assertThat(count("select count(*) from sync_run where feed in ('b-three', 'b-other')")).isZero();
        assertThat(jdbc.queryForMap("select * from sync_run where id = ?", started))
                .containsEntry("triggered_by", "test-operator").containsEntry("mode", "full");

        List<JsonNode> audit = new ArrayList<>();
        api.get("/api/audit?limit=5").json().forEach(audit::add);
        JsonNode batchAudit = audit.stream().filter(row -> "batch".equals(row.get("action").asText())).findFirst()
                .orElseThrow();
        assertThat(batchAudit.get("actor").asText()).isEqualTo("test-operator");
        assertThat(batchAudit.get("status").asInt()).isEqualTo(202);
        assertThat(batchAudit.get("batchId").asLong()).isEqualTo(batch);
        assertThat(batchAudit.get("request").get("tag").asText()).isEqualTo("nightly");
    }

    @Test
    void namedFeedsThatAreNoFeedsAreReportedOneByOneAndTheOthersStart() {
        define("b-one", 1, null);

        Api.Answer answer = api.post("/api/runs", "{\"feeds\": [\"no-such\", \"b-one\"], \"dryRun\": true}");

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(202);
        JsonNode entries = answer.json().get("entries");
        assertThat(entries.get(0).get("feed").asText()).isEqualTo("no-such");
        assertThat(entries.get(0).get("reason").asText()).isEqualTo("not_found");
        assertThat(entries.get(0).get("status").isNull()).isTrue();
        JsonNode run = api.awaitRun(entries.get(1).get("runId").asLong());
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("dryRun").asBoolean()).isTrue();
        assertThat(count("select count(*) from test_plans")).as("a dry run writes nothing").isZero();
    }

    @Test
    void badBatchesAre400WithWhatIsWrongAndStartNothing() {
        define("b-one", 1, "[\"nightly\"]");
        String[][] cases = {
                {"", "a batch needs a body"},
                {"{}", "exactly one of 'feeds'"},
                {"{\"feeds\": [\"b-one\"], \"tag\": \"nightly\"}", "exactly one of 'feeds'"},
                {"{\"feeds\": []}", "'feeds' must be a list of 1 to 1000"},
                {"{\"feeds\": [\"b-one\", \"b-one\"]}", "lists 'b-one' twice"},
                {"{\"feeds\": [1]}", "'feeds' must list feed names as text"},
                {"{\"tag\": \"Night Shift\"}", "'tag' must be a tag"},
                {"{\"tag\": \"nobody-has-it\"}", "no feed carries tag 'nobody-has-it'"},
                {"{\"tag\": \"nightly\", \"mode\": \"sometimes\"}", "'mode'"},
                {"{\"tag\": \"nightly\", \"since\": \"2026-01-01\"}", "unknown field 'since'"},
                {"{\"tag\": \"nightly\", \"dryRun\": \"yes\"}", "'dryRun' must be true or false"}};
        for (String[] bad : cases) {
            Api.Answer answer = api.post("/api/runs", bad[0]);
            assertThat(answer.status()).as(bad[0]).isEqualTo(400);
            assertThat(answer.json().get("message").asText()).as(bad[0]).contains(bad[1]);
        }
        assertThat(count("select count(*) from sync_run")).isZero();
        assertThat(count("select count(*) from sync_batch")).isZero();
        assertThat(count("select count(*) from sync_audit where action = 'batch' and status = 400 and at > now() - interval '1 minute'"))
                .as("refusals audited").isGreaterThanOrEqualTo(cases.length);
        assertThat(api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/runs", "{\"tag\": \"nightly\"}").status())
                .as("a viewer starts nothing").isEqualTo(403);
        assertThat(api.get("/api/batches/abc").status()).isEqualTo(400);
        assertThat(api.get("/api/batches/999999").status()).isEqualTo(404);
    }

    @Test
    void aKeyScopedByTagSeesOnlyTaggedFeedsAndItsBatchesSkipTheRest() {
        define("t-partner", 1, "[\"partners\", \"nightly\"]");
        define("t-private", 2, "[\"nightly\"]");
        Api tagged = api.as(Api.bearer(TAGGED_KEY));

        List<String> seen = new ArrayList<>();
        tagged.get("/api/feeds").json().forEach(feed -> seen.add(feed.get("feed").asText()));
        assertThat(seen).containsExactlyInAnyOrder("t-partner", "plans-next");
        JsonNode listed = api.get("/api/feeds").json();
        JsonNode partner = null;
        for (JsonNode feed : listed) {
            if (feed.get("feed").asText().equals("t-partner")) {
                partner = feed;
            }
        }
        assertThat(partner.get("tags").toString()).isEqualTo("[\"partners\",\"nightly\"]");
        assertThat(tagged.get("/api/feeds/t-private/runs").status()).isEqualTo(404);
        assertThat(tagged.get("/api/feeds/t-partner/runs").status()).isEqualTo(200);

        Api.Answer byTag = tagged.post("/api/runs", "{\"tag\": \"nightly\"}");
        assertThat(byTag.status()).as(byTag.raw().body()).isEqualTo(202);
        assertThat(byTag.json().get("entries")).as("the feed it does not see is left out").hasSize(1);
        assertThat(byTag.json().get("entries").get(0).get("feed").asText()).isEqualTo("t-partner");
        Api.Answer byName = tagged.post("/api/runs", "{\"feeds\": [\"t-private\", \"no-such\"]}");
        assertThat(byName.json().get("entries").get(0).toString())
                .as("a hidden feed is reported as one that does not exist")
                .isEqualTo(byName.json().get("entries").get(1).toString().replace("no-such", "t-private"));
        assertThat(tagged.post("/api/runs", "{\"tag\": \"weekly\"}").json().get("message").asText())
                .isEqualTo("no feed carries tag 'weekly'");
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from sync_run where status in ('QUEUED', 'RUNNING')") == 0);
        assertThat(count("select count(*) from sync_run where feed = 't-private'")).isZero();

        long own = byTag.json().get("batchId").asLong();
        long operators = api.post("/api/runs", "{\"feeds\": [\"t-private\"]}").json().get("batchId").asLong();
        assertThat(tagged.get("/api/batches/" + own).status()).isEqualTo(200);
        assertThat(tagged.get("/api/batches/" + operators).status()).as("not its batch").isEqualTo(404);
        assertThat(api.get("/api/batches/" + own).status()).as("an unscoped key sees every batch").isEqualTo(200);

        // a feed that gains the tag is in the key's scope at once
        define("t-private", 2, "[\"partners\"]");
        assertThat(tagged.get("/api/feeds/t-private/runs").status()).isEqualTo(200);
    }

    @Test
    void aTagThatIsNoTagIsRefusedWithTheKeyNamed() {
        Api.Answer refused = api.put("/api/feeds/b-bad", definitionOf(9, "[\"Night Shift\"]"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("message").asText()).contains("feedsync.feeds.b-bad.tags[0]")
                .contains("'Night Shift' is not a tag");
        assertThat(api.put("/api/feeds/b-bad", definitionOf(9, "[\"a\", \"a\"]")).json().get("message").asText())
                .contains("feedsync.feeds.b-bad.tags: lists a tag twice");
    }

    private void define(String feed, int dataset, String tags) {
        upstream.dataset("batch-" + dataset, IntStream.rangeClosed(1, 3)
                .mapToObj(i -> (ObjectNode) FakeUpstream.plan(dataset * 100 + i, "v1")).toList());
        Api.Answer answer = api.put("/api/feeds/" + feed, definitionOf(dataset, tags));
        assertThat(answer.status()).as(answer.raw().body()).isIn(200, 201);
    }

    private String definitionOf(int dataset, String tags) {
        return """
                {%s"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}"""
                .formatted(tags == null ? "" : "\"tags\": " + tags + ", ", upstream.url("/all/batch-" + dataset));
    }
}
