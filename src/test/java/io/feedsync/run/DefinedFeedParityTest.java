package io.feedsync.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.notify.WebhookReceiver;
import io.feedsync.ops.JmxFeedPauses;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A feed defined over the API is as much a feed as a configured one: it is in health and has its
 * gauges from its definition on, and neither once deleted; its change events reach its webhooks,
 * whose routes follow its changes and its deletion; a pause outlives its deletion and says so; and it
 * is paused and resumed over JMX (Jolokia, as Hawtio does) by the same code as over the API, audited.
 * <p>
 * Spring Boot's tests turn JMX export off (the beans of cached applications would clash); this one's
 * application has it, as feedsync has outside tests, and is closed after the class so that its MBeans
 * do not clash with those of applications that later tests start.
 */
@TestPropertySource(properties = {"spring.jmx.enabled=true", "test.hook-token=hook-Token-Parity-0042"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DefinedFeedParityTest extends FeedsyncTest {

    private static final String FEED = "parity-plans";
    /** A schedule that never fires during the test: the feed has a timer and is judged for staleness. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";
    private static final List<String> GAUGES = List.of("feedsync_feed_stale", "feedsync_feed_paused",
            "feedsync_dead_letters", "feedsync_last_success_timestamp_seconds", "feedsync_drift_records");

    private final WebhookReceiver first = new WebhookReceiver();
    private final WebhookReceiver second = new WebhookReceiver();

    @Autowired
    CamelContext camel;
    @Autowired
    DefinedFeeds defined;
    @Autowired
    JmxFeedPauses jmx;


    @BeforeEach
    @AfterEach
    void noSuchFeed() {
        // other applications of this JVM would load it at their start, and deliver its events
        jdbc.update("delete from sync_feed_definition where feed = ?", FEED);
        jdbc.update("delete from sync_change where feed = ?", FEED);
        jdbc.update("delete from sync_delivery where feed = ?", FEED);
        jdbc.update("delete from sync_audit where feed in (?, 'no-such-feed')", FEED);
        defined.reconcile();
        upstream.dataset("parity", FakeUpstream.plans(5, "v1"));
        upstream.serve("/hooks/parity-first", first);
        upstream.serve("/hooks/parity-second", second);
    }

    @Test
    void healthAndGaugesFollowTheFeedFromItsDefinitionToItsDeletion() {
        assertThat(feedHealth()).as("not defined yet").isNull();
        assertThat(gauges()).isEmpty();

        assertThat(api.put("/api/feeds/" + FEED, definition(null)).status()).isEqualTo(201);

        JsonNode health = feedHealth();
        assertThat(health).as("in health from its definition on").isNotNull();
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.at("/details/schedule").asText()).isEqualTo(NEVER);
        assertThat(gauges()).containsOnlyKeys(GAUGES);
        assertThat(gauges().get("feedsync_last_success_timestamp_seconds")).isEqualTo("NaN");

        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(gauges().get("feedsync_last_success_timestamp_seconds")).isNotEqualTo("NaN");
        assertThat(feedHealth().at("/details/lastSuccess").asText()).isNotBlank();
        assertThat(api.post("/api/feeds/" + FEED + "/pause", "{\"reason\": \"parity\"}").status()).isEqualTo(200);
        assertThat(gauges().get("feedsync_feed_paused")).isEqualTo("1");
        assertThat(feedHealth().at("/details/paused/reason").asText()).isEqualTo("parity");

        Api.Answer deleted = api.delete("/api/feeds/" + FEED);
        assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
        assertThat(feedHealth()).as("gone from health once deleted").isNull();
        assertThat(gauges()).as("its gauges gone too").isEmpty();
    }

    @Test
    void aPauseOutlivesTheDeletionAndTheAnswersSaySo() {
        api.put("/api/feeds/" + FEED, definition(null));
        assertThat(api.get("/api/feeds/" + FEED + "/definition").json().at("/pause/paused").asBoolean()).isFalse();
        api.post("/api/feeds/" + FEED + "/pause", "{\"reason\": \"partner migrating\"}");

        Api.Answer deleted = api.delete("/api/feeds/" + FEED);
        assertThat(deleted.json().at("/pause/paused").asBoolean()).as(deleted.raw().body()).isTrue();
        assertThat(deleted.json().at("/pause/reason").asText()).isEqualTo("partner migrating");

        Api.Answer again = api.put("/api/feeds/" + FEED, definition(null));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().at("/pause/paused").asBoolean()).as("defined again, it starts paused").isTrue();
        assertThat(api.get("/api/feeds/" + FEED + "/definition").json().at("/pause/pausedBy").asText())
                .isEqualTo("test-operator");
        assertThat(api.post("/api/feeds/" + FEED + "/runs", null).status()).isEqualTo(409);
        assertThat(feedHealth().at("/details/paused")).isNotNull();
        api.post("/api/feeds/" + FEED + "/resume", null);
        JsonNode unpaused = api.delete("/api/feeds/" + FEED).json();
        assertThat(unpaused.path("pause").isNull() || unpaused.path("pause").isMissingNode()).as("no pause left behind")
                .isTrue();
    }

    @Test
    void itsChangeEventsReachItsWebhookWhoseRouteFollowsItsChangesAndDeletion() {
        // a credential in the URI is a placeholder (test.hook-token: a property of this node the tests may read)
        Api.Answer created = api.put("/api/feeds/" + FEED, definition(
                "{\"changes\": [\"" + upstream.url("/hooks/parity-first") + "?token=${test.hook-token}\"],"
                        + " \"secret\": \"${test.upstream}\"}"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(camel.getRoute("feed-" + FEED + "-notify-1")).isNotNull();
        assertThat(api.get("/api/feeds/" + FEED + "/definition").json().at("/definition/notify/changes/0").asText())
                .endsWith("?token=${test.hook-token}");

        api.run(FEED);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids(first.accepted()).equals(eventIds()));
        assertThat(first.accepted()).hasSize(5);
        for (WebhookReceiver.Received event : first.accepted()) {
            assertThat(event.json().get("op").asText()).isEqualTo("inserted");
            assertThat(WebhookReceiver.verifies(event.signature(), event.body(), upstream.url("")))
                    .as("signed with the secret its placeholder names").isTrue();
        }
        assertThat(jdbc.queryForList("select endpoint from sync_delivery where feed = ?", String.class, FEED))
                .as("named as written: the placeholder names the secret").singleElement().asString()
                .endsWith("?token=${test.hook-token}");
        assertThat(lagGauges()).isEqualTo(1);

        Api.Answer changed = api.put("/api/feeds/" + FEED, definition(
                "{\"changes\": [\"" + upstream.url("/hooks/parity-second") + "\"], \"secret\": \"${test.upstream}\"}"));
        assertThat(changed.status()).isEqualTo(200);
        upstream.dataset("parity", FakeUpstream.plans(5, "v2"));
        api.run(FEED);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> ids(second.accepted()).equals(eventIds()));
        assertThat(eventIds()).hasSize(10);
        assertThat(first.received()).as("the replaced endpoint gets nothing more").hasSize(5);

        assertThat(api.delete("/api/feeds/" + FEED).status()).isEqualTo(200);
        assertThat(camel.getRoutes()).noneMatch(route -> route.getRouteId().startsWith("feed-" + FEED + "-"));
        assertThat(lagGauges()).isZero();
    }

    @Test
    void aLiteralWebhookSecretOrCredentialIsRefusedAndNothingStored() {
        Api.Answer secret = api.put("/api/feeds/" + FEED, definition(
                "{\"changes\": [\"" + upstream.url("/hooks/parity-first") + "\"], \"secret\": \"whsec-Literal-0042\"}"));
        Api.Answer inUri = api.put("/api/feeds/" + FEED, definition(
                "{\"changes\": [\"" + upstream.url("/hooks/parity-first") + "?token=literal-hook-token\"]}"));

        assertThat(secret.status()).isEqualTo(400);
        assertThat(secret.raw().body()).contains("notify.secret: a secret is given as a ${NAME} placeholder")
                .doesNotContain("whsec-Literal-0042");
        assertThat(inUri.status()).isEqualTo(400);
        assertThat(inUri.raw().body()).contains("notify.changes[0]: a credential in an endpoint URI is given as a ${NAME} placeholder")
                .doesNotContain("literal-hook-token");
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", FEED)).isZero();
        assertThat(camel.getRoute("feed-" + FEED + "-notify-1")).isNull();
    }

    @Test
    void pausedAndResumedOverJmxThroughJolokiaAsOverTheApiAndAudited() {
        api.put("/api/feeds/" + FEED, definition(null));
        String mbean = jmx.getObjectName().toString();

        JsonNode paused = api.jolokiaExec(mbean, "pause", FEED, "paused from Hawtio");
        assertThat(paused.get("status").asInt()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.get("value").asText()).contains("by test-operator: paused from Hawtio");

        Api.Answer refused = api.post("/api/feeds/" + FEED + "/runs", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("feed_paused");
        assertThat(api.jolokiaExec(mbean, "paused").at("/value/" + FEED).asText()).contains("paused from Hawtio");
        Map<String, Object> audited = jdbc.queryForMap("select actor, status, request->>'via' as via,"
                + " request->>'reason' as reason from sync_audit where feed = ? and action = 'pause'", FEED);
        assertThat(audited).containsEntry("actor", "test-operator").containsEntry("status", 200)
                .containsEntry("via", "jmx").containsEntry("reason", "paused from Hawtio");

        assertThat(api.jolokiaExec(mbean, "resume", FEED).get("value").asText()).isEqualTo("feed " + FEED + " resumed");
        assertThat(api.run(FEED).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from sync_audit where feed = ? and action = 'resume' and status = 200"
                + " and request->>'via' = 'jmx'", FEED)).isOne();

        JsonNode unknown = api.jolokiaExec(mbean, "pause", "no-such-feed", "");
        assertThat(unknown.get("status").asInt()).isNotEqualTo(200);
        assertThat(unknown.get("error").asText()).contains("no feed named 'no-such-feed'");
        assertThat(count("select count(*) from sync_audit where feed = 'no-such-feed' and status = 404"
                + " and error = 'not_found'")).isOne();
    }

    @Test
    void aRunOnStartupFeedDefinedOverTheApiRunsWhenANodeStartsNotWhenDefined() throws InterruptedException {
        Api.Answer created = api.put("/api/feeds/" + FEED, definition(null).replace("\"mode\": \"full\",",
                "\"mode\": \"full\", \"run-on-startup\": true,"));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        Thread.sleep(1000);
        assertThat(count("select count(*) from sync_run where feed = ?", FEED)).as("defining it starts no run").isZero();

        // another node starting on the same database: it loads the feed, then runs it, as a configured one
        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("test")
                .run("--spring.datasource.url=" + TestDatabase.url(),
                        "--spring.datasource.username=" + TestDatabase.username(),
                        "--spring.datasource.password=" + TestDatabase.password(),
                        "--server.port=0", "--spring.main.banner-mode=off",
                        // two applications exporting to one JVM's MBean server: Spring's beans (the pool) need unique names
                        "--spring.jmx.unique-names=true",
                        // as outside tests: definitions followed by a listener of their own, yet loaded before startup runs
                        "--feedsync.definitions.listen=true",
                        "--test.upstream=" + upstream.url(""), "--test.raw-upstream=" + upstream.rawUrl(""))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> count(
                    "select count(*) from sync_run where feed = ? and trigger = 'timer' and status = 'SUCCEEDED'", FEED) == 1);
            javax.management.ObjectName own = node.getBean(JmxFeedPauses.class).getObjectName();
            assertThat(own.toString()).as("the second application of this JVM has a name of its own")
                    .startsWith(JmxFeedPauses.OBJECT_NAME + ",instance=");
            assertThat(java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(own)).isTrue();
        }
        assertThat(count("select count(*) from test_plans")).isEqualTo(5);
    }


    private JsonNode feedHealth() {
        JsonNode feeds = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/health").json().at("/components/feeds/components");
        return feeds.get(FEED);
    }

    /** This feed's per-feed gauges in the Prometheus scrape, by name. */
    private Map<String, String> gauges() {
        String scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus").raw().body();
        Map<String, String> found = new java.util.TreeMap<>();
        Matcher sample = Pattern.compile("(?m)^(feedsync_[a-z_]+)\\{[^}]*feed=\"" + FEED + "\"[^}]*} (\\S+)$").matcher(scrape);
        while (sample.find()) {
            if (GAUGES.contains(sample.group(1))) {
                found.put(sample.group(1), sample.group(2).replaceAll("\\.0$", ""));
            }
        }
        return found;
    }

    private int lagGauges() {
        String scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus").raw().body();
        return (int) scrape.lines().filter(line -> line.startsWith("feedsync_changes_delivery_lag_seconds{")
                && line.contains("feed=\"" + FEED + "\"")).count();
    }

    private List<Long> eventIds() {
        return jdbc.queryForList("select id from sync_change where feed = ? order by id", Long.class, FEED);
    }

    private static List<Long> ids(List<WebhookReceiver.Received> received) {
        return received.stream().map(r -> r.json().get("id").asLong()).toList();
    }

    private String definition(String notify) {
        return """
                {"schedule": "%s", "mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}%s}"""
                .formatted(NEVER, upstream.url("/all/parity"), notify == null ? "" : ", \"notify\": " + notify);
    }
}
