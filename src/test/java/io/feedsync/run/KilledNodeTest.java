package io.feedsync.run;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncNode;
import io.feedsync.support.Invariants;
import io.feedsync.support.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A feedsync JVM killed with SIGKILL in the middle of a run: its run is left RUNNING, the lock
 * dies with its database session, the next node marks the run ABANDONED, and the next run resumes
 * it after its last committed page and completes the job with nothing lost or duplicated: the
 * {@link Invariants} hold.
 */
class KilledNodeTest {

    private static final FakeUpstream upstream = FakeUpstream.start();
    private final List<FeedsyncNode> nodes = new ArrayList<>();

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(FeedsyncNode::close);
    }

    @Test
    void runOfAKilledNodeIsAbandonedAndTheNextRunCompletesTheJob() throws Exception {
        upstream.dataset("plans", FakeUpstream.plans(40, "v1"));
        upstream.delay(Duration.ofMillis(300));
        FeedsyncNode first = startNode();
        try (Connection db = connect(); Statement sql = db.createStatement()) {
            sql.execute("truncate killed_node_plans");
            sql.execute("delete from sync_record_hash where feed = 'killable'");
            sql.execute("delete from sync_watermark where feed = 'killable'");
            sql.execute("delete from sync_dead_letter where feed = 'killable'");
            sql.execute("delete from sync_run where feed = 'killable'");
        }
        long runId = first.api().startRun("killable", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select pages from sync_run where id = " + runId) >= 2);
        first.kill();

        assertThat(status(runId)).as("nobody finished it").isEqualTo("RUNNING");
        int landed = count("select count(*) from killed_node_plans");
        assertThat(landed).isBetween(1, 39);

        int committed = count("select coalesce((checkpoint->>'pages')::int, 0) from sync_run where id = " + runId);
        assertThat(committed).as("the pages whose every chunk was written before the kill").isBetween(1, 9);
        int requestsOfKilledRun = upstream.requests().size();

        upstream.delay(Duration.ZERO);
        FeedsyncNode second = startNode();
        await().atMost(Duration.ofSeconds(60)).until(() -> "ABANDONED".equals(status(runId)));
        JsonNode next = second.api().run("killable", null);

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("resumedFrom").asLong()).as("it resumed the killed run").isEqualTo(runId);
        List<Integer> resumedPages = upstream.requests().subList(requestsOfKilledRun, upstream.requests().size())
                .stream().map(FakeUpstream.Request::page).toList();
        assertThat(resumedPages).as("from the page after the last committed one to the end (11: empty)")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(committed + 1, 11).boxed().toList());
        assertThat(upstream.requests().stream().filter(r -> r.page() <= committed))
                .as("no committed page is requested again").hasSize(committed);
        assertThat(count("select count(*) from killed_node_plans")).isEqualTo(40);
        assertThat(count("select count(distinct epa_type) from killed_node_plans")).isEqualTo(40);
        assertThat(next.get("counts").get("inserted").asLong() + next.get("counts").get("unchanged").asLong())
                .as("the records of the pages it read").isEqualTo(40 - 4L * committed);
        assertThat(status(runId)).isEqualTo("ABANDONED");
        invariants().check(upstream.dataset("plans"));
    }

    /** The feed killable of {@link #startNode}, checked through the test JVM's own connections. */
    private static Invariants invariants() {
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("epa_type", "/key");
        columns.put("ncpdp_version", "/version");
        columns.put("gateway_id", "/id");
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestDatabase.withOwnSchema(TestDatabase.url()), TestDatabase.username(),
                TestDatabase.password()));
        return new Invariants(jdbc, "killable", "killed_node_plans", columns);
    }

    private FeedsyncNode startNode() {
        FeedsyncNode node = FeedsyncNode.launch("killed-node", List.of(
                "--spring.profiles.active=killed-node",
                "--feedsync.feeds.killable.mode=full",
                "--feedsync.feeds.killable.chunk-size=2",
                "--feedsync.feeds.killable.source.url=" + upstream.url("/page/plans"),
                "--feedsync.feeds.killable.source.pagination.type=page",
                "--feedsync.feeds.killable.source.pagination.size=4",
                "--feedsync.feeds.killable.source.records=/epa_clients",
                "--feedsync.feeds.killable.transform.mapping.epa_type=/key",
                "--feedsync.feeds.killable.transform.mapping.ncpdp_version=/version",
                "--feedsync.feeds.killable.transform.mapping.gateway_id=/id",
                "--feedsync.feeds.killable.target.table=killed_node_plans",
                "--feedsync.feeds.killable.target.key=epa_type"));
        nodes.add(node);
        node.awaitUp();
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

    private static Connection connect() throws Exception {
        return TestDatabase.connect();
    }
}
