package io.feedsync.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.FeedsyncApplication;
import io.feedsync.run.RunFinished;
import io.feedsync.run.RunStatus;
import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.Invariants;
import io.feedsync.support.TestDatabase;
import io.feedsync.upstream.FailureClass;

import static io.feedsync.support.FakeUpstream.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL really stopped and started again (same data directory, same port) while a run pages
 * through a slow upstream. feedsync runs as its own application context against that server, not
 * the test JVM's shared one. The run ends FAILED (transient) or is found ABANDONED — never
 * SUCCEEDED with rows missing, never RUNNING after the next trigger — the watermark does not
 * move, and the same application, without a restart, completes the job with the next run.
 */
class PostgresRestartTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");

    @TempDir
    static Path dataDir;

    private static int port;
    private static EmbeddedPostgres postgres;
    private static FakeUpstream upstream;
    private static ConfigurableApplicationContext app;
    private static final BlockingQueue<RunFinished> finished = new LinkedBlockingQueue<>();
    private static Api api;
    private static JdbcTemplate db;
    private final List<ObjectNode> records = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        postgres = startPostgres();
        upstream = FakeUpstream.start();
        app = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("test")
                .listeners(ApplicationListener.forPayload(finished::add))
                .run("--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "--spring.datasource.username=postgres",
                        // how long a write waits for a connection while the database is away
                        "--spring.datasource.hikari.connection-timeout=3000",
                        "--test.upstream=" + upstream.url(""),
                        "--server.port=0");
        api = new Api(Integer.parseInt(app.getEnvironment().getProperty("local.server.port")));
        db = new JdbcTemplate(new DriverManagerDataSource(TestDatabase.withOwnSchema(postgres.getJdbcUrl("postgres", "postgres")), "postgres", ""));
    }

    @AfterAll
    static void stop() throws IOException {
        app.close();
        upstream.close();
        postgres.close();
    }

    @BeforeEach
    void slowUpstream() {
        upstream.reset();
        finished.clear();
        db.update("truncate test_plans, sync_record_hash, sync_dead_letter, sync_watermark, sync_run");
        for (int id = 1; id <= 40; id++) {
            records.add(plan(id, "v1", T0.plusSeconds(60L * id)));
        }
        upstream.dataset("plans", records);
        upstream.delay(Duration.ofMillis(200));
    }

    @Test
    void runCutShortByARestartFailsAsTransientAndTheNextRunCompletesTheJob() throws Exception {
        long runId = startAndAwaitPages(2);

        postgres.close();
        postgres = startPostgres();

        RunFinished cutShort = finished.poll(60, TimeUnit.SECONDS);
        assertThat(cutShort).as("the run ended").isNotNull();
        assertThat(cutShort.runId()).isEqualTo(runId);
        assertThat(cutShort.status()).isEqualTo(RunStatus.FAILED);
        assertThat(cutShort.error().failureClass()).isEqualTo(FailureClass.TRANSIENT);
        // the database was back when the run failed: the run recorded it, through a new connection
        assertThat(status(runId)).isEqualTo("FAILED");

        nextRunCompletesTheJob(runId);
    }

    @Test
    void runThatFailsWhileTheDatabaseIsStillDownIsAbandonedByTheNextTrigger() throws Exception {
        long runId = startAndAwaitPages(2);

        postgres.close();
        RunFinished cutShort = finished.poll(60, TimeUnit.SECONDS);
        postgres = startPostgres();

        assertThat(cutShort).as("the run ended").isNotNull();
        assertThat(cutShort.status()).isEqualTo(RunStatus.FAILED);
        assertThat(cutShort.error().failureClass()).isEqualTo(FailureClass.TRANSIENT);
        assertThat(status(runId)).as("nobody could record the failure").isEqualTo("RUNNING");

        nextRunCompletesTheJob(runId);
        assertThat(status(runId)).isEqualTo("ABANDONED");
    }

    private long startAndAwaitPages(int pages) {
        long runId = api.startRun("faults-db", null);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> db.queryForObject("select pages from sync_run where id = ?", Integer.class, runId) >= pages);
        return runId;
    }

    private void nextRunCompletesTheJob(long cutShortRunId) {
        upstream.delay(Duration.ZERO);

        // the pool reconnects on its own, after a back-off of its own; until then, 503
        AtomicReference<Api.Answer> trigger = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            trigger.set(api.post("/api/feeds/faults-db/runs", null));
            assertThat(trigger.get().status()).as(trigger.get().raw().body()).isIn(202, 503);
            return trigger.get().status() == 202;
        });
        JsonNode next = api.awaitRun(trigger.get().json().get("runId").asLong());

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("watermark").asText()).isEqualTo(T0.plusSeconds(2400).toString());
        Map<String, Object> cutShort = db.queryForMap("select status, error_class, watermark from sync_run where id = ?",
                cutShortRunId);
        assertThat(cutShort.get("status")).isIn("FAILED", "ABANDONED");
        assertThat(cutShort.get("error_class")).isEqualTo("TRANSIENT");
        assertThat(cutShort.get("watermark")).as("the run cut short moved no watermark").isNull();
        Invariants.plans(db, "faults-db").check(records);
    }

    private static String status(long runId) {
        return db.queryForObject("select status from sync_run where id = ?", String.class, runId);
    }

    private static EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
    }
}
