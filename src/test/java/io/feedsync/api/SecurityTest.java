package io.feedsync.api;

import java.net.HttpCookie;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static io.feedsync.support.Api.anonymous;
import static io.feedsync.support.Api.apiKey;
import static io.feedsync.support.Api.basic;
import static io.feedsync.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** Every endpoint with no credentials, wrong ones, the wrong role and the right one: who may read, who may operate, and nobody else. */
class SecurityTest extends FeedsyncTest {

    private static final String JOLOKIA_VERSION = "{\"type\":\"version\"}";

    /** What each GET endpoint answers a viewer. */
    private Map<String, Integer> reads(long runId) {
        Map<String, Integer> reads = new LinkedHashMap<>();
        reads.put("/api/feeds", 200);
        reads.put("/api/feeds/plans/runs", 200);
        reads.put("/api/runs/" + runId, 200);
        reads.put("/api/openapi.json", 200);
        reads.put("/actuator/prometheus", 200);
        reads.put("/actuator/metrics", 200);
        reads.put("/actuator/info", 200);
        return reads;
    }

    private long aRun() {
        upstream.dataset("plans", FakeUpstream.plans(1, "v1"));
        return api.run("plans").get("runId").asLong();
    }

    @Test
    void withoutCredentialsEverythingButHealthIs401() {
        long runId = aRun();
        Api nobody = api.as(anonymous());
        for (String path : reads(runId).keySet()) {
            assertUnauthorized(nobody.get(path), path);
        }
        assertUnauthorized(nobody.post("/api/feeds/plans/runs", "{}"), "POST runs");
        assertUnauthorized(nobody.post("/api/feeds/plans/drift", "{}"), "POST drift");
        assertUnauthorized(nobody.get("/actuator/hawtio/"), "hawtio");
        assertUnauthorized(nobody.post("/actuator/jolokia", JOLOKIA_VERSION), "jolokia");
        assertThat(nobody.get("/actuator/health").status()).isEqualTo(200);
        assertThat(nobody.get("/demo/epa-clients-export").status()).as("the demo upstream exists only in the demo profile")
                .isEqualTo(401);
        assertThat(count("select count(*) from sync_run where feed = 'plans'")).as("no run started without credentials").isEqualTo(1);
    }

    @Test
    void wrongCredentialsAre401() {
        long runId = aRun();
        for (Map<String, String> wrong : List.of(bearer("not-a-key-but-long-enough"), apiKey("not-a-key-but-long-enough"),
                bearer(Api.OPERATOR_KEY + "x"), apiKey(Api.OPERATOR_KEY.substring(1)), bearer(""),
                basic(Api.CONSOLE_USER, "wrong-password-0123456"), basic("nobody", Api.CONSOLE_PASSWORD),
                Map.of("Authorization", "Token " + Api.OPERATOR_KEY))) {
            Api caller = api.as(wrong);
            assertUnauthorized(caller.get("/api/runs/" + runId), wrong.toString());
            assertUnauthorized(caller.post("/api/feeds/plans/runs", "{}"), wrong.toString());
            assertUnauthorized(caller.get("/actuator/prometheus"), wrong.toString());
        }
        assertThat(count("select count(*) from sync_run where feed = 'plans'")).isEqualTo(1);
    }

    @Test
    void viewerReadsButMayNotStartRunsNorUseTheConsole() {
        long runId = aRun();
        for (Map<String, String> viewer : List.of(bearer(Api.VIEWER_KEY), apiKey(Api.VIEWER_KEY),
                basic(Api.WATCHER_USER, Api.WATCHER_PASSWORD))) {
            Api caller = api.as(viewer);
            reads(runId).forEach((path, status) -> assertThat(caller.get(path).status()).as(path).isEqualTo(status));
            for (String write : List.of("/api/feeds/plans/runs", "/api/feeds/plans/drift", "/api/feeds/plans/dead-letters/replay")) {
                assertForbidden(caller.request("POST", write, withJson(viewer), "{}"), "viewer POST " + write);
            }
            assertForbidden(caller.get("/actuator/hawtio/"), "viewer hawtio");
            assertForbidden(caller.request("POST", "/actuator/jolokia", withJson(viewer), JOLOKIA_VERSION), "viewer jolokia");
        }
        assertThat(count("select count(*) from sync_run where feed = 'plans'")).isEqualTo(1);
    }

