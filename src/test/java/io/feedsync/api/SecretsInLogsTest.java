package io.feedsync.api;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.support.CallerSecrets;
import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** API keys, console passwords, upstream credentials and webhook secrets never reach the log, whatever callers send. */
@ExtendWith(OutputCaptureExtension.class)
@DeliversChanges
class SecretsInLogsTest extends FeedsyncTest {

    private static final String BEARER_TOKEN = "tok-Bearer-9f8e7d6c5b4a";

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
        upstream.requireHeader("Authorization", "Bearer " + BEARER_TOKEN);
        api.run("plans-bearer");
        CallerSecrets.presentEveryKind(api);
        upstream.failAlways(request -> true, 401);
        api.run("plans-bearer");

        String log = output.getAll();
        assertThat(log).contains("Feed plans-bearer run").contains("FAILED");
        for (String secret : Stream.concat(CallerSecrets.ALL.stream(), Stream.of(BEARER_TOKEN)).toList()) {
            assertThat(log).as("the log").doesNotContain(secret);
        }
    }
}
