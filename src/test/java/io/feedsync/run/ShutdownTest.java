package io.feedsync.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;

import io.feedsync.FeedsyncApplication;
import io.feedsync.config.EmbeddedDatabases;
import io.feedsync.config.EmbeddedDatabases.EmbeddedDatabase;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;

import static io.feedsync.support.FakeUpstream.plans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping feedsync (Ctrl-C, SIGTERM) while a run is under way, on its own embedded database: the
 * run ends at its next page and is recorded as failed (transient) while the database is still
 * there; Camel, Quartz and the connection pool stop before the embedded PostgreSQL does.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownTest {

    @Test
    void aRunUnderWayEndsRecordedAndTheEmbeddedDatabaseStopsLast(CapturedOutput output) throws IOException {
        Path dataDir = Files.createTempDirectory("feedsync-shutdown");
        try (FakeUpstream upstream = FakeUpstream.start()) {
            upstream.dataset("plans", plans(40, "v1"));
            upstream.delay(Duration.ofMillis(300));
            ConfigurableApplicationContext app = new SpringApplicationBuilder(FeedsyncApplication.class)
                    .profiles("shutdown-test")
                    .run("--spring.datasource.url=",
                            "--feedsync.embedded-database.data-dir=" + dataDir.resolve("pgdata"),
                            "--feedsync.security.generated-key-file=" + dataDir.resolve("key"),
                            "--spring.flyway.locations=classpath:db/migration,classpath:db/testtables",
                            "--server.port=0",
                            "--feedsync.security.api-keys.test-operator.key=" + Api.OPERATOR_KEY,
                            "--feedsync.security.api-keys.test-operator.role=operator",
                            "--feedsync.feeds.plans.source.url=" + upstream.url("/link/plans?per_page=4"),
                            "--feedsync.feeds.plans.source.pagination.type=link-header",
                            "--feedsync.feeds.plans.source.records=/epa_clients",
                            "--feedsync.feeds.plans.transform.mapping.epa_type=/key",
                            "--feedsync.feeds.plans.transform.mapping.ncpdp_version=/version",
                            "--feedsync.feeds.plans.transform.mapping.gateway_id=/id",
                            "--feedsync.feeds.plans.target.table=test_plans",
                            "--feedsync.feeds.plans.target.key=epa_type");
            Api api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
            long runId = api.startRun("plans", "{\"mode\":\"full\"}");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> api.get("/api/runs/" + runId).json().get("pages").asInt() >= 2);

            app.close();
            String untilStopped = output.getAll();

            // reopened as feedsync does: its role, with the password saved beside the data
            try (EmbeddedDatabase again = EmbeddedDatabases.open(dataDir.resolve("pgdata"), 0, "feedsync")) {
                JdbcTemplate db = new JdbcTemplate(new DriverManagerDataSource(again.jdbcUrl(), again.username(), again.password()));
                Map<String, Object> run = db.queryForMap(
                        "select status, error_class, error_message, pages from feedsync.sync_run where id = ?", runId);
                assertThat(run.get("status")).isEqualTo("FAILED");
                assertThat(run.get("error_class")).isEqualTo("TRANSIENT");
                assertThat((String) run.get("error_message")).startsWith("feedsync is shutting down; the run stopped after page");
                assertThat((Integer) run.get("pages")).isLessThan(10);
                assertThat(db.queryForObject("select count(*) from feedsync.sync_watermark", Integer.class)).isZero();
            }
            int camelStopped = untilStopped.indexOf("Apache Camel 4.14.0 (feedsync) shutdown");
            int quartzStopped = untilStopped.indexOf("Shutting down Quartz Scheduler", camelStopped);
            int poolClosed = untilStopped.indexOf("Shutdown completed.", quartzStopped);
            int postgresStopped = untilStopped.indexOf("shut down postmaster", poolClosed);
            assertThat(List.of(camelStopped, quartzStopped, poolClosed, postgresStopped))
                    .as("Camel, then Quartz, then the pool, then PostgreSQL").doesNotContain(-1);
        } finally {
            FileSystemUtils.deleteRecursively(dataDir);
        }
    }
}
