package io.feedsync.api;

import java.net.HttpCookie;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static io.feedsync.support.Api.anonymous;
import static io.feedsync.support.Api.apiKey;
import static io.feedsync.support.Api.basic;
import static io.feedsync.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** A run started over the API names who started it. */
class TriggeredByTest extends FeedsyncTest {

    @Test
    void aRunNamesTheKeyThatStartedIt() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));

        JsonNode byOperator = api.run("plans");
        JsonNode byScoped = api.as(apiKey("test-scoped-key-0123456789ab")).run("plans-incremental", null);

        assertThat(byOperator.get("trigger").asText()).isEqualTo("rest");
        assertThat(byOperator.get("triggeredBy").asText()).isEqualTo("test-operator");
        assertThat(byScoped.get("triggeredBy").asText()).isEqualTo("test-scoped");
        assertThat(api.get("/api/feeds/plans/runs").json().get(0).get("triggeredBy").asText()).isEqualTo("test-operator");
        assertThat(jdbc.queryForList("select triggered_by from sync_run order by id", String.class))
                .containsExactly("test-operator", "test-scoped");
    }

    @Test
    void replaysAndDriftChecksNameTheirCallerToo() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));

        Api.Answer replay = api.post("/api/feeds/plans/dead-letters/replay", null);
        JsonNode replayed = api.awaitRun(replay.json().get("runId").asLong());
        long drift = api.startDrift("plans");
        api.awaitDrift(drift);

        assertThat(replayed.get("trigger").asText()).isEqualTo("replay");
        assertThat(replayed.get("triggeredBy").asText()).isEqualTo("test-operator");
        assertThat(api.get("/api/runs/" + drift).json().get("triggeredBy").asText()).isEqualTo("test-operator");
    }

    @Test
    void aConsoleUsersRunNamesTheUser() {
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        Map<String, String> console = basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD);
        String token = api.as(console).get("/actuator/hawtio/").raw().headers().allValues("Set-Cookie").stream()
                .flatMap(cookie -> HttpCookie.parse(cookie).stream())
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).findFirst().orElseThrow();
        Map<String, String> headers = new LinkedHashMap<>(console);
        headers.put("Content-Type", "application/json");
        headers.put("Cookie", "XSRF-TOKEN=" + token);
        headers.put("X-XSRF-TOKEN", token);

        Api.Answer started = api.as(anonymous()).request("POST", "/api/feeds/plans/runs", headers, "{}");

        assertThat(started.status()).isEqualTo(202);
        assertThat(api.awaitRun(started.json().get("runId").asLong()).get("triggeredBy").asText())
                .isEqualTo(Api.CONSOLE_USER);
        assertThat(api.as(bearer(Api.VIEWER_KEY)).get("/api/runs/" + started.json().get("runId").asLong()).json()
                .get("triggeredBy").asText()).isEqualTo(Api.CONSOLE_USER);
    }
}
