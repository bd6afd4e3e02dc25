package io.feedsync.api;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.support.Api;
import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** API keys, console passwords, upstream credentials and webhook secrets never reach the log, whatever callers send. */
@ExtendWith(OutputCaptureExtension.class)
@DeliversChanges
class SecretsInLogsTest extends FeedsyncTest {

    private static final List<String> SECRETS = List.of(Api.OPERATOR_KEY, Api.VIEWER_KEY, Api.CONSOLE_PASSWORD,
            Api.WATCHER_PASSWORD, "tok-Bearer-9f8e7d6c5b4a", "wrong-key-that-is-long-enough",
            "whsec-Test-Signing-Key-0042");

    @Test
    void noSecretIsLogged(CapturedOutput output) {
        // a feed whose webhooks sign with a secret, and fail
        upstream.serve("/hooks/changes", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        api.run("plans-notify");
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("delivering the change event after"));
        upstream.requireHeader("Authorization", "Bearer tok-Bearer-9f8e7d6c5b4a");
        api.run("plans-bearer");
        api.as(Api.apiKey(Api.OPERATOR_KEY)).post("/api/feeds/plans-bearer/runs", "{\"mode\": 7}");
        api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/feeds/plans-bearer/runs", "{}");
        api.as(Api.bearer("wrong-key-that-is-long-enough")).get("/api/feeds");
        api.as(Api.basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD)).get("/actuator/hawtio/");
        api.as(Api.basic(Api.WATCHER_USER, Api.WATCHER_PASSWORD)).post("/api/feeds/plans/runs", "{}");
        upstream.failAlways(request -> true, 401);
        api.run("plans-bearer");

        String log = output.getAll();
        assertThat(log).contains("Feed plans-bearer run").contains("FAILED");
        for (String secret : SECRETS) {
            assertThat(log).as("the log").doesNotContain(secret);
        }
    }
}
