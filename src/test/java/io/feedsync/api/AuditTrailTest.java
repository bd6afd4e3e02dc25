package io.feedsync.api;

import java.net.HttpCookie;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static io.feedsync.support.Api.anonymous;
import static io.feedsync.support.Api.apiKey;
import static io.feedsync.support.Api.basic;
import static io.feedsync.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Every operator action is audited — who, what (secrets masked), which feed, how it ended. */
class AuditTrailTest extends FeedsyncTest {

    private static final String DEFINED = "audited-plans";
    private static final String SCOPED_KEY = "test-scoped-key-0123456789ab";

    @Autowired
    DefinedFeeds defined;

    @BeforeEach
    @AfterEach
    void noAuditNorDefinedFeeds() {
        jdbc.update("truncate sync_audit");
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
    }

    @Test
    void aScriptedSessionIsListedActionByActionWithKeyNamesStatusesAndNoSecret() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        upstream.dataset("defined", FakeUpstream.plans(2, "v1"));
        List<String> expected = new ArrayList<>();

        long run = api.startRun("plans", null);
        api.awaitRun(run);
        expected.add("test-operator run plans 202 run=" + run);
        long dryRun = api.startRun("plans", "{\"dryRun\": true}");
        api.awaitRun(dryRun);
        expected.add("test-operator run plans 202 run=" + dryRun);
        assertThat(api.post("/api/feeds/plans/pause", "{\"reason\": \"upstream migrating\"}").status()).isEqualTo(200);
        expected.add("test-operator pause plans 200");
        Api.Answer whilePaused = api.post("/api/feeds/plans/runs", "{}");
        assertThat(whilePaused.status()).isEqualTo(409);
        expected.add("test-operator run plans 409 feed_paused");
        Api.Answer resumed = api.as(anonymous()).request("POST", "/api/feeds/plans/resume", consoleUser(), "{}");
        assertThat(resumed.status()).as(resumed.raw().body()).isEqualTo(200);
        expected.add(Api.CONSOLE_USER + " resume plans 200");
        long replay = api.post("/api/feeds/plans/dead-letters/replay", null).json().get("runId").asLong();
        api.awaitRun(replay);
        expected.add("test-operator replay plans 202 run=" + replay);
        long drift = api.startDrift("plans");
        api.awaitDrift(drift);
        expected.add("test-operator drift plans 202 run=" + drift);
        Api.Answer definedFeed = api.put("/api/feeds/" + DEFINED, definition("{\"type\": \"bearer\", \"token\": \"${test.upstream}\"}"));
        assertThat(definedFeed.status()).as(definedFeed.raw().body()).isEqualTo(201);
        expected.add("test-operator define " + DEFINED + " 201");
        Api.Answer literal = api.put("/api/feeds/" + DEFINED, definition("{\"type\": \"bearer\", \"token\": \"literal-upstream-token\"}"));
        assertThat(literal.status()).isEqualTo(400);
        expected.add("test-operator define " + DEFINED + " 400 bad_request");
        assertThat(api.put("/api/feeds/plans", definition(null)).status()).isEqualTo(409);
        expected.add("test-operator define plans 409 feed_configured");
        assertThat(api.post("/api/feeds/plans/runs", "{\"apiKey\": \"sekrit-in-a-body-0123\"}").status()).isEqualTo(400);
        expected.add("test-operator run plans 400 bad_request");
        assertThat(api.post("/api/feeds/nope/runs", "{}").status()).isEqualTo(404);
        expected.add("test-operator run nope 404 not_found");
        long scoped = api.as(apiKey(SCOPED_KEY)).startRun("plans-incremental", "{\"mode\": \"incremental\"}");
        api.awaitRun(scoped);
        expected.add("test-scoped run plans-incremental 202 run=" + scoped);
        assertThat(api.delete("/api/feeds/" + DEFINED).status()).isEqualTo(200);
        expected.add("test-operator delete " + DEFINED + " 200");

        Api.Answer audit = api.get("/api/audit?limit=100");

