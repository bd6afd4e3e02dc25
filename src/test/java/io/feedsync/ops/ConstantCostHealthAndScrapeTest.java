package io.feedsync.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.ActuatorStatements;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/health}, {@code /actuator/prometheus} and {@code GET /api/feeds} execute as many SQL
 * statements on the application's pool with 200 feeds as with 2 (issue #31): what they read is read for
 * all feeds at once. Besides the test profile's feeds (30), each application has 2 or 200 {@code cost-001}…: every
 * one scheduled (never due during the test), and every second one paused, with a change endpoint and
 * a target table that does not exist, so that each kind of fact health and the gauges read is there.
 */
class ConstantCostHealthAndScrapeTest {

    /** A few more than the kinds of facts health and a scrape read (3 and 5); far fewer than one per feed. */
    private static final int AT_MOST = 10;

    @Test
    void healthAndScrapeExecuteAsManyStatementsWith200FeedsAsWith2() throws SQLException {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            Cost few = cost(2, upstream);
            Cost many = cost(200, upstream);
            System.out.printf("health: %d statements with 2 feeds, %d with 200; %d ms with 200 (median of 5)%n",
                    few.health.size(), many.health.size(), many.healthTime.toMillis());
            System.out.printf("scrape: %d statements with 2 feeds, %d with 200; %d ms with 200 (median of 5)%n",
                    few.scrape.size(), many.scrape.size(), many.scrapeTime.toMillis());
            System.out.printf("feed list: %d statements with 2 feeds, %d with 200; %d ms with 200 (median of 5)%n",
                    few.list.size(), many.list.size(), many.listTime.toMillis());

            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(many.health.size()).as("statements of one health check with 200 feeds:%n%s",
                        grouped(many.health)).isLessThanOrEqualTo(AT_MOST).isEqualTo(few.health.size());
                softly.assertThat(many.scrape.size()).as("statements of one scrape with 200 feeds:%n%s",
                        grouped(many.scrape)).isLessThanOrEqualTo(AT_MOST).isEqualTo(few.scrape.size());
                // counted on every thread (the REST route runs on another one than the request): a background
                // statement or two may be among them, so bounded, not equal
                softly.assertThat(many.list.size()).as("statements while GET /api/feeds served 200 feeds:%n%s",
                        grouped(many.list)).isLessThanOrEqualTo(AT_MOST);
            });
        }
    }

    /** The statements of one health check and one scrape, and the median time of five of each. */
    private record Cost(List<String> health, Duration healthTime, List<String> scrape, Duration scrapeTime,
                        List<String> list, Duration listTime) {
    }

    /** The cost of health and a scrape in an application with {@code feeds} more feeds, after one of each to warm up. */
    private static Cost cost(int feeds, FakeUpstream upstream) throws SQLException {
        try (ConfigurableApplicationContext app = start(feeds, upstream)) {
            pauseEverySecond(feeds);
            try {
                Api viewer = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")))
                        .as(Api.bearer(Api.VIEWER_KEY));
                ActuatorStatements statements = app.getBean(ActuatorStatements.class);
                assertThat(viewer.get("/actuator/health").json().at("/components/feeds/components/" + name(feeds)
                        + "/details/paused/reason").asText()).as("health sees the pauses").isEqualTo("cost");
                assertThat(viewer.get("/actuator/prometheus").raw().body()).as("so do the gauges")
                        .contains("feedsync_feed_paused{application=\"feedsync\",feed=\"" + name(feeds) + "\"} 1");
                Runnable health = () -> assertThat(viewer.get("/actuator/health").status()).as("a table is missing")
                        .isEqualTo(503);
                Runnable scrape = () -> assertThat(viewer.get("/actuator/prometheus").status()).isEqualTo(200);
                Runnable list = () -> assertThat(viewer.get("/api/feeds").json()).as("every feed listed").hasSize(32 + feeds);
                assertThat(viewer.get("/api/feeds").json().findValues("nextFire")).as("with its next fire")
                        .anyMatch(fire -> !fire.isNull());
                return new Cost(statements.during(health), medianTime(health), statements.during(scrape), medianTime(scrape),
                        statements.duringOnAnyThread(list), medianTime(list));
            } finally {
                try (Connection db = TestDatabase.connect()) {
                    db.createStatement().execute("delete from sync_feed_pause where feed like 'cost-%'");
                }
            }
        }
    }

    private static Duration medianTime(Runnable request) {
        List<Duration> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            request.run();
            times.add(Duration.ofNanos(System.nanoTime() - start));
        }
        times.sort(null);
        return times.get(2);
    }

    private static ConfigurableApplicationContext start(int feeds, FakeUpstream upstream) {
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--test.upstream=" + upstream.url(""),
                // the change endpoints are polled once, not every 100 ms as in the other tests
                "--feedsync.delivery.poll-interval=1h",
                "--server.port=0"));
        for (int i = 1; i <= feeds; i++) {
            String feed = "--feedsync.feeds." + name(i);
            arguments.addAll(List.of(
                    feed + ".schedule=0 0 0 1 1 ?",
                    feed + ".source.url=${test.upstream}/page/plans",
                    feed + ".source.records=/epa_clients",
                    feed + ".transform.mapping.epa_type=/key",
                    feed + ".target.table=" + (i % 2 == 0 ? "cost_no_such_table" : "test_plans"),
                    feed + ".target.shared=true",
                    feed + ".target.key=epa_type"));
            if (i % 2 == 0) {
                arguments.add(feed + ".notify.changes[0]=${test.upstream}/hooks/changes");
            }
        }
        return new SpringApplicationBuilder(FeedsyncApplication.class, ActuatorStatements.Counting.class)
                .profiles("test")
                .run(arguments.toArray(String[]::new));
    }

    private static void pauseEverySecond(int feeds) throws SQLException {
        try (Connection db = TestDatabase.connect();
             PreparedStatement pause = db.prepareStatement(
                     "insert into sync_feed_pause (feed, paused_by, reason) values (?, 'test', 'cost') on conflict do nothing")) {
            for (int i = 2; i <= feeds; i += 2) {
                pause.setString(1, name(i));
                pause.addBatch();
            }
            pause.executeBatch();
        }
    }

    private static String name(int i) {
        return String.format("cost-%03d", i);
    }

    /** Each statement once, with how many times it ran: what a failure shows. */
    private static String grouped(List<String> statements) {
        Map<String, Long> counts = statements.stream().map(sql -> sql.replaceAll("\\s+", " ").trim())
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        return counts.entrySet().stream().map(entry -> entry.getValue() + " × " + entry.getKey())
                .collect(Collectors.joining("\n"));
    }
}
