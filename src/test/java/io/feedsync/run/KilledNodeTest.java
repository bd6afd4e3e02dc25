package io.feedsync.run;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A feedsync JVM killed with SIGKILL in the middle of a run: its run is left RUNNING, the lock
 * dies with its database session, the next node marks the run ABANDONED, and the next run
 * completes the job with nothing lost or duplicated.
 */
class KilledNodeTest {

    private static final String KEY = Api.OPERATOR_KEY;
    private static final FakeUpstream upstream = FakeUpstream.start();
    private final List<Process> nodes = new ArrayList<>();

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(Process::destroyForcibly);
    }

    @Test
    void runOfAKilledNodeIsAbandonedAndTheNextRunCompletesTheJob() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(40, "v1"));
        upstream.delay(Duration.ofMillis(300));
        int firstPort = freePort();
        Process first = startNode(firstPort);
        try (Connection db = connect(); Statement sql = db.createStatement()) {
            sql.execute("truncate killed_node_plans");
            sql.execute("delete from sync_record_hash where feed = 'killable'");
            sql.execute("delete from sync_watermark where feed = 'killable'");
        }
        Api firstApi = new Api(firstPort);
        long runId = firstApi.startRun("killable", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select pages from sync_run where id = " + runId) >= 2);
        first.destroyForcibly().waitFor();

        assertThat(status(runId)).as("nobody finished it").isEqualTo("RUNNING");
        int landed = count("select count(*) from killed_node_plans");
        assertThat(landed).isBetween(1, 39);

        upstream.delay(Duration.ZERO);
        int secondPort = freePort();
        startNode(secondPort);
        await().atMost(Duration.ofSeconds(60)).until(() -> "ABANDONED".equals(status(runId)));
        JsonNode next = new Api(secondPort).run("killable", null);

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from killed_node_plans")).isEqualTo(40);
        assertThat(count("select count(distinct epa_type) from killed_node_plans")).isEqualTo(40);
        assertThat(next.get("counts").get("inserted").asLong() + next.get("counts").get("unchanged").asLong())
                .isEqualTo(40);
    }

    private Process startNode(int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.feedsync.FeedsyncApplication",
                "--spring.profiles.active=killed-node",
                "--server.port=" + port,
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--spring.flyway.locations=classpath:db/migration,classpath:db/testtables,classpath:db/demo",
                "--feedsync.security.api-keys.test.key=" + KEY,
                "--feedsync.security.api-keys.test.role=operator",
                "--feedsync.feeds.killable.mode=full",
                "--feedsync.feeds.killable.batch-size=2",
                "--feedsync.feeds.killable.source.url=" + upstream.url("/page/plans"),
                "--feedsync.feeds.killable.source.pagination.type=page",
                "--feedsync.feeds.killable.source.pagination.size=4",
                "--feedsync.feeds.killable.source.records=/epa_clients",
                "--feedsync.feeds.killable.transform.mapping.epa_type=/key",
                "--feedsync.feeds.killable.transform.mapping.ncpdp_version=/version",
                "--feedsync.feeds.killable.transform.mapping.gateway_id=/id",
                "--feedsync.feeds.killable.target.table=killed_node_plans",
                "--feedsync.feeds.killable.target.key=epa_type"));
        Process node = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "feedsync-killed-node-" + port + ".log"))
                .start();
        nodes.add(node);
        Api api = new Api(port);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    if (!node.isAlive()) {
                        throw new AssertionError("the feedsync node stopped; see its log in java.io.tmpdir");
                    }
                    return api.get("/api/feeds").status() == 200;
                });
        return node;
    }

    private static String status(long runId) throws Exception {
        try (Connection db = connect(); Statement sql = db.createStatement();
             ResultSet row = sql.executeQuery("select status from sync_run where id = " + runId)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static int count(String query) throws Exception {
        try (Connection db = connect(); Statement sql = db.createStatement(); ResultSet row = sql.executeQuery(query)) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(TestDatabase.url(), TestDatabase.username(), TestDatabase.password());
    }
}
