package io.feedsync.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.Invariants;
import io.feedsync.support.TestDatabase;

import static io.feedsync.support.FakeUpstream.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Database faults during a run's writes, through the real routes: a passing failure of
 * PostgreSQL (timeout, lock, deadlock, lost connection, shutdown) fails the run as transient and
 * is never mistaken for bad rows — no row-by-row retry, no dead letter, no watermark move — and
 * the next run completes the job. (The feed faults-db has a 1 s statement-timeout.)
 */
class DatabaseFaultsTest extends FeedsyncTest {

    private static final Instant T0 = Instant.parse("2026-05-18T01:00:00Z");
    private static final Instant T1 = T0.plusSeconds(3600);

    private static List<ObjectNode> validated(int count, String version, Instant from) {
        List<ObjectNode> records = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            records.add(plan(id, version, from.plusSeconds(60L * id)));
        }
        return records;
    }

    @Test
    void writeHeldUpByALockTimesOutAndFailsTheRunAsTransientWithoutDeadLetters() throws Exception {
        Invariants invariants = Invariants.plans(jdbc, "faults-db");
        upstream.dataset("plans", validated(6, "v1", T0));
        api.run("faults-db");
        String watermark = invariants.watermark();
        upstream.dataset("plans", validated(6, "v2", T1));

        JsonNode failed;
        try (Connection locker = DriverManager.getConnection(TestDatabase.url(), TestDatabase.username(),
                TestDatabase.password()); Statement sql = locker.createStatement()) {
            locker.setAutoCommit(false);
            sql.execute("lock table test_plans in access exclusive mode");

            failed = api.run("faults-db");

            locker.rollback();
        }

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("message").asText()).contains("canceling statement due to statement timeout");
        assertThat(Duration.between(Instant.parse(failed.get("startedAt").asText()),
                Instant.parse(failed.get("finishedAt").asText()))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(count("select count(*) from sync_dead_letter")).as("no row is blamed").isZero();
        assertThat(jdbc.queryForList("select distinct ncpdp_version from test_plans", String.class))
                .as("not retried row by row: the batch was rolled back whole").containsExactly("v1");
        assertThat(invariants.watermark()).isEqualTo(watermark);
        invariants.checkConsistent(upstream.dataset("plans"));

        JsonNode next = api.run("faults-db");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(next.get("counts").get("updated").asLong()).isEqualTo(6);
        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void runWhoseLockSessionEndsStopsAtTheNextPageAsTransient() {
        Invariants invariants = Invariants.plans(jdbc, "faults-db");
        List<ObjectNode> records = validated(20, "v1", T0);
        upstream.dataset("plans", records);
        upstream.delay(Duration.ofMillis(200));
        long runId = api.startRun("faults-db", null);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> count("select pages from sync_run where id = ?", runId) >= 1);

        // as a proxy, a firewall or an operator would: the session holding the feed's lock ends
        endLockSession("faults-db");
        JsonNode failed = api.awaitRun(runId);

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("message").asText()).contains("lost the lock of feed 'faults-db'");
        assertThat(failed.get("pages").asInt()).as("it stopped at the end of the page it was on").isLessThan(5);
        assertThat(invariants.watermark()).isNull();
        invariants.checkConsistent(records);

        upstream.delay(Duration.ZERO);
        JsonNode next = api.run("faults-db");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        invariants.check(records);
    }

    /**
     * query_canceled, serialization failure, deadlock, lock not available, connection failure,
     * admin shutdown, cannot connect now, too many connections — raised by a trigger on the
     * target table when a record carries the code.
     */
    @ParameterizedTest(name = "SQLSTATE {0}")
    @ValueSource(strings = {"57014", "40001", "40P01", "55P03", "08006", "57P01", "57P03", "53300"})
    void transientDatabaseErrorFailsTheRunAsTransientAndIsNotMistakenForABadRow(String sqlState) {
        Invariants invariants = Invariants.plans(jdbc, "faults-db");
        upstream.dataset("plans", validated(6, "v1", T0));
        api.run("faults-db");
        String watermark = invariants.watermark();
        List<ObjectNode> changed = validated(6, "v2", T1);
        changed.set(2, plan(3, "sqlstate-" + sqlState, T1.plusSeconds(180)));
        upstream.dataset("plans", changed);

        JsonNode failed = api.run("faults-db");

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        assertThat(failed.get("error").get("message").asText()).contains("scripted failure sqlstate-" + sqlState);
        assertThat(count("select count(*) from sync_dead_letter")).as("no row is blamed").isZero();
        assertThat(jdbc.queryForList("select distinct ncpdp_version from test_plans", String.class))
                .as("not retried row by row: the batch was rolled back whole").containsExactly("v1");
        assertThat(invariants.watermark()).isEqualTo(watermark);
        invariants.checkConsistent(changed);

        upstream.dataset("plans", validated(6, "v2", T1));
        JsonNode next = api.run("faults-db");

        assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
        invariants.check(upstream.dataset("plans"));
    }

    @Test
    void runCarryingDeleteMarkersWhoseLockSessionEndsIsCompletedByTheNextRun() {
        Invariants invariants = UpstreamFaultsTest.markerInvariants(jdbc);
        upstream.dataset("plans", validated(20, "v1", T0));
        api.run("plans-markers");
        List<ObjectNode> marked = UpstreamFaultsTest.marked(20, "v2", T1, List.of(2, 5, 7, 11, 14, 18, 20));
        upstream.dataset("plans", marked);
        upstream.delay(Duration.ofMillis(200));
        long runId = api.startRun("plans-markers", null);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> count("select pages from sync_run where id = ?", runId) >= 1);

        endLockSession("plans-markers");
        JsonNode failed = api.awaitRun(runId);

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").get("class").asText()).isEqualTo("TRANSIENT");
        invariants.checkConsistent(marked);

        upstream.delay(Duration.ZERO);
        JsonNode next = api.run("plans-markers");

        assertThat(next.get("status").asText()).as(next.toString()).isEqualTo("SUCCEEDED");
        assertThat(count("select count(*) from test_plans where deleted_at is not null")).isEqualTo(7);
        invariants.check(marked);
    }

    /** Ends the database session holding the feed's lock, as a proxy, a firewall or an operator would. */
    private void endLockSession(String feed) {
        assertThat(count("""
                select count(pg_terminate_backend(pid)) from pg_locks
                 where locktype = 'advisory' and classid = 1717859193 and objsubid = 2
                   and objid::bigint = hashtext(?)::bigint & 4294967295""", feed)).isEqualTo(1);
    }
}