        assertThat(audit.status()).as(audit.raw().body()).isEqualTo(200);
        List<String> listed = new ArrayList<>();
        audit.json().forEach(entry -> listed.add(0, line(entry)));
        assertThat(listed).containsExactlyElementsOf(expected);
        JsonNode newestFirst = audit.json();
        assertThat(newestFirst.get(newestFirst.size() - 2).get("request").toString()).isEqualTo("{\"dryRun\":true}");
        JsonNode pause = newestFirst.get(newestFirst.size() - 3);
        assertThat(pause.get("request").get("reason").asText()).isEqualTo("upstream migrating");
        JsonNode put = newestFirst.get(newestFirst.size() - 8);
        assertThat(put.at("/request/source/auth/token").asText()).isEqualTo(AuditTrail.MASK);
        assertThat(put.at("/request/source/auth/type").asText()).isEqualTo("bearer");
        assertThat(put.at("/request/target/key/0").asText()).as("masked by path, not by name").isEqualTo("epa_type");
        assertThat(put.at("/request/transform/mapping/epa_type").asText()).isEqualTo("/key");
        assertThat(put.at("/request/source/url").asText()).isEqualTo(upstream.url("/all/defined"));
        String rows = String.join("\n", jdbc.queryForList("select sync_audit::text from sync_audit", String.class));
        assertThat(rows).doesNotContain("literal-upstream-token").doesNotContain("sekrit-in-a-body-0123")
                .doesNotContain("${test.upstream}").doesNotContain(Api.OPERATOR_KEY).doesNotContain(SCOPED_KEY)
                .doesNotContain(Api.CONSOLE_PASSWORD);
        assertThat(audit.raw().body()).doesNotContain("literal-upstream-token").doesNotContain("sekrit-in-a-body-0123");
    }

    @Test
    void theTrailFiltersByFeedAndTimeAndLimits() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        api.post("/api/feeds/plans/pause", null);
        api.post("/api/feeds/plans/resume", null);
        api.post("/api/feeds/plans-single/pause", null);
        Instant after = Instant.now().plusSeconds(60);

        assertThat(api.get("/api/audit?feed=plans").json()).extracting(entry -> entry.get("action").asText())
                .containsExactly("resume", "pause");
        assertThat(api.get("/api/audit?limit=1").json()).extracting(entry -> entry.get("feed").asText())
                .containsExactly("plans-single");
        assertThat(api.get("/api/audit?since=" + after).json()).isEmpty();
        assertThat(api.get("/api/audit?since=2000-01-01T00:00:00Z").json()).hasSize(3);
        assertThat(api.get("/api/audit?since=yesterday").status()).isEqualTo(400);
        assertThat(api.get("/api/audit?limit=0").status()).isEqualTo(400);
    }

    @Test
    void onlyAnUnscopedOperatorReadsTheTrail() {
        api.post("/api/feeds/plans/pause", null);

        assertThat(api.as(bearer(Api.VIEWER_KEY)).get("/api/audit").status()).isEqualTo(403);
        assertThat(api.as(basic(Api.WATCHER_USER, Api.WATCHER_PASSWORD)).get("/api/audit").status()).isEqualTo(403);
        assertThat(api.as(apiKey(SCOPED_KEY)).get("/api/audit").status()).isEqualTo(403);
        assertThat(api.as(apiKey("test-scoped-viewer-key-01234")).get("/api/audit").status()).isEqualTo(403);
        assertThat(api.as(Api.anonymous()).get("/api/audit").status()).isEqualTo(401);
        assertThat(api.as(basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD)).get("/api/audit").json()).hasSize(1);
        assertThat(api.get("/api/audit").json().get(0).get("actor").asText()).isEqualTo("test-operator");
    }

    @Test
    void aPauseOrDefinitionIsNeverStoredWithoutItsAuditRow() {
        // the audit row of these actions is written in the transaction of their own row: make it fail
        jdbc.execute("create function refuse_audit() returns trigger language plpgsql as "
                + "$$ begin raise exception 'audit refused by the test'; end $$");
        jdbc.execute("create trigger refuse_audit before insert on sync_audit for each row execute function refuse_audit()");
        try {
            Api.Answer pause = api.post("/api/feeds/plans/pause", "{\"reason\": \"unaudited\"}");
            Api.Answer put = api.put("/api/feeds/" + DEFINED, definition(null));

            assertThat(pause.status()).isEqualTo(500);
            assertThat(put.status()).isEqualTo(500);
            assertThat(count("select count(*) from sync_feed_pause")).isZero();
            assertThat(count("select count(*) from sync_feed_definition")).isZero();
        } finally {
            jdbc.execute("drop trigger refuse_audit on sync_audit");
            jdbc.execute("drop function refuse_audit()");
        }
        assertThat(api.post("/api/feeds/plans/pause", null).status()).isEqualTo(200);
        assertThat(count("select count(*) from sync_feed_pause")).isOne();
        assertThat(count("select count(*) from sync_audit where action = 'pause' and status = 200")).isOne();
    }

    /** A console user's basic auth with the CSRF token that an unsafe request with it needs. */
    private Map<String, String> consoleUser() {
        Map<String, String> console = basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD);
        String token = api.as(console).get("/actuator/hawtio/").raw().headers().allValues("Set-Cookie").stream()
                .flatMap(cookie -> HttpCookie.parse(cookie).stream())
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst().orElseThrow();
        Map<String, String> headers = new LinkedHashMap<>(console);
        headers.put("Content-Type", "application/json");
        headers.put("Cookie", "XSRF-TOKEN=" + token);
        headers.put("X-XSRF-TOKEN", token);
        return headers;
    }

    private static String line(JsonNode entry) {
        String outcome = entry.get("runId").isNull() ? "" : " run=" + entry.get("runId").asLong();
        String error = entry.get("error").isNull() ? "" : " " + entry.get("error").asText();
        return entry.get("actor").asText() + " " + entry.get("action").asText() + " " + entry.get("feed").asText() + " "
                + entry.get("status").asInt() + outcome + error;
    }

    private String definition(String auth) {
        return """
                {"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"%s},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}"""
                .formatted(upstream.url("/all/defined"), auth == null ? "" : ", \"auth\": " + auth);
    }
}
