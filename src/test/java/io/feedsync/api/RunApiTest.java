package io.feedsync.api;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST trigger and the run endpoints: the contract of docs/api.md plus the bad paths. */
class RunApiTest extends FeedsyncTest {

    @Test
    void triggerAnswers202WithTheRunAndWhereToFollowIt() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));

        Api.Answer answer = api.post("/api/feeds/plans/runs", "{\"mode\": \"full\"}");

        assertThat(answer.status()).isEqualTo(202);
        long runId = answer.json().get("runId").asLong();
        assertThat(answer.json().get("status").asText()).isEqualTo("QUEUED");
        assertThat(answer.header("Location")).isEqualTo("/api/runs/" + runId);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        JsonNode run = api.awaitRun(runId);
        assertThat(run.get("runId").asLong()).isEqualTo(runId);
        assertThat(run.get("feed").asText()).isEqualTo("plans");
        assertThat(run.get("trigger").asText()).isEqualTo("rest");
        assertThat(run.get("mode").asText()).isEqualTo("full");
        assertThat(run.get("dryRun").asBoolean()).isFalse();
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(run.get("startedAt").asText()).isNotBlank();
        assertThat(run.get("finishedAt").asText()).isNotBlank();
        assertThat(run.get("error").isNull()).isTrue();
    }

    @Test
    void triggerWithoutBodyUsesTheFeedsConfiguredMode() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));

        JsonNode run = api.run("plans-paged");

        assertThat(run.get("mode").asText()).isEqualTo("incremental");
    }

    @Test
    void secondTriggerWhileTheFeedRunsIsRefusedWithTheRunningRunsId() {
        upstream.dataset("plans", FakeUpstream.plans(8, "v1"));
        upstream.delay(Duration.ofMillis(700));
        long first = api.startRun("plans", null);

        Api.Answer second = api.post("/api/feeds/plans/runs", null);

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("error").asText()).isEqualTo("feed_running");
        assertThat(second.json().get("runId").asLong()).isEqualTo(first);
        assertThat(api.awaitRun(first).get("status").asText()).isEqualTo("SUCCEEDED");
        upstream.delay(Duration.ZERO);
        assertThat(api.post("/api/feeds/plans/runs", null).status()).as("free again once finished").isEqualTo(202);
        api.awaitRun(first + 1);
    }

    @Test
    void runningRunShowsLiveProgress() {
        upstream.dataset("plans", FakeUpstream.plans(12, "v1"));
        upstream.delay(Duration.ofMillis(400));
        long runId = api.startRun("plans", null);

        JsonNode running = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> api.get("/api/runs/" + runId).json(), run -> run.get("pages").asInt() >= 1
                        && "RUNNING".equals(run.get("status").asText()));

        assertThat(running.get("counts").get("fetched").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(running.get("finishedAt").isNull()).isTrue();
        api.awaitRun(runId);
    }

    @Test
    void unknownFeedIs404() {
        Api.Answer answer = api.post("/api/feeds/no-such-feed/runs", "{}");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("not_found");
        assertThat(answer.json().get("message").asText()).contains("no-such-feed");
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void malformedBodiesAre400AndStartNothing() {
        for (String body : new String[] {"{not json", "[1, 2]", "{\"mode\": \"sometimes\"}", "{\"mode\": 3}",
                "{\"dryRun\": \"yes\"}", "{\"confirm\": 1}", "{\"modus\": \"full\"}", "\"full\"", "42", "null",
                "{\"mode\": \"full\"} {\"mode\": \"incremental\"}", "{\"mode\": {\"full\": true}}",
                "[".repeat(30_000) + "]".repeat(30_000)}) {
            Api.Answer answer = api.post("/api/feeds/plans/runs", body);

            String shown = body.length() > 60 ? body.substring(0, 60) + "…" : body;
            assertThat(answer.status()).as(shown).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).isEqualTo("bad_request");
            assertThat(answer.json().get("message").asText()).as(shown).isNotBlank();
        }
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void unknownRunIs404() {
        Api.Answer answer = api.get("/api/runs/987654");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aRunIdThatIsNotANumberIs400() {
        for (String id : List.of("not-a-number", "1.5", "99999999999999999999")) {
            Api.Answer answer = api.get("/api/runs/" + id);

            assertThat(answer.status()).as(id).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).isEqualTo("bad_request");
            assertThat(answer.json().get("message").asText()).contains("whole number");
        }
    }

    @Test
    void historyListsRunsNewestFirstUpToTheLimit() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        long first = api.run("plans").get("runId").asLong();
        long second = api.run("plans").get("runId").asLong();
        long third = api.run("plans").get("runId").asLong();

        Api.Answer history = api.get("/api/feeds/plans/runs?limit=2");

        assertThat(history.status()).isEqualTo(200);
        assertThat(history.json()).extracting(run -> run.get("runId").asLong()).containsExactly(third, second);
        assertThat(api.get("/api/feeds/plans/runs").json()).hasSize(3);
        assertThat(api.get("/api/feeds/plans/runs?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/feeds/nope/runs").status()).isEqualTo(404);
        assertThat(first).isLessThan(second);
    }

    @Test
    void feedsListShowsEachFeedWithItsLastRun() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        long runId = api.run("plans").get("runId").asLong();

        JsonNode feeds = api.get("/api/feeds").json();

        JsonNode plans = null;
        for (JsonNode feed : feeds) {
            if ("plans".equals(feed.get("feed").asText())) {
                plans = feed;
            }
        }
        assertThat(plans).isNotNull();
        assertThat(plans.get("mode").asText()).isEqualTo("full");
        assertThat(plans.get("target").asText()).isEqualTo("test_plans");
        assertThat(plans.get("lastRun").get("runId").asLong()).isEqualTo(runId);
        assertThat(feeds.size()).isGreaterThan(5);
    }

    @Test
    void answersDoNotEchoRequestHeaders() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));

        Api.Answer answer = api.post("/api/feeds/plans/runs", "{}");

        assertThat(answer.raw().headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("feed"));
        api.awaitRun(answer.json().get("runId").asLong());
    }

    @Test
    void bodyThatIsNotDeclaredAsJsonIs415AndStartsNothing() throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/feeds/plans/runs"))
                        .header("X-API-Key", "test-operator-key-0123456789")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"mode\": \"full\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.body()).contains("unsupported_media_type");
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void hugeBodyIs413BeforeItIsReadAndStartsNothing() throws Exception {
        byte[] huge = ("{\"mode\": \"full\", \"padding\": \"" + "x".repeat(8 << 20) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newHttpClient();
        for (HttpRequest.BodyPublisher body : List.of(HttpRequest.BodyPublishers.ofByteArray(huge),
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/feeds/plans/runs")).header("X-API-Key", Api.OPERATOR_KEY)
                    .header("Content-Type", "application/json").POST(body).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).as(body.contentLength() < 0 ? "chunked" : "with Content-Length").isEqualTo(413);
            assertThat(answer.body()).contains("\"error\":\"payload_too_large\"").contains("64KB");
        }
        assertThat(count("select count(*) from sync_run")).isZero();
    }

    @Test
    void replayBodyOfTheWrongShapeIs400AndStartsNothing() {
        for (String body : new String[] {"{not json", "[]", "\"replay\"", "{\"mode\": \"full\"}", "{\"dryRun\": true}"}) {
            Api.Answer answer = api.post("/api/feeds/plans/dead-letters/replay", body);

            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).isEqualTo("bad_request");
            assertThat(answer.json().get("message").asText()).as(body).isNotBlank();
        }
        assertThat(count("select count(*) from sync_run")).isZero();
        assertThat(api.post("/api/feeds/plans/dead-letters/replay", "{}").status()).as("an empty object is fine")
                .isEqualTo(202);
    }
}
