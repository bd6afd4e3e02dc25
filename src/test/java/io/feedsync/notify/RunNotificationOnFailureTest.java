package io.feedsync.notify;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.support.DeliversChanges;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code notify.runs-on: failure}: a succeeded run is not notified, a failed one is. */
@DeliversChanges
@TestPropertySource(properties = "feedsync.feeds.plans-notify.notify.runs-on=failure")
class RunNotificationOnFailureTest extends FeedsyncTest {

    @Test
    void onlyFailedRunsAreNotified() {
        WebhookReceiver runs = new WebhookReceiver();
        upstream.serve("/hooks/runs", runs);
        upstream.dataset("plans", FakeUpstream.plans(2, "v1"));
        JsonNode succeeded = api.run("plans-notify");
        upstream.failAlways(request -> request.path().startsWith("/page/"), 500);

        JsonNode failed = api.run("plans-notify");

        assertThat(succeeded.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        await().atMost(Duration.ofSeconds(10)).until(() -> !runs.received().isEmpty());
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        assertThat(runs.received()).hasSize(1);
        assertThat(runs.received().get(0).json().get("runId").asLong()).isEqualTo(failed.get("runId").asLong());
        assertThat(runs.received().get(0).json().get("status").asText()).isEqualTo("FAILED");
    }
}