    @Test
    void operatorKeyDoesEverything() {
        long runId = aRun();
        for (Map<String, String> operator : List.of(bearer(Api.OPERATOR_KEY), apiKey(Api.OPERATOR_KEY))) {
            Api caller = api.as(operator);
            reads(runId).forEach((path, status) -> assertThat(caller.get(path).status()).as(path).isEqualTo(status));
            Api.Answer started = caller.post("/api/feeds/plans/runs", "{}");
            assertThat(started.status()).isEqualTo(202);
            api.awaitRun(started.json().get("runId").asLong());
            assertThat(caller.get("/actuator/hawtio/").status()).isEqualTo(200);
            Api.Answer jolokia = caller.post("/actuator/jolokia", JOLOKIA_VERSION);
            assertThat(jolokia.status()).isEqualTo(200);
            assertThat(jolokia.raw().body()).contains("\"agent\"");
        }
    }

    @Test
    void consoleUserNeedsTheCsrfTokenToPost() {
        aRun();
        Map<String, String> console = basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD);
        Api caller = api.as(console);

        Api.Answer page = caller.get("/actuator/hawtio/");
        assertThat(page.status()).isEqualTo(200);
        assertForbidden(caller.post("/api/feeds/plans/runs", "{}"), "basic POST without CSRF token");
        assertThat(count("select count(*) from sync_run where feed = 'plans'")).isEqualTo(1);

        String token = xsrfCookies(page).get(0);
        Map<String, String> withToken = new LinkedHashMap<>(withJson(console));
        withToken.put("Cookie", "XSRF-TOKEN=" + token);
        withToken.put("X-XSRF-TOKEN", token);
        Api.Answer started = api.as(anonymous()).request("POST", "/api/feeds/plans/runs", withToken, "{}");
        assertThat(started.status()).isEqualTo(202);
        api.awaitRun(started.json().get("runId").asLong());
        assertThat(api.as(anonymous()).request("POST", "/actuator/jolokia", withToken, JOLOKIA_VERSION).status())
                .isEqualTo(200);
    }

    /** The console reads the token once and sends it with every POST, often several at a time. */
    @Test
    void consoleTokenStaysValidFromRequestToRequest() {
        Map<String, String> console = basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD);
        String token = xsrfCookies(api.as(console).get("/actuator/hawtio/")).get(0);
        Map<String, String> withToken = new LinkedHashMap<>(withJson(console));
        withToken.put("Cookie", "XSRF-TOKEN=" + token);
        withToken.put("X-XSRF-TOKEN", token);

        for (int i = 0; i < 2; i++) {
            Api.Answer answer = api.as(anonymous()).request("POST", "/actuator/jolokia", withToken, JOLOKIA_VERSION);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(xsrfCookies(answer)).as("XSRF-TOKEN cookies set by the answer").allMatch(token::equals);
        }
    }

    @Test
    void healthIsOpenButItsDetailsAreNot() {
        Api.Answer open = api.as(anonymous()).get("/actuator/health");
        assertThat(open.json().has("components")).isFalse();

        Api.Answer detailed = api.as(bearer(Api.VIEWER_KEY)).get("/actuator/health");
        assertThat(detailed.json().get("components").has("db")).isTrue();
        assertThat(detailed.json().get("components").has("feeds")).isTrue();
    }

    private static List<String> xsrfCookies(Api.Answer answer) {
        return answer.raw().headers().allValues("Set-Cookie").stream()
                .flatMap(cookie -> HttpCookie.parse(cookie).stream())
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN")).map(HttpCookie::getValue).toList();
    }

    private static Map<String, String> withJson(Map<String, String> credentials) {
        Map<String, String> headers = new LinkedHashMap<>(credentials);
        headers.put("Content-Type", "application/json");
        return headers;
    }

    private static void assertUnauthorized(Api.Answer answer, String what) {
        assertThat(answer.status()).as(what).isEqualTo(401);
        assertThat(answer.json().get("error").asText()).as(what).isEqualTo("unauthorized");
        assertThat(answer.json().get("message").asText()).as(what).isNotBlank();
        assertThat(answer.raw().headers().allValues("WWW-Authenticate")).as(what)
                .contains("Basic realm=\"feedsync\"", "Bearer realm=\"feedsync\"");
    }

    private static void assertForbidden(Api.Answer answer, String what) {
        assertThat(answer.status()).as(what).isEqualTo(403);
        assertThat(answer.json().get("error").asText()).as(what).isEqualTo("forbidden");
        assertThat(answer.json().get("message").asText()).as(what).isNotBlank();
    }
}
