package io.feedsync.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.run.DefinedFeeds;
import io.feedsync.run.FeedTimers;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.StartupCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What one feed may ask of a node is bounded ({@code feedsync.limits.*}): an operator key cannot define
 * a feed that fires every second, retries for ever, reads 8 TB pages or waits ten years, nor more feeds
 * than the node allows; each value one over its limit is a 400 naming the key, the value and the limit,
 * at the limit it is accepted. A configured feed over a limit stops startup. A PUT refused or failing
 * after validation stores nothing: no version, no audit row of a change, no table, no routes.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "feedsync.limits.max-feeds=3")
class BoundsSecurityTest extends FeedsyncTest {

    private static final String FEED = "bounded";
    /** A schedule that never fires during the test: the feed has a timer route and a stored trigger. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    CamelContext camel;
    @Autowired
    Scheduler quartz;
    @Autowired
    DefinedFeeds defined;
    @Autowired
    FeedCatalog catalog;
    /** The audit rows of this test are those after it. */
    private long auditBefore;

    @BeforeEach
    @AfterEach
    void noDefinedFeeds() {
        jdbc.execute("alter table qrtz_triggers drop constraint if exists bounds_no_timer");
        jdbc.update("delete from sync_feed_definition");
        defined.reconcile();
        jdbc.execute("drop table if exists public.bounds_created");
        upstream.dataset("bounded", FakeUpstream.plans(3, "v1"));
        auditBefore = jdbc.queryForObject("select coalesce(max(id), 0) from sync_audit", Long.class);
    }

    /**
     * Each bound, the value the probe sent or one over the limit: refused naming key, value and limit,
     * nothing stored. The same key at its limit: accepted.
     */
    @ParameterizedTest(name = "{0}: {1} refused, {2} accepted")
    @CsvSource(delimiter = '|', textBlock = """
            schedule                              | "* * * * * ?"         | "0 * * * * ? 2099"    | schedule: '* * * * * ?' fires 1s apart; a feed defined over the API fires at most every 1m (feedsync.limits.min-schedule-interval)
            schedule                              | "0,1 * * * * ?"       | "0 */5 * * * ? 2099"  | schedule: '0,1 * * * * ?' fires 1s apart; a feed defined over the API fires at most every 1m (feedsync.limits.min-schedule-interval)
            schedule                              | "*/30 * * * * ?"      | "0 */5 * * * ? 2099"  | schedule: '*/30 * * * * ?' fires 30s apart; a feed defined over the API fires at most every 1m (feedsync.limits.min-schedule-interval)
            chunk-size                            | 2147483647            | 10000                 | chunk-size: 2147483647 is over this node's limit of 10000 (feedsync.limits.max-chunk-size)
            chunk-size                            | 10001                 | 10000                 | chunk-size: 10001 is over this node's limit of 10000 (feedsync.limits.max-chunk-size)
            source.rate-limit.prefetch            | 2147483647            | 64                    | source.rate-limit.prefetch: 2147483647 is over this node's limit of 64 (feedsync.limits.max-prefetch)
            source.rate-limit.prefetch            | 65                    | 64                    | source.rate-limit.prefetch: 65 is over this node's limit of 64 (feedsync.limits.max-prefetch)
            source.rate-limit.requests-per-second | 0.0001                | 0.001                 | source.rate-limit.requests-per-second: 1.0E-4 waits 2h 46m 40s between requests, over this node's limit of 1h (feedsync.limits.max-timeout)
            source.max-page-size                  | "8TB"                 | "256MB"               | source.max-page-size: 8TB is over this node's limit of 256MB (feedsync.limits.max-page-size)
            source.max-page-size                  | "257MB"               | "256MB"               | source.max-page-size: 257MB is over this node's limit of 256MB (feedsync.limits.max-page-size)
            source.pagination.max-pages           | 1000001               | 1000000               | source.pagination.max-pages: 1000001 is over this node's limit of 1000000 (feedsync.limits.max-pages)
            source.timeout                        | "3650d"               | "1h"                  | source.timeout: 3650d is over this node's limit of 1h (feedsync.limits.max-timeout)
            source.timeout                        | "61m"                 | "60m"                 | source.timeout: 1h 1m is over this node's limit of 1h (feedsync.limits.max-timeout)
            source.connect-timeout                | "3650d"               | "1h"                  | source.connect-timeout: 3650d is over this node's limit of 1h (feedsync.limits.max-timeout)
            statement-timeout                     | "3650d"               | "1h"                  | statement-timeout: 3650d is over this node's limit of 1h (feedsync.limits.max-timeout)
            source.retry.max-attempts             | 2147483647            | 20                    | source.retry.max-attempts: 2147483647 is over this node's limit of 20 (feedsync.limits.max-attempts)
            source.retry.max-attempts             | 21                    | 20                    | source.retry.max-attempts: 21 is over this node's limit of 20 (feedsync.limits.max-attempts)
            source.retry                          | {"max-attempts": 14, "initial-backoff": "5m", "max-backoff": "5m"} | {"max-attempts": 13, "initial-backoff": "5m", "max-backoff": "5m"} | source.retry: 14 attempts, backing off from 5m up to 5m, wait up to 1h 5m in all, over this node's limit of 1h (feedsync.limits.max-retry-time)
            source.retry.initial-backoff          | "1ms"                 | "100ms"               | source.retry.initial-backoff: 1ms is under this node's floor of 100ms for a feed defined over the API (feedsync.limits.min-backoff)
            """)
    void eachValueOverItsLimitIsRefusedNamingKeyValueAndLimitAndAtTheLimitAccepted(String key, String over,
                                                                                    String atLimit, String problem) {
        Api.Answer refused = api.put("/api/feeds/" + FEED, definition(Map.of(key, json(over))));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo("bad_request");
        assertThat(refused.json().get("problems")).extracting(JsonNode::asText)
                .containsExactly("feedsync.feeds." + FEED + "." + problem);
        assertNothingStored(FEED);

        Api.Answer accepted = api.put("/api/feeds/" + FEED, definition(Map.of(key, json(atLimit))));
        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(201);
    }

