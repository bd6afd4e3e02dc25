package io.feedsync.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping a node ends within {@code spring.lifecycle.timeout-per-shutdown-phase} whatever its runs
 * are doing: one waiting 5 to 10 minutes before its next attempt against a dead port, one whose
 * upstream never answers (a read timeout of an hour), and two waiting QUEUED behind them. Before, the
 * retrying run kept retrying through Camel's shutdown (45 s and more). The runs under way are recorded
 * FAILED (transient: the feed's next run resumes them), the queued ones SKIPPED.
 */
class ShutdownTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(16);

    @Test
    void aNodeStopsWithinTheShutdownTimeoutWhateverItsRunsAreDoing() throws Exception {
        String database = TestDatabase.fresh("feedsync_shutdown_timeout");
        JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(TestDatabase.withOwnSchema(database),
                TestDatabase.username(), TestDatabase.password()));
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        ConfigurableApplicationContext app = null;
        try (FakeUpstream upstream = FakeUpstream.start()) {
            upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
            // answers nothing until the test ends
            upstream.serve("/hanging", exchange -> {
                asked.countDown();
                try {
                    released.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
            });
            app = new SpringApplicationBuilder(FeedsyncApplication.class)
                    .profiles("test")
                    .run(arguments(database, upstream));
            Api api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
            long retrying = api.startRun("shutdown-dead", null);
            long hanging = api.startRun("shutdown-hanging", null);
            long queued = api.startRun("plans-single", null);
            long queuedToo = api.startRun("plans", null);
            assertThat(asked.await(30, TimeUnit.SECONDS)).as("the hanging request was sent").isTrue();
            // the dead port's refusal is immediate: both runs are well into what they do
            Thread.sleep(1000);
            assertThat(status(db, retrying)).isEqualTo("RUNNING");
            assertThat(status(db, hanging)).isEqualTo("RUNNING");
            assertThat(status(db, queued)).isEqualTo("QUEUED");
            assertThat(status(db, queuedToo)).isEqualTo("QUEUED");

            Instant closing = Instant.now();
            app.close();
            Duration took = Duration.between(closing, Instant.now());

            assertThat(took).as("the shutdown took %s", took).isLessThan(TIMEOUT);
            for (long run : List.of(retrying, hanging)) {
                Map<String, Object> row = db.queryForMap(
                        "select status, error_class, error_message from sync_run where id = ?", run);
                assertThat(row.get("status")).as("run %d", run).isEqualTo("FAILED");
                assertThat(row.get("error_class")).isEqualTo("TRANSIENT");
                assertThat((String) row.get("error_message")).startsWith("feedsync is shutting down; the run stopped after page 0");
            }
            for (long run : List.of(queued, queuedToo)) {
                Map<String, Object> row = db.queryForMap("select status, error_message from sync_run where id = ?", run);
                assertThat(row.get("status")).as("run %d", run).isEqualTo("SKIPPED");
                assertThat(row.get("error_message")).isEqualTo("feedsync was shutting down when the run's turn came");
            }
            assertThat(upstream.requests().stream().filter(request -> request.path().equals("/all/plans")))
                    .as("the queued runs never fetched").isEmpty();
        } finally {
            if (app != null && app.isActive()) {
                app.close();
            }
            released.countDown();
        }
    }

    private static String status(JdbcTemplate db, long runId) {
        return db.queryForObject("select status from sync_run where id = ?", String.class, runId);
    }

    private static String[] arguments(String database, FakeUpstream upstream) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + database,
                "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--server.port=0", "--spring.main.banner-mode=off", "--spring.jmx.unique-names=true",
                "--test.upstream=" + upstream.url(""), "--test.raw-upstream=" + upstream.url(""),
                "--spring.lifecycle.timeout-per-shutdown-phase=" + TIMEOUT.toSeconds() + "s",
                "--feedsync.max-concurrent-runs=2"));
        feed(args, "shutdown-dead", "http://127.0.0.1:1/export", "1s");
        feed(args, "shutdown-hanging", upstream.url("/hanging"), "1h");
        return args.toArray(String[]::new);
    }

    private static void feed(List<String> args, String feed, String url, String timeout) {
        Map.of("source.url", url, "source.records", "/epa_clients", "source.timeout", timeout,
                        "source.retry.max-attempts", "6", "source.retry.initial-backoff", "10m",
                        "source.retry.max-backoff", "10m", "transform.mapping.epa_type", "/key",
                        "transform.mapping.ncpdp_version", "/version", "transform.mapping.gateway_id", "/id",
                        "target.table", "test_plans")
                .forEach((key, value) -> args.add("--feedsync.feeds." + feed + "." + key + "=" + value));
        args.add("--feedsync.feeds." + feed + ".target.key=epa_type");
        args.add("--feedsync.feeds." + feed + ".target.shared=true");
    }
}
