package io.feedsync.ops;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator steers the node's timer route over JMX through Jolokia's HTTP endpoint, as Hawtio does:
 * with {@code feed-timer} suspended, no timer fire runs on this node. (A feed of its own is paused with
 * {@code feedsync:type=Feeds}, JmxFeedPausesTest.)
 */
@ExtendWith(OutputCaptureExtension.class)
class JmxRouteControlTest extends SteeredFeedTest {

    @Test
    void suspendedTimerDoesNotFireUntilResumed(CapturedOutput output) throws InterruptedException {
        upstream.dataset("steers", FakeUpstream.plans(2, "v1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> timerRuns() >= 1);
        String timer = timerMBean();

        assertThat(exec(timer, "suspend()").get("status").asInt()).isEqualTo(200);
        assertThat(read(timer, "State")).isEqualTo("Suspended");
        await().atMost(Duration.ofSeconds(10)).until(() -> runningRuns() == 0);
        int whileSuspended = timerRuns();
        Thread.sleep(2000); // two due fires

        assertThat(timerRuns()).as("no fire while suspended").isEqualTo(whileSuspended);
        assertThat(output.getAll()).contains("Feed steered: timer fire of").contains("skipped: route feed-timer is suspended on this node");

        exec(timer, "resume()");
        assertThat(read(timer, "State")).isEqualTo("Started");
        await().atMost(Duration.ofSeconds(10)).until(() -> timerRuns() > whileSuspended);
    }

    /**
     * Suspend / resume is the console's route control: stop, start and remove are refused (a stopped
     * route is feedsync's own doing, a removed or refused feed), and the timer keeps its state.
     */
    @Test
    void stopStartAndRemoveAreRefused() {
        upstream.dataset("steers", FakeUpstream.plans(2, "v1"));
        String timer = timerMBean();

        for (String operation : new String[] {"stop()", "remove()", "start()"}) {
            JsonNode refused = api.post("/actuator/jolokia", "{\"type\":\"exec\",\"mbean\":\""
                    + timer.replace("\"", "\\\"") + "\",\"operation\":\"" + operation + "\"}").json();
            assertThat(refused.get("status").asInt()).as(operation + ": " + refused).isEqualTo(403);
        }
        assertThat(read(timer, "State")).isEqualTo("Started");
    }

    @Test
    void viewerMayNotSteerRoutes() {
        Api.Answer answer = api.as(Api.bearer(Api.VIEWER_KEY)).post("/actuator/jolokia",
                "{\"type\":\"exec\",\"mbean\":\"" + timerMBean().replace("\"", "\\\"") + "\",\"operation\":\"suspend()\"}");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(read(timerMBean(), "State")).isEqualTo("Started");
    }

    @Test
    void aFeedHasNoMBeansOfItsOwn() {
        upstream.dataset("steers", FakeUpstream.plans(2, "v1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> timerRuns() >= 1);

        assertThat(search("type=routes,name=\\\"feed-steered*\\\",*")).as("no route of its own").isEmpty();
        assertThat(search("type=routes,name=\\\"feed-sync\\\",*")).as("the sync every feed shares").hasSize(1);
        assertThat(search("type=processors,*")).as("the steps of any route").isEmpty();
        assertThat(search("type=endpoints,name=\\\"upstream-steered*\\\",*")).as("its endpoints").isEmpty();
        assertThat(search("type=components,name=\\\"upstream-steered\\\",*")).as("its http component").isEmpty();
        assertThat(search("type=endpoints,*")).as("endpoints of the routes").isNotEmpty();
    }

    private JsonNode search(String pattern) {
        return jolokia("{\"type\":\"search\",\"mbean\":\"org.apache.camel:" + pattern + "\"}").get("value");
    }

    /** The timer route's MBean of this test's Camel context. */
    private String timerMBean() {
        JsonNode found = jolokia("{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,name=\\\"feed-timer\\\",*\"}");
        assertThat(found.get("value")).hasSize(1);
        return found.get("value").get(0).asText();
    }

    private JsonNode exec(String mbean, String operation, String... arguments) {
        StringBuilder args = new StringBuilder();
        for (String argument : arguments) {
            args.append(args.isEmpty() ? "" : ",").append('"').append(argument).append('"');
        }
        return jolokia("{\"type\":\"exec\",\"mbean\":\"" + mbean.replace("\"", "\\\"") + "\",\"operation\":\""
                + operation + "\",\"arguments\":[" + args + "]}");
    }

    private String read(String mbean, String attribute) {
        return jolokia("{\"type\":\"read\",\"mbean\":\"" + mbean.replace("\"", "\\\"") + "\",\"attribute\":\"" + attribute + "\"}")
                .get("value").asText();
    }

    private JsonNode jolokia(String request) {
        Api.Answer answer = api.post("/actuator/jolokia", request);
        assertThat(answer.status()).isEqualTo(200);
        JsonNode json = answer.json();
        assertThat(json.get("status").asInt()).as(answer.raw().body()).isEqualTo(200);
        return json;
    }

    private int timerRuns() {
        return count("select count(*) from sync_run where feed = 'steered' and trigger = 'timer'");
    }

    private int runningRuns() {
        return count("select count(*) from sync_run where feed = 'steered' and status = 'RUNNING'");
    }
}