    /** The probe's name: refused before anything is stored; nothing is left to warn about at each reconcile. */
    @Test
    void aThreeThousandCharacterNameIsRefusedBeforeAnythingIsStored(CapturedOutput output) {
        String name = "a".repeat(3000);

        Api.Answer refused = api.put("/api/feeds/" + name, definition(Map.of("schedule", json("\"" + NEVER + "\""))));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(400);
        assertThat(refused.json().get("problems")).extracting(JsonNode::asText).containsExactly("feedsync.feeds."
                + "a".repeat(40) + "… (3000 characters): feed names are lower-case letters, digits and '-', at most"
                + " 100 characters");
        assertNothingStored(name);
        assertThat(audited(name))
                .as("the refusal is audited, nothing else").containsExactly(400);
        defined.reconcile();
        defined.reconcile();
        assertThat(output.getAll()).doesNotContain("could not follow");

        assertThat(api.put("/api/feeds/" + "b".repeat(101), definition(Map.of())).status()).isEqualTo(400);
        assertNothingStored("b".repeat(101));
        Api.Answer longest = api.put("/api/feeds/" + "c".repeat(100), definition(Map.of("schedule", json("\"" + NEVER + "\""))));
        assertThat(longest.status()).as(longest.raw().body()).isEqualTo(201);
    }

    /**
     * Definitions stored before the limits (a 3000-character name, a timer every second) are not
     * started; each is said once, as an error, not warned about again at every reconcile.
     */
    @Test
    void aStoredDefinitionOverTheLimitsIsNotStartedAndSaidOnce(CapturedOutput output) throws Exception {
        String longName = "d".repeat(3000);
        store(longName, definition(Map.of("schedule", json("\"" + NEVER + "\""))));
        store("every-second", definition(Map.of("schedule", json("\"* * * * * ?\""))));

        defined.reconcile();
        defined.reconcile();
        defined.reconcile();

        assertThat(catalog.contains(longName)).isFalse();
        assertThat(catalog.contains("every-second")).isFalse();
        assertThat(quartz.checkExists(new TriggerKey("every-second", FeedTimers.GROUP))).as("no timer").isFalse();
        assertThat(output.getAll()).doesNotContain("could not follow");
        assertThat(output.getAll().split("Feed every-second version 1 is refused on this node and does not run", -1)).hasSize(2);
        assertThat(output.getAll()).contains("fires 1s apart; a feed defined over the API fires at most every 1m");
    }

    /** At most feedsync.limits.max-feeds (3 here) feeds over the API: a new one past it is a 409; a change still works. */
    @Test
    void aNewFeedPastMaxFeedsIsRefusedAndTheFeedsThereMayStillChange() {
        for (int i = 1; i <= 3; i++) {
            assertThat(api.put("/api/feeds/" + FEED + "-" + i, definition(Map.of())).status()).isEqualTo(201);
        }

        Api.Answer refused = api.put("/api/feeds/" + FEED + "-4", definition(Map.of()));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("too_many_feeds");
        assertThat(refused.json().get("message").asText()).isEqualTo("feed 'bounded-4' is not created: 3 feeds are"
                + " defined over the API, this node's limit (feedsync.limits.max-feeds) is 3; delete one or raise the limit");
        assertNothingStored(FEED + "-4");
        assertThat(audited(FEED + "-4"))
                .containsExactly(409);

        Api.Answer changed = api.put("/api/feeds/" + FEED + "-1", definition(Map.of("chunk-size", json("250"))));
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        assertThat(api.delete("/api/feeds/" + FEED + "-2").status()).isEqualTo(200);
        assertThat(api.put("/api/feeds/" + FEED + "-4", definition(Map.of())).status()).isEqualTo(201);
    }

    /** New feeds PUT at the same moment are counted one after the other: never more than the limit. */
    @Test
    void newFeedsPutAtOnceNeverPassMaxFeeds() throws Exception {
        int puts = 8;
        CyclicBarrier together = new CyclicBarrier(puts);
        ExecutorService pool = Executors.newFixedThreadPool(puts);
        List<Future<Integer>> statuses = new ArrayList<>();
        try {
            for (int i = 1; i <= puts; i++) {
                String feed = FEED + "-" + i;
                statuses.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return new Api(port).put("/api/feeds/" + feed, definition(Map.of())).status();
                }));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get(120, TimeUnit.SECONDS));
            }
            assertThat(answered).filteredOn(status -> status == 201).hasSize(3);
            assertThat(answered).filteredOn(status -> status == 409).hasSize(puts - 3);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("select count(distinct feed) from sync_feed_definition")).isEqualTo(3);
    }

    /**
     * A failure after validation, while this node builds the new version's routes (its timer's trigger
     * refused by the job store): the PUT fails and stores nothing — no version, no audit row of a change,
     * not the table target.create made for it — and the version before keeps running as it was.
     */
    @Test
    void aVersionWhoseRoutesCannotBeBuiltStoresNothingNotEvenItsTable(CapturedOutput output) {
        assertThat(api.put("/api/feeds/" + FEED, definition(Map.of())).status()).isEqualTo(201);
        jdbc.execute("alter table qrtz_triggers add constraint bounds_no_timer check (trigger_name <> '" + FEED + "')");

        Api.Answer failed = api.put("/api/feeds/" + FEED, definition(Map.of("schedule", json("\"" + NEVER + "\""),
                "target", json("{\"table\": \"bounds_created\", \"key\": [\"epa_type\"], \"create\": true}"))));

        assertThat(failed.status()).as(failed.raw().body()).isEqualTo(500);
        assertThat(jdbc.queryForList("select version from sync_feed_definition where feed = ?", Integer.class, FEED))
                .as("no version 2").containsExactly(1);
        assertThat(audited(FEED))
                .as("the creation, then the failure").containsExactly(201, 500);
        assertThat(count("select count(*) from pg_class where relname = 'bounds_created'"))
                .as("target.create's table is rolled back with the version").isZero();
        JsonNode current = api.get("/api/feeds/" + FEED + "/definition").json();
        assertThat(current.get("version").asInt()).isEqualTo(1);
        assertThat(current.at("/definition/target/table").asText()).isEqualTo("test_plans");
        assertThat(triggerStored()).as("version 1 has no timer").isFalse();
        jdbc.execute("alter table qrtz_triggers drop constraint bounds_no_timer");
        assertThat(api.run(FEED).get("status").asText()).as("version 1 runs on").isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans")).isEqualTo(3);
        defined.reconcile();
        assertThat(output.getAll()).doesNotContain("could not follow");
        assertThat(triggerStored()).isFalse();
    }

    /** A configured feed over a limit stops startup, naming the key and the limit. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            chunk-size                | 2147483647 | feedsync.feeds.partners.chunk-size: 2147483647 is over this node's limit of 10000 (feedsync.limits.max-chunk-size)
            source.retry.max-attempts | 2147483647 | feedsync.feeds.partners.source.retry.max-attempts: 2147483647 is over this node's limit of 20 (feedsync.limits.max-attempts)
            source.max-page-size      | 8TB        | feedsync.feeds.partners.source.max-page-size: 8TB is over this node's limit of 256MB (feedsync.limits.max-page-size)
            source.timeout            | 3650d      | feedsync.feeds.partners.source.timeout: 3650d is over this node's limit of 1h (feedsync.limits.max-timeout)
            """)
    void aConfiguredFeedOverALimitStopsStartup(String key, String value, String message, CapturedOutput output) {
        Map<String, Object> properties = configuredFeed();
        properties.put("feedsync.feeds.partners." + key, value);

        assertStartupFails(properties, output, message);
    }

    @Test
    void aConfiguredFeedWithTooLongANameStopsStartup(CapturedOutput output) {
        Map<String, Object> properties = new LinkedHashMap<>();
        configuredFeed().forEach((key, value) -> properties.put(key.replace("partners", "p".repeat(101)), value));

        assertStartupFails(properties, output, "feedsync.feeds." + "p".repeat(40) + "… (101 characters): feed names"
                + " are lower-case letters, digits and '-', at most 100 characters");
    }

    private void assertNothingStored(String feed) {
        assertThat(count("select count(*) from sync_feed_definition where feed = ?", feed)).isZero();
        assertThat(audited(feed)).as("no audit row of a change").allMatch(status -> status >= 400);
        assertThat(catalog.contains(feed)).isFalse();
        assertThat(camel.hasComponent("upstream-" + feed)).isNull();
    }

    /** The statuses of this test's audit rows of the feed, in order. */
    private List<Integer> audited(String feed) {
        return jdbc.queryForList("select status from sync_audit where feed = ? and id > ? order by id", Integer.class,
                feed, auditBefore);
    }

    private boolean triggerStored() {
        try {
            return quartz.checkExists(new TriggerKey(FEED, FeedTimers.GROUP));
        } catch (org.quartz.SchedulerException e) {
            throw new IllegalStateException(e);
        }
    }

    private void store(String feed, String definition) {
        jdbc.update("insert into sync_feed_definition (feed, version, definition, changed_by) values (?, 1, ?::jsonb,"
                + " 'before-limits')", feed, definition);
    }

    /** A valid definition reading the upstream's "bounded" plans into test_plans, with these keys set (dotted paths). */
    private String definition(Map<String, JsonNode> set) {
        ObjectNode definition = (ObjectNode) json("""
                {"mode": "full",
                 "source": {"url": "%s", "records": "/epa_clients"},
                 "transform": {"mapping": {"epa_type": "/key", "ncpdp_version": "/version", "gateway_id": "/id"}},
                 "target": {"table": "test_plans", "key": ["epa_type"], "shared": true}}""".formatted(upstream.url("/all/bounded")));
        set.forEach((path, value) -> {
            ObjectNode parent = definition;
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.has(parts[i]) ? (ObjectNode) parent.get(parts[i]) : parent.putObject(parts[i]);
            }
            parent.set(parts[parts.length - 1], value);
        });
        return definition.toString();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static Map<String, Object> configuredFeed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("feedsync.feeds.partners.source.url", "http://127.0.0.1:1/export");
        feed.put("feedsync.feeds.partners.source.records", "/epa_clients");
        feed.put("feedsync.feeds.partners.transform.mapping.epa_type", "/key");
        feed.put("feedsync.feeds.partners.target.table", "test_plans");
        feed.put("feedsync.feeds.partners.target.key", "epa_type");
        return feed;
    }

    private static void assertStartupFails(Map<String, Object> properties, CapturedOutput output, String message) {
        assertThatThrownBy(() -> StartupCheck.start(properties).close())
                .hasRootCauseInstanceOf(FeedConfigException.class)
                .rootCause().hasMessageStartingWith(message);
        assertThat(output.getOut() + output.getErr()).contains("Invalid feed configuration: " + message);
    }
}
